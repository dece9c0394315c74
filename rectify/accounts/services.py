"""Writes to accounts, each one audited: who changed whom, old -> new (separation of duties).

The admin's save paths and the ``create_account`` command call these; nothing here is a signal.
``AccountState`` is an account as the audit log describes it; ``record_account_changes`` compares
two states and writes one event per kind of change.

Two-factor enrolment, verification, recovery codes and reset are here too, each audited.
"""

from dataclasses import dataclass, fields, replace

import django_otp
from axes.utils import reset as axes_reset
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit, units
from .models import AuditEvent, Department, Leader, Unit, User
from .roles import ADMIN_SITE_ROLES, Role

YES, NO = "是", "否"


def _flag(value: bool) -> str:
    return YES if value else NO


@dataclass(frozen=True)
class AccountState:
    """The audited attributes of an account, as text (roles as a sorted tuple of names)."""

    username: str
    full_name: str
    email: str
    phone: str
    unit: str
    department: str
    is_active: bool
    is_staff: bool
    is_superuser: bool
    must_change_password: bool
    roles: tuple[str, ...]

    @classmethod
    def of(cls, user: User) -> "AccountState":
        """The account as stored now (read afresh, not from a form-modified instance)."""
        stored = User.objects.select_related("unit", "department").prefetch_related("groups").get(pk=user.pk)
        return cls(
            username=stored.username,
            full_name=stored.full_name,
            email=stored.email,
            phone=stored.phone,
            unit=str(stored.unit or ""),
            department=str(stored.department or ""),
            is_active=stored.is_active,
            is_staff=stored.is_staff,
            is_superuser=stored.is_superuser,
            must_change_password=stored.must_change_password,
            roles=tuple(sorted(group.name for group in stored.groups.all())),
        )


# Attribute -> the Chinese label the audit log shows (the model's verbose names).
_LABELS = {
    "username": "用户名",
    "full_name": "姓名",
    "email": "电子邮件地址",
    "phone": "联系电话",
    "unit": "所属单位",
    "department": "所属部门",
    "is_active": "有效",
    "is_staff": "可登录管理后台",
    "is_superuser": "超级用户",
    "must_change_password": "下次登录须修改密码",
    "roles": "角色",
}


def _text(name: str, value) -> str:
    if isinstance(value, bool):
        return _flag(value)
    if name == "roles":
        return "、".join(value) or "无"
    return value or "（空）"


def _change(name: str, old, new) -> dict:
    return {_LABELS[name]: [_text(name, old), _text(name, new)]}


def record_account_changes(
    *, request=None, actor=None, user: User, before: AccountState | None, detail: str = ""
) -> list[AuditEvent]:
    """Compare ``before`` (None: the account is new) with the stored account and audit the difference.
    ``detail`` says how the account was created (for the creation event)."""
    after = AccountState.of(user)
    record = {"request": request, "user": actor, "obj": user}
    events = []
    creating = before is None
    if creating:
        created = {}
        for field in fields(AccountState):
            value = getattr(after, field.name)
            if value or field.name in ("is_active", "must_change_password"):
                created.update(_change(field.name, "", value))
        events.append(audit.record(AuditEvent.Kind.ACCOUNT_CREATED, **record, detail=detail, changes=created))
        # Roles and privileges granted at creation are audited like later grants.
        before = replace(after, roles=(), is_staff=False, is_superuser=False)
    added = [role for role in after.roles if role not in before.roles]
    removed = [role for role in before.roles if role not in after.roles]
    roles = _change("roles", before.roles, after.roles)
    if added:
        detail = "授予角色：" + "、".join(added)
        events.append(audit.record(AuditEvent.Kind.ROLE_ADDED, **record, detail=detail, changes=roles))
    if removed:
        detail = "撤销角色：" + "、".join(removed)
        events.append(audit.record(AuditEvent.Kind.ROLE_REMOVED, **record, detail=detail, changes=roles))
    for name, kind in (
        ("is_staff", AuditEvent.Kind.STAFF_CHANGED),
        ("is_superuser", AuditEvent.Kind.SUPERUSER_CHANGED),
    ):
        if getattr(before, name) != getattr(after, name):
            changes = _change(name, getattr(before, name), getattr(after, name))
            events.append(audit.record(kind, **record, changes=changes))
    if before.is_active and not after.is_active:
        changes = _change("is_active", True, False)
        events.append(audit.record(AuditEvent.Kind.ACCOUNT_DEACTIVATED, **record, changes=changes))
    if not creating:
        other = {}
        for name in ("username", "full_name", "email", "phone", "unit", "department", "must_change_password"):
            if getattr(before, name) != getattr(after, name):
                other.update(_change(name, getattr(before, name), getattr(after, name)))
        if after.is_active and not before.is_active:
            other.update(_change("is_active", False, True))
        if other:
            events.append(audit.record(AuditEvent.Kind.ACCOUNT_CHANGED, **record, changes=other))
    return events


def sync_admin_site_access(user: User) -> None:
    """The staff flag (entry to /admin/) follows the roles: set only for the roles that work there
    (and kept for superusers, who are made on the command line)."""
    user.__dict__.pop("role_names", None)  # the groups were just saved
    should = user.is_superuser or any(user.has_role(role) for role in ADMIN_SITE_ROLES)
    if user.is_staff != should:
        user.is_staff = should
        user.save(update_fields=["is_staff"])


class AccountError(ValidationError):
    """An account change that was refused; the message says why, in Chinese."""


def find_unit(name: str) -> Unit:
    """The unit called ``name`` (its full or short name), or a Chinese error listing the units."""
    name = name.strip()
    found = list(Unit.objects.filter(models.Q(name=name) | models.Q(short_name=name))[:2])
    if len(found) == 1:
        return found[0]
    names = "、".join(Unit.objects.values_list("name", flat=True)) or "（无）"
    if found:
        raise AccountError(f"简称“{name}”对应多个单位，请写单位全称。现有单位：{names}")
    raise AccountError(f"单位“{name}”不存在。现有单位：{names}")


@transaction.atomic
def create_account(
    *,
    username: str,
    role: Role,
    password: str,
    department: str = "",
    unit: str = "",
    full_name: str = "",
    request=None,
    actor: User | None = None,
    via: str = "",
) -> User:
    """A new account in one role, whose password must be changed at first login. ``unit`` ties it
    to a unit (its full or short name); ``department`` is looked up in that unit, or in the only
    unit that has one of that name. ``via`` says how (for the audit log), e.g. the command."""
    username = username.strip()
    if not username:
        raise AccountError("用户名不能为空。")
    if User.objects.filter(username__iexact=username).exists():
        raise AccountError(f"用户名“{username}”已存在，未创建账户。")
    home = find_unit(unit) if unit else None
    member_of = None
    if department:
        candidates = Department.objects.filter(name=department.strip(), is_active=True)
        if home is not None:
            candidates = candidates.filter(unit__in=units.subtree(home))
        found = list(candidates.select_related("unit")[:2])
        if not found:
            names = "、".join(choosable_names(home)) or "（无）"
            raise AccountError(f"部门“{department}”不存在或已停用，未创建账户。现有部门：{names}")
        if len(found) > 1:
            raise AccountError(f"多个单位都有部门“{department}”，请用 --unit 指定单位，未创建账户。")
        member_of = found[0]
    if role == Role.LIAISON and member_of is None:
        raise AccountError("部门联络员须指定所属部门，未创建账户。")
    user = User(
        username=username, full_name=full_name.strip(), unit=home, department=member_of, must_change_password=True
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise AccountError("密码不符合要求：" + "".join(error.messages) + "未创建账户。") from None
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=role.value))
    sync_admin_site_access(user)
    record_account_changes(request=request, actor=actor, user=user, before=None, detail=via)
    return user


def choosable_names(unit: Unit | None) -> list[str]:
    departments = Department.objects.filter(is_active=True)
    if unit is not None:
        departments = departments.filter(unit__in=units.subtree(unit))
    return list(departments.values_list("name", flat=True))


@transaction.atomic
def password_set_by_admin(*, request, actor: User, user: User) -> None:
    """After an administrator set ``user``'s password: the owner must choose their own at next login."""
    if actor.pk == user.pk:
        audit.record(AuditEvent.Kind.PASSWORD_CHANGED, request=request, user=actor, obj=user)
        return
    before = AccountState.of(user)
    User.objects.filter(pk=user.pk).update(must_change_password=True)
    usable = User.objects.get(pk=user.pk).has_usable_password()
    audit.record(
        AuditEvent.Kind.PASSWORD_SET_BY_ADMIN,
        request=request,
        user=actor,
        obj=user,
        detail="管理员设置了新密码，用户下次登录须修改" if usable else "管理员停用了该账户的密码登录",
        changes=_change("must_change_password", before.must_change_password, True),
    )


@transaction.atomic
def deactivate_accounts(*, request, actor: User, users) -> int:
    """Deactivate accounts (never the actor's own); returns how many were deactivated."""
    count = 0
    for user in users:
        if user.pk == actor.pk or not user.is_active:
            continue
        before = AccountState.of(user)
        User.objects.filter(pk=user.pk).update(is_active=False)
        record_account_changes(request=request, actor=actor, user=user, before=before)
        count += 1
    return count


@transaction.atomic
def clear_lockout(*, request, actor: User, user: User) -> int:
    """Lift django-axes' lock-out of ``user``; returns how many failed attempts were cleared."""
    cleared = axes_reset(username=user.get_username())
    audit.record(
        AuditEvent.Kind.LOCKOUT_CLEARED,
        request=request,
        user=actor,
        obj=user,
        detail=f"清除登录失败记录 {cleared} 条",
    )
    return cleared


@transaction.atomic
def set_reference_active(*, objects, active: bool) -> int:
    """Deactivate (or reactivate) departments or leaders; items that name them keep showing them."""
    count = 0
    for obj in objects:
        if not isinstance(obj, Department | Leader):
            raise TypeError(obj)
        if obj.is_active != active:
            obj.is_active = active
            obj.save(update_fields=["is_active"])
            count += 1
    return count


# --- Units ------------------------------------------------------------------------------------


@transaction.atomic
def create_unit(
    *,
    name: str,
    short_name: str = "",
    kind: str = Unit.Kind.PARTY_COMMITTEE,
    parent=None,
    sort_order: int = 0,
    actor: User | None = None,
) -> Unit:
    """A unit under ``parent`` (None: a top unit), with its materialised path (the parent row is
    locked while its next child's place is taken; the path's unique index guards top units)."""
    if parent is not None:
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
    path = units.next_child_path(parent)
    unit = Unit.objects.create(
        name=name, short_name=short_name, kind=kind, parent=parent, path=path, sort_order=sort_order
    )
    if actor is not None:  # a person's decision (the admin); imports and the demo audit their own way
        changes = {"单位名称": ["（空）", unit.name], "上级单位": ["（空）", str(parent or "（无）")]}
        audit.record(AuditEvent.Kind.UNIT_CREATED, user=actor, obj=unit, changes=changes)
    return unit


@transaction.atomic
def set_unit_parent(*, unit: Unit, parent: Unit | None, actor: User | None = None) -> Unit:
    """Move ``unit`` (and its subtree) under ``parent``; a unit cannot go under itself or below."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if unit.parent_id == (parent.pk if parent else None):
        return unit
    if parent is not None and parent.path.startswith(unit.path):
        raise ValidationError({"parent": f"不能把“{unit}”移到它自己或它的下级单位“{parent}”之下。"})
    old_parent = unit.parent
    old_path = unit.path
    if parent is not None:
        parent = Unit.objects.select_for_update().get(pk=parent.pk)
    new_path = units.next_child_path(parent)
    members = list(Unit.objects.select_for_update().filter(path__startswith=old_path))
    for member in members:
        member.path = new_path + member.path[len(old_path) :]
        member.save(update_fields=["path"])
    unit.parent = parent
    unit.path = new_path
    unit.save(update_fields=["parent", "path"])
    changes = {"上级单位": [str(old_parent or "（无）"), str(parent or "（无）")]}
    detail = f"下级单位 {len(members) - 1} 个随之移动" if len(members) > 1 else ""
    audit.record(AuditEvent.Kind.UNIT_MOVED, user=actor, obj=unit, changes=changes, detail=detail)
    return unit


def unit_for_round(*, chosen: Unit | None = None, names: tuple[str, ...] = ()) -> Unit:
    """The unit a new round (from an import) goes into: the one chosen; else the unit one of
    ``names`` (the file's 整改责任主体 / 被巡视单位) names; else the installation's only unit; on an
    empty installation a new unit named by the file. Several units and no match: a Chinese error."""
    if chosen is not None:
        return chosen
    names = tuple(name.strip() for name in names if name and name.strip())
    for name in names:
        found = Unit.objects.filter(models.Q(name=name) | models.Q(short_name=name)).first()
        if found is not None:
            return found
    only = units.sole_unit()
    if only is not None:
        return only
    if not Unit.objects.exists():
        name = names[0] if names else "本单位"
        short_name = names[1] if len(names) > 1 and names[1] != name else ""
        return create_unit(name=name[:100], short_name=short_name[:50])
    listed = "、".join(Unit.objects.values_list("name", flat=True))
    raise ValidationError(f"文件未写明属于哪个单位，请选择单位。现有单位：{listed}")


def check_unit_move(obj: Department | Leader, unit: Unit | None) -> None:
    """Refuse to move a department or leader to another unit while items or accounts refer to it."""
    if obj.pk is None or unit is None or obj.unit_id == unit.pk:
        return
    from .selectors import is_referenced

    if is_referenced(obj):
        raise ValidationError(
            {
                "unit": f"“{obj}”已被整改事项或账户引用，不能移到其他单位；请在“{unit}”新建，"
                "或先把引用它的事项改为其他部门（领导）。"
            }
        )


# --- Two-factor login ---------------------------------------------------------------------------

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


@transaction.atomic
def set_message_settings(*, user: User, notify_channel: str, email: str, request=None) -> User:
    """The user's own choice of channel (e-mail, in-app only, the department's channel)."""
    if notify_channel not in User.NotifyChannel.values:
        raise AccountError("未知的消息接收方式。")
    if notify_channel == User.NotifyChannel.DEPARTMENT and user.department_id is None:
        raise AccountError("您的账户不属于任何部门，不能选择部门通知渠道。")
    old_channel, old_email = user.get_notify_channel_display(), user.email
    user.notify_channel, user.email = notify_channel, email.strip()
    user.save(update_fields=["notify_channel", "email"])
    changes = {
        label: [old, new]
        for label, old, new in (
            ("消息接收方式", old_channel, user.get_notify_channel_display()),
            ("电子邮箱", old_email, user.email),
        )
        if old != new
    }
    if changes:
        audit.record(AuditEvent.Kind.ACCOUNT_CHANGED, request=request, user=user, obj=user, changes=changes)
    return user
