"""Writes about accounts: the second factor (TOTP authenticator app and recovery codes)."""

import django_otp
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .models import AuditEvent, User

RECOVERY_CODE_COUNT = 10


@transaction.atomic
def start_enrolment(*, user: User) -> TOTPDevice:
    """The authenticator the user is setting up: one unconfirmed TOTP device, kept until
    confirmed, so that reloading the page shows the same QR code."""
    if user.two_factor_enabled:
        raise ValidationError("您已启用双因素认证；如需更换手机，请联系系统管理员重置。")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)


@transaction.atomic
def confirm_enrolment(*, user: User, token: str, request=None) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator with a code it shows; returns it and ten new recovery codes."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        raise ValidationError("没有待确认的身份验证器，请刷新页面重新扫描二维码。")
    if not device.verify_token(token.strip()):
        raise ValidationError("验证码不正确：请输入身份验证器当前显示的 6 位数字（注意手机时间须准确）。")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    user.two_factor_enabled = True
    user.save(update_fields=["two_factor_enabled"])
    codes = _new_recovery_codes(user)
    audit.record(AuditEvent.Kind.TWO_FACTOR_ENROLLED, request=request, user=user, obj=user)
    return device, codes


@transaction.atomic
def renew_recovery_codes(*, user: User, request=None) -> list[str]:
    """Ten new recovery codes in place of the old ones (used up, or possibly seen by others)."""
    if not user.two_factor_enabled:
        raise ValidationError("您尚未启用双因素认证，请先绑定身份验证器。")
    codes = _new_recovery_codes(user)
    audit.record(AuditEvent.Kind.RECOVERY_CODES_RENEWED, request=request, user=user, obj=user)
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def reset_two_factor(*, user: User, actor: User, request=None) -> None:
    """Remove every second factor of ``user`` (lost phone): at the next login they enrol again."""
    if not user.two_factor_enabled:
        raise ValidationError(f"用户 {user.get_username()} 尚未启用双因素认证，无需重置。")
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    user.two_factor_enabled = False
    user.save(update_fields=["two_factor_enabled"])
    audit.record(
        AuditEvent.Kind.TWO_FACTOR_RESET,
        request=request,
        user=actor,
        obj=user,
        detail=f"重置了 {user.get_username()} 的双因素认证",
        changes={"双因素认证": ["已启用", "未启用"]},
    )


def verify_second_factor(*, user: User, token: str, request=None):
    """The device that accepts ``token`` (6 digits: the authenticator; otherwise a recovery code,
    which is then used up). A wrong code is recorded and raises ValidationError; after each one
    the next try waits twice as long (django-otp's throttling)."""
    token = "".join(token.split()).replace("-", "").lower()
    model = TOTPDevice if token.isdigit() else StaticDevice
    device = model.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        allowed, why = device.verify_is_allowed()
        if not allowed and why.get("locked_until"):
            wait = timezone.localtime(why["locked_until"])
            raise ValidationError(f"验证码连续输错 {why.get('failure_count')} 次，请于 {wait:%H:%M:%S} 后再试。")
        if django_otp.verify_token(user, device.persistent_id, token) is not None:
            return device
    audit.record(AuditEvent.Kind.TWO_FACTOR_FAILED, request=request, user=user)
    raise ValidationError("验证码不正确或已使用：请输入身份验证器当前显示的 6 位数字，或一个未用过的恢复码。")
