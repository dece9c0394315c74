"""backup → wipe → restore gives back every row and every file."""

import zipfile

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
