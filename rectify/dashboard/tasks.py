"""The daily job as a task: digests, deadline notices and the escalation ladder."""

import datetime

from django_tasks import task

from rectify.ledger import escalation
from rectify.notifications.sending import send_due

from .reminders import build_digests, send_digests


@task()
def daily_reminders(today: str, dry_run: bool = False) -> dict:
    """Run for ``today`` (ISO date); a second run on the same day raises and sends nothing new."""
    day = datetime.date.fromisoformat(today)
    result = send_digests(build_digests(day), today=day, dry_run=dry_run)
    summary = {
        "sent": [d.user.username for d in result.sent],
        "counts": {d.user.username: d.item_count for d in result.sent},
        "skipped": [d.user.username for d in result.skipped],
        "emailed": result.emailed,
        "deadline_notices": 0,
        "raised": [],
    }
    if dry_run:
        return summary
    summary["deadline_notices"] = escalation.deadline_notices(day)
    summary["raised"] = [
        f"第{e.item.number}项 {e.get_level_display()}{'（' + e.notice_label + '）' if e.notice_label else ''}"
        for e in escalation.raise_due(day)
    ]
    send_due()  # failed deliveries whose back-off has passed
    return summary
