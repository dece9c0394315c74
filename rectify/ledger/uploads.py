"""Evidence files: the type is read from the content, and must agree with the extension."""

import hashlib
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# extension → (kind read from the content, content type to serve it with)
ALLOWED = {
    ".pdf": ("pdf", "application/pdf"),
    ".ofd": ("ofd", "application/ofd"),
    ".doc": ("ole2", "application/msword"),
    ".xls": ("ole2", "application/vnd.ms-excel"),
    ".docx": ("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ".xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ".jpg": ("jpeg", "image/jpeg"),
    ".jpeg": ("jpeg", "image/jpeg"),
    ".png": ("png", "image/png"),
}
ALLOWED_LABEL = "PDF、OFD、Word（doc/docx）、Excel（xls/xlsx）、JPG、PNG"


@dataclass(frozen=True)
class CheckedFile:
    original_name: str
    content_type: str
    size: int
    sha256: str


def max_bytes() -> int:
    return settings.RECTIFY_EVIDENCE_MAX_BYTES


def sniff(upload: UploadedFile) -> str | None:
    """What the bytes are, whatever the name says."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(OLE2):
        return "ole2"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(upload)
    return None


def _zip_kind(upload: UploadedFile) -> str | None:
    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    finally:
        upload.seek(0)
    if "[Content_Types].xml" in names:
        if any(name.startswith("word/") for name in names):
            return "docx"
        if any(name.startswith("xl/") for name in names):
            return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    return None


def check_evidence_file(upload: UploadedFile) -> CheckedFile:
    """Refuse a file whose size, extension or content is not acceptable; Chinese messages."""
    name = PurePath(upload.name or "").name
    if upload.size == 0:
        raise ValidationError(f"文件「{name}」是空文件。")
    if upload.size > max_bytes():
        raise ValidationError(
            f"文件「{name}」大小为 {filesizeformat(upload.size)}，超过了 {filesizeformat(max_bytes())} 的上限。"
        )
    suffix = PurePath(name).suffix.lower()
    if suffix not in ALLOWED:
        raise ValidationError(f"文件「{name}」的类型不受支持，只能上传 {ALLOWED_LABEL} 文件。")
    expected_kind, content_type = ALLOWED[suffix]
    if sniff(upload) != expected_kind:
        raise ValidationError(f"文件「{name}」的内容与扩展名「{suffix}」不符，可能已损坏或被改名，已拒绝。")
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return CheckedFile(original_name=name, content_type=content_type, size=upload.size, sha256=digest.hexdigest())
