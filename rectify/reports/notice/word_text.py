"""The paragraphs of a Word (.docx) document as text, read from its XML, in document order.

Word writes the numbers of automatically numbered paragraphs (一、 （一） 1. ①, from
``word/numbering.xml``) nowhere in the text: they are put back here, so that a notice whose headings
Word numbers reads like one typed by hand. Table cells give their paragraphs row by row; a cell
continuing a vertical merge (``w:vMerge``) holds nothing of its own and is skipped.
"""

import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from rectify.chinese import CIRCLED, chinese_number

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CONTAINERS = {f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}ins", f"{W}smartTag", f"{W}hyperlink"}
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(frozen=True)
class Level:
    format: str
    text: str
    start: int


def _val(element: ElementTree.Element | None, default: str = "") -> str:
    return element.get(f"{W}val", default) if element is not None else default


def _format(number: int, kind: str) -> str:
    if kind in ("chineseCounting", "chineseCountingThousand", "chineseLegalSimplified", "ideographTraditional"):
        return chinese_number(number) if 0 < number < 10000 else str(number)
    if kind in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 0 < number <= len(CIRCLED):
        return CIRCLED[number - 1]
    if kind == "decimalFullWidth":
        return str(number).translate(_FULLWIDTH)
    if kind in ("lowerLetter", "upperLetter") and 0 < number <= 26:
        letter = chr(ord("a") + number - 1)
        return letter.upper() if kind == "upperLetter" else letter
    if kind in ("none", "bullet"):
        return ""
    return str(number)


class Numbering:
    """The list definitions of ``word/numbering.xml`` and the running counters of each list."""

    def __init__(self, xml: bytes | None):
        self.levels: dict[str, dict[int, Level]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        if not xml:
            return
        root = ElementTree.fromstring(xml)
        abstract: dict[str, dict[int, Level]] = {}
        for definition in root.iter(f"{W}abstractNum"):
            levels = {}
            for level in definition.iter(f"{W}lvl"):
                start = _val(level.find(f"{W}start"), "1")
                levels[int(level.get(f"{W}ilvl", "0"))] = Level(
                    format=_val(level.find(f"{W}numFmt"), "decimal"),
                    text=_val(level.find(f"{W}lvlText")),
                    start=int(start) if start.isdigit() else 1,
                )
            abstract[definition.get(f"{W}abstractNumId", "")] = levels
        for num in root.iter(f"{W}num"):
            self.levels[num.get(f"{W}numId", "")] = abstract.get(_val(num.find(f"{W}abstractNumId")), {})

    def label(self, num_id: str, ilvl: int) -> str:
        """The next number of level ``ilvl`` of list ``num_id``, as Word shows it ("（三）")."""
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, levels[ilvl].start - 1) + 1
        for deeper in [level for level in counters if level > ilvl]:
            del counters[deeper]  # a higher level moving on restarts the levels below it

        def number(match: re.Match) -> str:
            level = int(match.group(1)) - 1
            if level not in levels:
                return ""
            return _format(counters.get(level, levels[level].start), levels[level].format)

        return re.sub(r"%([1-9])", number, levels[ilvl].text)


def _paragraph_text(paragraph: ElementTree.Element) -> str:
    parts: list[str] = []

    def walk(element: ElementTree.Element) -> None:
        for child in element:
            tag = child.tag
            if tag == f"{W}t":
                parts.append(child.text or "")
            elif tag == f"{W}tab":
                parts.append("\t")
            elif tag in (f"{W}br", f"{W}cr"):
                parts.append("\n")
            elif tag in (f"{W}r", *_CONTAINERS):
                walk(child)

    walk(paragraph)
    return "".join(parts)


def _label(paragraph: ElementTree.Element, numbering: Numbering) -> str:
    properties = paragraph.find(f"{W}pPr/{W}numPr")
    if properties is None:
        return ""
    num_id = _val(properties.find(f"{W}numId"), "0")
    ilvl = _val(properties.find(f"{W}ilvl"), "0")
    return numbering.label(num_id, int(ilvl) if ilvl.isdigit() else 0) if num_id != "0" else ""


def paragraph_line(paragraph: ElementTree.Element, numbering: Numbering) -> str:
    """The paragraph's text after its numbering label (line breaks kept as "\\n")."""
    return _label(paragraph, numbering) + _paragraph_text(paragraph)


def block_lines(element: ElementTree.Element, numbering: Numbering, lines: list[str]) -> None:
    """Appends the lines of every paragraph in ``element`` (a body, a table cell, …), tables row by row."""
    for child in element:
        if child.tag == f"{W}p":
            lines.extend(paragraph_line(child, numbering).split("\n"))
        elif child.tag == f"{W}tbl":
            for row in child.iter(f"{W}tr"):
                for cell in row.findall(f"{W}tc"):
                    merge = cell.find(f"{W}tcPr/{W}vMerge")
                    if merge is not None and _val(merge, "continue") == "continue":
                        continue
                    block_lines(cell, numbering, lines)
        elif child.tag in _CONTAINERS:
            block_lines(child, numbering, lines)


def document_body(archive: zipfile.ZipFile) -> tuple[ElementTree.Element | None, Numbering]:
    """The document's ``w:body`` and its list numbering; raises ElementTree.ParseError or KeyError."""
    document = ElementTree.fromstring(archive.read("word/document.xml"))
    names = set(archive.namelist())
    numbering = Numbering(archive.read("word/numbering.xml") if "word/numbering.xml" in names else None)
    return document.find(f"{W}body"), numbering


def docx_text_lines(archive: zipfile.ZipFile) -> list[str]:
    """Every paragraph's text, numbering labels included; raises ElementTree.ParseError or KeyError."""
    body, numbering = document_body(archive)
    lines: list[str] = []
    if body is not None:
        block_lines(body, numbering, lines)
    return lines
