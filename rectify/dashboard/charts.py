"""The data behind the dashboard's ECharts charts, handed to the page with ``json_script``.

Every bar and slice carries the link of the item list it stands for; ``static/js/dashboard.js``
draws the charts and follows those links on click.
"""

import datetime

from rectify.chinese import chinese_month
from rectify.ledger.models import RectificationItem

from .figures import ItemLinks
from .selectors import STATUS_ORDER, GroupRow

Status = RectificationItem.Status

STATUS_COLOURS = {
    Status.COMPLETED: "#198754",
    Status.ONGOING: "#0dcaf0",
    Status.PENDING_SIGNOFF: "#fd7e14",
    Status.IN_PROGRESS: "#0d6efd",
    Status.NOT_STARTED: "#6c757d",
}
OPEN_STATUSES = [Status.NOT_STARTED.value, Status.IN_PROGRESS.value, Status.PENDING_SIGNOFF.value]
SHORT_LABELS = {
    Status.COMPLETED: "已完成",
    Status.ONGOING: "长期坚持",
    Status.PENDING_SIGNOFF: "待销号",
    Status.IN_PROGRESS: "整改中",
    Status.NOT_STARTED: "未启动",
}


def status_donut(figures, links: ItemLinks) -> list[dict]:
    return [
        {
            "name": SHORT_LABELS[status],
            "value": getattr(figures, status.value),
            "url": links(status=status.value),
            "color": STATUS_COLOURS[status],
        }
        for status in STATUS_ORDER
    ]


def stacked_bars(rows: list[GroupRow], links: ItemLinks, filter_name: str) -> dict:
    """One bar per group, stacked by status; each segment links to its items."""
    return {
        "categories": [row.name for row in rows],
        "series": [
            {
                "name": SHORT_LABELS[status],
                "color": STATUS_COLOURS[status],
                "data": [row.counts.get(status.value, 0) for row in rows],
                "urls": [
                    links(**{filter_name: row.pk, "status": status.value}) if row.pk is not None else None
                    for row in rows
                ],
            }
            for status in STATUS_ORDER
        ],
    }


def completion_trend(monthly: list[tuple[datetime.date, int]], links: ItemLinks) -> dict:
    """Completed per month and the running total, with empty months filled in; each bar links to
    the items completed that month, each point of the line to those completed by its end."""
    if not monthly:
        return {"months": [], "completed": [], "cumulative": [], "urls": [], "cumulative_urls": []}
    months, completed, cumulative, urls, cumulative_urls = [], [], [], [], []
    counts = {month.replace(day=1): n for month, n in monthly}
    month, last, total = monthly[0][0].replace(day=1), monthly[-1][0].replace(day=1), 0
    while month <= last:
        n = counts.get(month, 0)
        total += n
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        month_end = (following - datetime.timedelta(days=1)).isoformat()
        months.append(chinese_month(month))
        completed.append(n)
        cumulative.append(total)
        urls.append(links(status=Status.COMPLETED, completed_after=month.isoformat(), completed_before=month_end))
        cumulative_urls.append(links(status=Status.COMPLETED, completed_before=month_end))
        month = following
    return {
        "months": months,
        "completed": completed,
        "cumulative": cumulative,
        "urls": urls,
        "cumulative_urls": cumulative_urls,
    }


def deadline_weeks(counts: list[int], today: datetime.date, links: ItemLinks) -> dict:
    labels, urls = [], []
    for week, _ in enumerate(counts):
        start = today + datetime.timedelta(weeks=week)
        end = start + datetime.timedelta(days=6)
        labels.append(f"{start.month}/{start.day}–{end.month}/{end.day}")
        urls.append(links(deadline_after=start.isoformat(), deadline_before=end.isoformat(), status=OPEN_STATUSES))
    return {"weeks": labels, "counts": counts, "urls": urls}
