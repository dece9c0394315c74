"""Reads about accounts."""

from django.conf import settings
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User
from .rules import is_privileged


def authenticator(user) -> TOTPDevice | None:
    """The user's confirmed authenticator app (TOTP), if enrolled."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes(user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user) -> bool:
    return any(True for _device in devices_for_user(user))


def second_factor_required(user, *, enrolled: bool | None = None) -> bool:
    """Whether ``user`` must verify a second factor in this session: whoever has enrolled, and
    with RECTIFY_2FA=required every privileged role even before enrolling. ``enrolled`` is
    ``has_second_factor(user)`` when the caller already knows it."""
    if not user.is_authenticated:
        return False
    if settings.RECTIFY_2FA == "required" and is_privileged(user):
        return True
    return has_second_factor(user) if enrolled is None else enrolled


def two_factor_overview() -> list[dict]:
    """Every active user with whether a second factor is set up and how many recovery codes remain."""
    enrolled = set(TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True))
    codes: dict[int, int] = {}
    for user_id in StaticToken.objects.filter(device__confirmed=True).values_list("device__user_id", flat=True):
        codes[user_id] = codes.get(user_id, 0) + 1
    users = User.objects.filter(is_active=True).prefetch_related("groups").order_by("username")
    return [
        {
            "user": user,
            "enrolled": user.pk in enrolled,
            "recovery_codes": codes.get(user.pk, 0),
            "privileged": is_privileged(user),
        }
        for user in users
    ]
