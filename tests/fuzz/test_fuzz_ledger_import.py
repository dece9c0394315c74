"""Random and malformed ledgers never raise past the importer and never save half a ledger."""

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from rectify.ledger.models import FeedbackProblem, Inspection, Measure, RectificationItem
from rectify.reports.excel.importer import LedgerImportError, import_ledger

pytestmark = pytest.mark.django_db

HEADERS = [
    "序号",
    "反馈问题",
    "具体问题",
    "整改事项",
    "整改措施",
    "责任领导",
    "责任部门",
    "配合部门",
    "完成时限",
    "整改进展",
    "完成状态",
    "备注",
    "问题类别",
    "",
]
VALUES = [
    "1",
    "2",
    "一",
    "（一）问题",
    "1.措施一\n2.措施二",
    "一是甲。二是乙。",
    "张某、李某",
    "经济发展局；财政局",
    "2024年6月30日",
    "2024.13.45",
    "2024年6月底前",
    "立行立改",
    "长期坚持",
    "已完成",
    "整改中",
    "未知状态",
    "=1+1",
    "",
    None,
    3.5,
    -1,
    10**12,
]
PRINTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=15)
cell = st.one_of(st.sampled_from(VALUES), PRINTABLE, st.integers(min_value=-5, max_value=10**6), st.none())


def counts():
    return tuple(m.objects.count() for m in (Inspection, FeedbackProblem, RectificationItem, Measure))


def _import(data: bytes):
    before = counts()
    try:
        plan = import_ledger(source=io.BytesIO(data), title="模糊测试")
    except LedgerImportError as error:
        assert error.messages and all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in error.messages)
        assert counts() == before
        return
    assert counts()[0] == before[0] + 1
    assert counts()[2] - before[2] == len(plan.rows)


fuzz = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@fuzz
@given(
    title_rows=st.integers(min_value=0, max_value=3),
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
    rows=st.lists(st.lists(cell, max_size=8), max_size=8),
)
def test_random_workbooks(title_rows, header, rows):
    workbook = Workbook()
    sheet = workbook.active
    for n in range(title_rows):
        sheet.append([f"标题{n}"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    _import(buffer.getvalue())


@fuzz
@given(data=st.binary(max_size=500))
def test_random_bytes(data):
    _import(data)


@fuzz
@given(
    members=st.dictionaries(
        st.sampled_from(["xl/workbook.xml", "[Content_Types].xml", "xl/worksheets/sheet1.xml"]),
        st.binary(max_size=200),
        max_size=3,
    )
)
def test_malformed_xlsx(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    _import(buffer.getvalue())


# --- Word tables and .ods ---------------------------------------------------------------------

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
word_cell = st.tuples(
    st.one_of(st.sampled_from(HEADERS + VALUES[:16]), PRINTABLE),
    st.sampled_from([None, "1", "2", "3", "0", "x"]),  # w:gridSpan
    st.sampled_from([None, None, "restart", "continue", ""]),  # w:vMerge (""：no w:val, which continues)
)


def _escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _word_cell(text, span, merge) -> str:
    properties = ""
    if span is not None:
        properties += f'<w:gridSpan w:val="{span}"/>'
    if merge is not None:
        properties += f'<w:vMerge w:val="{merge}"/>' if merge else "<w:vMerge/>"
    return f"<w:tc><w:tcPr>{properties}</w:tcPr><w:p><w:r><w:t>{_escape(text)}</w:t></w:r></w:p></w:tc>"


def _docx(body: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>')
    return buffer.getvalue()


@fuzz
@given(
    title=st.one_of(st.none(), PRINTABLE),
    tables=st.lists(
        st.tuples(
            st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6),
            st.lists(st.lists(word_cell, max_size=6), max_size=6),
            st.integers(min_value=0, max_value=2),  # w:gridBefore of every data row
        ),
        max_size=3,
    ),
)
def test_random_word_tables(title, tables):
    """Word tables with random merges (w:vMerge, w:gridSpan, w:gridBefore), one or several."""
    body = f"<w:p><w:r><w:t>{_escape(title)}</w:t></w:r></w:p>" if title is not None else ""
    for header, rows, before in tables:
        body += "<w:tbl><w:tr>" + "".join(_word_cell(text, None, None) for text in header) + "</w:tr>"
        for row in rows:
            row_properties = f'<w:trPr><w:gridBefore w:val="{before}"/></w:trPr>' if before else ""
            body += f"<w:tr>{row_properties}" + "".join(_word_cell(*cell) for cell in row) + "</w:tr>"
        body += "</w:tbl>"
    _import(_docx(body))


@fuzz
@given(document=st.binary(max_size=300))
def test_malformed_docx(document):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", document)
    _import(buffer.getvalue())


@fuzz
@given(content=st.binary(max_size=300), manifest=st.booleans())
def test_malformed_ods(content, manifest):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        if manifest:
            archive.writestr("META-INF/manifest.xml", "<manifest/>")
    _import(buffer.getvalue())
