"""backup → wipe → restore gives back every row and every file."""

import hashlib
import json
import os
import re
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from rectify.accounts.models import AuditEvent, User
from rectify.ledger import services
from rectify.ledger.models import Evidence, LedgerRevision, RectificationItem

pytestmark = pytest.mark.django_db(transaction=True)
SKIPPED = {"contenttypes.contenttype", "auth.permission", "sessions.session"}


def every_row() -> dict[str, list[dict]]:
    rows = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in SKIPPED:
            continue
        # By primary key: in history tables "id" is the object's and repeats (PostgreSQL returns
        # rows of equal id in any order after a restore).
        pk = model._meta.pk.attname
        rows[label] = sorted(model._default_manager.values(), key=lambda row: str(row.get(pk, row)))
    rows.pop("accounts.auditevent")  # backup and restore add their own entries
    rows.pop("ledger.ledgerrevision")  # a restore raises it (see the round trip)
    return rows


@pytest.fixture
def ledger(seed, liaison, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    item = RectificationItem.objects.get(number=21)
    item.lead_department = liaison.department
    item.save()
    services.add_progress(
        item_id=item.pk,
        user=liaison,
        text="已收回部分款项",
        files=[
            SimpleUploadedFile("凭证.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 10),
            SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"\x01" * 500),
        ],
    )
    return item


def test_round_trip(ledger, settings, tmp_path):
    before = every_row()
    revision = LedgerRevision.objects.get(pk=1).number
    files = {e.file.name: (settings.MEDIA_ROOT / e.file.name).read_bytes() for e in Evidence.objects.all()}
    assert len(files) == 2
    archive = tmp_path / "backups" / "b.zip"
    call_command("backup", str(archive), verbosity=0)
    assert zipfile.ZipFile(archive).testzip() is None

    call_command("flush", interactive=False, verbosity=0)
    for name in files:
        (settings.MEDIA_ROOT / name).unlink()
    assert not User.objects.exists() and not RectificationItem.objects.exists()

    call_command("restore", str(archive), "--yes", verbosity=0)
    # The restored revision is raised once more, so that no cache keeps what was there before.
    assert LedgerRevision.objects.get(pk=1).number == revision + 1
    after = every_row()
    for label in before:
        for old, new in zip(before[label], after[label], strict=True):
            assert old == new, label
    for name, content in files.items():
        assert (settings.MEDIA_ROOT / name).read_bytes() == content
    assert set(AuditEvent.objects.values_list("kind", flat=True)) >= {"restore"}


def test_a_damaged_archive_changes_nothing(ledger, tmp_path):
    archive = tmp_path / "b.zip"
    call_command("backup", str(archive), verbosity=0)
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(damaged, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename.startswith("media/"):
                content = content[:-1] + b"X"
            target.writestr(info, content)
    before = every_row()
    with pytest.raises(CommandError, match="已损坏"):
        call_command("restore", str(damaged), "--yes", verbosity=0)
    assert every_row() == before


@pytest.mark.parametrize("content", [b"", b"not a zip at all", b"PK\x03\x04broken"])
def test_not_a_backup(tmp_path, content, db):
    path = tmp_path / "x.zip"
    path.write_bytes(content)
    with pytest.raises(CommandError, match="不是本系统的备份文件"):
        call_command("restore", str(path), "--yes", verbosity=0)


def test_missing_archive(tmp_path, db):
    with pytest.raises(CommandError, match="找不到备份文件"):
        call_command("restore", str(tmp_path / "nope.zip"), "--yes", verbosity=0)


def rewrite(source: Path, target: Path, change) -> None:
    """Copy an archive, letting ``change(name, content)`` alter or drop (None) each member."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            content = change(info.filename, old.read(info))
            if content is not None:
                new.writestr(info.filename, content)


def restore_refused(path, match: str):
    audit_before = AuditEvent.objects.count()
    before = every_row()
    with pytest.raises(CommandError, match=match):
        call_command("restore", str(path), "--yes", verbosity=0)
    assert every_row() == before
    assert AuditEvent.objects.count() == audit_before + 1
    return AuditEvent.objects.get(kind=AuditEvent.Kind.RESTORE_FAILED)


BACKDOOR = (
    '<object model="accounts.user"><field name="password" type="CharField">md5$x$backdoor</field>'
    '<field name="username" type="CharField">backdoor</field>'
    '<field name="is_superuser" type="BooleanField">True</field>'
    '<field name="is_staff" type="BooleanField">True</field>'
    '<field name="is_active" type="BooleanField">True</field></object>'
)


def forge(name: str, content: bytes, manifest: dict):
    """The attack of finding 5: a backdoor superuser and an emptied audit log, checksums recomputed."""
    if name == "data.xml":
        text = re.sub(r'<object model="accounts.auditevent".*?</object>', "", content.decode(), flags=re.S)
        content = text.replace("</django-objects>", BACKDOOR + "</django-objects>").encode()
        manifest["data_sha256"] = hashlib.sha256(content).hexdigest()
        return content
    if name == "manifest.json":
        return None  # written after data.xml, with the recomputed checksum
    return content


class TestSignature:
    """Finding 5: only archives signed with this installation's BACKUP_KEY are restored."""

    def test_a_forged_archive_with_recomputed_checksums_is_refused(self, ledger, tmp_path):
        archive = tmp_path / "b.zip"
        call_command("backup", str(archive), verbosity=0)
        manifest = json.loads(zipfile.ZipFile(archive).read("manifest.json"))
        forged = tmp_path / "forged.zip"
        rewrite(archive, forged, lambda name, content: forge(name, content, manifest))
        with zipfile.ZipFile(forged, "a") as target:
            target.writestr("manifest.json", json.dumps(manifest))
        with zipfile.ZipFile(forged) as check:  # the forgery is otherwise consistent
            assert hashlib.sha256(check.read("data.xml")).hexdigest() == manifest["data_sha256"]
            assert b"backdoor" in check.read("data.xml")
        event = restore_refused(forged, "签名校验失败")
        assert "签名校验失败" in event.detail
        assert not User.objects.filter(username="backdoor").exists()

    def test_an_unsigned_archive_is_refused(self, ledger, tmp_path):
        archive = tmp_path / "b.zip"
        call_command("backup", str(archive), verbosity=0)
        unsigned = tmp_path / "unsigned.zip"
        rewrite(archive, unsigned, lambda name, content: None if name == "manifest.sig" else content)
        restore_refused(unsigned, "没有签名")

    def test_an_archive_signed_with_another_key_is_refused(self, ledger, tmp_path, settings):
        archive = tmp_path / "b.zip"
        settings.BACKUP_KEY = "someone-elses-key-0123456789"
        call_command("backup", str(archive), verbosity=0)
        settings.BACKUP_KEY = "this-installations-key-0123456789"
        restore_refused(archive, "签名校验失败")


class TestEncryption:
    def test_encrypted_round_trip(self, ledger, tmp_path, settings):
        archive = tmp_path / "b.enc"
        call_command("backup", str(archive), "--encrypt", verbosity=0)
        content = archive.read_bytes()
        assert not content.startswith(b"PK") and b"md5$" not in content and b"manifest" not in content
        assert "已签名并加密" in AuditEvent.objects.get(kind=AuditEvent.Kind.BACKUP).detail
        before = every_row()
        call_command("flush", interactive=False, verbosity=0)
        call_command("restore", str(archive), "--yes", verbosity=0)
        assert every_row() == before
        assert AuditEvent.objects.filter(kind=AuditEvent.Kind.RESTORE).exists()

    def test_another_key_cannot_decrypt(self, ledger, tmp_path, settings):
        archive = tmp_path / "b.enc"
        call_command("backup", str(archive), "--encrypt", verbosity=0)
        settings.BACKUP_KEY = "another-key-0123456789-abcdef"
        restore_refused(archive, "无法解密")

    def test_a_changed_byte_is_detected(self, ledger, tmp_path):
        archive = tmp_path / "b.enc"
        call_command("backup", str(archive), "--encrypt", verbosity=0)
        content = bytearray(archive.read_bytes())
        content[len(content) // 2] ^= 1
        archive.write_bytes(bytes(content))
        restore_refused(archive, "无法解密")


class TestRestoreOrder:
    """Files are staged first and moved in only after the database commit; both outcomes are audited."""

    def test_a_database_failure_leaves_files_and_rows_alone(self, ledger, tmp_path, settings, monkeypatch):
        archive = tmp_path / "b.zip"
        call_command("backup", str(archive), verbosity=0)
        evidence = Evidence.objects.first()
        (settings.MEDIA_ROOT / evidence.file.name).write_bytes(b"changed since the backup")

        def broken(name, *args, **kwargs):
            if name == "loaddata":
                raise RuntimeError("disk full")
            return call_command(name, *args, **kwargs)

        monkeypatch.setattr("rectify.maintenance.archive.call_command", broken)
        before = every_row()
        with pytest.raises(RuntimeError):
            call_command("restore", str(archive), "--yes", verbosity=0)
        assert every_row() == before
        assert (settings.MEDIA_ROOT / evidence.file.name).read_bytes() == b"changed since the backup"
        assert not list(settings.MEDIA_ROOT.glob(".restore-*"))
        assert "disk full" in AuditEvent.objects.get(kind=AuditEvent.Kind.RESTORE_FAILED).detail

    def test_a_failed_move_after_the_commit_is_audited_and_says_where_the_files_are(
        self, ledger, tmp_path, settings, monkeypatch
    ):
        archive = tmp_path / "b.zip"
        call_command("backup", str(archive), verbosity=0)
        names = sorted(Evidence.objects.values_list("file", flat=True))
        for name in names:
            (settings.MEDIA_ROOT / name).unlink()
        real_replace = os.replace
        calls = []

        def failing(source, target):
            calls.append(target)
            if len(calls) == 2:
                raise OSError("Permission denied")
            real_replace(source, target)

        monkeypatch.setattr("rectify.maintenance.archive.os.replace", failing)
        with pytest.raises(CommandError, match="数据库已恢复，但只有 1/2 个文件") as raised:
            call_command("restore", str(archive), "--yes", verbosity=0)
        staged = list(settings.MEDIA_ROOT.glob(".restore-*/media"))
        assert len(staged) == 1 and str(staged[0]) in str(raised.value)
        assert sum(1 for path in staged[0].rglob("*") if path.is_file()) == 1
        event = AuditEvent.objects.get(kind=AuditEvent.Kind.RESTORE_FAILED)
        assert "数据库已恢复" in event.detail
        assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.RESTORE).exists()


def test_the_audit_log_since_the_backup_survives_a_restore(ledger, liaison, tmp_path):
    archive = tmp_path / "b.zip"
    call_command("backup", str(archive), verbosity=0)
    AuditEvent.objects.create(kind=AuditEvent.Kind.LOGIN, user=liaison, username="liaison", ip_address="10.0.0.8")
    forged = tmp_path / "forged.zip"
    rewrite(archive, forged, lambda name, content: None if name == "manifest.sig" else content)
    with pytest.raises(CommandError):
        call_command("restore", str(forged), "--yes", verbosity=0)
    call_command("restore", str(archive), "--yes", verbosity=0)
    kinds = list(AuditEvent.objects.order_by("created_at", "id").values_list("kind", flat=True))
    assert kinds[-4:] == ["backup", "login", "restore_failed", "restore"]
    assert AuditEvent.objects.get(kind=AuditEvent.Kind.LOGIN).user == liaison
