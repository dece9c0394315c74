"""An item's status (完成状态): the choices, the sets derived from them, and the transition table.

The transitions themselves are django-fsm-2 methods on ``RectificationItem`` (``models.py``), so
that ``FSMField(protected=True)`` refuses every other write of the field; this module says, in one
table, which transitions exist, from which states, who may fire them (a permission of
``ledger/rules.py``) and what each needs. ``services.py`` fires them; nothing else changes status.

Chosen over a hand-written table: django-fsm-2 gives the protected field (a stray
``item.status = ...`` raises instead of silently bypassing review) and ``can_proceed`` /
``has_transition_perm`` for the pages, with no code of ours to keep in step with it.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("整改中")
    PENDING_SIGNOFF = "pending_signoff", _("待销号")
    COMPLETED = "completed", _("已完成（已销号）")
    ONGOING = "ongoing", _("长期坚持（阶段性成果）")


# Not overdue whatever the deadline: done, or basically done and continuing long term.
CLOSED = frozenset({Status.COMPLETED, Status.ONGOING})
# Work still to do (the dashboard's "open" items).
OPEN = frozenset(Status) - CLOSED


def completion_rate(completed: int, total: int) -> float | None:
    """Completed items as a share of all items (0–1); None when there are no items."""
    return completed / total if total else None


@dataclass(frozen=True)
class Transition:
    name: str  # the RectificationItem method and the service that fires it
    label: str
    sources: frozenset[str]
    target: str
    permission: str  # a rule of ledger/rules.py, asked with the item
    needs: str  # what the service checks beyond the state, in Chinese


TRANSITIONS = (
    Transition(
        "start",
        "开始整改",
        frozenset({Status.NOT_STARTED}),
        Status.IN_PROGRESS,
        "ledger.work_on_item",
        "首次报告进展时自动开始，或由纪工委开始",
    ),
    Transition(
        "submit",
        "申请销号",
        frozenset({Status.IN_PROGRESS, Status.ONGOING}),
        Status.PENDING_SIGNOFF,
        "ledger.work_on_item",
        "至少一份佐证材料和销号说明；责任部门联络员，或纪工委代为申请（未启动的事项先自动开始）",
    ),
    Transition(
        "approve",
        "批准销号",
        frozenset({Status.PENDING_SIGNOFF}),
        Status.COMPLETED,
        "ledger.review_item",
        "纪工委，且不是申请人本人；完成日期默认为审核当天，可提前，不能晚于今天",
    ),
    Transition(
        "send_back",
        "退回销号申请",
        frozenset({Status.PENDING_SIGNOFF}),
        Status.IN_PROGRESS,
        "ledger.review_item",
        "退回理由；退回次数加一",
    ),
    Transition(
        "designate_long_term",
        "认定长期坚持",
        frozenset({Status.NOT_STARTED, Status.IN_PROGRESS}),
        Status.ONGOING,
        "ledger.review_item",
        "理由和下次复查日期",
    ),
    Transition(
        "reopen",
        "回头看，重新打开",
        frozenset({Status.COMPLETED, Status.ONGOING}),
        Status.IN_PROGRESS,
        "ledger.reopen_item",
        "理由和新的完成时限",
    ),
)


def transition(name: str) -> Transition:
    return next(t for t in TRANSITIONS if t.name == name)
