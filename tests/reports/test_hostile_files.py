"""Hostile uploads: zip members that lie about their size (.xlsx and .docx), a million rows, text
multiplied through shared strings, over-long cells. Each is refused in Chinese, naming the limit,
before calamine or python-docx sees it, and nothing is saved. Also: the preview pages through
its rows, and a failed import keeps no upload to be replayed."""

import io
import struct
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from rectify.reports.excel import sheet_xml, uploads, workbook
from rectify.reports.excel.importer import LedgerImportError, import_ledger
from tests.reports.test_excel_import import OFFICIAL_HEADER, official

pytestmark = pytest.mark.django_db

SHARED_STRINGS = "xl/sharedStrings.xml"
SHEET = "xl/worksheets/sheet1.xml"


def with_member(archive: bytes, name: str, blocks) -> bytes:
    """``archive`` with member ``name`` replaced by the concatenated ``blocks``, deflated as they stream in."""
    buffer = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(archive)) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info.filename, source.read(info))
        with target.open(name, "w") as member:
            for block in blocks:
                member.write(block)
    return buffer.getvalue()


def lie_about(archive: bytes, name: str, declared: int = 1024) -> bytes:
    """``archive`` with the size of ``name`` declared as ``declared`` bytes, in its local header
    and in the central directory (the CRC left alone: no reader gets that far)."""
    data = bytearray(archive)
    with zipfile.ZipFile(io.BytesIO(archive)) as source:
        offset = source.getinfo(name).header_offset
    struct.pack_into("<I", data, offset + 22, declared)
    central = data.rindex(name.encode()) - 46
    assert data[central : central + 4] == b"PK\x01\x02"
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


def repeated(block: bytes, total: int, head: bytes = b"", tail: bytes = b""):
    yield head
    for _ in range(total // len(block)):
        yield block
    yield tail


def xlsx_bytes(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def no_sheet_read(monkeypatch):
    """Fails the test if calamine is ever asked for a sheet (it builds every cell of it)."""
    from python_calamine import CalamineWorkbook

    class Guarded:
        def __init__(self, real):
            self.real = real

        def __getattr__(self, name):
            return getattr(self.real, name)

        def get_sheet_by_name(self, name):
            raise AssertionError("calamine read a sheet that should have been refused")

    class Opener:
        @staticmethod
        def from_path(*args):
            return Guarded(CalamineWorkbook.from_path(*args))

        @staticmethod
        def from_filelike(*args):
            return Guarded(CalamineWorkbook.from_filelike(*args))

    monkeypatch.setattr(workbook, "CalamineWorkbook", Opener)


@pytest.fixture
def no_calamine(monkeypatch):
    """Fails the test if the workbook ever reaches calamine."""

    class Refused:
        @staticmethod
        def from_path(*args):
            raise AssertionError("calamine opened a file that should have been refused")

        from_filelike = from_path

    monkeypatch.setattr(workbook, "CalamineWorkbook", Refused)


def upload(content: bytes, name="台账.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


# --- zip members that lie about their size ---------------------------------------------------


def test_a_shared_strings_bomb_that_lies_about_its_size_is_refused(
    tmp_path, client, office_user, no_calamine, ledger_counts
):
    """Finding: the directory says sharedStrings.xml is 1 KB; it really inflates far beyond the
    limit (2 GB in the report, 200 MB here). The real bytes are counted, not the declared ones."""
    base = xlsx_bytes(official([[1, "问题", "事项", "", "", "", "", "", "", "", "", ""]]))
    bomb = lie_about(
        with_member(
            base, SHARED_STRINGS, repeated(b"<si><t>x</t></si>" * 4096, 200 * 1024 * 1024, b"<sst>", b"</sst>")
        ),
        SHARED_STRINGS,
    )
    assert len(bomb) < 2 * 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        assert archive.getinfo(SHARED_STRINGS).file_size == 1024
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(bomb)
    before = ledger_counts()

    with pytest.raises(LedgerImportError) as raised:
        import_ledger(source=path, title="炸弹")
    assert raised.value.messages == [
        "无法导入该 Excel 文件：文件解压后过大：其中的 xl/sharedStrings.xml 登记为 1,024 字节，"
        "实际解压超过 128 MB 的上限（可能是恶意构造的文件），已拒绝读取。"
    ]
    with pytest.raises(CommandError, match="实际解压超过 128 MB 的上限"):
        call_command("import_ledger", str(path), "--title", "炸弹")

    client.force_login(office_user)
    response = client.post(reverse("reports:ledger-import"), {"file": upload(bomb), "title": "炸弹"})
    assert response.status_code == 200 and "实际解压超过 128 MB 的上限" in response.content.decode()
    assert uploads.SESSION_KEY not in client.session
    assert not list((tmp_path / "media").glob("imports/*"))
    assert ledger_counts() == before


def test_a_member_that_inflates_to_another_size_than_it_declares_is_refused(tmp_path, no_calamine, ledger_counts):
    """Within the limits, but lying: a parser trusting the declared size would read other content
    than the one checked."""
    base = xlsx_bytes(official([[1, "问题", "事项", "", "", "", "", "", "", "", "", ""]]))
    liar = lie_about(
        with_member(base, SHARED_STRINGS, repeated(b"<si><t>x</t></si>", 100_000, b"<sst>", b"</sst>")), SHARED_STRINGS
    )
    path = tmp_path / "liar.xlsx"
    path.write_bytes(liar)
    before = ledger_counts()
    with pytest.raises(LedgerImportError, match="xl/sharedStrings.xml 登记的大小与实际解压大小不符"):
        import_ledger(source=path, title="不符")
    assert ledger_counts() == before


def test_an_honest_member_beyond_the_limit_is_refused(tmp_path, no_calamine):
    """A sub-MB file whose sheet really inflates to ~200 MB (~290 MB in the report)."""
    base = xlsx_bytes(official([[1, "问题", "事项", "", "", "", "", "", "", "", "", ""]]))
    big = with_member(
        base,
        SHEET,
        repeated(b"<row/>" * 10_000, 200 * 1024 * 1024, b"<worksheet><sheetData>", b"</sheetData></worksheet>"),
    )
    assert len(big) < 1024 * 1024
    path = tmp_path / "big.xlsx"
    path.write_bytes(big)
    with pytest.raises(LedgerImportError, match="xl/worksheets/sheet1.xml 解压后为 200 MB，超过 128 MB 的上限"):
        import_ledger(source=path, title="过大")


def test_a_docx_bomb_that_lies_about_its_size_is_refused(tmp_path, monkeypatch, ledger_counts):
    """Finding: a .docx notice whose document.xml is declared small reached 2.1 GB in python-docx."""
    import docx


    buffer = io.BytesIO()
    docx.Document().save(buffer)
    body = repeated(
        b"<w:p/>" * 10_000, 24 * 1024 * 1024, b'<w:document xmlns:w="x"><w:body>', b"</w:body></w:document>"
    )
    bomb = lie_about(with_member(buffer.getvalue(), "word/document.xml", body), "word/document.xml")
    path = tmp_path / "通报.docx"
    path.write_bytes(bomb)
    monkeypatch.setattr(docx, "Document", lambda *args: pytest.fail("python-docx opened the bomb"))
    before = ledger_counts()

    with pytest.raises(CommandError) as raised:
        call_command("import_notice", str(path))

    assert (
        "无法读取该 Word 文档：文件解压后过大：其中的 word/document.xml 登记为 1,024 字节，实际解压超过 20 MB 的上限"
        in str(raised.value)
    )
    assert ledger_counts() == before


def test_a_docx_with_more_xml_than_python_docx_should_build_a_tree_of_is_refused(monkeypatch):
    """Honest sizes, but 9 MB of the densest XML would take python-docx's lxml tree ~30 times that."""
    import docx

    from rectify.reports.notice import sources
    from rectify.reports.notice.errors import NoticeFormatError

    buffer = io.BytesIO()
    docx.Document().save(buffer)
    body = repeated(b"<w:p/>" * 10_000, 9 * 1024 * 1024, b'<w:document xmlns:w="x"><w:body>', b"</w:body></w:document>")
    dense = with_member(buffer.getvalue(), "word/document.xml", body)
    monkeypatch.setattr(docx, "Document", lambda *args: pytest.fail("python-docx opened the file"))
    with pytest.raises(NoticeFormatError, match=r"文件中的 XML 内容解压后为 9\.\d MB，超过 8 MB 的上限"):
        sources.read_paragraphs(data=dense, filename="通报.docx")


def test_a_workbook_part_read_whole_is_bounded(tmp_path, no_calamine):
    base = xlsx_bytes(official([[1, "问题", "事项", "", "", "", "", "", "", "", "", ""]]))
    path = tmp_path / "parts.xlsx"
    path.write_bytes(
        with_member(base, "xl/workbook.xml", repeated(b"<a/>" * 10_000, 5 * 1024 * 1024, b"<workbook>", b"</workbook>"))
    )
    with pytest.raises(LedgerImportError, match=r"其中的 xl/workbook.xml 解压后为 5\.0 MB，超过 4 MB 的上限"):
        import_ledger(source=path, title="结构")


# --- memory within the limits: rows, text, cells ---------------------------------------------


def million_rows():
    yield b"<worksheet><sheetData>"
    for start in range(1, 1_000_001, 10_000):
        yield b"".join(
            b'<row r="%d" spans="1:2"><c r="A%d"><v>1</v></c><c r="B%d"><v>2</v></c></row>' % (n, n, n)
            for n in range(start, start + 10_000)
        )
    yield b"</sheetData></worksheet>"


def test_a_million_row_workbook_is_refused_and_its_upload_discarded(
    client, office_user, no_sheet_read, ledger_counts, settings
):
    """Finding: 1,000,000 two-column rows passed the cell limit; the preview rendered every row
    (120 s, 2.5 GB). Now the sheet's XML is streamed and refused at the row limit; the failed
    preview deletes the upload, so opening it again reads nothing."""
    content = with_member(xlsx_bytes([OFFICIAL_HEADER]), SHEET, million_rows())
    before = ledger_counts()
    client.force_login(office_user)
    response = client.post(reverse("reports:ledger-import"), {"file": upload(content), "title": "百万行"})
    assert response["Location"] == reverse("reports:ledger-import-preview")
    key = client.session[uploads.SESSION_KEY]["key"]
    stored = settings.MEDIA_ROOT / "imports" / f"{key}.xlsx"
    assert stored.is_file()

    message = "工作表「Sheet」超过导入的上限 20,000 行，无法导入。请删除表格下方多余的行，或拆分为多个文件分批导入。"
    page = client.get(reverse("reports:ledger-import-preview")).content.decode()
    assert message in page and "确认导入" not in page and "上传的文件已删除" in page
    assert not stored.exists()

    again = client.get(reverse("reports:ledger-import-preview")).content.decode()
    assert message in again
    confirmed = client.post(reverse("reports:ledger-import-confirm"), {"key": key})
    assert confirmed.status_code == 200 and message in confirmed.content.decode()
    assert ledger_counts() == before

    client.post(reverse("reports:ledger-import-cancel"))
    assert uploads.SESSION_KEY not in client.session


def test_one_long_shared_string_in_many_cells_is_refused(tmp_path, no_sheet_read):
    """Each cell gets its own copy of its shared string: 1,000 cells of 30,000 characters would
    be 30 million characters (90 MB) from a file of a few kilobytes."""
    cells = b"".join(b'<row r="%d"><c r="C%d" t="s"><v>0</v></c></row>' % (n, n) for n in range(4, 1004))
    sheet = b"<worksheet><sheetData>" + cells + b"</sheetData></worksheet>"
    shared = ("<sst><si><t>" + "事" * 30_000 + "</t></si></sst>").encode()
    content = with_member(with_member(xlsx_bytes(official([])), SHEET, [sheet]), SHARED_STRINGS, [shared])
    assert len(content) < 100_000
    path = tmp_path / "copies.xlsx"
    path.write_bytes(content)
    with pytest.raises(LedgerImportError) as raised:
        import_ledger(source=path, title="复制")
    assert raised.value.messages == ["工作表「Sheet」的文字内容超过 64 MB 的上限，无法导入。请拆分为多个文件分批导入。"]


@pytest.mark.parametrize("shared", [True, False])
def test_a_cell_longer_than_excel_allows_is_refused(tmp_path, no_sheet_read, shared):
    long_text = "长" * 40_000  # (openpyxl itself cuts a cell at 32,767 characters: written by hand)
    base = xlsx_bytes(official([]))
    if shared:
        sheet = b'<worksheet><sheetData><row r="4"><c r="C4" t="s"><v>0</v></c></row></sheetData></worksheet>'
        shared_strings = f"<sst><si><t>{long_text}</t></si></sst>".encode()
        content = with_member(with_member(base, SHEET, [sheet]), SHARED_STRINGS, [shared_strings])
    else:  # the same text as an inline string in the sheet itself
        cell = f'<c r="C4" t="inlineStr"><is><t>{long_text}</t></is></c>'
        sheet = f'<worksheet><sheetData><row r="4">{cell}</row></sheetData></worksheet>'
        content = with_member(base, SHEET, [sheet.encode()])
    path = tmp_path / "long.xlsx"
    path.write_bytes(content)
    with pytest.raises(LedgerImportError, match="有单元格的文字超过 32,767 个字符（Excel 单元格的上限），无法导入"):
        import_ledger(source=path, title="过长")


def test_the_sheet_is_scanned_in_pieces_without_losing_a_cell(make_xlsx, monkeypatch):
    """Pieces cut anywhere (here every 64 bytes) still find every error cell and the extent."""
    monkeypatch.setattr(sheet_xml, "CHUNK", 64)
    path = make_xlsx(
        official(
            [
                [1, "问题", "事项一", "", "", "", "", "#REF!", "", "#N/A", "", ""],
                ["#VALUE!", "问题", "事项二", "", "", "", "", "", "", "", "", ""],
            ]
        )
    )
    with pytest.raises(LedgerImportError) as raised:
        import_ledger(source=path, title="错误值")
    assert raised.value.messages == [
        "第4行「完成时限」无法识别的日期：#REF!",
        "第4行「完成状态」无法识别的完成状态：#N/A（可填：已完成、整改中、长期坚持、未启动、待销号）",
        "第5行「序号」无法识别的序号：#VALUE!",
    ]
    with zipfile.ZipFile(path) as archive:
        with archive.open("xl/worksheets/sheet1.xml") as stream:
            pieces = list(sheet_xml._pieces(stream))
        assert b"".join(pieces) == archive.read("xl/worksheets/sheet1.xml") and len(pieces) > 3


# --- the preview pages through its rows --------------------------------------------------------


def test_the_preview_shows_200_rows_a_page_and_the_counts(client, office_user, make_xlsx):
    rows = [[n, "问题", f"第{n}号事项", "", "", "", "", "", "", "", "", ""] for n in range(1, 451)]
    client.force_login(office_user)
    client.post(
        reverse("reports:ledger-import"), {"file": upload(make_xlsx(official(rows)).read_bytes()), "title": "分页"}
    )
    preview = reverse("reports:ledger-import-preview")

    first = client.get(preview).content.decode()
    assert "共 450 项：新增 450 项" in first and "显示第 1–200 项，共 450 项（第 1/3 页，每页 200 项）" in first
    assert "第1号事项" in first and "第200号事项" in first and "第201号事项" not in first
    assert 'href="?page=2"' in first and "确认导入" in first

    last = client.get(preview + "?page=3").content.decode()
    assert "显示第 401–450 项" in last and "第450号事项" in last and "第400号事项" not in last
    assert 'href="?page=2"' in last and "下一页" not in last
    assert "显示第 401–450 项" in client.get(preview + "?page=99").content.decode()


def test_text_is_counted_in_bytes_and_a_cell_in_characters():
    """The sheet's text in bytes of its XML (an entity never decodes to more), a shared string as
    often as cells use it; a cell's length in characters (openpyxl writes 长 as &#38271;)."""
    from array import array

    tally = sheet_xml._Tally(array("L", [5]))
    tally.add(
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&#38271;&amp;\xe9\x95\xbf</t></is></c>'
        b'<c r="B1" t="s"><v>0</v></c><c r="C1" t="s"><v>0</v></c></row>'
    )
    assert tally.text == 16 + 1 + 1 + 5 + 5  # the inline text, the two indexes, the two copies
    assert sheet_xml._characters("&#38271;&amp;长".encode()) == 3
