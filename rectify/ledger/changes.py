"""What changed in the ledger between two days: newly completed, newly overdue, extended
(deadline moved later), returned (the return count grew), new items.

The later day's ledger (``ledger_as_of``) is compared item by item with the outline of the
earlier day (``outline_as_of``). One home for both the changes page (/items/changes/) and the
monthly workbook's 本月变化 sheet.
"""

from dataclasses import dataclass

from rectify.chinese import chinese_date

from .asof import ItemOutline, ItemState
from .models import RectificationItem

Status = RectificationItem.Status

NEWLY_COMPLETED = "新完成"
NEWLY_OVERDUE = "新逾期"
EXTENDED = "延期"
RETURNED = "退回"
NEW_ITEM = "新增事项"
KINDS = [NEWLY_COMPLETED, NEWLY_OVERDUE, EXTENDED, RETURNED, NEW_ITEM]


@dataclass(frozen=True)
class Change:
    kind: str
    state: ItemState
    before: str
    after: str


def ledger_changes(previous: list[ItemOutline], current: list[ItemState]) -> list[Change]:
    """Changes grouped by kind (in ``KINDS`` order), items by number within a kind."""
    before = {state.pk: state for state in previous}
    label = {status.value: str(status.label) for status in Status}  # translated once, not per row
    found: dict[str, list[Change]] = {kind: [] for kind in KINDS}
    for state in current:
        old = before.get(state.pk)
        if old is None:
            found[NEW_ITEM].append(Change(NEW_ITEM, state, "", label[state.status]))
        if state.status == Status.COMPLETED and (old is None or old.status != Status.COMPLETED):
            found[NEWLY_COMPLETED].append(
                Change(NEWLY_COMPLETED, state, label[old.status] if old else "", label[state.status])
            )
        if state.is_overdue and (old is None or not old.is_overdue):
            days = (state.as_of - state.deadline).days
            found[NEWLY_OVERDUE].append(
                Change(NEWLY_OVERDUE, state, f"完成时限{chinese_date(state.deadline)}", f"逾期{days}天")
            )
        if old is not None and old.deadline and state.deadline and state.deadline > old.deadline:
            found[EXTENDED].append(Change(EXTENDED, state, chinese_date(old.deadline), chinese_date(state.deadline)))
        if old is not None and state.return_count > old.return_count:
            found[RETURNED].append(Change(RETURNED, state, f"退回{old.return_count}次", f"退回{state.return_count}次"))
    return [change for kind in KINDS for change in sorted(found[kind], key=lambda c: c.state.number)]
