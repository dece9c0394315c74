"""One consistent archive of the database and the uploaded files, and its restoration.

The archive is a zip file: ``manifest.json`` (format, time, database, row counts, each file's
SHA-256, the SHA-256 of the data), ``manifest.sig`` (HMAC-SHA256 of the manifest with a key
derived from ``settings.BACKUP_KEY``), ``data.xml`` (every table but the derived ones, as a
Django fixture; XML because Django's JSON serializer cuts timestamps to milliseconds) and
``media/…``. The signature covers the manifest, and the manifest the checksum of every other
part, so nobody without the key can make or alter an archive that ``restore`` accepts.

It holds every user's password hash and the second-factor secrets: keep archives as carefully
as the database. ``encrypt=True`` encrypts the whole zip with AES-256-GCM (the ``cryptography``
library), with a second key derived from the same ``BACKUP_KEY`` (HKDF-SHA256).

The database is read inside one transaction (REPEATABLE READ on PostgreSQL), so rows and the
list of files agree. Restoring checks the signature and the whole archive first, stages the
files beside MEDIA_ROOT's contents, replaces the database in one transaction (keeping the audit
events written after the backup), and only after the commit moves the staged files into place.
"""

import datetime
import hashlib
import hmac
import io
import json
import os
import shutil
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from rectify.accounts.models import AuditEvent, User
from rectify.ledger import revision

FORMAT = "rectify-backup"
VERSION = 1
# Rebuilt by migrations (contenttypes, permissions) or worthless after a restore (sessions).
EXCLUDED = ["contenttypes", "auth.permission", "sessions"]


# An encrypted archive: this marker, a 12-byte nonce, then the AES-GCM ciphertext of the zip.
ENCRYPTED_MAGIC = b"RECTIFY-BACKUP-AES256GCM-1\n"
NONCE_BYTES = 12


class ArchiveError(Exception):
    """A Chinese message saying what is wrong with an archive."""


class FilesNotRestored(ArchiveError):
    """The database was restored, but some files could not be moved into MEDIA_ROOT."""


def _derived_key(purpose: bytes) -> bytes:
    """A 256-bit key for one purpose (signing or encryption), derived from BACKUP_KEY."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"rectify-backup-" + purpose)
    return hkdf.derive(settings.BACKUP_KEY.encode())


def _signature(manifest: bytes) -> str:
    return hmac.new(_derived_key(b"signature"), manifest, hashlib.sha256).hexdigest()


def _encrypt(plain: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return ENCRYPTED_MAGIC + nonce + AESGCM(_derived_key(b"encryption")).encrypt(nonce, plain, ENCRYPTED_MAGIC)


def _decrypt(name: str, content: bytes) -> bytes:
    body = content[len(ENCRYPTED_MAGIC) :]
    nonce, ciphertext = body[:NONCE_BYTES], body[NONCE_BYTES:]
    try:
        return AESGCM(_derived_key(b"encryption")).decrypt(nonce, ciphertext, ENCRYPTED_MAGIC)
    except (InvalidTag, ValueError):
        raise ArchiveError(
            f"无法解密 {name}：加密所用的 BACKUP_KEY 与本机不同，或文件已被篡改、损坏。未做任何修改。"
        ) from None


def _file_fields():
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if getattr(field, "upload_to", None) is not None and not model.__name__.startswith("Historical"):
                yield model, field


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def create_backup(output: Path, *, encrypt: bool = False) -> dict:
    """Write the archive to ``output`` (through a temporary file, so never half an archive),
    signed, and with ``encrypt`` encrypted."""
    output = Path(output)
    # Taken before the database is read: a restore keeps the audit events written after it.
    created_at = timezone.now()
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
                "created_at": created_at.isoformat(),
                "database": connection.vendor,
                "data_sha256": _sha256(data.getvalue().encode()),
                "counts": counts,
                "files": files,
                "missing_files": missing,
            }
            manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            archive.writestr("manifest.json", manifest_bytes)
            archive.writestr("manifest.sig", _signature(manifest_bytes))
        if encrypt:
            Path(temporary).write_bytes(_encrypt(Path(temporary).read_bytes()))
        os.replace(temporary, output)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return manifest


def _open(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise ArchiveError(f"找不到备份文件：{path}")
    with path.open("rb") as handle:
        encrypted = handle.read(len(ENCRYPTED_MAGIC)) == ENCRYPTED_MAGIC
    source = io.BytesIO(_decrypt(path.name, path.read_bytes())) if encrypted else path
    try:
        return zipfile.ZipFile(source)
    except (zipfile.BadZipFile, OSError):
        raise ArchiveError(f"{path.name} 不是本系统的备份文件（不是有效的 zip 文件）。") from None


def _check(name: str, archive: zipfile.ZipFile) -> tuple[dict, bytes]:
    """The manifest and the data, once the signature and every checksum are right."""
    try:
        manifest_bytes = archive.read("manifest.json")
    except KeyError:
        raise ArchiveError(f"{name} 不是本系统的备份文件（缺少 manifest.json）。") from None
    try:
        signature = archive.read("manifest.sig").decode("ascii", "replace").strip()
    except KeyError:
        raise ArchiveError(f"{name} 没有签名（缺少 manifest.sig），无法确认来源，拒绝恢复。未做任何修改。") from None
    if not hmac.compare_digest(signature, _signature(manifest_bytes)):
        raise ArchiveError(
            f"{name} 的签名校验失败：它不是用本机的 BACKUP_KEY 生成的，或生成后被改动过，拒绝恢复。未做任何修改。"
        )
    try:
        manifest = json.loads(manifest_bytes)
        data = archive.read("data.xml")
    except (KeyError, ValueError):
        raise ArchiveError(f"{name} 不是本系统的备份文件（缺少 manifest.json 或 data.xml）。") from None
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise ArchiveError(f"{name} 的格式或版本不受支持。")
    if _sha256(data) != manifest.get("data_sha256"):
        raise ArchiveError("备份中的数据已损坏（data.xml 校验值不符）。")
    for file_name, digest in manifest["files"].items():
        if PurePosixPath(file_name).is_absolute() or ".." in PurePosixPath(file_name).parts:
            raise ArchiveError(f"备份中的文件名不安全：{file_name}")
        try:
            content = archive.read(f"media/{file_name}")
        except KeyError:
            raise ArchiveError(f"备份中缺少文件：{file_name}") from None
        if _sha256(content) != digest:
            raise ArchiveError(f"备份中的文件已损坏（校验值不符）：{file_name}")
    return manifest, data


def _audit_events_since(created_at: str) -> list[dict]:
    """The audit log written after the backup was made: a restore must not erase it."""
    moment = datetime.datetime.fromisoformat(created_at)
    return list(AuditEvent.objects.filter(created_at__gt=moment).order_by("created_at", "id").values())


def _keep_audit_events(events: list[dict]) -> None:
    users = set(User.objects.filter(pk__in={e["user_id"] for e in events}).values_list("pk", flat=True))
    AuditEvent.objects.bulk_create(
        AuditEvent(**{**event, "id": None, "user_id": event["user_id"] if event["user_id"] in users else None})
        for event in events
    )


def _stage(archive: zipfile.ZipFile, manifest: dict, data: bytes, staging: Path) -> None:
    """Write the fixture and every file under ``staging`` (inside MEDIA_ROOT, so the later moves
    are renames on one file system)."""
    (staging / "data.xml").write_bytes(data)
    for name in manifest["files"]:
        target = staging / "media" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(archive.read(f"media/{name}"))


def restore_backup(path: Path) -> dict:
    """Replace the database's contents and put the archived files back.

    Nothing changes unless the archive is signed with this BACKUP_KEY and whole. Raises
    ArchiveError before the database is touched, or FilesNotRestored when the database was
    restored but some files could not be moved into place (they stay staged, and the message
    says where)."""
    path = Path(path)
    media_root = Path(settings.MEDIA_ROOT)
    with _open(path) as archive:
        manifest, data = _check(path.name, archive)
        try:
            media_root.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=media_root))
        except OSError as error:
            raise ArchiveError(f"无法在 MEDIA_ROOT（{media_root}）中暂存文件：{error}。未做任何修改。") from None
        try:
            _stage(archive, manifest, data, staging)
        except OSError as error:
            shutil.rmtree(staging, ignore_errors=True)
            raise ArchiveError(f"暂存备份中的文件失败：{error}。未做任何修改。") from None
    try:
        with transaction.atomic():
            later = _audit_events_since(manifest["created_at"])
            call_command("flush", interactive=False, verbosity=0)
            call_command("loaddata", str(staging / "data.xml"), verbosity=0)
            _keep_audit_events(later)
            revision.changed()  # loaddata records no history: caches of the old data must go
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    moved = 0
    try:
        for name in manifest["files"]:
            target = media_root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staging / "media" / name, target)
            moved += 1
    except OSError as error:
        raise FilesNotRestored(
            f"数据库已恢复，但只有 {moved}/{len(manifest['files'])} 个文件放回了 MEDIA_ROOT（{error}）。"
            f"其余文件保留在 {staging / 'media'}，请手工移入 {media_root} 后删除该目录。"
        ) from None
    shutil.rmtree(staging, ignore_errors=True)
    return manifest


def default_name() -> str:
    return f"rectify-backup-{timezone.localtime():%Y%m%d-%H%M%S}.zip"
