"""Reading a published notice (通报) into plain data: sections, problems, items, measures.

Pure functions over a list of paragraphs (see ``sources.read_paragraphs``); nothing touches the
database. The grammar is domain.md's "Notice text (通报) grammar":

* level-1 sections ``一、…``; which one an item stands under tells its status (已完成 vs 未完成或长期整改);
* problems ``（一）`` / ``(一)`` / ``一、``, optionally ``反馈问题：…`` or ``在“…”方面``;
* items ``1.`` ``1、`` ``1．`` or ``（1）``, optionally ``关于“…”问题的整改``;
* the measures paragraph after ``整改情况：`` / ``整改落实情况：`` / ``整改措施：``, split on its numbering
  (``一是``/``二是``…, ``（1）``/``(1)``…) by ``reports.measures.split_measures``, the grammar the Excel
  importer uses too.

A ``一、`` line is a problem rather than a section when it says so (``反馈问题：``, ``在“…”方面``) or,
inside a section that lists items, when the next paragraph is an item. The facts in the prose around the
ledger (opening paragraph, section 一, contact line) are read by ``prose.py``.
"""

import datetime
import re
from dataclasses import dataclass, field
from enum import StrEnum

from rectify.chinese import (
    NUMERAL,
    ascii_digits,
    chinese_date,
    chinese_number,
    parse_chinese_date,
    parse_chinese_number,
)
from rectify.ledger.numbering import problem_label
from rectify.reports.measures import split_measures

from .errors import NoticeFormatError
from .prose import (
    ParsedContact,
    ParsedOpening,
    ParsedOrganisation,
    is_closing,
    parse_contact,
    parse_opening,
    parse_organisation,
)

_OPEN_QUOTE = "[“\"‘'「『]?"
_CLOSE_QUOTE = "[”\"’'」』]?"

SECTION_RE = re.compile(rf"^({NUMERAL})\s*[、．.]\s*(.+)$")
PROBLEM_RE = re.compile(rf"^[（(]\s*({NUMERAL})\s*[）)]\s*(.+)$")
PROBLEM_PREFIX_RE = re.compile(r"^反馈问题\s*[：:]\s*")
PROBLEM_AREA_RE = re.compile(rf"^在\s*{_OPEN_QUOTE}(.+?){_CLOSE_QUOTE}\s*方面(.*)$")
ITEM_DOT_RE = re.compile(r"^([0-9０-９]{1,3})\s*[.．、]\s*(.+)$")
ITEM_PAREN_RE = re.compile(r"^[（(]\s*([0-9０-９]{1,3})\s*[）)]\s*(.+)$")
ITEM_WRAPPER_RE = re.compile(
    rf"^关于\s*{_OPEN_QUOTE}(.+?){_CLOSE_QUOTE}\s*(?:等)?问题的整改(?:落实)?(?:情况)?\s*[。：:]?$"
)
SUMMARY_LABEL = r"(?:整改落实情况|整改情况|整改措施|整改进展情况)\s*[：:]\s*"
SUMMARY_START_RE = re.compile(rf"^{SUMMARY_LABEL}")
SUMMARY_INLINE_RE = re.compile(rf"(?<=[。；;！!？?\s]){SUMMARY_LABEL}")
_CLAUSE_BOUNDARY = r"(?:^|(?<=[。；;！!？?\n]))[ \t\u3000]*"
CLAUSE_RE = re.compile(rf"{_CLAUSE_BOUNDARY}({NUMERAL})是")
PAREN_CLAUSE_RE = re.compile(rf"{_CLAUSE_BOUNDARY}[（(]([0-9０-９]{{1,2}})[）)]")

ATTACHMENT_RE = re.compile(r"^附件\s*[0-9０-９一二三四五六七八九十]*\s*[：:]?$")


class SectionRole(StrEnum):
    ORGANISATION = "organisation"  # 组织整改落实情况
    COMPLETED = "completed"  # 集中整改期内已完成的整改事项
    IN_PROGRESS = "in_progress"  # 集中整改期内未完成或长期整改的整改事项
    NEXT_STEPS = "next_steps"  # 下一步整改工作安排
    OTHER = "other"


@dataclass
class ParsedSection:
    number: int
    title: str
    role: SectionRole
    paragraphs: list[str] = field(default_factory=list)  # text outside problems and items
    raw: list[str] = field(default_factory=list)  # every paragraph under the heading, headings included

    @property
    def lists_items(self) -> bool:
        return self.role not in (SectionRole.ORGANISATION, SectionRole.NEXT_STEPS)

    @property
    def heading(self) -> str:
        return f"{chinese_number(self.number)}、{self.title}"


@dataclass
class ParsedProblem:
    written_number: int
    title: str
    sequence: int = 0  # the number it is stored under: the written one unless two problems share it
    description_lines: list[str] = field(default_factory=list)

    @property
    def description(self) -> str:
        return "\n".join(self.description_lines)


@dataclass
class ParsedItem:
    written_number: int
    title: str
    problem: ParsedProblem
    section: ParsedSection
    number: int = 0  # as written unless two items share a number
    detail_lines: list[str] = field(default_factory=list)
    summary_lines: list[str] = field(default_factory=list)
    has_summary: bool = False

    @property
    def completed(self) -> bool:
        return self.section.role == SectionRole.COMPLETED

    @property
    def summary(self) -> str:
        return "\n".join(self.summary_lines).strip()

    @property
    def detail(self) -> str:
        return "\n".join(self.detail_lines)

    @property
    def measures(self) -> list[str]:
        return split_measures(self.summary, published=True)


@dataclass
class ParsedNotice:
    attachment_label: str
    publisher: str
    title: str
    opening_text: str
    opening: ParsedOpening
    organisation: ParsedOrganisation
    sections: list[ParsedSection]
    problems: list[ParsedProblem]
    items: list[ParsedItem]
    next_steps: str
    contact: ParsedContact
    published_on: datetime.date | None
    warnings: list[str] = field(default_factory=list)

    @property
    def measure_count(self) -> int:
        return sum(len(item.measures) for item in self.items)

    def summary_lines(self) -> list[str]:
        """What the import would create, for ``import_notice --dry-run`` and its report."""
        day = self.published_on
        date = chinese_date(day) if day else "未载明日期"
        lines = [
            f"通报：{self.publisher or '（未载明发布单位）'}《{self.title}》（{date}）",
            f"反馈问题 {len(self.problems)} 个，整改事项 {len(self.items)} 项，整改措施 {self.measure_count} 条，"
            f"其中已完成 {sum(item.completed for item in self.items)} 项。",
        ]
        for section in self.sections:
            items = [item for item in self.items if item.section is section]
            if not items:
                continue
            problems = {id(item.problem) for item in items}
            measures = sum(len(item.measures) for item in items)
            status = "已完成" if section.role == SectionRole.COMPLETED else "整改中"
            lines.append(
                f"{section.heading}：反馈问题 {len(problems)} 个，整改事项 {len(items)} 项（{status}），"
                f"整改措施 {measures} 条"
            )
        for problem in self.problems:
            lines.append(f"{problem_label(problem.sequence)}{problem.title}")
            for item in self.items:
                if item.problem is problem:
                    status = "已完成" if item.completed else "整改中"
                    lines.append(f"    {item.number}. {item.title}（措施 {len(item.measures)} 条，{status}）")
                    lines.extend(f"        - {text}" for text in item.measures)
        lines.extend(f"注意：{warning}" for warning in self.warnings)
        return lines


# ---------------------------------------------------------------------------------------------------------
# Small readers
# ---------------------------------------------------------------------------------------------------------


def arabic(text: str) -> int:
    return int(ascii_digits(text))


def chinese(text: str) -> int | None:
    try:
        return parse_chinese_number(text)
    except ValueError:
        return None


def section_role(title: str) -> SectionRole:
    if any(word in title for word in ("未完成", "长期", "持续整改", "正在整改")):
        return SectionRole.IN_PROGRESS
    if "已完成" in title or "完成的整改" in title:
        return SectionRole.COMPLETED
    if any(word in title for word in ("下一步", "下步", "工作安排", "工作打算")):
        return SectionRole.NEXT_STEPS
    if "组织" in title:
        return SectionRole.ORGANISATION
    return SectionRole.OTHER


def problem_title(text: str) -> tuple[str, str]:
    """(title, description) of a problem heading without its number: drops 反馈问题：, unwraps 在“…”方面."""
    text = PROBLEM_PREFIX_RE.sub("", text, count=1).strip()
    if match := PROBLEM_AREA_RE.match(text):
        rest = re.sub(r"^(?:存在的问题|存在问题|的问题)?\s*[。：:；;，,]?\s*", "", match.group(2).strip())
        return match.group(1).strip(), rest
    return text, ""


def item_title(text: str) -> str:
    """The item's title without a 关于“…”问题的整改 wrapper; otherwise verbatim (trailing 。 kept)."""
    if match := ITEM_WRAPPER_RE.match(text):
        return match.group(1).strip()
    return text.strip()


# ---------------------------------------------------------------------------------------------------------
# The notice
# ---------------------------------------------------------------------------------------------------------


class _Reader:
    """One pass over the paragraphs, keeping track of the section, problem and item in hand."""

    def __init__(self, paragraphs: list[str]):
        self.paragraphs = paragraphs
        self.preamble: list[str] = []
        self.sections: list[ParsedSection] = []
        self.problems: dict[tuple[int, str], ParsedProblem] = {}
        self.items: list[ParsedItem] = []
        self.closing: list[str] = []
        self.section: ParsedSection | None = None
        self.problem: ParsedProblem | None = None
        self.item: ParsedItem | None = None
        self.in_summary = False
        self.in_closing = False
        self.item_style: str | None = None  # "dot" (1.) or "paren" (（1）), fixed by the first item

    def read(self) -> None:
        for index, paragraph in enumerate(self.paragraphs):
            following = self.paragraphs[index + 1] if index + 1 < len(self.paragraphs) else ""
            self.read_paragraph(paragraph, following)

    def read_paragraph(self, paragraph: str, following: str) -> None:
        section = self.section
        self.classify(paragraph, following)
        if section is not None and self.section is section:
            section.raw.append(paragraph)

    def classify(self, paragraph: str, following: str) -> None:
        if match := SECTION_RE.match(paragraph):
            number, text = chinese(match.group(1)), match.group(2).strip()
            if number is not None:
                if self.is_problem_heading(text, following):
                    self.start_problem(number, text)
                else:
                    self.start_section(number, text)
                return
        if self.in_closing or is_closing(paragraph):
            self.in_closing = True
            self.closing.append(paragraph)
            return
        if self.lists_items:
            if (match := PROBLEM_RE.match(paragraph)) and (number := chinese(match.group(1))) is not None:
                self.start_problem(number, match.group(2).strip())
                return
            if item := self.item_heading(paragraph):
                self.start_item(*item, paragraph)
                return
        self.read_text(paragraph)

    @property
    def lists_items(self) -> bool:
        return self.section is None or self.section.lists_items

    def is_problem_heading(self, text: str, following: str) -> bool:
        if PROBLEM_PREFIX_RE.match(text) or PROBLEM_AREA_RE.match(text):
            return True
        if section_role(text) != SectionRole.OTHER or not self.lists_items or self.section is None:
            return False
        return self.item_heading(following) is not None

    def item_heading(self, paragraph: str) -> tuple[int, str, str] | None:
        """(number, text, style) when the paragraph starts an item."""
        for style, pattern in (("dot", ITEM_DOT_RE), ("paren", ITEM_PAREN_RE)):
            if match := pattern.match(paragraph):
                number, text = arabic(match.group(1)), match.group(2).strip()
                if style == "paren" and self.in_summary and self.item_style == "dot":
                    return None  # （1） inside the measures of an item numbered 1. is a measure
                if style == "dot" and text[0].isdigit() and number != self.next_item_number:
                    return None  # "1.5亿元……" is a decimal; "16.2019年……" after item 15 is an item
                return number, text, style
        return None

    @property
    def next_item_number(self) -> int:
        return self.items[-1].written_number + 1 if self.items else 1

    def start_section(self, number: int, title: str) -> None:
        self.section = ParsedSection(number=number, title=title, role=section_role(title))
        self.sections.append(self.section)
        self.problem = self.item = None
        self.in_summary = self.in_closing = False

    def ensure_section(self) -> ParsedSection:
        """Problems listed before any level-1 heading stand in an unnamed section (status: in progress)."""
        if self.section is None:
            self.section = ParsedSection(number=0, title="", role=SectionRole.OTHER)
            self.sections.append(self.section)
        return self.section

    def start_problem(self, number: int, text: str) -> None:
        self.ensure_section()
        title, description = problem_title(text)
        key = (number, title)
        if key not in self.problems:
            self.problems[key] = ParsedProblem(written_number=number, title=title)
            if description:
                self.problems[key].description_lines.append(description)
        self.problem = self.problems[key]
        self.item = None
        self.in_summary = self.in_closing = False

    def start_item(self, number: int, text: str, style: str, paragraph: str) -> None:
        if self.problem is None:
            raise NoticeFormatError(
                f"整改事项“{paragraph[:30]}”之前没有反馈问题标题（如“（一）反馈问题：……”），无法确定其所属问题。"
            )
        self.item_style = self.item_style or style
        summary = ""
        if (marker := SUMMARY_INLINE_RE.search(text)) and marker.start() > 0:
            text, summary = text[: marker.start()].strip(), text[marker.end() :].strip()
        self.item = ParsedItem(
            written_number=number, title=item_title(text), problem=self.problem, section=self.ensure_section()
        )
        self.items.append(self.item)
        self.in_summary = bool(summary)
        if summary:
            self.item.has_summary = True
            self.item.summary_lines.append(summary)

    def read_text(self, paragraph: str) -> None:
        if self.item is not None:
            if match := SUMMARY_START_RE.match(paragraph):
                self.in_summary = self.item.has_summary = True
                rest = paragraph[match.end() :].strip()
                if rest:
                    self.item.summary_lines.append(rest)
            elif self.in_summary or CLAUSE_RE.match(paragraph) or PAREN_CLAUSE_RE.match(paragraph):
                self.in_summary = self.item.has_summary = True
                self.item.summary_lines.append(paragraph)
            else:
                self.item.detail_lines.append(paragraph)
        elif self.problem is not None:
            self.problem.description_lines.append(paragraph)
        elif self.section is not None:
            self.section.paragraphs.append(paragraph)
        else:
            self.preamble.append(paragraph)


def parse_notice(paragraphs: list[str]) -> ParsedNotice:
    """The notice in ``paragraphs`` (non-blank, stripped). Raises NoticeFormatError if it lists no item."""
    paragraphs, signature, published_on = _split_signature(list(paragraphs))
    reader = _Reader(paragraphs)
    reader.read()
    if not reader.items:
        raise NoticeFormatError(
            "未在文件中识别出任何反馈问题或整改事项。通报应按“（一）反馈问题：……”“1.……”“整改情况：一是……”"
            "的格式列出问题、事项和整改情况。"
        )
    attachment_label, publisher, title, opening_text = _read_preamble(reader.preamble)
    warnings: list[str] = []
    listed = {id(item.problem) for item in reader.items}
    problems = [problem for problem in reader.problems.values() if id(problem) in listed]
    for problem in reader.problems.values():
        if id(problem) not in listed:
            warnings.append(f"“{problem.title[:30]}”下没有整改事项，未作为反馈问题导入。")
    _number(problems, "written_number", "sequence", "反馈问题", warnings)
    _number(reader.items, "written_number", "number", "整改事项", warnings)
    for item in reader.items:
        if not item.has_summary:
            warnings.append(f"第{item.number}项整改事项没有“整改情况”段落，未导入整改措施。")
    organisation_sections = [s for s in reader.sections if s.role == SectionRole.ORGANISATION]
    if not organisation_sections and reader.sections and reader.sections[0].role == SectionRole.OTHER:
        first = reader.sections[0]
        if not any(item.section is first for item in reader.items):
            organisation_sections = [first]
    organisation_text = "\n".join(p for s in organisation_sections for p in s.raw)
    next_steps = "\n".join(p for s in reader.sections if s.role == SectionRole.NEXT_STEPS for p in s.paragraphs)
    return ParsedNotice(
        attachment_label=attachment_label,
        publisher=signature or publisher,
        title=title,
        opening_text=opening_text,
        opening=parse_opening(opening_text),
        organisation=parse_organisation(organisation_text),
        sections=[s for s in reader.sections if s.number],
        problems=sorted(problems, key=lambda problem: problem.sequence),
        items=sorted(reader.items, key=lambda item: item.number),
        next_steps=next_steps,
        contact=parse_contact(reader.closing),
        published_on=published_on,
        warnings=warnings,
    )


def _number(rows: list, written: str, final: str, noun: str, warnings: list[str]) -> None:
    """Keep the numbers as written when they are distinct; otherwise number in order of appearance."""
    numbers = [getattr(row, written) for row in rows]
    if len(set(numbers)) == len(numbers) and all(n >= 1 for n in numbers):
        for row in rows:
            setattr(row, final, getattr(row, written))
        return
    warnings.append(f"通报中{noun}的编号有重复，已按出现顺序重新编号为 1—{len(rows)}。")
    for position, row in enumerate(rows, start=1):
        setattr(row, final, position)


def _split_signature(paragraphs: list[str]) -> tuple[list[str], str, datetime.date | None]:
    """Take the date line at the end, and the signing body just above it, off the paragraphs."""
    if not paragraphs:
        return paragraphs, "", None
    try:
        published_on = parse_chinese_date(paragraphs[-1])
    except ValueError:
        return paragraphs, "", None
    paragraphs = paragraphs[:-1]
    signature = ""
    if paragraphs and _looks_like_a_name(paragraphs[-1]):
        signature = paragraphs.pop()
    return paragraphs, signature, published_on


def _looks_like_a_name(paragraph: str) -> bool:
    return (
        len(paragraph) <= 40
        and not paragraph.endswith(("。", "；", ";", "：", ":"))
        and not SECTION_RE.match(paragraph)
        and not is_closing(paragraph)
        and not ITEM_DOT_RE.match(paragraph)
    )


def _read_preamble(preamble: list[str]) -> tuple[str, str, str, str]:
    """(attachment label, publisher, title, opening paragraph) from the lines before section 一."""
    attachment_label = publisher = title = ""
    rest: list[str] = []
    for line in preamble:
        if not attachment_label and not title and not rest and ATTACHMENT_RE.match(line):
            attachment_label = line.replace(" ", "")
        elif not title and "通报" in line and len(line) <= 80 and not line.endswith("。"):
            title = line
            if not title.startswith("关于") and "关于" in title:
                head, _, tail = title.partition("关于")
                publisher = publisher or head.strip()
                title = f"关于{tail}"
        elif not title and not publisher and not rest and _looks_like_a_name(line):
            publisher = line
        else:
            rest.append(line)
    return attachment_label, publisher, title or "关于巡视整改进展情况的通报", "\n".join(rest)
