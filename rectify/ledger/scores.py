"""综合评分: one figure (0–100) ranking units and departments, from weights in settings.

    评分 = 按期完成率 × a − 平均逾期天数 × b − 平均退回次数 × c − 未报进展月数 × d, kept within 0–100

- 按期完成率: items completed (销号) no later than their deadline (or without one), in percent of all items;
- 平均逾期天数: the days past the deadline summed over the open overdue items, divided by all items;
- 平均退回次数: the 销号 returns (``return_count``) summed over the items, divided by all items;
- 未报进展月数: whole months (30 days) since the last progress report, while items are open; open
  items and never a report count as ``STALE_CAP_MONTHS``; capped there too.

``a``–``d`` are ``settings.RECTIFY_SCORE_WEIGHTS`` (on_time, overdue_days, returns, stale_months).
Pure functions on plain figures: selectors.py counts them, these compute.
"""

import datetime
from dataclasses import dataclass, fields

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

STALE_CAP_MONTHS = 12
DAYS_PER_MONTH = 30


@dataclass(frozen=True)
class Weights:
    on_time: float
    overdue_days: float
    returns: float
    stale_months: float

    @classmethod
    def from_settings(cls) -> "Weights":
        configured = settings.RECTIFY_SCORE_WEIGHTS
        names = {field.name for field in fields(cls)}
        unknown = sorted(set(configured) - names)
        if unknown:
            raise ImproperlyConfigured(
                f"RECTIFY_SCORE_WEIGHTS 含有未知的权重：{'、'.join(unknown)}（可用：{'、'.join(sorted(names))}）"
            )
        try:
            return cls(**{name: float(configured[name]) for name in names})
        except (KeyError, TypeError, ValueError) as error:
            raise ImproperlyConfigured(f"RECTIFY_SCORE_WEIGHTS 的权重须为数字：{error}") from None


@dataclass(frozen=True)
class Tally:
    """What a unit's or a department's score is computed from."""

    total: int = 0
    completed: int = 0
    on_time: int = 0
    open: int = 0
    overdue: int = 0
    overdue_days: int = 0
    returns: int = 0
    escalations: int = 0
    last_progress: datetime.date | None = None

    def __add__(self, other: "Tally") -> "Tally":
        dates = [date for date in (self.last_progress, other.last_progress) if date is not None]
        return Tally(
            **{
                field.name: getattr(self, field.name) + getattr(other, field.name)
                for field in fields(self)
                if field.name != "last_progress"
            },
            last_progress=max(dates, default=None),
        )

    @property
    def completion_rate(self) -> float | None:
        return 100 * self.completed / self.total if self.total else None


def months_without_progress(tally: Tally, today: datetime.date) -> int:
    """Whole months since the last progress report; none while nothing is open."""
    if not tally.open:
        return 0
    if tally.last_progress is None:
        return STALE_CAP_MONTHS
    return min(STALE_CAP_MONTHS, max(0, (today - tally.last_progress).days) // DAYS_PER_MONTH)


def score(tally: Tally, weights: Weights, today: datetime.date) -> float | None:
    """The 综合评分, rounded to one decimal; None without items."""
    if not tally.total:
        return None
    value = (
        weights.on_time * 100 * tally.on_time / tally.total
        - weights.overdue_days * tally.overdue_days / tally.total
        - weights.returns * tally.returns / tally.total
        - weights.stale_months * months_without_progress(tally, today)
    )
    return round(min(100.0, max(0.0, value)), 1)


def formula(weights: Weights) -> str:
    """The formula as the page shows it."""

    def number(value: float) -> str:
        return f"{value:g}"

    return (
        f"综合评分 = 按期完成率(%) × {number(weights.on_time)}"
        f" − 平均逾期天数 × {number(weights.overdue_days)}"
        f" − 平均退回次数 × {number(weights.returns)}"
        f" − 未报进展月数 × {number(weights.stale_months)}，取 0–100 分"
    )
