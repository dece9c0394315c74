"""How Chinese official documents write dates and numbers."""

import datetime


def chinese_date(day: datetime.date) -> str:
    """2023年12月18日 (no zero padding, as the notices write it)."""
    return f"{day.year}年{day.month}月{day.day}日"
