"""The columns of the 整改台账 sheet (domain.md, "The monthly ledger"), and how an item fills them."""

import datetime

from rectify.chinese import chinese_date
from rectify.ledger.asof import ItemState
from rectify.ledger.models import RectificationItem
from rectify.ledger.numbering import problem_label

# Header text and column width (in characters). At most 165 in all, so that fitting the sheet to
# A4 landscape's width scales it to about 95%: the 10-point text prints at 9.5 pt (long texts wrap).
# 责任人, 完成日期 and 原完成时限 stand before 备注 so that an import of the export loses nothing.
LEDGER_COLUMNS: list[tuple[str, int]] = [
    ("序号", 4),
    ("反馈问题", 12),
    ("具体问题（整改事项）", 18),
    ("整改措施", 27),
    ("责任领导", 8),
    ("责任部门", 9),
    ("配合部门", 9),
    ("完成时限", 10),
    ("整改进展情况", 22),
    ("完成状态", 8),
    ("预警", 5),
    ("责任人", 7),
    ("完成日期", 10),
    ("原完成时限", 10),
    ("备注", 6),
]
LEDGER_HEADERS = [header for header, _width in LEDGER_COLUMNS]
PROBLEM_HEADER = "反馈问题"  # merged over its items
UNIT_HEADER = "单位"
# The ledger of several units starts with a 单位 column, paid for by these two (still at most 165).
_NARROWER_WITH_UNITS = {"整改措施": -4, "整改进展情况": -4}


def ledger_columns(*, with_units: bool = False) -> list[tuple[str, int]]:
    """The 整改台账 columns; with ``with_units`` (one workbook for several units) a 单位 column first."""
    if not with_units:
        return LEDGER_COLUMNS
    return [(UNIT_HEADER, 8)] + [
        (header, width + _NARROWER_WITH_UNITS.get(header, 0)) for header, width in LEDGER_COLUMNS
    ]


NAME_SEPARATOR = "、"
LONG_TERM_TEXT = str(RectificationItem.Kind.LONG_TERM.label)


def safe_problem_label(sequence: int) -> str:
    """（一）; （1000） where Chinese numbering stops (chinese_number goes up to 999)."""
    try:
        return problem_label(sequence)
    except (IndexError, ValueError):
        return f"（{sequence}）"


def problem_text(state: ItemState) -> str:
    """（一）产业规模小，产业链薄弱。"""
    if state.problem.sequence < 1:
        return state.problem.title
    return f"{safe_problem_label(state.problem.sequence)}{state.problem.title}"


def measures_text(state: ItemState) -> str:
    """Numbered lines "1. …", one per measure, so that an import can split them again."""
    return "\n".join(f"{index}. {measure.text.strip()}" for index, measure in enumerate(state.measures, start=1))


def deadline_value(state: ItemState) -> datetime.date | str | None:
    """The deadline as a date; with the kind in words where the kind is not 限期整改
    (立行立改（2024年6月30日）), so that an import reads the kind back; 长期坚持 without a day."""
    if state.deadline is not None:
        if state.kind in (RectificationItem.Kind.IMMEDIATE, RectificationItem.Kind.LONG_TERM):
            return f"{RectificationItem.Kind(state.kind).label}（{chinese_date(state.deadline)}）"
        return state.deadline
    if state.kind == RectificationItem.Kind.LONG_TERM:
        return LONG_TERM_TEXT
    return None


def progress_text(state: ItemState) -> str:
    """The latest progress report up to the as-of day, else the published summary."""
    if state.progress:
        return state.progress[-1].text
    return state.summary
