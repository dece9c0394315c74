"""One consistent archive of the database and the uploaded files, and its restoration.

The archive is a zip file: ``manifest.json`` (format, time, database, row counts, each file's
SHA-256), ``data.xml`` (every table but the derived ones, as a Django fixture; XML because
Django's JSON serializer cuts timestamps to milliseconds) and ``media/…``.
The database is read inside one transaction (REPEATABLE READ on PostgreSQL), so rows and the
list of files agree. Restoring checks the whole archive first, replaces the database in one
transaction, and only then puts the files in place.
"""

import hashlib
import io
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from rectify.ledger import revision

FORMAT = "rectify-backup"
VERSION = 1
# Rebuilt by migrations (contenttypes, permissions) or worthless after a restore (sessions).
EXCLUDED = ["contenttypes", "auth.permission", "sessions"]


class ArchiveError(Exception):
    """A Chinese message saying what is wrong with an archive."""


def _file_fields():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if getattr(field, "upload_to", None) is not None and not model.__name__.startswith("Historical"):
                yield model, field


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def create_backup(output: Path) -> dict:
    """Write the archive to ``output`` (through a temporary file, so never half an archive)."""
    output = Path(output)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        data = io.StringIO()
        call_command("dumpdata", format="xml", exclude=EXCLUDED, natural_foreign=True, stdout=data, verbosity=0)
        names = sorted(
            {
                name
                for model, field in _file_fields()
                for name in model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
            }
        )
    counts: dict[str, int] = {}
    for element in ElementTree.fromstring(data.getvalue()).iter("object"):
        counts[element.get("model")] = counts.get(element.get("model"), 0) + 1
    media_root = Path(settings.MEDIA_ROOT)
    files, missing = {}, []
    output.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=output.parent, suffix=".partial")
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("data.xml", data.getvalue())
            for name in names:
                path = media_root / name
                if not path.is_file():
                    missing.append(name)
                    continue
                content = path.read_bytes()
                files[name] = _sha256(content)
                archive.writestr(f"media/{name}", content)
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": timezone.now().isoformat(),
                "database": connection.vendor,
                "data_sha256": _sha256(data.getvalue().encode()),
                "counts": counts,
                "files": files,
                "missing_files": missing,
            }
            archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return manifest


def _read_archive(path: Path) -> tuple[dict, bytes, zipfile.ZipFile]:
    if not path.is_file():
        raise ArchiveError(f"找不到备份文件：{path}")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise ArchiveError(f"{path.name} 不是本系统的备份文件（不是有效的 zip 文件）。") from None
    try:
        manifest = json.loads(archive.read("manifest.json"))
        data = archive.read("data.xml")
    except (KeyError, ValueError):
        archive.close()
        raise ArchiveError(f"{path.name} 不是本系统的备份文件（缺少 manifest.json 或 data.xml）。") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        archive.close()
        raise ArchiveError(f"{path.name} 的格式或版本不受支持。")
    if _sha256(data) != manifest.get("data_sha256"):
        archive.close()
        raise ArchiveError("备份中的数据已损坏（data.xml 校验值不符）。")
    for name, digest in manifest["files"].items():
        if PurePosixPath(name).is_absolute() or ".." in PurePosixPath(name).parts:
            archive.close()
            raise ArchiveError(f"备份中的文件名不安全：{name}")
        try:
            content = archive.read(f"media/{name}")
        except KeyError:
            archive.close()
            raise ArchiveError(f"备份中缺少文件：{name}") from None
        if _sha256(content) != digest:
            archive.close()
            raise ArchiveError(f"备份中的文件已损坏（校验值不符）：{name}")
    return manifest, data, archive


def restore_backup(path: Path) -> dict:
    """Replace the database's contents and put the archived files back."""
    manifest, data, archive = _read_archive(Path(path))
    media_root = Path(settings.MEDIA_ROOT)
    with archive, tempfile.TemporaryDirectory() as scratch:
        fixture = Path(scratch) / "data.xml"
        fixture.write_bytes(data)
        staged = Path(scratch) / "media"
        for name in manifest["files"]:
            target = staged / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(f"media/{name}"))
        with transaction.atomic():
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", str(fixture), verbosity=0)
            revision.changed()  # loaddata records no history: caches of the old data must go
        for name in manifest["files"]:
            target = media_root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(staged / name, target)
    return manifest


def default_name() -> str:
    return f"rectify-backup-{timezone.localtime():%Y%m%d-%H%M%S}.zip"
