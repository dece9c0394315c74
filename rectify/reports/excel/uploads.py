"""An uploaded file (a ledger workbook, or a notice) kept on the server between preview and confirmation.

The file lives under ``MEDIA_ROOT/imports/`` with a random name; only that name (the key) is
kept in the user's session, never a path the browser could choose. Files are removed after
the import, on cancel, and when older than a day (swept at each new upload).
"""

import re
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

SESSION_KEY = "excel_import"
_KEY = re.compile(r"[0-9a-f]{32}")
# The file types kept: the ledger (a workbook, or a Word document of tables), and the notices
# (imported through ``reports/notice/import_views.py``).
SUFFIXES = (".xlsx", ".xls", ".ods", ".txt", ".docx")
_MAX_AGE_SECONDS = 24 * 3600


def _folder() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def store(upload: UploadedFile, *, suffix: str = ".xlsx") -> str:
    """Save the upload under a new random key (with ``suffix``, one of SUFFIXES); returns the key."""
    if suffix not in SUFFIXES:
        raise ValueError(f"unsupported upload suffix {suffix!r}")
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    sweep()
    key = secrets.token_hex(16)
    with open(folder / f"{key}{suffix}", "wb") as target:
        for chunk in upload.chunks():
            target.write(chunk)
    return key


def path_for(key: object, *, suffix: str = ".xlsx") -> Path | None:
    """The stored file of ``key``, or None when the key is malformed or the file is gone."""
    if not isinstance(key, str) or not _KEY.fullmatch(key) or suffix not in SUFFIXES:
        return None
    path = _folder() / f"{key}{suffix}"
    return path if path.is_file() else None


def discard(key: object, *, suffix: str = ".xlsx") -> None:
    path = path_for(key, suffix=suffix)
    if path is not None:
        path.unlink(missing_ok=True)


def sweep() -> None:
    """Remove uploads nobody confirmed or cancelled within a day."""
    cutoff = time.time() - _MAX_AGE_SECONDS
    for path in _folder().iterdir():
        if path.suffix not in SUFFIXES:
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass
