"""Reading .docx notices from their XML: Word's automatic numbering put back, merged table cells once."""

import io
import zipfile

from rectify.reports.notice.importer import parse_notice_file
from rectify.reports.notice.sources import read_paragraphs

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

NUMBERING = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="{W}">
  <w:abstractNum w:abstractNumId="7">
    <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
    <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
    <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimalEnclosedCircle"/><w:lvlText w:val="%3"/></w:lvl>
  </w:abstractNum>
  <w:num w:numId="3"><w:abstractNumId w:val="7"/></w:num>
</w:numbering>"""


def paragraph(text: str, level: int | None = None) -> str:
    numbering = (
        f'<w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="3"/></w:numPr></w:pPr>' if level is not None else ""
    )
    runs = "".join(f"<w:r><w:t>{part}</w:t></w:r>" for part in text.split("|"))
    return f"<w:p>{numbering}{runs}</w:p>"


def cell(text: str, merge: str | None = None) -> str:
    properties = f'<w:tcPr><w:vMerge w:val="{merge}"/></w:tcPr>' if merge == "restart" else ""
    properties = "<w:tcPr><w:vMerge/></w:tcPr>" if merge == "continue" else properties
    return f"<w:tc>{properties}{paragraph(text) if text else '<w:p/>'}</w:tc>"


def docx_of(body: str, *, numbering: str | None = NUMBERING) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>')
        if numbering:
            archive.writestr("word/numbering.xml", numbering)
    return buffer.getvalue()


def test_automatic_numbering_is_put_back_and_read_as_the_outline():
    body = "".join(
        [
            paragraph("关于巡察整改情况的通报"),
            paragraph("在“党的建设”|方面", 0),
            paragraph("关于支部活动不规范的问题。", 1),
            paragraph("建立支部活动台账。", 2),
            paragraph("开展支部书记培训。", 2),
            paragraph("关于党费收缴不及时的问题。一是补缴党费。二是明确收缴时间。", 1),
            paragraph("在“作风建设”方面", 0),
            paragraph("关于会议过多的问题。精简会议文件。", 1),
        ]
    )
    data = docx_of(body)
    assert read_paragraphs(data=data, filename="通报.docx")[1:5] == [
        "一、在“党的建设”方面",
        "（一）关于支部活动不规范的问题。",
        "①建立支部活动台账。",
        "②开展支部书记培训。",
    ]
    assert "（一）关于会议过多的问题。精简会议文件。" in read_paragraphs(data=data, filename="通报.docx")
    parsed = parse_notice_file(data=data, filename="通报.docx")
    assert [p.title for p in parsed.problems] == ["党的建设", "作风建设"]
    assert [(i.title, i.measures) for i in parsed.items] == [
        ("支部活动不规范", ["建立支部活动台账。", "开展支部书记培训。"]),
        ("党费收缴不及时", ["补缴党费。", "明确收缴时间。"]),
        ("会议过多", ["精简会议文件。"]),
    ]


def test_a_vertically_merged_cell_is_read_once():
    rows = [
        [cell("（一）问题甲", "restart"), cell("1.事项甲"), cell("整改情况：措施甲。")],
        [cell("", "continue"), cell("2.事项乙"), cell("整改情况：措施乙。")],
    ]
    table = "<w:tbl>" + "".join("<w:tr>" + "".join(row) + "</w:tr>" for row in rows) + "</w:tbl>"
    data = docx_of(table, numbering=None)
    assert read_paragraphs(data=data, filename="a.docx") == [
        "（一）问题甲",
        "1.事项甲",
        "整改情况：措施甲。",
        "2.事项乙",
        "整改情况：措施乙。",
    ]
    parsed = parse_notice_file(data=data, filename="a.docx")
    assert len(parsed.problems) == 1 and [i.title for i in parsed.items] == ["事项甲", "事项乙"]


def test_a_bullet_list_shows_its_symbol_and_other_paragraphs_nothing():
    numbering = NUMBERING.replace(
        'w:val="chineseCounting"/><w:lvlText w:val="%1、"', 'w:val="bullet"/><w:lvlText w:val="•"'
    )
    data = docx_of(paragraph("（一）问题", None) + paragraph("要点", 0), numbering=numbering)
    assert read_paragraphs(data=data, filename="a.docx") == ["（一）问题", "•要点"]
