"""Sheet 本月变化: what changed between the end of the previous month and the as-of day.

The as-of day's ledger (``ledger_as_of``) is compared item by item with the outline of the
previous month's end (``outline_as_of``): newly completed,
newly overdue, extended (deadline moved later), returned (the return count grew), new items.
"""

import datetime
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from rectify.chinese import chinese_date
from rectify.ledger.asof import ItemOutline, ItemState
from rectify.ledger.models import RectificationItem

from . import styles

Status = RectificationItem.Status
CHANGES_SHEET = "本月变化"

NEWLY_COMPLETED = "新完成"
NEWLY_OVERDUE = "新逾期"
EXTENDED = "延期"
RETURNED = "退回"
NEW_ITEM = "新增事项"
KINDS = [NEWLY_COMPLETED, NEWLY_OVERDUE, EXTENDED, RETURNED, NEW_ITEM]
_WIDTHS = [12, 8, 40, 16, 24, 24]


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


def write_changes_sheet(
    workbook: Workbook,
    previous: list[ItemOutline],
    current: list[ItemState],
    *,
    since: datetime.date,
    as_of: datetime.date,
) -> None:
    changes = ledger_changes(previous, current)
    sheet = workbook.create_sheet(CHANGES_SHEET)
    styles.print_setup(sheet, landscape=False)
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    writer = styles.RowWriter(sheet, buffered=True)
    writer.append([(styles.TITLE, "本月变化")])
    sheet.merged_cells.add(f"A1:{get_column_letter(len(_WIDTHS))}1")
    writer.append([(styles.SUBTITLE, f"比较：上月末（{chinese_date(since)}）→ 截至{chinese_date(as_of)}")])
    writer.append([])

    writer.append([(styles.SECTION, "汇总")])
    writer.append([(styles.HEADER, "变化类型"), (styles.HEADER, "事项数")])
    counts = {kind: 0 for kind in KINDS}
    for change in changes:
        counts[change.kind] += 1
    for kind in KINDS:
        writer.append([(styles.TEXT, kind), (styles.CENTRED, counts[kind])])
    writer.append([])

    writer.append([(styles.SECTION, "明细")])
    writer.append(
        [
            (styles.HEADER, header)
            for header in ["变化类型", "序号", "具体问题（整改事项）", "责任部门", "变化前", "变化后"]
        ]
    )
    for change in changes:
        writer.append(
            [
                (styles.CENTRED, change.kind),
                (styles.CENTRED, change.state.number),
                (styles.TEXT, change.state.title),
                (styles.CENTRED, change.state.lead_department),
                (styles.TEXT, change.before),
                (styles.TEXT, change.after),
            ]
        )
    if not changes:
        writer.append([(styles.TEXT, "（本月无变化）")])
    writer.close()
