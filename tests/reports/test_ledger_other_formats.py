"""Ledgers in Word tables (merged cells, several tables, the title before the table), .ods and
.xls files: read like an .xlsx, with the same atomicity, row errors and limits."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from rectify.reports.excel import uploads
from rectify.reports.excel.importer import LedgerImportError, import_ledger
from rectify.reports.excel.reader import read_ledger
from rectify.reports.excel.workbook import MAX_UPLOAD_BYTES
from tests.reports.xls_writer import compound_file, workbook_stream

pytestmark = pytest.mark.django_db

TITLE = "某县落实市委第二巡察组巡察反馈问题整改台账"
HEADER = ["序号", "反馈问题", "具体问题（整改事项）", "整改措施", "责任领导", "责任部门", "完成时限", "完成状态"]
ROWS = [
    [
        1,
        "（一）产业规模小。",
        "企业少。",
        "1. 招商。\n2. 培育。",
        "张某、李某",
        "经济发展局",
        "2024年6月30日",
        "整改中",
    ],
    [2, None, "产值低。", "一是扩产；二是增效。", "王某", "经济发展局", "2024年12月31日", "已完成"],
    [3, None, "项目落地慢。", "（1）专班；（2）调度", "王某", "招商局", "长期坚持", "长期坚持"],
    [4, "（二）营商环境不优。", "审批慢。", "简化流程。", "张某", "行政审批局，财政局", "2024-09-30", "未启动"],
]
# The problem cells merged down: rows 2-4 (1-based, header row 1) under the first problem.
PROBLEM_MERGE = (1, 3)  # 0-based data rows 0..2 of ROWS


def word_ledger(tmp_path: Path, tables, *, name="ledger.docx", before=(TITLE,)) -> Path:
    """A .docx with ``before`` paragraphs and then each table: (header, rows, vertical merges as
    (column, first row, last row) in 0-based data rows)."""
    document = Document()
    for text in before:
        document.add_paragraph(text)
    for header, rows, merges in tables:
        table = document.add_table(rows=len(rows) + 1, cols=len(header))
        for column, text in enumerate(header):
            table.cell(0, column).text = text
        for index, row in enumerate(rows, start=1):
            for column, value in enumerate(row):
                if value is not None:
                    table.cell(index, column).text = str(value)
        for column, first, last in merges:
            table.cell(first + 1, column).merge(table.cell(last + 1, column))
        document.add_paragraph("")
    path = tmp_path / name
    document.save(path)
    return path


def planned(plan) -> list[tuple]:
    return [
        (
            row.number,
            row.problem.label,
            row.problem.title,
            row.title,
            row.measures,
            row.leaders,
            row.lead_department,
            row.co_departments,
            row.kind,
            row.deadline,
            row.status,
        )
        for row in plan.rows
    ]


def test_a_word_ledger_with_merged_problem_cells_imports_like_its_excel_twin(make_xlsx, tmp_path):
    excel = make_xlsx([[TITLE], HEADER, *ROWS], merges=["B3:B5"])
    word = word_ledger(tmp_path, [(HEADER, [[v if v is not None else "" for v in r] for r in ROWS], [(1, 0, 2)])])
    from_excel = import_ledger(source=excel, title="孪生", dry_run=True)
    from_word = import_ledger(source=word, title="孪生", dry_run=True)
    assert planned(from_word) == planned(from_excel)
    assert [row.problem.title for row in from_word.rows] == ["产业规模小。"] * 3 + ["营商环境不优。"]
    assert from_word.rows[0].measures == ["招商。", "培育。"]
    assert from_word.parsed.title == from_excel.parsed.title == TITLE
    # Saved, too: the same ledger.
    saved = import_ledger(source=word, title="Word 台账")
    assert saved.inspection.items.count() == 4 and saved.inspection.problems.count() == 2


def test_python_docx_merge_writes_vmerge(tmp_path):
    """The test document really holds w:vMerge (restart + continue), the way Word writes it."""
    word = word_ledger(tmp_path, [(HEADER, ROWS, [(1, 0, 2)])])
    with zipfile.ZipFile(word) as archive:
        xml = archive.read("word/document.xml").decode()
    assert 'w:vMerge w:val="restart"' in xml and "<w:vMerge/>" in xml


def test_grid_span_and_a_section_row_across_the_table(tmp_path):
    """A section heading merged across the table (gridSpan) is skipped; a cell spanning two grid
    columns fills both, like a merged Excel range."""
    document = Document()
    document.add_paragraph("问题整改清单")
    table = document.add_table(rows=4, cols=4)
    for column, text in enumerate(["序号", "整改任务", "责任单位", "完成时限"]):
        table.cell(0, column).text = text
    section = table.cell(1, 0).merge(table.cell(1, 3))
    section.text = "一、已完成的整改事项"
    for index, row in ((2, ["1", "建章立制", "办公室", "2024年3月31日"]), (3, ["2", "清理欠款", "财政局", "长期坚持"])):
        for column, text in enumerate(row):
            table.cell(index, column).text = text
    path = tmp_path / "plan.docx"
    document.save(path)
    parsed = read_ledger(path)
    assert [(row.number, row.title, row.lead_department) for row in parsed.rows] == [
        (1, "建章立制", "办公室"),
        (2, "清理欠款", "财政局"),
    ]
    assert parsed.title == "问题整改清单"  # the text before the table


def test_several_tables_are_one_ledger_and_rows_are_named_by_table(tmp_path, ledger_counts):
    first = [[1, "（一）问题甲。", "事项一。", "", "", "甲局", "2024年6月30日", "整改中"]]
    second = [
        [2, "（一）问题甲。", "事项二。", "", "", "乙局", "2024年13月1日", "整改中"],
        [3, "（二）问题乙。", "事项三。", "", "", "丙局", "", "乱写"],
    ]
    path = word_ledger(tmp_path, [(HEADER, first, []), (HEADER, second, [])], before=("一、已完成的整改事项",))
    before = ledger_counts()
    with pytest.raises(LedgerImportError) as raised:
        import_ledger(source=path, title="x")
    messages = raised.value.messages
    assert any(message.startswith("表格2第2行「完成时限」") for message in messages), messages
    assert any(message.startswith("表格2第3行「完成状态」") for message in messages), messages
    assert ledger_counts() == before
    second[0][6] = "2024年12月1日"
    second[1][7] = "未启动"
    path = word_ledger(tmp_path, [(HEADER, first, []), (HEADER, second, [])], name="fixed.docx")
    plan = import_ledger(source=path, title="两表")
    assert [(row.number, row.title, row.problem.title) for row in plan.rows] == [
        (1, "事项一。", "问题甲。"),
        (2, "事项二。", "问题甲。"),
        (3, "事项三。", "问题乙。"),
    ]
    assert plan.inspection.problems.count() == 2


def test_a_table_continuing_the_previous_one_keeps_its_problem(tmp_path):
    """A ledger split over two tables (one per page): the second's empty problem cells continue
    the first table's last problem."""
    first = [[1, "（一）问题甲。", "事项一。", "", "", "甲局", "", ""]]
    second = [[2, "", "事项二。", "", "", "乙局", "", ""], [3, "（二）问题乙。", "事项三。", "", "", "丙局", "", ""]]
    parsed = read_ledger(word_ledger(tmp_path, [(HEADER, first, []), (HEADER, second, [])]))
    assert [(row.problem_sequence, row.problem_title) for row in parsed.rows] == [
        (1, "问题甲。"),
        (1, "问题甲。"),
        (2, "问题乙。"),
    ]
    assert parsed.sheet == "表格1、表格2"


def test_duplicate_numbers_across_tables_and_different_columns_are_errors(tmp_path):
    rows = [[1, "问题", "事项。", "", "", "甲局", "", ""]]
    path = word_ledger(tmp_path, [(HEADER, rows, []), (HEADER, rows, [])])
    with pytest.raises(LedgerImportError, match="表格2第2行「序号」与表格1第2行重复：1"):
        import_ledger(source=path, title="x", dry_run=True)
    path = word_ledger(tmp_path, [(HEADER, rows, []), (["序号", "整改事项"], [[2, "另一事项"]], [])], name="b.docx")
    with pytest.raises(LedgerImportError, match="表格2的列（序号、整改事项）与表格1的列"):
        import_ledger(source=path, title="x", dry_run=True)


def test_a_table_without_an_item_column_names_the_table_and_its_headers(tmp_path, ledger_counts):
    path = word_ledger(tmp_path, [(["序号", "反馈问题", "牵头单位"], [[1, "问题", "甲局"]], [])])
    before = ledger_counts()
    message = (
        "表格1没有可识别的「具体问题」列（可用的列名：具体问题、整改事项.*表头为：「序号」、「反馈问题」、「牵头单位」"
    )
    with pytest.raises(LedgerImportError, match=message):
        import_ledger(source=path, title="x")
    with pytest.raises(CommandError, match="表格1没有可识别的「具体问题」列"):
        call_command("import_ledger", str(path), "--title", "x")
    assert ledger_counts() == before


def test_a_word_document_without_tables_is_refused(tmp_path):
    document = Document()
    document.add_paragraph("只有文字，没有表格。")
    path = tmp_path / "text.docx"
    document.save(path)
    with pytest.raises(LedgerImportError, match="这是 Word 文档（.docx），但其中没有表格"):
        read_ledger(path)


def test_a_huge_grid_span_is_refused(tmp_path):
    path = word_ledger(tmp_path, [(HEADER, ROWS, [])])
    document = Document(path)
    properties = document.tables[0].cell(1, 0)._tc.get_or_add_tcPr()
    span = OxmlElement("w:gridSpan")
    span.set(qn("w:val"), "100000000")
    properties.append(span)
    document.save(path)
    with pytest.raises(LedgerImportError, match="表格1第2行超过 1,000 列"):
        read_ledger(path)


def test_word_ledger_limits_of_a_docx_apply(tmp_path):
    """A .docx whose XML inflates beyond the Word limits is refused before it is parsed."""
    path = word_ledger(tmp_path, [(HEADER, ROWS, [])])
    bomb = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"</w:body>", b"<w:p/>" * (2 * 1024 * 1024) + b"</w:body>")
            target.writestr(info.filename, data)
    with pytest.raises(LedgerImportError, match="无法导入该 Word 文档：.*上限"):
        read_ledger(bomb)


# --- .ods ---------------------------------------------------------------------------------------

_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
)


def _ods_cell(value, rows_spanned=1) -> str:
    span = f' table:number-rows-spanned="{rows_spanned}"' if rows_spanned > 1 else ""
    if value is None:
        return f"<table:table-cell{span}/>"
    paragraphs = "".join(f"<text:p>{line}</text:p>" for line in str(value).split("\n"))
    return f'<table:table-cell office:value-type="string"{span}>{paragraphs}</table:table-cell>'


_MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
    'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
    '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
)


def ods_bytes(rows, *, spans=None, extra="") -> bytes:
    """A minimal OpenDocument spreadsheet (what LibreOffice's content.xml holds for the cells);
    ``spans`` maps (row, column) to the rows a cell is merged over."""
    spans = spans or {}
    body = "".join(
        "<table:table-row>"
        + "".join(
            "<table:covered-table-cell/>"
            if value is None and any(c == column and r < index < r + n for (r, c), n in spans.items())
            else _ods_cell(value, spans.get((index, column), 1))
            for column, value in enumerate(row)
        )
        + "</table:table-row>"
        for index, row in enumerate(rows)
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="台账">{body}{extra}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", content)
        archive.writestr("META-INF/manifest.xml", _MANIFEST)
    return buffer.getvalue()


def test_an_ods_ledger_with_merged_problem_cells_imports_like_its_excel_twin(make_xlsx, tmp_path):
    excel = make_xlsx([[TITLE], HEADER, *ROWS], merges=["B3:B5"])
    path = tmp_path / "ledger.ods"
    path.write_bytes(ods_bytes([[TITLE], HEADER, *ROWS], spans={(2, 1): 3}))
    assert planned(import_ledger(source=path, title="孪生", dry_run=True)) == planned(
        import_ledger(source=excel, title="孪生", dry_run=True)
    )


def test_an_ods_that_repeats_a_cell_a_billion_times_is_refused(tmp_path):
    bomb = (
        '<table:table-row table:number-rows-repeated="1000000">'
        '<table:table-cell table:number-columns-repeated="1000" office:value-type="string"><text:p>x</text:p>'
        "</table:table-cell></table:table-row>"
    )
    path = tmp_path / "bomb.ods"
    path.write_bytes(ods_bytes([HEADER], extra=bomb))
    assert path.stat().st_size < 10_000
    with pytest.raises(LedgerImportError, match="无法导入该 ODS 表格：工作表「台账」超过 20,000 行"):
        read_ledger(path)


def test_trailing_empty_repeats_of_libreoffice_cost_nothing(tmp_path):
    trailing = '<table:table-row table:number-rows-repeated="1048570"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    path = tmp_path / "ledger.ods"
    path.write_bytes(ods_bytes([HEADER, ROWS[0]], extra=trailing))
    assert [row.title for row in read_ledger(path).rows] == ["企业少。"]


def test_a_damaged_ods_is_refused_in_chinese(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content>not closed")
    path = tmp_path / "broken.ods"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(LedgerImportError, match="无法读取该 ODS 表格：文件已损坏"):
        read_ledger(path)


# --- .xls ---------------------------------------------------------------------------------------


def test_an_xls_ledger_with_merged_problem_cells_imports_like_its_excel_twin(make_xlsx, tmp_path):
    excel = make_xlsx([[TITLE], HEADER, *ROWS], merges=["B3:B5"])
    path = tmp_path / "ledger.xls"
    # MERGEDCELLS: first row, last row, first column, last column (0-based): B3:B5.
    path.write_bytes(compound_file(workbook_stream("台账", [[TITLE], HEADER, *ROWS], merges=[(2, 4, 1, 1)])))
    from_xls = import_ledger(source=path, title="孪生", dry_run=True)
    assert planned(from_xls) == planned(import_ledger(source=excel, title="孪生", dry_run=True))
    assert from_xls.parsed.sheet == "台账" and from_xls.parsed.title == TITLE


def test_an_ole2_file_goes_to_calamine_and_a_broken_one_is_refused_in_chinese(tmp_path, monkeypatch, ledger_counts):
    from rectify.reports.excel import workbook

    seen = []
    real = workbook.CalamineWorkbook.from_filelike

    def spy(handle):
        seen.append(handle.read(4))
        handle.seek(0)
        return real(handle)

    monkeypatch.setattr(workbook.CalamineWorkbook, "from_filelike", staticmethod(spy))
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2048))
    before = ledger_counts()
    with pytest.raises(LedgerImportError, match="无法读取该旧版 Excel（.xls）文件：文件已损坏、已加密或格式不受支持"):
        import_ledger(source=path, title="x")
    assert seen == [b"\xd0\xcf\x11\xe0"]
    assert ledger_counts() == before


def test_an_xls_beyond_the_upload_limit_is_refused_before_calamine(tmp_path):
    path = tmp_path / "big.xls"
    with open(path, "wb") as handle:
        handle.write(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
        handle.truncate(MAX_UPLOAD_BYTES + 1)
    with pytest.raises(LedgerImportError, match="文件超过 20 MB，无法导入"):
        read_ledger(path)


# --- the page ------------------------------------------------------------------------------------


def test_the_import_page_previews_and_imports_a_word_ledger(client, office_user, tmp_path):
    client.force_login(office_user)
    page = client.get(reverse("reports:ledger-import"))
    assert 'accept=".xlsx,.xls,.ods,.docx"' in page.content.decode()
    word = word_ledger(tmp_path, [(HEADER, ROWS, [(1, 0, 2)])])
    upload = SimpleUploadedFile("台账.docx", word.read_bytes())
    response = client.post(reverse("reports:ledger-import"), {"file": upload, "title": "Word 导入"})
    assert response.status_code == 302
    key = client.session["excel_import"]["key"]
    assert uploads.path_for(key, suffix=".docx") is not None  # kept as what it is
    preview = client.get(reverse("reports:ledger-import-preview")).content.decode()
    assert "表格1第2行" in preview and "产业规模小。" in preview
    confirm = client.post(reverse("reports:ledger-import-confirm"), {"key": key})
    assert confirm.status_code == 302
    assert uploads.path_for(key, suffix=".docx") is None
    from rectify.ledger.models import Inspection

    assert Inspection.objects.get(name="Word 导入").items.count() == 4


def test_the_command_imports_a_word_ledger_and_names_its_rows(tmp_path, ledger_counts):
    word = word_ledger(tmp_path, [(HEADER, ROWS, [(1, 0, 2)])])
    out = io.StringIO()
    before = ledger_counts()
    call_command("import_ledger", str(word), "--title", "命令行", "--dry-run", stdout=out)
    printed = out.getvalue()
    assert "表格1第2行 [新增] 1. 企业少。 | （一）产业规模小。" in printed
    assert "表格1第4行 [新增] 3. 项目落地慢。 | （一）产业规模小。" in printed
    assert ledger_counts() == before
    call_command("import_ledger", str(word), "--title", "命令行", stdout=io.StringIO())
    assert ledger_counts() != before
