"""The escalation ladder (督办等级) and the deadline notices, raised by the daily job
(`send_reminders`): thresholds in settings, each step once per item, level and deadline.

- 催办 at RECTIFY_ESCALATION_URGE_DAYS overdue: the lead department's liaisons;
- 督办 at RECTIFY_ESCALATION_SUPERVISE_DAYS overdue, or after RECTIFY_ESCALATION_SUPERVISE_RETURNS
  returned 销号 requests: the responsible leaders, with a 督办通知单 (督办〔YYYY〕N号) attached;
- 约谈提醒 at RECTIFY_ESCALATION_INTERVIEW_DAYS overdue: the discipline office and the principal
  (first) responsible leader.
A step closes when its item is completed, designated long-term or given a later deadline.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, Q

from rectify.accounts.units import office_staff_for
from rectify.chinese import chinese_date
from rectify.notifications.models import Notification
from rectify.notifications.services import Event, notify

from . import events, revision, supervision_notice
from .models import Escalation, RectificationItem
from .status import CLOSED

Level = Escalation.Level


def cycle_of(item: RectificationItem) -> str:
    return item.deadline.isoformat() if item.deadline else "-"


def due_levels(item: RectificationItem, today: datetime.date) -> list[tuple[int, str]]:
    """The steps due for ``item`` today, with their reasons."""
    if item.status in CLOSED:
        return []
    days = (today - item.deadline).days if item.deadline else 0
    due = []
    if item.deadline and days >= settings.RECTIFY_ESCALATION_URGE_DAYS:
        due.append((Level.URGE, f"逾期{days}天"))
    if item.deadline and days >= settings.RECTIFY_ESCALATION_SUPERVISE_DAYS:
        due.append((Level.SUPERVISE, f"逾期{days}天"))
    elif item.return_count >= settings.RECTIFY_ESCALATION_SUPERVISE_RETURNS:
        due.append((Level.SUPERVISE, f"销号申请已被退回{item.return_count}次"))
    if item.deadline and days >= settings.RECTIFY_ESCALATION_INTERVIEW_DAYS:
        due.append((Level.INTERVIEW, f"逾期{days}天"))
    return due


def candidates(today: datetime.date):
    overdue = Q(deadline__lte=today - datetime.timedelta(days=settings.RECTIFY_ESCALATION_URGE_DAYS))
    returned = Q(return_count__gte=settings.RECTIFY_ESCALATION_SUPERVISE_RETURNS)
    return (
        RectificationItem.objects.of_active_rounds()
        .exclude(status__in=CLOSED)
        .filter(overdue | returned)
        .select_related("inspection", "lead_department")
        .prefetch_related("leaders__user", "escalations")
        .order_by("inspection_id", "number")
    )


def raise_due(today: datetime.date) -> list[Escalation]:
    """Raise every step due today that was not raised before (for the item's current deadline)."""
    raised = []
    for item in candidates(today):
        have = {(e.level, e.cycle) for e in item.escalations.all()}
        for level, reason in due_levels(item, today):
            if (level, cycle_of(item)) in have:
                continue
            escalation = _raise(item, level, reason, today)
            if escalation is not None:
                raised.append(escalation)
    if raised:
        revision.changed()  # the dashboard's cached figures count items by level
    return raised


def _recipients(item: RectificationItem, level: int):
    if level == Level.URGE:
        return events.department_liaisons(item.lead_department_id)
    leaders = sorted(item.leaders.all(), key=lambda leader: (leader.sort_order, leader.name))
    if level == Level.SUPERVISE:
        return events.leader_users(leaders)
    return office_staff_for(item.inspection.unit) + events.leader_users(leaders[:1])


def _raise(item: RectificationItem, level: int, reason: str, today: datetime.date) -> Escalation | None:
    recipients = _recipients(item, level)
    try:
        with transaction.atomic():
            escalation = Escalation(
                item=item,
                level=level,
                cycle=cycle_of(item),
                raised_on=today,
                days_overdue=max((today - item.deadline).days, 0) if item.deadline else 0,
                reason=reason,
                told="、".join(sorted({str(user) for user in recipients})),
            )
            attachment = ""
            if level == Level.SUPERVISE:
                last = Escalation.objects.filter(notice_year=today.year).aggregate(n=Max("notice_number"))["n"]
                escalation.notice_year, escalation.notice_number = today.year, (last or 0) + 1
                escalation.reply_by = today + datetime.timedelta(days=settings.RECTIFY_ESCALATION_REPLY_DAYS)
            escalation.save()
            if level == Level.SUPERVISE:
                attachment = _store_notice(escalation)
            label = escalation.get_level_display()
            body = f"{events.item_line(item)}{reason}，现予{label}。"
            if escalation.notice_number:
                body += f"\n督办通知单：{escalation.notice_label}，请于{chinese_date(escalation.reply_by)}前书面回复。"
            notify(
                event=Event(
                    kind=Notification.Kind.ESCALATED,
                    key=f"escalation:{escalation.pk}",
                    title=f"{label}：第{item.number}项 {item.title}",
                    body=body,
                    link=item.get_absolute_url(),
                    department=item.lead_department,
                    attachment=attachment,
                ),
                recipients=recipients,
                day=today,
            )
            return escalation
    except IntegrityError:
        return None  # another run raised it a moment ago


def _store_notice(escalation: Escalation) -> str:
    """The 督办通知单 kept under MEDIA_ROOT for the e-mail's attachment; the page renders it anew."""
    relative = Path("supervision") / str(escalation.notice_year) / supervision_notice.filename(escalation)
    path = Path(settings.MEDIA_ROOT) / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(supervision_notice.render(escalation))
    return str(relative)


def close_open(item: RectificationItem, *, reason: str, today: datetime.date) -> int:
    """Close the item's open steps (called by the services that complete, designate or extend)."""
    return item.escalations.filter(closed_on__isnull=True).update(closed_on=today, close_reason=reason)


def deadline_notices(today: datetime.date) -> int:
    """Messages RECTIFY_DEADLINE_NOTICE_DAYS days before each open item's deadline."""
    days = sorted(set(settings.RECTIFY_DEADLINE_NOTICE_DAYS))
    dates = {today + datetime.timedelta(days=n): n for n in days}
    items = (
        RectificationItem.objects.of_active_rounds()
        .exclude(status__in=CLOSED)
        .filter(deadline__in=list(dates))
        .select_related("inspection", "lead_department")
        .prefetch_related("leaders__user")
    )
    sent = 0
    for item in items:
        left = dates[item.deadline]
        with transaction.atomic():
            sent += len(
                notify(
                    event=Event(
                        kind=Notification.Kind.DEADLINE_AHEAD,
                        key=f"deadline:{item.pk}:{item.deadline.isoformat()}:{left}",
                        title=f"还剩{left}天到期：第{item.number}项 {item.title}",
                        body=f"{events.item_line(item)}的完成时限为{chinese_date(item.deadline)}，还剩{left}天。",
                        link=item.get_absolute_url(),
                        department=item.lead_department,
                    ),
                    recipients=events.department_liaisons(item.lead_department_id)
                    + events.leader_users(item.leaders.all()),
                    day=today,
                )
            )
    return sent


def open_level(item_escalations) -> int | None:
    """The highest open level among an item's steps."""
    levels = [e.level for e in item_escalations if e.closed_on is None]
    return max(levels) if levels else None
