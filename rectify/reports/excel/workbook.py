"""The uploaded file as a workbook: refused cheaply when it is not an .xlsx we can read (empty,
old .xls, HTML, Word, damaged) or when it inflates beyond the limits (a zip bomb), before
calamine (the fast reader) sees it.
"""

import os
import zipfile
from pathlib import Path
from typing import BinaryIO

from python_calamine import CalamineWorkbook

from rectify.safezip import Limits, UnsafeZip, check_archive

from .errors import LedgerImportError

# What every member of the archive, and all of them together, may really inflate to. calamine
# keeps the shared strings in memory and the cell extent and text are bounded in sheet_xml.py:
# with these the import of any file up to the upload limit stays under 500 MB.
UNPACKED_LIMITS = Limits(member_bytes=128 * 1024 * 1024, total_bytes=256 * 1024 * 1024)
# Parts read whole into an ElementTree (sheet_xml.WorkbookLayout): a few kilobytes in any real
# workbook, and a tree takes many times the XML's size.
WHOLE_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
WHOLE_PART_BYTES = 4 * 1024 * 1024

Source = str | Path | BinaryIO


def open_workbook(source: Source) -> CalamineWorkbook:
    """The workbook (``check_workbook`` passed), or ``LedgerImportError`` saying in Chinese why
    calamine cannot read it.

    Read with calamine (Rust): about seven times faster than openpyxl's streaming reader on the
    inline strings openpyxl itself writes, which was half the time of an import. calamine reads
    the shared strings when it opens the file, each sheet when asked for it."""
    try:
        if isinstance(source, str | Path):
            return CalamineWorkbook.from_path(str(source))
        return CalamineWorkbook.from_filelike(rewound(source))
    except Exception:  # damaged files raise many kinds of errors; none of them helps the user
        raise LedgerImportError(
            ["无法读取该 Excel 文件：文件已损坏或格式不受支持。请用 Excel 打开并另存为 .xlsx 后再试。"]
        ) from None


def check_workbook(source: Source) -> None:
    """Refuse, cheaply, what is not an .xlsx: empty, old .xls, HTML, Word, a zip bomb, …

    Every member is inflated (and thrown away) to count its real size: the sizes the zip's
    directory declares may lie."""
    head, size = _peek(source)
    if size == 0:
        raise LedgerImportError(["文件为空，请选择填写好的台账（.xlsx）。"])
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise LedgerImportError(
            ["这是旧版 Excel（.xls）文件或加密的工作簿，无法读取。请在 Excel 中“另存为”Excel 工作簿（.xlsx）后再导入。"]
        )
    if not zipfile.is_zipfile(rewound(source)):
        raise LedgerImportError([f"不是 Excel 工作簿（.xlsx）：{_what_it_looks_like(head)}"])
    try:
        sizes = check_archive(rewound(source), UNPACKED_LIMITS)
    except UnsafeZip as error:
        raise LedgerImportError([f"无法导入该 Excel 文件：{error}"]) from None
    except zipfile.BadZipFile:
        raise LedgerImportError(["无法读取该 Excel 文件：文件已损坏。"]) from None
    if "xl/workbook.xml" not in sizes:
        if "word/document.xml" in sizes:
            raise LedgerImportError(["这是 Word 文档（.docx），不是 Excel 工作簿（.xlsx）。"])
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
