"""Who is told what when a ledger decision is made (issue 16). Called by services.py inside the
decision's transaction; the messages themselves are kept and sent by rectify.notifications."""

from collections.abc import Iterable

from rectify.accounts.models import Leader, User
from rectify.accounts.roles import Role
from rectify.accounts.units import office_staff_for
from rectify.chinese import chinese_date
from rectify.notifications.models import Notification
from rectify.notifications.services import Event, notify

from .models import Extension, RectificationItem, SignOff

Kind = Notification.Kind


def item_line(item: RectificationItem) -> str:
    """The item as every message names it: number, round, title."""
    return f"第{item.number}项「{item.title}」（{item.inspection}）"


def role_users(role: Role) -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name=role.value).distinct())


def department_liaisons(department_id: int | None) -> list[User]:
    if department_id is None:
        return []
    return list(
        User.objects.filter(is_active=True, department_id=department_id, groups__name=Role.LIAISON.value).distinct()
    )


def leader_users(leaders: Iterable[Leader]) -> list[User]:
    return [leader.user for leader in leaders if leader.user_id and leader.user.is_active]


def _event(item: RectificationItem, kind: str, key: str, title: str, body: str, attachment: str = "") -> Event:
    return Event(
        kind=kind,
        key=key,
        title=title,
        body=body,
        link=item.get_absolute_url(),
        department=item.lead_department,
        attachment=attachment,
    )


def signoff_submitted(item: RectificationItem, signoff: SignOff, *, actor: User) -> None:
    notify(
        event=_event(
            item,
            Kind.SIGNOFF_SUBMITTED,
            f"signoff:{signoff.pk}:submitted",
            f"销号申请待审核：第{item.number}项 {item.title}",
            f"{actor}为{item_line(item)}申请销号，请审核。\n销号说明：{signoff.note}",
        ),
        recipients=office_staff_for(item.inspection.unit),
        actor=actor,
    )


def signoff_decided(item: RectificationItem, signoff: SignOff, *, actor: User, approved: bool) -> None:
    if approved:
        kind, verb = Kind.SIGNOFF_APPROVED, "已批准"
        body = f"{actor}批准了{item_line(item)}的销号申请，完成日期{chinese_date(item.completed_on)}。"
    else:
        kind, verb = Kind.SIGNOFF_RETURNED, "被退回"
        body = f"{actor}退回了{item_line(item)}的销号申请。\n退回理由：{signoff.review_note}\n请按要求继续整改后重新申请销号。"
    recipients = department_liaisons(item.lead_department_id)
    if signoff.requested_by is not None:
        recipients.append(signoff.requested_by)
    notify(
        event=_event(
            item, kind, f"signoff:{signoff.pk}:decided", f"销号申请{verb}：第{item.number}项 {item.title}", body
        ),
        recipients=recipients,
        actor=actor,
    )


def extension_requested(item: RectificationItem, extension: Extension, *, actor: User) -> None:
    notify(
        event=_event(
            item,
            Kind.EXTENSION_REQUESTED,
            f"extension:{extension.pk}:requested",
            f"延期申请待审核：第{item.number}项 {item.title}",
            f"{actor}申请将{item_line(item)}的完成时限延至{chinese_date(extension.requested_deadline)}，请审核。\n"
            f"延期理由：{extension.reason}",
        ),
        recipients=office_staff_for(item.inspection.unit),
        actor=actor,
    )


def extension_decided(item: RectificationItem, extension: Extension, *, actor: User, approved: bool) -> None:
    if approved:
        body = f"{actor}批准了{item_line(item)}的延期申请，完成时限延至{chinese_date(extension.requested_deadline)}。"
    else:
        body = f"{actor}不予批准{item_line(item)}的延期申请。\n理由：{extension.review_note}"
    notify(
        event=_event(
            item,
            Kind.EXTENSION_DECIDED,
            f"extension:{extension.pk}:decided",
            f"延期申请{'已批准' if approved else '未获批准'}：第{item.number}项 {item.title}",
            body,
        ),
        recipients=[extension.requested_by] if extension.requested_by else [],
        actor=actor,
    )


def item_assigned(
    item: RectificationItem, *, actor: User, department_changed: bool, new_leaders: Iterable[Leader] = ()
) -> None:
    """The item was given to a (new) department or new leaders: those new to it are told."""
    recipients = department_liaisons(item.lead_department_id) if department_changed else []
    recipients += leader_users(new_leaders)
    department = item.lead_department.name if item.lead_department else "未指定部门"
    leaders = "、".join(str(leader) for leader in item.leaders.all()) or "未指定"
    notify(
        event=_event(
            item,
            Kind.ITEM_ASSIGNED,
            f"item:{item.pk}:assigned:v{item.version}",
            f"整改事项交办：第{item.number}项 {item.title}",
            f"{actor}将{item_line(item)}交由{department}负责（责任领导：{leaders}），"
            f"完成时限{chinese_date(item.deadline) if item.deadline else '未定'}。",
        ),
        recipients=recipients,
        actor=actor,
    )


def item_reopened(item: RectificationItem, *, actor: User, reason: str) -> None:
    notify(
        event=_event(
            item,
            Kind.ITEM_REOPENED,
            f"item:{item.pk}:reopened:v{item.version}",
            f"回头看重新打开：第{item.number}项 {item.title}",
            f"{actor}在回头看中重新打开了{item_line(item)}，新的完成时限为{chinese_date(item.deadline)}。\n理由：{reason}",
        ),
        recipients=department_liaisons(item.lead_department_id) + leader_users(item.leaders.select_related("user")),
        actor=actor,
    )
