"""Reading the cells of a ledger someone else made (domain.md, "Importing a ledger"): header
names, deadlines, statuses, numbers, several names in one cell (numbered measures: ``reports.measures``).

Pure functions; a value that cannot be read raises ``CellError`` with the Chinese reason,
which the reader prefixes with the row and the column (第6行「整改时限」…).
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass

from openpyxl.utils.datetime import from_excel

from rectify.chinese import NUMERAL, parse_chinese_number
from rectify.ledger.models import RectificationItem

from .periods import month_end

Status = RectificationItem.Status
Kind = RectificationItem.Kind


class CellError(ValueError):
    """A cell the importer cannot read; the message is the Chinese reason."""


# field → accepted header names (domain.md); the first is the one error messages use.
FIELD_HEADERS: dict[str, tuple[str, ...]] = {
    "problem": ("反馈问题", "问题类别", "问题类型", "巡视反馈问题", "存在问题"),
    "item": ("具体问题", "整改事项", "问题表现", "问题描述", "整改任务"),
    "number": ("序号", "编号"),
    "measures": ("整改措施", "整改举措"),
    "leader": ("责任领导", "牵头领导", "分管领导"),
    "department": ("责任部门", "责任单位", "牵头单位", "牵头部门"),
    "co_departments": ("配合部门", "配合单位", "协办单位"),
    "person": ("责任人", "经办人"),
    "deadline": ("完成时限", "整改时限", "完成时间"),
    "original_deadline": ("原完成时限", "原整改时限"),
    "completed_on": ("完成日期", "实际完成日期", "实际完成时间", "销号日期"),
    "progress": ("整改进展", "整改进展情况", "整改情况", "完成情况"),
    "status": ("完成状态", "整改状态", "是否完成", "状态"),
    "notes": ("备注",),
}
_HEADER_FIELDS = {name: field for field, names in FIELD_HEADERS.items() for name in names}
_PARENTHESISED = re.compile(r"[（(][^）)]*[）)]")


def normalise_header(text: object) -> str:
    """Header text without spaces, line breaks, asterisks (required marks) or a trailing colon."""
    if text is None:
        return ""
    text = re.sub(r"[\s\u3000*＊]+", "", str(text))
    return text.rstrip("：:")


def field_for_header(text: object) -> str | None:
    """The field a header names, e.g. 具体问题（整改事项） → item; None for other columns."""
    header = normalise_header(text)
    if not header:
        return None
    return _HEADER_FIELDS.get(header) or _HEADER_FIELDS.get(_PARENTHESISED.sub("", header))


# --- text -------------------------------------------------------------------------------


def cell_text(value: object) -> str:
    """A cell as text: stripped, Windows line breaks made plain, whole numbers without ".0"."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("_x000D_", "").strip()


_NAME_SEPARATORS = re.compile(r"[、，,;；/／\n]+")


def split_names(text: str) -> list[str]:
    """张某、李某 / 张某,李某 / 张某；李某 / one per line → ["张某", "李某"] (order kept, no repeats)."""
    names = []
    for part in _NAME_SEPARATORS.split(text):
        name = part.strip(" \t\u3000")
        if name and name not in names:
            names.append(name)
    return names


# --- numbers ----------------------------------------------------------------------------


def parse_number(value: object) -> int:
    """1 / 1.0 / "1" / "1." / "1、" / "（1）" / "一" → 1."""
    if isinstance(value, bool):
        raise CellError(f"无法识别的序号：{value}")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = unicodedata.normalize("NFKC", cell_text(value)).strip("()、.:： ")
        try:
            number = int(text) if text.isdigit() else parse_chinese_number(text)
        except ValueError:
            raise CellError(f"无法识别的序号：{cell_text(value)}") from None
    if number < 1:
        raise CellError(f"序号应为正整数：{cell_text(value)}")
    return number


# --- problem labels ---------------------------------------------------------------------

_PROBLEM_LABEL = re.compile(
    rf"^\s*(?:(?:反馈)?问题)?\s*(?:[(（]\s*(?P<paren>[0-9]+|{NUMERAL})\s*[)）]"
    rf"|(?P<plain>{NUMERAL})\s*[、.．:：])\s*"
)


def split_problem_label(text: str) -> tuple[int | None, str]:
    """（一）产业规模小。 → (1, "产业规模小。"); text without a label → (None, text)."""
    match = _PROBLEM_LABEL.match(text)
    if not match or not text[match.end() :].strip():
        return None, text.strip()
    label = match["paren"] or match["plain"]
    try:
        sequence = int(label) if label.isdigit() else parse_chinese_number(label)
    except ValueError:  # （十十） is not a number: the text has no label
        return None, text.strip()
    return sequence, text[match.end() :].strip()


# --- deadlines --------------------------------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    """A deadline cell: the day (if any) and the kind it states (None when it states none).

    ``immediate_default`` means 立行立改 without a day: the importer then uses the
    inspection's feedback date + 1 month.
    """

    day: datetime.date | None = None
    kind: str | None = None

    @property
    def immediate_default(self) -> bool:
        return self.kind == Kind.IMMEDIATE and self.day is None


_FULL_DAY = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]?")
_SEPARATED_DAY = re.compile(r"(?<!\d)(\d{4})\s*[.\-/]\s*(\d{1,2})\s*[.\-/]\s*(\d{1,2})(?!\d)")
_MONTH_ONLY = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月(?!\s*\d)|(?<!\d)(\d{4})\s*[.\-/]\s*(\d{1,2})(?![\d.\-/])")
_YEAR_END = re.compile(r"(\d{4})\s*年\s*(?:底|末|年底|年末)")
_IMMEDIATE_WORDS = ("立行立改", "立即整改", "即知即改")
_LONG_TERM_WORDS = ("长期坚持", "长期", "持续整改", "持续推进", "常态化")


def parse_deadline(value: object) -> Deadline:
    """Date cells, 2024年6月30日, 2024.6.30, 2024-06-30, 2024/6/30, 2024年6月底(前) or 2024年6月
    (= the last day of that month), 2024年底, 立行立改, 长期坚持; empty → no deadline."""
    if value is None or value == "":
        return Deadline()
    if isinstance(value, datetime.datetime):
        return Deadline(value.date())
    if isinstance(value, datetime.date):
        return Deadline(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 20000 <= value <= 80000:  # a date serial the sheet did not format as a date
            return Deadline(from_excel(value).date())
        raise CellError(f"无法识别的日期：{cell_text(value)}")
    raw = cell_text(value)
    text = unicodedata.normalize("NFKC", raw)
    kind = None
    if any(word in text for word in _IMMEDIATE_WORDS):
        kind = Kind.IMMEDIATE
    elif any(word in text for word in _LONG_TERM_WORDS):
        kind = Kind.LONG_TERM
    day = _find_day(text, raw)
    if day is None and kind is None:
        raise CellError(f"无法识别的日期：{raw}")
    return Deadline(day, kind)


def parse_day(value: object) -> datetime.date | None:
    """A cell that holds a day or nothing (完成日期, 原完成时限): the forms ``parse_deadline``
    reads, but not 立行立改 or 长期坚持 without a day."""
    deadline = parse_deadline(value)
    if deadline.day is None and deadline.kind is not None:
        raise CellError(f"应为日期：{cell_text(value)}")
    return deadline.day


def _find_day(text: str, raw: str) -> datetime.date | None:
    try:
        if match := _FULL_DAY.search(text) or _SEPARATED_DAY.search(text):
            return datetime.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _MONTH_ONLY.search(text):
            year, month = (match[1], match[2]) if match[1] else (match[3], match[4])
            return month_end(int(year), int(month))
        if match := _YEAR_END.search(text):
            return datetime.date(int(match[1]), 12, 31)
    except ValueError:
        raise CellError(f"无法识别的日期：{raw}") from None
    return None


# --- statuses ---------------------------------------------------------------------------

_STATUS_WORDS: dict[str, tuple[str, ...]] = {
    Status.COMPLETED: ("已完成", "完成", "已整改", "已销号", "整改完成", "已整改完成", "已办结", "是"),
    Status.IN_PROGRESS: ("整改中", "正在整改", "推进中", "未完成", "进行中", "正在推进", "否"),
    Status.ONGOING: ("长期坚持", "持续整改", "基本完成", "阶段性成果", "持续推进"),
    Status.NOT_STARTED: ("未启动", "未开始", "尚未启动"),
    Status.PENDING_SIGNOFF: ("待销号", "申请销号"),
}


def _status_key(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


_STATUSES = {_status_key(word): status for status, words in _STATUS_WORDS.items() for word in words}
_STATUSES.update({_status_key(str(status.label)): status for status in Status})


def parse_status(value: object) -> str:
    """已完成/完成/已整改/已销号 → completed; 整改中/正在整改/推进中/未完成 → in progress;
    长期坚持/持续整改/基本完成 → ongoing; 未启动/未开始 or empty → not started; 待销号; and
    the labels the export writes, e.g. 已完成（已销号）."""
    text = cell_text(value)
    if not text:
        return Status.NOT_STARTED
    key = _status_key(text)
    status = _STATUSES.get(key) or _STATUSES.get(re.sub(r"\([^)]*\)$", "", key))
    if status is None:
        raise CellError(f"无法识别的完成状态：{text}（可填：已完成、整改中、长期坚持、未启动、待销号）")
    return status
