"""Sheet 本月变化: what changed between the end of the previous month and the as-of day.

The comparison itself is ``rectify.ledger.changes.ledger_changes`` (shared with the changes page).
"""

import datetime

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from rectify.chinese import chinese_date
from rectify.ledger.asof import ItemOutline, ItemState
from rectify.ledger.changes import KINDS, ledger_changes

from . import styles

CHANGES_SHEET = "本月变化"
_WIDTHS = [12, 8, 40, 16, 24, 24]


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
