"""Calendar helpers for the ledger: month ends, the month before, months later."""

import calendar
import datetime


def month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def previous_month_end(day: datetime.date) -> datetime.date:
    """The last day of the month before ``day``'s."""
    return day.replace(day=1) - datetime.timedelta(days=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Same day ``months`` later, clamped to the end of a shorter month (1月31日 + 1 → 2月28/29日)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
