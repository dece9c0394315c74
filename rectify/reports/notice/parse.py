"""Reading a published notice (通报) into plain data: sections, problems, items, measures.

Pure functions over a list of paragraphs (see ``sources.read_paragraphs``); nothing touches the
database. The notice is read as an outline, not matched against one template:

* level-1 headings ``一、…`` that name a part of the notice (组织整改落实情况, 已完成的整改事项,
  未完成或需长期坚持的整改事项, 下一步工作安排, …) are its sections; the section an item stands under
  gives its status. A ``一、`` heading that names a problem (``在…方面``, ``反馈问题：``) or stands in a
  notice without such sections is a heading of the outline instead;
* under the sections, ``outline.py`` nests the numbered headings (一、 / （一） / 1. / （1） / ①) in the
  order the document uses them. The roles come from the outline's shape: a heading whose children
  carry measures (or have children of their own) is a problem, its children the items, anything
  deeper the item's measures; a heading without children that carries measures is problem and item
  at once; a problem whose text holds plain sentences each followed by ``整改情况：`` lists unnumbered
  items;
* measures come after ``整改情况：`` (整改落实情况, 整改措施, 整改进展, 落实情况) or straight after the
  heading, on its line or the next, and are split by ``reports.measures.split_measures`` (一是/二是,
  （1）/（2）, ①②); a paragraph without markers is one measure;
* wrappers (在“…”方面, 关于“…”问题的整改, 关于…的问题, 针对…问题, 反馈问题：) are removed from titles;
* the totals the prose states (N个方面问题, M项整改任务, 已完成K项, 正在整改L项) are compared with the
  outline (``totals.py``), and give the status of items whose section does not; a problem repeated
  in a later section after the numbering restarted is the same problem.

The facts in the prose around the ledger (opening paragraph, section 一, contact line) are read by
``prose.py``.
"""

import datetime
import re
from dataclasses import dataclass, field
from enum import StrEnum

from rectify.chinese import chinese_date, chinese_number, parse_chinese_date
from rectify.ledger.numbering import problem_label
from rectify.ledger.status import Status
from rectify.reports.measures import split_measures

from .errors import NoticeFormatError
from .outline import LEVEL_NAMES, Heading, Node, OutlineBuilder, heading_of
from .prose import (
    ParsedContact,
    ParsedOpening,
    ParsedOrganisation,
    is_closing,
    parse_contact,
    parse_opening,
    parse_organisation,
)
from .totals import StatedTotals, mismatches, stated_totals

_END = r"\s*[。：:；;，,]?\s*"

PROBLEM_PREFIX_RE = re.compile(r"^(?:反馈问题|存在问题|问题)\s*[：:]\s*")
AREA_RE = re.compile(r"^(?:关于)?在\s*(.+?)\s*方面(.*)$")
AREA_REST_RE = re.compile(r"^(?:存在的问题|存在问题|的问题|问题)?(?:的整改(?:落实)?情况)?\s*[。：:；;，,]?\s*")
ITEM_WRAPPERS = [
    # 关于“…”问题的整改（落实情况）, 关于“…”的整改, 关于…问题整改情况
    re.compile(rf"^关于\s*(.+?)\s*(?:等)?(?:方面)?(?:的)?(?:问题)?(?:的)?整改(?:落实)?(?:情况)?{_END}$"),
    # 关于…的问题
    re.compile(rf"^关于\s*(.+?)\s*(?:等)?(?:方面)?的?问题{_END}$"),
    # 针对…问题（的整改）
    re.compile(rf"^针对\s*(.+?)\s*(?:等)?(?:方面)?的?问题(?:的?整改(?:落实)?(?:情况)?)?{_END}$"),
]
ITEM_LIKE_RE = re.compile(r"^(?:关于|针对).+(?:问题|整改)")
SUMMARY_LABEL = r"(?:整改落实情况|整改进展情况|整改完成情况|整改情况|整改措施|整改进展|落实情况)\s*[：:]\s*"
SUMMARY_START_RE = re.compile(rf"^{SUMMARY_LABEL}")
SUMMARY_INLINE_RE = re.compile(rf"(?<=[。；;！!？?\s]){SUMMARY_LABEL}")
STATUS_LABEL_RE = re.compile(r"^(?:完成情况|完成状态|整改状态|整改进度|整改结果)\s*[：:]\s*(.+)$")
STATUS_MARK_RE = re.compile(
    r"\s*[（(【\[]\s*(已完成|已整改|已销号|完成整改|整改完成|基本完成|正在整改|整改中|未完成|推进中|长期坚持|持续整改)\s*[）)】\]]\s*[。]?$"
)
_CLAUSE_BOUNDARY = r"(?:^|(?<=[。；;！!？?：:\n]))[ \t\u3000]*"
CLAUSE_RE = re.compile(rf"{_CLAUSE_BOUNDARY}(?:[一二三四五六七八九十]+是|[（(][0-9０-９]{{1,2}}[）)]|[①②③④⑤⑥⑦⑧⑨⑩])")
INLINE_CLAUSE_RE = re.compile(r"(?<=[。；;：:])\s*(?:一是|[（(][1１][）)]|①)")

SECTION_PROBLEM_SUFFIX_RE = re.compile(r"^关于|(?:方面的?问题)?(?:的)?整改(?:落实)?(?:情况|进展)(?:报告)?$")
ATTACHMENT_RE = re.compile(r"^附件\s*[0-9０-９一二三四五六七八九十]*\s*[：:]?$")
SECTION_STYLE = "一、"
ARABIC_STYLES = ("1.", "（1）", "①")


class SectionRole(StrEnum):
    ORGANISATION = "organisation"  # 组织整改落实情况, 整改工作总体情况
    COMPLETED = "completed"  # 集中整改期内已完成的整改事项
    IN_PROGRESS = "in_progress"  # 集中整改期内未完成或长期整改的整改事项
    ONGOING = "ongoing"  # 需长期坚持的整改事项
    LISTING = "listing"  # 巡察反馈问题整改落实情况: items, status not stated
    NEXT_STEPS = "next_steps"  # 下一步整改工作安排
    OTHER = "other"


SECTION_STATUS = {
    SectionRole.COMPLETED: Status.COMPLETED,
    SectionRole.IN_PROGRESS: Status.IN_PROGRESS,
    SectionRole.ONGOING: Status.ONGOING,
}
STATUS_TEXT = {Status.COMPLETED: "已完成", Status.IN_PROGRESS: "整改中", Status.ONGOING: "长期坚持"}


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
        return f"{chinese_number(self.number)}、{self.title}" if self.number else "（未分节）"

    @property
    def status(self) -> str | None:
        return SECTION_STATUS.get(self.role)


@dataclass
class ParsedProblem:
    written_number: int
    title: str
    sequence: int = 0  # the number it is stored under: the written one unless two problems share it
    description_lines: list[str] = field(default_factory=list)

    @property
    def description(self) -> str:
        return "\n".join(self.description_lines)

    @property
    def label(self) -> str:
        return problem_label(self.sequence)


@dataclass
class ParsedItem:
    written_number: int  # 0 when the item has no number of its own (problem and item at once, unnumbered)
    title: str
    problem: ParsedProblem
    section: ParsedSection
    number: int = 0  # as written unless two items share a number
    detail_lines: list[str] = field(default_factory=list)
    summary_lines: list[str] = field(default_factory=list)
    has_summary: bool = False
    status: str = ""  # a Status value; "" until the section or the stated totals give it
    status_source: str = ""  # where the status comes from, for the preview

    @property
    def completed(self) -> bool:
        return self.status == Status.COMPLETED

    @property
    def status_text(self) -> str:
        return STATUS_TEXT.get(self.status, "整改中")

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
    stated: StatedTotals = field(default_factory=StatedTotals)
    mismatches: list[str] = field(default_factory=list)  # stated totals that differ from the outline
    levels: list[str] = field(default_factory=list)  # how the outline was read: "“（一）”为反馈问题", …

    @property
    def measure_count(self) -> int:
        return sum(len(item.measures) for item in self.items)

    def count(self, status: str) -> int:
        return sum(item.status == status for item in self.items)

    def items_of(self, problem: ParsedProblem) -> list[ParsedItem]:
        return [item for item in self.items if item.problem is problem]

    def summary_lines(self) -> list[str]:
        """What the import would create, for ``import_notice --dry-run`` and its report."""
        day = self.published_on
        date = chinese_date(day) if day else "未载明日期"
        lines = [
            f"通报：{self.publisher or '（未载明发布单位）'}《{self.title}》（{date}）",
            f"反馈问题 {len(self.problems)} 个，整改事项 {len(self.items)} 项，整改措施 {self.measure_count} 条，"
            f"其中已完成 {self.count(Status.COMPLETED)} 项，整改中 {self.count(Status.IN_PROGRESS)} 项，"
            f"长期坚持 {self.count(Status.ONGOING)} 项。",
        ]
        for section in self.sections:
            items = [item for item in self.items if item.section is section]
            if not items:
                continue
            problems = {id(item.problem) for item in items}
            measures = sum(len(item.measures) for item in items)
            statuses = "、".join(sorted({item.status_text for item in items}))
            lines.append(
                f"{section.heading}：反馈问题 {len(problems)} 个，整改事项 {len(items)} 项（{statuses}），"
                f"整改措施 {measures} 条"
            )
        for problem in self.problems:
            lines.append(f"{problem_label(problem.sequence)}{problem.title}")
            for item in self.items_of(problem):
                lines.append(f"    {item.number}. {item.title}（措施 {len(item.measures)} 条，{item.status_text}）")
                lines.extend(f"        - {text}" for text in item.measures)
        if self.levels:
            lines.append(f"标题层级：{'，'.join(self.levels)}")
        lines.extend(f"对账：{line}" for line in self.mismatches)
        lines.extend(f"注意：{warning}" for warning in self.warnings)
        return lines


# ---------------------------------------------------------------------------------------------------------
# Small readers
# ---------------------------------------------------------------------------------------------------------


def section_role(title: str) -> SectionRole:
    if any(word in title for word in ("未完成", "正在整改", "正在推进", "整改中的", "推进中")):
        return SectionRole.IN_PROGRESS
    if any(word in title for word in ("长期坚持", "长期整改", "持续整改", "长期推进")):
        return SectionRole.ONGOING
    if any(word in title for word in ("已完成", "完成的整改", "已整改", "已经完成", "已销号")):
        return SectionRole.COMPLETED
    if any(word in title for word in ("下一步", "下步", "工作安排", "工作打算", "工作计划")):
        return SectionRole.NEXT_STEPS
    if "组织" in title or any(word in title for word in ("总体情况", "总体进展", "主要做法", "基本情况")):
        return SectionRole.ORGANISATION
    if re.search(r"(?:问题|事项|任务)(?:的)?整改(?:落实)?(?:情况|进展)|整改(?:落实)?情况$|整改事项|整改任务", title):
        return SectionRole.LISTING
    return SectionRole.OTHER


def status_of_words(text: str) -> str | None:
    """The status a short phrase names (已完成 / 正在整改 / 长期坚持 …), if any."""
    if any(word in text for word in ("未完成", "正在", "整改中", "推进中", "基本完成")):
        return Status.IN_PROGRESS
    if any(word in text for word in ("长期", "持续")):
        return Status.ONGOING
    if any(word in text for word in ("完成", "已整改", "销号", "到位")):
        return Status.COMPLETED
    return None


def _unquote(text: str) -> str:
    text = text.strip()
    if len(text) > 2 and text[0] in '“"「『' and text[-1] in '”"」』' and not re.search('[”"」』]', text[1:-1]):
        return text[1:-1].strip()
    return text


def problem_title(text: str) -> tuple[str, str]:
    """(title, description) of a problem heading without its number: drops 反馈问题：, unwraps 在“…”方面,
    关于“…”问题的整改, 关于…的问题 and 针对…问题."""
    text = PROBLEM_PREFIX_RE.sub("", text, count=1).strip()
    if match := AREA_RE.match(text):
        return _unquote(match.group(1)), AREA_REST_RE.sub("", match.group(2).strip(), count=1)
    return item_title(text), ""


def item_title(text: str) -> str:
    """The title without a 关于“…”问题的整改 / 关于…的问题 / 针对…问题 wrapper; otherwise verbatim (trailing 。 kept)."""
    text = text.strip()
    for pattern in ITEM_WRAPPERS:
        if match := pattern.match(text):
            return _unquote(match.group(1))
    return text


def is_problem_wrapper(text: str) -> bool:
    return bool(PROBLEM_PREFIX_RE.match(text) or AREA_RE.match(text))


def split_heading(text: str) -> tuple[str, str]:
    """(title, measures) of a heading that carries its measures on its own line."""
    if (marker := SUMMARY_INLINE_RE.search(text)) and marker.start() > 0:
        return text[: marker.start()].strip(), text[marker.end() :].strip()
    if (marker := INLINE_CLAUSE_RE.search(text)) and marker.start() > 0:
        return text[: marker.start()].strip(), text[marker.start() :].strip()
    first, stop, rest = text.partition("。")
    if stop and rest.strip() and any(pattern.match(first + stop) for pattern in ITEM_WRAPPERS):
        return first + stop, rest.strip()
    return text, ""


def carries_measures(node: Node) -> bool:
    """The heading states measures: on its own line, or in a 整改情况： or 一是 paragraph under it."""
    if split_heading(node.heading.text)[1]:
        return True
    return any(SUMMARY_START_RE.match(p) or CLAUSE_RE.match(p) for p in node.body)


def _unnumbered_starts(body: list[str]) -> list[int]:
    """Indexes of plain sentences directly followed by a 整改情况： paragraph: the titles of unnumbered items."""
    return [
        index
        for index in range(len(body) - 1)
        if SUMMARY_START_RE.match(body[index + 1])
        and not SUMMARY_START_RE.match(body[index])
        and not CLAUSE_RE.match(body[index])
        and not STATUS_LABEL_RE.match(body[index])
    ]


# ---------------------------------------------------------------------------------------------------------
# The notice
# ---------------------------------------------------------------------------------------------------------


class _Reader:
    """Splits the paragraphs into sections, builds each section's outline, then gives the headings roles."""

    def __init__(self, paragraphs: list[str]):
        self.paragraphs = paragraphs
        self.preamble: list[str] = []
        self.sections: list[ParsedSection] = []
        self.builders: dict[int, OutlineBuilder] = {}  # by id() of the section
        self.problems: list[ParsedProblem] = []
        self.items: list[ParsedItem] = []
        self.closing: list[str] = []
        self.section: ParsedSection | None = None
        self.in_closing = False
        self.last_numbers: dict[str, int] = {}
        self.headings: dict[str, int] = {}  # headings seen, by style (sections count as 一、)
        self.has_sections = any(self._names_a_section(p) for p in paragraphs)
        self.max_problem_number = 0
        self.roles: dict[str, list[str]] = {}  # role → the level names that played it, for the preview

    def note(self, role: str, style: str) -> None:
        name = LEVEL_NAMES.get(style, style)
        if name not in self.roles.setdefault(role, []):
            self.roles[role].append(name)

    # --- pass 1: sections and outlines ------------------------------------------------------------------

    @staticmethod
    def _names_a_section(paragraph: str) -> bool:
        heading = heading_of(paragraph)
        return (
            heading is not None
            and heading.style == SECTION_STYLE
            and not is_problem_wrapper(heading.text)
            and section_role(heading.text) != SectionRole.OTHER
        )

    def read(self) -> None:
        for index, paragraph in enumerate(self.paragraphs):
            following = self.paragraphs[index + 1] if index + 1 < len(self.paragraphs) else ""
            section = self.section
            self.classify(paragraph, following)
            if section is not None and self.section is section:
                section.raw.append(paragraph)
        for section in self.sections:
            builder = self.builders.get(id(section))
            if builder is not None:
                self.assign_section(section, builder)

    def classify(self, paragraph: str, following: str) -> None:
        heading = heading_of(paragraph, last_numbers=self.last_numbers)
        if heading is not None and heading.style == SECTION_STYLE and self.is_section(heading, following):
            self.headings[SECTION_STYLE] = self.headings.get(SECTION_STYLE, 0) + 1
            self.start_section(heading.number, heading.text)
            return
        if self.in_closing or is_closing(paragraph):
            self.in_closing = True
            self.closing.append(paragraph)
            return
        if self.section is not None and not self.section.lists_items:
            if heading is not None and heading.style == SECTION_STYLE:
                self.start_section(0, "")  # a problem heading after section 一's text: an unnamed section
            else:
                if heading is not None:
                    self.headings[heading.style] = self.headings.get(heading.style, 0) + 1
                self.section.paragraphs.append(paragraph)
                return
        builder = self.builder()
        if heading is None:
            builder.add_text(paragraph)
        else:
            self.headings[heading.style] = self.headings.get(heading.style, 0) + 1
            builder.add_heading(heading, paragraph)

    def is_section(self, heading: Heading, following: str) -> bool:
        if is_problem_wrapper(heading.text):
            return False
        if section_role(heading.text) != SectionRole.OTHER:
            return True
        if not self.has_sections:
            return False  # a notice without sections: its 一、 headings are the outline's top level
        if self.section is not None and self.section.lists_items:
            nxt = heading_of(following, last_numbers=self.last_numbers)
            return nxt is None or nxt.style == SECTION_STYLE
        return True

    def start_section(self, number: int, title: str) -> None:
        self.section = ParsedSection(
            number=number, title=title, role=section_role(title) if title else SectionRole.LISTING
        )
        self.sections.append(self.section)
        self.in_closing = False

    def builder(self) -> OutlineBuilder:
        if self.section is None:
            self.section = ParsedSection(number=0, title="", role=SectionRole.OTHER)
            self.sections.append(self.section)
        if id(self.section) not in self.builders:
            self.builders[id(self.section)] = OutlineBuilder(self.last_numbers)
        return self.builders[id(self.section)]

    # --- pass 2: roles ----------------------------------------------------------------------------------

    def assign_section(self, section: ParsedSection, builder: OutlineBuilder) -> None:
        if section.number == 0 and not section.title and section is self.sections[0]:
            self.preamble.extend(builder.loose)  # the text before the first heading: title and opening
        else:
            section.paragraphs.extend(builder.loose)
        numbers = [root.heading.number for root in builder.roots if root.style not in ARABIC_STYLES]
        restarted = bool(numbers) and min(numbers) <= self.max_problem_number
        problem = None
        if section.number and builder.roots and not numbers:
            # Only items (1. / （1）) under a named section: under a heading that names problems
            # (一、预算执行问题的整改情况) the heading is their problem; in a prose section they are its
            # text; under a status heading (已完成的整改事项) they still lack a problem, refused below.
            if section.role == SectionRole.OTHER:
                section.paragraphs.extend(line for root in builder.roots for line in root.lines())
                return
            if section.role == SectionRole.LISTING and any(carries_measures(r) or r.children for r in builder.roots):
                self.note("反馈问题", SECTION_STYLE)
                title = SECTION_PROBLEM_SUFFIX_RE.sub("", section.title).strip() or section.title
                heading = Node(heading=Heading(style=SECTION_STYLE, number=0, text=title), paragraph=section.heading)
                problem = self.start_problem(heading, restarted=True, description=[])
        for root in builder.roots:
            self.assign(root, section=section, problem=problem, restarted=restarted)
        self.max_problem_number = max([self.max_problem_number, *numbers])

    def assign(self, node: Node, *, section: ParsedSection, problem: ParsedProblem | None, restarted: bool) -> None:
        if problem is not None:
            self.add_item(node, section=section, problem=problem, title=node.heading.text)
            return
        arabic = node.style in ARABIC_STYLES
        text = node.heading.text
        if node.children:
            children_carry = any(carries_measures(child) or child.children for child in node.children)
            if children_carry or not (ITEM_LIKE_RE.match(text) or carries_measures(node)):
                if arabic:
                    self.refuse_orphan(node)
                self.note("反馈问题", node.style)
                new = self.start_problem(node, restarted=restarted, description=node.body)
                for child in node.children:
                    self.assign(child, section=section, problem=new, restarted=restarted)
                return
        elif not arabic and not ITEM_LIKE_RE.match(text) and (starts := _unnumbered_starts(node.body)):
            self.note("反馈问题", node.style)
            self.note("整改事项", "不编号的段落（其后为“整改情况：”）")
            new = self.start_problem(node, restarted=restarted, description=node.body[: starts[0]])
            for position, start in enumerate(starts):
                end = starts[position + 1] if position + 1 < len(starts) else len(node.body)
                self.add_item(
                    Node(heading=node.heading, paragraph=node.body[start], body=node.body[start + 1 : end]),
                    section=section,
                    problem=new,
                    title=node.body[start],
                    numbered=False,
                )
            return
        if not (carries_measures(node) or ITEM_LIKE_RE.match(text)):
            if arabic:  # "1.提高政治站位……" in prose: text, not an item
                section.paragraphs.extend(node.lines())
            else:
                self.start_problem(node, restarted=restarted, description=node.body)
            return
        if arabic and not ITEM_LIKE_RE.match(text):
            self.refuse_orphan(node)
        # One level: the heading is the problem and its only item.
        self.note("反馈问题兼整改事项", node.style)
        title, _ = split_heading(text)
        new = self.start_problem(node, restarted=restarted, description=[], text=title)
        self.add_item(node, section=section, problem=new, title=text, numbered=False)

    @staticmethod
    def refuse_orphan(node: Node) -> None:
        raise NoticeFormatError(
            f"整改事项“{node.paragraph[:30]}”之前没有反馈问题标题（如“（一）反馈问题：……”），无法确定其所属问题。"
        )

    def start_problem(
        self, node: Node, *, restarted: bool, description: list[str], text: str | None = None
    ) -> ParsedProblem:
        title, inline_description = problem_title(text if text is not None else node.heading.text)
        title = STATUS_MARK_RE.sub("", title).strip() or title
        number = node.heading.number
        same = [p for p in self.problems if p.title == title and (p.written_number == number or restarted)]
        if same:
            problem = same[0]
        else:
            problem = ParsedProblem(written_number=number, title=title)
            self.problems.append(problem)
            if inline_description:
                problem.description_lines.append(inline_description)
        problem.description_lines.extend(p for p in description if p not in problem.description_lines)
        return problem

    def add_item(
        self, node: Node, *, section: ParsedSection, problem: ParsedProblem, title: str, numbered: bool = True
    ) -> None:
        title, inline = split_heading(title)
        status = None
        if mark := STATUS_MARK_RE.search(title):
            status, title = status_of_words(mark.group(1)), title[: mark.start()].strip()
        written = node.heading.number if numbered and node.style in ARABIC_STYLES else 0
        if numbered:
            self.note("整改事项", node.style)
        item = ParsedItem(written_number=written, title=item_title(title), problem=problem, section=section)
        in_summary = bool(inline)
        if inline:
            item.summary_lines.append(inline)
        for paragraph in node.body:
            if match := STATUS_LABEL_RE.match(paragraph):
                status = status_of_words(match.group(1)) or status
            elif match := SUMMARY_START_RE.match(paragraph):
                in_summary = True
                if rest := paragraph[match.end() :].strip():
                    item.summary_lines.append(rest)
            elif in_summary or CLAUSE_RE.match(paragraph):
                in_summary = True
                item.summary_lines.append(paragraph)
            else:
                item.detail_lines.append(paragraph)
        for child in node.children:  # deeper headings under an item are its measures
            self.note("整改措施", child.style)
            item.summary_lines.extend(child.lines())
        if not item.summary_lines and item.detail_lines:
            # Measures straight after the heading, without a label: the paragraphs are the measures.
            item.summary_lines, item.detail_lines = item.detail_lines, []
        item.has_summary = bool(item.summary_lines)
        if status:
            item.status, item.status_source = status, "事项标注"
        elif section.status:
            item.status, item.status_source = section.status, f"所在部分“{section.title}”"
        self.items.append(item)

    def found(self) -> str:
        """What the outline held, for the message of a notice with no recognisable item."""
        parts = [f"{count} 个{LEVEL_NAMES[style]}标题" for style, count in self.headings.items()]
        return "、".join(parts) if parts else "0 个编号标题"


def _statuses_from_totals(items: list[ParsedItem], stated: StatedTotals, warnings: list[str]) -> None:
    """Items whose section names no status: all of one status when the stated totals say so."""
    silent = [item for item in items if not item.status]
    if not silent:
        return
    known = {status: sum(item.status == status for item in items) for status in STATUS_TEXT}
    status = None
    for candidate, said in (
        (Status.COMPLETED, stated.completed),
        (Status.IN_PROGRESS, stated.in_progress),
        (Status.ONGOING, stated.ongoing),
    ):
        if said is not None and said - known[candidate] == len(silent):
            status = candidate
            break
    for item in silent:
        item.status = status or Status.IN_PROGRESS
        item.status_source = "通报所述完成数" if status else "未载明（按整改中导入）"
    if status is None and (stated.completed is not None or stated.in_progress is not None):
        warnings.append(
            f"{len(silent)} 项整改事项所在部分未写明完成与否，通报所述完成数也无法对应，已按“整改中”导入，请核对。"
        )


def parse_notice(paragraphs: list[str]) -> ParsedNotice:
    """The notice in ``paragraphs`` (non-blank, stripped). Raises NoticeFormatError if it lists no item."""
    paragraphs, signature, published_on = _split_signature(list(paragraphs))
    reader = _Reader(paragraphs)
    reader.read()
    if not reader.items:
        raise NoticeFormatError(
            f"未在文件中识别出任何反馈问题或整改事项：找到 {reader.found()}、0 个可识别为整改事项的标题。"
            "通报应按“（一）反馈问题：……”“1.……”“整改情况：一是……”的格式列出问题、事项和整改情况"
            "（整改事项的标题下应有“整改情况：”或“一是……二是……”等整改措施）。"
        )
    attachment_label, publisher, title, opening_text = _read_preamble(reader.preamble)
    warnings: list[str] = []
    listed = {id(item.problem) for item in reader.items}
    problems = [problem for problem in reader.problems if id(problem) in listed]
    for problem in reader.problems:
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
        if first.number and not any(item.section is first for item in reader.items):
            organisation_sections = [first]
    organisation_text = "\n".join(p for s in organisation_sections for p in s.raw)
    next_steps = "\n".join(p for s in reader.sections if s.role == SectionRole.NEXT_STEPS for p in s.paragraphs)
    prose = "\n".join(
        [
            opening_text,
            organisation_text,
            *(p for s in reader.sections if s.role != SectionRole.NEXT_STEPS for p in s.paragraphs),
        ]
    )
    stated = stated_totals(prose)
    _statuses_from_totals(reader.items, stated, warnings)
    items = sorted(reader.items, key=lambda item: item.number)
    found = {
        "problems": len(problems),
        "items": len(items),
        "completed": sum(item.status == Status.COMPLETED for item in items),
        "in_progress": sum(item.status == Status.IN_PROGRESS for item in items),
        "ongoing": sum(item.status == Status.ONGOING for item in items),
    }
    organisation = parse_organisation(organisation_text)
    return ParsedNotice(
        attachment_label=attachment_label,
        publisher=signature or publisher,
        title=title,
        opening_text=opening_text,
        opening=parse_opening(opening_text),
        organisation=organisation,
        sections=[s for s in reader.sections if s.number or any(item.section is s for item in items)],
        problems=sorted(problems, key=lambda problem: problem.sequence),
        items=items,
        next_steps=next_steps,
        contact=parse_contact(reader.closing),
        published_on=published_on,
        warnings=warnings,
        stated=stated,
        mismatches=mismatches(stated, **found),
        levels=[f"{'、'.join(names)}为{role}" for role, names in reader.roles.items()],
    )


def _number(rows: list, written: str, final: str, noun: str, warnings: list[str]) -> None:
    """Keep the numbers as written when they are distinct; otherwise number in order of appearance
    (silently when the rows have no numbers of their own, 0, with a warning when written numbers repeat)."""
    numbers = [getattr(row, written) for row in rows]
    if len(set(numbers)) == len(numbers) and all(n >= 1 for n in numbers):
        for row in rows:
            setattr(row, final, getattr(row, written))
        return
    given = [n for n in numbers if n]
    if len(set(given)) != len(given):
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
        and heading_of(paragraph) is None
        and not is_closing(paragraph)
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
