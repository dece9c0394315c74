"""Turning an uploaded notice file (.txt or .docx) into its paragraphs of text."""

import codecs
import io
import unicodedata
import zipfile
from pathlib import PurePath

from rectify.safezip import Limits, UnsafeZip, check_archive

from .errors import NoticeFormatError
from .word_text import docx_text_lines

SUPPORTED_SUFFIXES = (".txt", ".docx")
MAX_FILE_BYTES = 20 * 1024 * 1024
# A .docx is a zip: what its members really inflate to (counted before its XML is parsed).
# Each XML part read becomes an lxml tree, up to some 30 times the XML's size (for the densest
# XML); pictures are not parsed. A long notice has well under 1 MB of XML.
DOCX_UNPACKED_LIMITS = Limits(
    member_bytes=20 * 1024 * 1024, total_bytes=48 * 1024 * 1024, xml_total_bytes=8 * 1024 * 1024
)
# Share of control/unassigned characters above which decoded "text" is taken for binary junk.
MAX_JUNK_SHARE = 0.01
_ALLOWED_CONTROLS = set("\t\n\r\f\v")


def read_paragraphs(*, data: bytes, filename: str) -> list[str]:
    """The non-blank paragraphs of the file, stripped; the file type comes from the name's extension."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".doc":
        raise NoticeFormatError("不支持旧版 Word（.doc）文件，请在 Word 中另存为 .docx 后再导入。")
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "（无扩展名）"
        raise NoticeFormatError(f"不支持的文件类型 {shown}：只能导入 .txt 或 .docx 格式的通报。")
    if not data.strip():
        raise NoticeFormatError("文件为空，没有可导入的内容。")
    if len(data) > MAX_FILE_BYTES:
        raise NoticeFormatError(f"文件过大（超过 {MAX_FILE_BYTES // (1024 * 1024)} MB），不像是一份通报。")
    lines = decode_text(data).splitlines() if suffix == ".txt" else docx_lines(data)
    paragraphs = [clean_line(line) for line in lines]
    paragraphs = [paragraph for paragraph in paragraphs if paragraph]
    if not paragraphs:
        raise NoticeFormatError("文件中没有文字内容。")
    return paragraphs


def clean_line(line: str) -> str:
    """Strip whitespace (full-width spaces and no-break spaces included) and stray byte-order marks."""
    return line.replace("\ufeff", "").strip()


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030 (which covers GBK and GB2312)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _checked(_decode(data, "utf-16"))
    if data.startswith(codecs.BOM_UTF8):
        return _checked(_decode(data[len(codecs.BOM_UTF8) :], "utf-8"))
    if b"\x00" in data:
        raise NoticeFormatError("文件含有二进制内容，不是文本格式的通报。")
    for encoding in ("utf-8", "gb18030"):
        try:
            return _checked(data.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise NoticeFormatError("无法识别文件的文字编码：请以 UTF-8 或 GB18030（GBK）编码保存通报。")


def _decode(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise NoticeFormatError("文件的文字编码有误，无法读取。") from exc


def _checked(text: str) -> str:
    junk = sum(
        1 for char in text if char not in _ALLOWED_CONTROLS and unicodedata.category(char) in ("Cc", "Cn", "Co", "Cs")
    )
    if text and junk / len(text) > MAX_JUNK_SHARE:
        raise NoticeFormatError("文件内容不是可读的文字，可能是二进制文件。")
    return text


def docx_lines(data: bytes) -> list[str]:
    """The text of every paragraph, tables and Word's automatic numbering included, in document order;
    line breaks split paragraphs."""
    try:
        names = set(check_archive(io.BytesIO(data), DOCX_UNPACKED_LIMITS))
    except zipfile.BadZipFile as exc:
        raise NoticeFormatError("文件不是有效的 Word（.docx）文档。") from exc
    except UnsafeZip as exc:
        raise NoticeFormatError(f"无法读取该 Word 文档：{exc}") from None
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise NoticeFormatError("该 .docx 文件中没有 Word 正文，可能是改了扩展名的其他压缩文件。")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return docx_text_lines(archive)
    except Exception as exc:  # malformed XML, members that cannot be inflated, …
        raise NoticeFormatError("无法读取该 Word 文档，文件可能已损坏。") from exc
