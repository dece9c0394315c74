"""The uploaded ledger file: which kind it is (an .xlsx, an old .xls, an .ods, or a Word .docx
whose tables hold the ledger), refused cheaply when it is none of them (empty, HTML, PDF,
damaged) or when it is larger than the upload limit or inflates beyond the limits (a zip bomb),
before calamine (the fast reader) or the Word reader sees it.
"""

import os
import zipfile
from pathlib import Path
from typing import BinaryIO

from python_calamine import CalamineWorkbook

from rectify.reports.notice.sources import DOCX_UNPACKED_LIMITS
from rectify.safezip import Limits, UnsafeZip, check_archive

from .errors import LedgerImportError

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ACCEPTED_SUFFIXES = (".xlsx", ".xls", ".ods", ".docx")
XLSX, XLS, ODS, DOCX = "xlsx", "xls", "ods", "docx"
_ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

# What every member of the archive, and all of them together, may really inflate to. calamine
# keeps the shared strings in memory and the cell extent and text are bounded in sheet_xml.py:
# with these the import of any file up to the upload limit stays under 500 MB.
UNPACKED_LIMITS = Limits(member_bytes=128 * 1024 * 1024, total_bytes=256 * 1024 * 1024)
# Parts read whole into an ElementTree (sheet_xml.WorkbookLayout): a few kilobytes in any real
# workbook, and a tree takes many times the XML's size.
WHOLE_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
WHOLE_PART_BYTES = 4 * 1024 * 1024

Source = str | Path | BinaryIO


def open_workbook(source: Source, kind: str = XLSX) -> CalamineWorkbook:
    """The workbook (``check_workbook`` passed), or ``LedgerImportError`` saying in Chinese why
    calamine cannot read it.

    Read with calamine (Rust): about seven times faster than openpyxl's streaming reader on the
    inline strings openpyxl itself writes, which was half the time of an import. calamine reads
    the shared strings when it opens the file, each sheet when asked for it. An .xls or .ods is
    read from its content (calamine would go by the file name's extension)."""
    try:
        if kind == XLSX and isinstance(source, str | Path):
            return CalamineWorkbook.from_path(str(source))
        if isinstance(source, str | Path):
            with open(source, "rb") as handle:
                return CalamineWorkbook.from_filelike(handle)
        return CalamineWorkbook.from_filelike(rewound(source))
    except Exception:  # damaged files raise many kinds of errors; none of them helps the user
        raise LedgerImportError([_UNREADABLE[kind]]) from None


_UNREADABLE = {
    XLSX: "无法读取该 Excel 文件：文件已损坏或格式不受支持。请用 Excel 打开并另存为 .xlsx 后再试。",
    XLS: "无法读取该旧版 Excel（.xls）文件：文件已损坏、已加密或格式不受支持。请用 Excel 打开并另存为 .xlsx 后再试。",
    ODS: "无法读取该 ODS 表格：文件已损坏或格式不受支持。请另存为 .xlsx 后再试。",
}


def check_workbook(source: Source) -> str:
    """The kind of the file (XLSX, XLS, ODS or DOCX); refuses, cheaply, any other file: empty,
    HTML, PDF, too large, a zip bomb, …

    Every member of a zip is inflated (and thrown away) to count its real size: the sizes the
    zip's directory declares may lie. An .xls (an OLE2 file, not a zip) is bounded by its size."""
    head, size = _peek(source)
    if size == 0:
        raise LedgerImportError(["文件为空，请选择填写好的台账（.xlsx、.xls、.ods 或 .docx）。"])
    if size > MAX_UPLOAD_BYTES:
        raise LedgerImportError([f"文件超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB，无法导入。"])
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return XLS  # calamine refuses an encrypted workbook (also OLE2) or a .doc: see open_workbook
    if not zipfile.is_zipfile(rewound(source)):
        raise LedgerImportError([f"不是 Excel 工作簿（.xlsx）：{_what_it_looks_like(head)}"])
    kind = _zip_kind(source)
    try:
        sizes = check_archive(rewound(source), DOCX_UNPACKED_LIMITS if kind == DOCX else UNPACKED_LIMITS)
    except UnsafeZip as error:
        raise LedgerImportError([f"无法导入该{_NAMES[kind]}：{error}"]) from None
    except zipfile.BadZipFile:
        raise LedgerImportError([f"无法读取该{_NAMES[kind]}：文件已损坏。"]) from None
    if kind == DOCX or kind == ODS:
        return kind
    if "xl/workbook.xml" not in sizes:
        if "ppt/presentation.xml" in sizes:
            raise LedgerImportError(["这是 PowerPoint 演示文稿，不是 Excel 工作簿（.xlsx）。"])
        raise LedgerImportError(["不是 Excel 工作簿（.xlsx）：压缩包中没有工作簿内容。"])
    for name in WHOLE_PARTS:
        if sizes.get(name, 0) > WHOLE_PART_BYTES:
            raise LedgerImportError(
                [
                    f"无法导入该 Excel 文件：其中的 {name} 解压后为 {sizes[name] / (1024 * 1024):,.1f} MB，"
                    f"超过 {WHOLE_PART_BYTES // (1024 * 1024)} MB 的上限（正常的工作簿只有几 KB），已拒绝读取。"
                ]
            )
    rewound(source)
    return XLSX


_NAMES = {XLSX: " Excel 文件", DOCX: " Word 文档", ODS: " ODS 表格"}


def _zip_kind(source: Source) -> str:
    """DOCX or ODS by the members the zip lists (its directory only), else XLSX."""
    try:
        with open_archive(source) as archive:
            names = set(archive.namelist())
            mimetype = archive.read("mimetype")[:100] if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, EOFError, ValueError):
        return XLSX  # check_archive says it is damaged
    if "word/document.xml" in names:
        return DOCX
    if mimetype.strip() == _ODS_MIMETYPE and "content.xml" in names:
        return ODS
    return XLSX


def open_archive(source: Source) -> zipfile.ZipFile:
    return zipfile.ZipFile(rewound(source))


def rewound(source: Source) -> Source:
    if not isinstance(source, str | Path):
        source.seek(0)
    return source


def _peek(source: Source) -> tuple[bytes, int]:
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            return handle.read(8), os.path.getsize(source)
    source.seek(0, os.SEEK_END)
    size = source.tell()
    source.seek(0)
    head = source.read(8)
    source.seek(0)
    return head, size


def _what_it_looks_like(head: bytes) -> str:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        return "看起来是网页（HTML/XML）文件。请在 Excel 中打开后“另存为”Excel 工作簿（.xlsx）。"
    if text.startswith(b"%pdf"):
        return "这是 PDF 文件。"
    return "文件内容无法识别。请选择 Excel 保存的 .xlsx 文件。"
