"""The drafted notice as a Word document in the official format of GB/T 9704-2012.

A4; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title 方正小标宋简体 二号 centred; body 仿宋_GB2312
三号 with a two-character first-line indent and a fixed 28 pt line spacing; level-1 headings 黑体, level-2
楷体_GB2312; the page number "— 1 —" in the footer. Every run names its East-Asian font (w:eastAsia) as well
as its Latin one, or Word would set the Chinese text in its default font.
"""

import io
from dataclasses import dataclass

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Length, Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from .draft import BlockKind, NoticeDraft

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"

TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
LINE_SPACING = Pt(28)
CHARACTER = Pt(16)  # one character of 三号

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
FOOTER_DISTANCE = Mm(25)  # the page number about 7 mm below the text block


@dataclass(frozen=True)
class BlockStyle:
    font: str
    size: Length = BODY_SIZE
    alignment: int = WD_ALIGN_PARAGRAPH.JUSTIFY
    first_line_indent: Length | None = 2 * CHARACTER
    right_indent: Length | None = None
    space_before: Length | None = None
    space_after: Length | None = None
    keep_with_next: bool = False  # a heading is not left alone at the foot of a page


STYLES = {
    BlockKind.ATTACHMENT: BlockStyle(HEADING1_FONT, alignment=WD_ALIGN_PARAGRAPH.LEFT, first_line_indent=None),
    BlockKind.MASTHEAD: BlockStyle(TITLE_FONT, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, first_line_indent=None),
    BlockKind.TITLE: BlockStyle(
        TITLE_FONT, TITLE_SIZE, WD_ALIGN_PARAGRAPH.CENTER, first_line_indent=None, space_after=LINE_SPACING
    ),
    BlockKind.HEADING1: BlockStyle(HEADING1_FONT, keep_with_next=True),
    BlockKind.HEADING2: BlockStyle(HEADING2_FONT, keep_with_next=True),
    BlockKind.ITEM: BlockStyle(BODY_FONT, keep_with_next=True),
    BlockKind.PARAGRAPH: BlockStyle(BODY_FONT),
    # The signature over the date, the date four characters from the right edge.
    BlockKind.SIGNATURE: BlockStyle(
        BODY_FONT,
        alignment=WD_ALIGN_PARAGRAPH.RIGHT,
        first_line_indent=None,
        right_indent=2 * CHARACTER,
        space_before=2 * LINE_SPACING,
    ),
    BlockKind.DATE: BlockStyle(
        BODY_FONT, alignment=WD_ALIGN_PARAGRAPH.RIGHT, first_line_indent=None, right_indent=4 * CHARACTER
    ),
}


def render_docx(draft: NoticeDraft) -> bytes:
    document = Document()
    _set_up_page(document)
    _set_default_font(document)
    document.core_properties.title = draft.title
    document.core_properties.author = draft.inspection.responsible_unit or ""
    following = [block.kind for block in draft.blocks[1:]] + [None]
    for block, next_kind in zip(draft.blocks, following, strict=True):
        style = STYLES[block.kind]
        paragraph = document.add_paragraph()
        _format_paragraph(paragraph, style)
        if next_kind in (BlockKind.SIGNATURE, BlockKind.DATE):
            # The signature and date never stand alone on the last page: the closing paragraph goes with them.
            paragraph.paragraph_format.keep_with_next = paragraph.paragraph_format.keep_together = True
        _set_font(paragraph.add_run(block.text), style.font, style.size)
    _add_page_number(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _set_up_page(document) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
    section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
    section.footer_distance = FOOTER_DISTANCE


def _set_default_font(document) -> None:
    """The Normal style in 仿宋_GB2312 三号 too, so that nothing falls back to the template's font."""
    normal = document.styles["Normal"]
    normal.font.name = BODY_FONT
    normal.font.size = BODY_SIZE
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)


def _format_paragraph(paragraph: Paragraph, style: BlockStyle) -> None:
    fmt = paragraph.paragraph_format
    fmt.alignment = style.alignment
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_SPACING
    fmt.first_line_indent = style.first_line_indent
    fmt.right_indent = style.right_indent
    fmt.space_before = style.space_before or Pt(0)
    fmt.space_after = style.space_after or Pt(0)
    fmt.keep_with_next = style.keep_with_next


def _set_font(run: Run, name: str, size: Length) -> Run:
    run.font.name = name  # w:ascii and w:hAnsi
    run.font.size = size
    run._element.rPr.rFonts.set(qn("w:eastAsia"), name)
    return run


def _add_page_number(document) -> None:
    """The page number, "— 1 —", centred in the footer: a PAGE field between two dashes, in 宋体 四号."""
    footer = document.sections[0].footer
    paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    paragraph.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def run(text: str = "") -> Run:
        return _set_font(paragraph.add_run(text), PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)

    def field_char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        run()._r.append(element)

    run("— ")
    field_char("begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    run()._r.append(instruction)
    field_char("separate")
    run("1")
    field_char("end")
    run(" —")
