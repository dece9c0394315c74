"""Zip-based uploads (.xlsx, .docx) checked for what they really inflate to, before any parser opens them.

A zip's directory declares each member's size, and a hostile file lies: a ``sharedStrings.xml``
declared as 1 KB that inflates to 2 GB. Python's own ``ZipFile.open(member).read()`` stops at
the declared size (so it cannot see the lie), while calamine and other readers inflate the
whole compressed stream. So ``check_archive`` inflates every member's compressed data itself,
from its local header (``ZipInfo.header_offset``) to the end of its deflate stream, a chunk at
a time, counting the bytes that really come out and discarding them: memory stays at one chunk
whatever the file, and it stops as soon as a member or the total passes its limit.
"""

import os
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 256 * 1024
MAX_MEMBERS = 10_000

# signature, version, flags, method, time, date, crc, compressed size, size, name length, extra length
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_LOCAL_SIGNATURE = b"PK\x03\x04"


@dataclass(frozen=True)
class Limits:
    member_bytes: int
    total_bytes: int
    members: int = MAX_MEMBERS
    # All .xml and .rels members together: what a reader that builds a tree of every part (as
    # python-docx does with lxml) holds, at many times their size.
    xml_total_bytes: int | None = None


_XML_SUFFIXES = (".xml", ".rels")


class UnsafeZip(Exception):
    """The archive inflates beyond a limit, or not to the sizes it declares; ``str()`` says so in
    Chinese (naming the limit)."""

    def __init__(self, message: str, *, member: str = ""):
        super().__init__(message)
        self.member = member


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def check_archive(source: str | Path | BinaryIO, limits: Limits) -> dict[str, int]:
    """Member name → the bytes it really inflates to.

    Raises ``UnsafeZip`` when a member, or all of them together, inflate beyond ``limits``, when
    a member inflates to another size than it declares, or when there are too many members; and
    ``zipfile.BadZipFile`` when the archive is damaged or uses a compression no Office program
    writes. A file object is read from the start and left rewound."""
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            return _check(handle, limits)
    try:
        source.seek(0)
        return _check(source, limits)
    finally:
        source.seek(0)


def _check(handle: BinaryIO, limits: Limits) -> dict[str, int]:
    try:
        with zipfile.ZipFile(handle) as archive:
            infos = archive.infolist()
    except (zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error) as error:
        raise zipfile.BadZipFile(str(error)) from None
    if len(infos) > limits.members:
        raise UnsafeZip(f"压缩包中的文件超过 {limits.members:,} 个，不像是正常的文档，已拒绝读取。")
    sizes: dict[str, int] = {}
    total = 0
    for info in infos:
        budget = min(limits.member_bytes, limits.total_bytes - total)
        if info.file_size > budget:  # it says so itself: nothing to inflate
            raise UnsafeZip(_too_large(info, limits, budget, declared=True), member=info.filename)
        size = _inflated_size(handle, info, budget)
        if size > budget:
            raise UnsafeZip(_too_large(info, limits, budget, declared=False), member=info.filename)
        if size != info.file_size:
            # Never so in a file an office program wrote; and a parser that trusts the declared
            # size would see other content than the one checked here.
            raise UnsafeZip(
                f"文件异常：其中的 {info.filename} 登记的大小与实际解压大小不符（可能是恶意构造的文件），已拒绝读取。",
                member=info.filename,
            )
        sizes[info.filename] = size
        total += size
    xml = sum(size for name, size in sizes.items() if name.lower().endswith(_XML_SUFFIXES))
    if limits.xml_total_bytes is not None and xml > limits.xml_total_bytes:
        raise UnsafeZip(
            f"文件中的 XML 内容解压后为 {xml / (1024 * 1024):,.1f} MB，超过 {_megabytes(limits.xml_total_bytes)} "
            "的上限，已拒绝读取。"
        )
    return sizes


def _too_large(info: zipfile.ZipInfo, limits: Limits, budget: int, *, declared: bool) -> str:
    if budget < limits.member_bytes:
        return f"文件解压后超过 {_megabytes(limits.total_bytes)} 的上限，已拒绝读取。请拆分后分批导入。"
    if declared:
        return (
            f"文件解压后过大：其中的 {info.filename} 解压后为 {info.file_size / (1024 * 1024):,.0f} MB，"
            f"超过 {_megabytes(limits.member_bytes)} 的上限，已拒绝读取。"
        )
    return (
        f"文件解压后过大：其中的 {info.filename} 登记为 {info.file_size:,} 字节，实际解压超过 "
        f"{_megabytes(limits.member_bytes)} 的上限（可能是恶意构造的文件），已拒绝读取。"
    )


def _inflated_size(handle: BinaryIO, info: zipfile.ZipInfo, budget: int) -> int:
    """The bytes the member's data really inflates to; stops counting once past ``budget``."""
    handle.seek(info.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) != _LOCAL_HEADER.size or header[:4] != _LOCAL_SIGNATURE:
        raise zipfile.BadZipFile(f"bad local header: {info.filename}")
    *_fields, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    handle.seek(name_length + extra_length, os.SEEK_CUR)
    if info.compress_type == zipfile.ZIP_STORED:
        return info.compress_size
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise zipfile.BadZipFile(f"unsupported compression {info.compress_type}: {info.filename}")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size = 0
    try:
        # To the end of the deflate stream, not to the declared compressed size: a reader that
        # trusts another header would inflate that far.
        while not inflater.eof and size <= budget:
            data = inflater.unconsumed_tail or handle.read(CHUNK)
            if not data:
                break
            size += len(inflater.decompress(data, CHUNK))
    except zlib.error as error:
        raise zipfile.BadZipFile(f"{info.filename}: {error}") from None
    return size
