"""Overdue and the warning light (预警): derived from status and deadline, never stored.

The same rules exist twice: here in Python for one item, and in ``querysets.py`` as database
expressions for filtering and counting many. ``tests/ledger/test_warning.py`` checks that both agree.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .status import CLOSED, Status


class Light(models.TextChoices):
    GREEN = "green", _("绿灯")
    YELLOW = "yellow", _("黄灯")
    RED = "red", _("红灯")
    BLUE = "blue", _("蓝灯")
    GREY = "grey", _("灰灯")


def warning_days() -> int:
    return settings.RECTIFY_WARNING_DAYS


def is_overdue(*, status: str, deadline: datetime.date | None, today: datetime.date) -> bool:
    return deadline is not None and deadline < today and status not in CLOSED


def light_for(*, status: str, deadline: datetime.date | None, today: datetime.date) -> Light:
    if status == Status.COMPLETED:
        return Light.GREY
    if status == Status.ONGOING or deadline is None:
        return Light.BLUE
    days_left = (deadline - today).days
    if days_left < 0:
        return Light.RED
    if days_left <= warning_days():
        return Light.YELLOW
    return Light.GREEN
