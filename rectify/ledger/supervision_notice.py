"""The 督办通知单 of a 督办 step as a Word document in the official format (GB/T 9704-2012 style):
A4, title 方正小标宋简体 二号, body 仿宋_GB2312 三号 at a fixed 28 pt line spacing, the number
督办〔YYYY〕N号 under the title; each run names its East-Asian font (w:eastAsia)."""

import io

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from rectify.chinese import chinese_date

from .models import Escalation

TITLE_FONT, BODY_FONT, HEADING_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体"
TITLE_SIZE, BODY_SIZE = Pt(22), Pt(16)  # 二号, 三号


def _run(paragraph, text: str, font: str, size) -> None:
    run = paragraph.add_run(text)
    run.font.name = font
    run.font.size = size
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _paragraph(document, text: str, *, font=BODY_FONT, size=BODY_SIZE, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True):
    paragraph = document.add_paragraph()
    paragraph.alignment = align
    form = paragraph.paragraph_format
    form.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    form.line_spacing = Pt(28)
    if indent:
        form.first_line_indent = 2 * BODY_SIZE
    _run(paragraph, text, font, size)
    return paragraph


def notice_lines(escalation: Escalation) -> dict[str, str]:
    """What the notice says, as the document and its tests read it."""
    item = escalation.item
    department = item.lead_department.name if item.lead_department else "责任部门"
    deadline = chinese_date(item.deadline) if item.deadline else "未定"
    return {
        "title": "督办通知单",
        "number": escalation.notice_label,
        "addressee": f"{department}：",
        "body": (
            f"你单位牵头负责的{item.inspection}第{item.number}项整改事项「{item.title}」，"
            f"完成时限为{deadline}，截至{chinese_date(escalation.raised_on)}已逾期{escalation.days_overdue}天"
            f"（{escalation.reason}）。现予督办，请责任领导亲自过问，于{chinese_date(escalation.reply_by)}前"
            "将整改进展、存在困难和下一步措施书面报告纪工委，并在系统中报告进展、上传佐证材料。"
        ),
        "signature": "纪工委（巡视整改工作办公室）",
        "date": chinese_date(escalation.raised_on),
    }


def render(escalation: Escalation) -> bytes:
    lines = notice_lines(escalation)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _paragraph(
        document, lines["title"], font=TITLE_FONT, size=TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER, indent=False
    )
    _paragraph(document, lines["number"], align=WD_ALIGN_PARAGRAPH.CENTER, indent=False)
    _paragraph(document, lines["addressee"], indent=False)
    _paragraph(document, lines["body"])
    _paragraph(document, lines["signature"], align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    _paragraph(document, lines["date"], align=WD_ALIGN_PARAGRAPH.RIGHT, indent=False)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def filename(escalation: Escalation) -> str:
    return f"{escalation.notice_label}督办通知单（第{escalation.item.number}项）.docx"
