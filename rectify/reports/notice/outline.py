"""The numbered outline of a notice: which numbering styles its headings use and how they nest.

A paragraph that opens with a number (一、 / （一）(一) / 1. 1、 1． / （1）(1) / ①) is a heading of
that style; every other paragraph is text belonging to the heading above it. Styles nest in the order
a document first uses them: a style met again closes the deeper headings opened since (a sibling), a
new style opens a level below the heading in hand (a child). Nothing here decides what a heading
*is* (problem, item, measure): ``parse.py`` reads that from the outline's shape.
"""

import re
from dataclasses import dataclass, field

from rectify.chinese import CIRCLED, NUMERAL, ascii_digits, parse_chinese_number

# (style, pattern): group 1 is the number, group 2 the heading's text.
STYLES = [
    ("一、", re.compile(rf"^({NUMERAL})\s*[、．.]\s*(.+)$")),
    ("（一）", re.compile(rf"^[（(]\s*({NUMERAL})\s*[）)]\s*(.+)$")),
    ("1.", re.compile(r"^([0-9０-９]{1,3})\s*[.．、]\s*(.+)$")),
    ("（1）", re.compile(r"^[（(]\s*([0-9０-９]{1,3})\s*[）)]\s*(.+)$")),
    ("①", re.compile(rf"^([{CIRCLED}])\s*(.+)$")),
]
LEVEL_NAMES = {"一、": "“一、”", "（一）": "“（一）”", "1.": "“1.”", "（1）": "“（1）”", "①": "“①”"}


@dataclass
class Heading:
    style: str
    number: int
    text: str


@dataclass
class Node:
    """A heading with the text paragraphs under it and the deeper headings it holds."""

    heading: Heading
    paragraph: str  # the heading's paragraph as written
    body: list[str] = field(default_factory=list)  # text paragraphs before the first child
    children: list["Node"] = field(default_factory=list)

    @property
    def style(self) -> str:
        return self.heading.style

    def lines(self) -> list[str]:
        """Every paragraph of the node and its descendants, the heading first, in document order."""
        lines = [self.paragraph, *self.body]
        for child in self.children:
            lines.extend(child.lines())
        return lines


def number_of(style: str, written: str) -> int | None:
    if style == "①":
        return CIRCLED.index(written) + 1
    if style in ("1.", "（1）"):
        return int(ascii_digits(written))
    try:
        return parse_chinese_number(written)
    except ValueError:
        return None


def heading_of(paragraph: str, *, last_numbers: dict[str, int] | None = None) -> Heading | None:
    """The heading ``paragraph`` opens with, if any.

    "1.5亿元……" is a decimal, not heading 1: a 1. heading whose text starts with a digit counts only
    as the next number of its style (``last_numbers``), so "16.2019年……" after heading 15 is one.
    """
    for style, pattern in STYLES:
        if match := pattern.match(paragraph):
            number, text = number_of(style, match.group(1)), match.group(2).strip()
            if number is None or not text:
                return None
            if style == "1." and text[0].isdigit() and number != (last_numbers or {}).get(style, 0) + 1:
                return None
            return Heading(style=style, number=number, text=text)
    return None


class OutlineBuilder:
    """Builds the trees of one stretch of a document (a section), paragraph by paragraph."""

    def __init__(self, last_numbers: dict[str, int]):
        self.roots: list[Node] = []
        self.loose: list[str] = []  # text before the first heading
        self.stack: list[Node] = []
        self.last_numbers = last_numbers  # shared across sections, for the decimal rule

    def add_heading(self, heading: Heading, paragraph: str) -> None:
        self.last_numbers[heading.style] = heading.number
        node = Node(heading=heading, paragraph=paragraph)
        styles = [open_node.style for open_node in self.stack]
        if heading.style in styles:
            del self.stack[styles.index(heading.style) :]
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.roots.append(node)
        self.stack.append(node)

    def add_text(self, paragraph: str) -> None:
        if not self.stack:
            self.loose.append(paragraph)
            return
        # Text belongs to the deepest heading still open (text after a child's subtree to that child).
        self.stack[-1].body.append(paragraph)
