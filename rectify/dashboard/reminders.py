"""Reminder digests (督办提醒): one per person per day, never empty, never one mail per item.

- a department liaison: their department's yellow and red items, and its open items without a
  progress report this month;
- a responsible leader: their own yellow and red items;
- the discipline office: every red item.
A person with several roles gets one digest with several sections.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.urls import reverse

from rectify.accounts.models import Leader, User
from rectify.accounts.roles import Role
from rectify.chinese import chinese_date
from rectify.ledger.models import RectificationItem
from rectify.ledger.status import CLOSED, Status
from rectify.ledger.warning import Light
from rectify.notifications.models import Notification
from rectify.notifications.sending import send_due
from rectify.notifications.services import Event, notify


@dataclass
class Section:
    heading: str
    items: list[RectificationItem]


@dataclass
class Digest:
    user: User
    sections: list[Section] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return sum(len(section.items) for section in self.sections)


def _item_line(item: RectificationItem, today: datetime.date) -> str:
    department = item.lead_department.name if item.lead_department else "未指定部门"
    if item.deadline is None:
        when = "无完成时限"
    elif item.deadline < today:
        when = f"完成时限{chinese_date(item.deadline)}，已逾期{(today - item.deadline).days}天"
    else:
        when = f"完成时限{chinese_date(item.deadline)}，还剩{(item.deadline - today).days}天"
    url = settings.RECTIFY_BASE_URL.rstrip("/") + item.get_absolute_url()
    return f"{item.number}. {item.title}（{department}，{when}）\n   {url}"


def render_body(digest: Digest, today: datetime.date) -> str:
    lines = [f"{digest.user}，您好：", "", f"截至{chinese_date(today)}，以下整改事项需要您关注："]
    for section in digest.sections:
        lines += ["", f"【{section.heading}】（{len(section.items)}项）"]
        lines += [_item_line(item, today) for item in section.items]
    lines += [
        "",
        f"领导驾驶舱：{settings.RECTIFY_BASE_URL.rstrip('/')}{reverse('dashboard:index')}",
        "",
        "本邮件由巡视整改台账管理系统自动发送。",
    ]
    return "\n".join(lines)


def build_digests(today: datetime.date) -> list[Digest]:
    """Who should be reminded of what today. A constant number of queries."""
    items = (
        RectificationItem.objects.of_active_rounds()
        .select_related("lead_department", "inspection__unit")
        .prefetch_related("leaders")
    )
    red = list(items.filter(RectificationItem.objects.light_q(Light.RED, today)).order_by("deadline", "number"))
    yellow = list(items.filter(RectificationItem.objects.light_q(Light.YELLOW, today)).order_by("deadline", "number"))
    month_start = today.replace(day=1)
    silent = list(
        items.exclude(status__in=[*CLOSED, Status.PENDING_SIGNOFF])
        .annotate(last_report=Max("progress_updates__reported_on"))
        .filter(Q(last_report__isnull=True) | Q(last_report__lt=month_start))
        .order_by("number")
    )
    users = User.objects.filter(is_active=True).select_related("unit").prefetch_related("groups")
    digests: dict[int, Digest] = {}

    def add(user: User, heading: str, chosen: list[RectificationItem]) -> None:
        if chosen:
            digests.setdefault(user.pk, Digest(user)).sections.append(Section(heading, chosen))

    role_members: dict[str, list[User]] = defaultdict(list)
    for user in users:
        for group in user.groups.all():
            role_members[group.name].append(user)
    warning_days = settings.RECTIFY_WARNING_DAYS

    for user in role_members[Role.LIAISON.value]:
        if user.department_id is None:
            continue
        mine = [item for item in red if item.lead_department_id == user.department_id]
        add(user, "红灯：本部门已逾期事项", mine)
        add(
            user,
            f"黄灯：本部门{warning_days}天内到期事项",
            [i for i in yellow if i.lead_department_id == user.department_id],
        )
        add(user, "本部门本月尚未报告进展的事项", [i for i in silent if i.lead_department_id == user.department_id])

    leaders = Leader.objects.filter(user__is_active=True).select_related("user")
    for leader in leaders:
        add(leader.user, "红灯：您负责的已逾期事项", [i for i in red if leader in i.leaders.all()])
        add(leader.user, f"黄灯：您负责的{warning_days}天内到期事项", [i for i in yellow if leader in i.leaders.all()])

    for user in role_members[Role.DISCIPLINE_OFFICE.value]:
        # The office staff's scope is their unit's subtree (accounts/units.py), or everything.
        scope = user.unit.path if user.unit_id else ""
        add(user, "红灯：全部已逾期事项", [i for i in red if i.inspection.unit.path.startswith(scope)])

    return sorted(digests.values(), key=lambda digest: digest.user.username)


@dataclass
class SendResult:
    sent: list[Digest]
    skipped: list[Digest]
    emailed: int


def send_digests(digests: list[Digest], *, today: datetime.date, dry_run: bool = False) -> SendResult:
    """Record each digest in the app and e-mail it; a person already reminded today is skipped."""
    already = set(
        Notification.objects.filter(
            kind=Notification.Kind.DAILY_DIGEST, day=today, recipient__in=[d.user for d in digests]
        ).values_list("recipient_id", flat=True)
    )
    sent, skipped, emailed = [], [], 0
    for digest in digests:
        if digest.user.pk in already:
            skipped.append(digest)
            continue
        if dry_run:
            sent.append(digest)
            continue
        if _send_one(digest, today):
            emailed += 1
        sent.append(digest)
    return SendResult(sent=sent, skipped=skipped, emailed=emailed)


def _send_one(digest: Digest, today: datetime.date) -> bool:
    """Record the digest in the app and send its e-mail now (this runs in the daily job, never in a
    request); True if an e-mail went out."""
    title = f"整改提醒（{chinese_date(today)}）：{digest.item_count}项事项需要关注"
    key = f"{Notification.Kind.DAILY_DIGEST}:{today.isoformat()}:{digest.user.pk}"
    event = Event(
        kind=Notification.Kind.DAILY_DIGEST,
        key=key,
        title=title,
        body=render_body(digest, today),
        link=reverse("dashboard:index"),
        broadcast=False,
    )
    with transaction.atomic():
        created = notify(event=event, recipients=[digest.user], day=today)
    if not created:
        return False  # another run reminded this person a moment ago
    sent, _failed, _retry = send_due(key)
    return sent > 0
