"""Importing a notice in the browser: upload → preview → confirm (audited, withdrawable) or cancel."""

from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rectify.accounts.models import AuditEvent
from rectify.ledger.models import FeedbackProblem, Inspection, Measure, RectificationItem
from rectify.ledger.status import Status
from rectify.reports.models import ImportRecord
from rectify.reports.notice.import_views import SESSION_KEY
from tests.reports.notice_corpus import CORPUS, docx_of

pytestmark = pytest.mark.django_db

SEED = Path(django_settings.BASE_DIR) / "fixtures" / "seed_huaihua_2023.txt"
RESTART = CORPUS / "07_silent_sections_restart.txt"


def counts():
    return tuple(m.objects.count() for m in (Inspection, FeedbackProblem, RectificationItem, Measure, ImportRecord))


def kept_uploads(settings) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    return sorted(folder.iterdir()) if folder.exists() else []


def upload(client, data: bytes, name: str):
    return client.post(reverse("reports:notice-import"), {"file": SimpleUploadedFile(name, data)})


def test_only_the_office_may_import(client, liaison, leader_user):
    for user in (liaison, leader_user):
        client.force_login(user)
        assert client.get(reverse("reports:notice-import")).status_code == 403
        assert upload(client, RESTART.read_bytes(), "a.txt").status_code == 403
        assert client.post(reverse("reports:notice-import-confirm"), {"key": "x"}).status_code == 403


def test_the_index_links_the_import_for_the_office(client, office_user, leader_user):
    client.force_login(office_user)
    assert reverse("reports:notice-import") in client.get(reverse("reports:notice-index")).content.decode()
    client.force_login(leader_user)
    assert reverse("reports:notice-import") not in client.get(reverse("reports:notice-index")).content.decode()


def test_upload_preview_confirm_and_withdraw(client, office_user, settings):
    client.force_login(office_user)
    before = counts()
    response = upload(client, RESTART.read_bytes(), "市场监管局通报.txt")
    assert response.status_code == 302 and response.url == reverse("reports:notice-import-preview")
    assert counts() == before and len(kept_uploads(settings)) == 1
    page = client.get(reverse("reports:notice-import-preview")).content.decode()
    # The outline as understood: problems, items, measures, statuses and where each status comes from.
    assert "（一）食品安全监管" in page and "（三）队伍建设" in page
    assert "7. 基层所人员年龄结构老化。" in page and "推进县局机关人员下沉基层所。" in page
    assert "已完成 5 项，整改中 2 项，长期坚持 0 项" in page
    assert "通报所述完成数" in page and "未完成或需长期坚持的整改事项" in page
    assert "mismatches" not in page
    assert "“（一）”为反馈问题；“1.”为整改事项" in page
    key = client.session[SESSION_KEY]["key"]
    response = client.post(reverse("reports:notice-import-confirm"), {"key": key})
    inspection = Inspection.objects.latest("pk")
    assert response.status_code == 302 and response.url == reverse("reports:notice-detail", args=[inspection.pk])
    items = RectificationItem.objects.filter(inspection=inspection)
    assert items.count() == 7 and items.filter(status=Status.COMPLETED).count() == 5
    assert FeedbackProblem.objects.filter(inspection=inspection).count() == 3
    assert Measure.objects.filter(item__inspection=inspection).count() == 13
    record = ImportRecord.objects.get(inspection=inspection)
    assert record.kind == ImportRecord.Kind.NOTICE and record.file_name == "市场监管局通报.txt"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT)
    assert event.user == office_user and event.object_id == str(record.pk) and "整改事项 7 项" in event.detail
    assert kept_uploads(settings) == [] and SESSION_KEY not in client.session
    # Withdrawable like an Excel import.
    assert "市场监管局通报.txt" in client.get(reverse("reports:import-records")).content.decode()
    client.post(reverse("reports:import-undo", args=[record.pk]), {"confirm": "on"})
    assert counts()[:4] == before[:4]
    record.refresh_from_db()
    assert record.undone_by == office_user


def test_a_docx_notice_and_stated_totals_that_disagree(client, office_user):
    client.force_login(office_user)
    text = (CORPUS / "11_stated_totals_mismatch.txt").read_text(encoding="utf-8")
    assert upload(client, docx_of(text), "街道通报.docx").status_code == 302
    page = client.get(reverse("reports:notice-import-preview")).content.decode()
    assert 'data-testid="mismatches"' in page
    assert "通报文字称整改事项 6 项，而按标题识别出 5 项。" in page
    assert "通报文字称已完成 4 项，而按标题识别出 3 项。" in page


def test_the_seed_previews_its_counts_and_the_plan_reconciliation(client, office_user):
    client.force_login(office_user)
    upload(client, SEED.read_bytes(), SEED.name)
    page = client.get(reverse("reports:notice-import-preview")).content.decode()
    assert "反馈问题 11 个，整改事项 21 项，整改措施 57 条" in page
    assert "已完成 20 项，整改中 1 项" in page
    assert "通报文字称整改事项 32 项，而按标题识别出 21 项。" in page


def test_cancel_discards_the_upload(client, office_user, settings):
    client.force_login(office_user)
    before = counts()
    upload(client, RESTART.read_bytes(), "a.txt")
    assert len(kept_uploads(settings)) == 1
    response = client.post(reverse("reports:notice-import-cancel"))
    assert response.status_code == 302 and kept_uploads(settings) == [] and counts() == before
    response = client.post(reverse("reports:notice-import-confirm"), {"key": "0" * 32})
    assert response.status_code == 302 and counts() == before


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        ("一、基本情况\n二、主要做法\n三、下一步打算\n认真落实。".encode(), "a.txt", "0 个可识别为整改事项的标题"),
        (b"%PDF-1.7", "a.pdf", "不支持的文件类型 .pdf"),
        (b"PK\x03\x04 not a zip", "a.docx", "不是有效的 Word"),
    ],
)
def test_bad_files_are_refused_and_not_kept(client, office_user, settings, data, name, message):
    client.force_login(office_user)
    before = counts()
    response = upload(client, data, name)
    assert response.status_code == 200 and message in response.content.decode()
    assert kept_uploads(settings) == [] and counts() == before and SESSION_KEY not in client.session


def test_a_file_over_the_size_limit_is_refused(client, office_user, settings):
    client.force_login(office_user)
    big = RESTART.read_bytes() + b"\n" + "。".encode() * (7 * 1024 * 1024)
    response = upload(client, big, "big.txt")
    assert response.status_code in (200, 400, 413)
    assert kept_uploads(settings) == [] and counts() == (0, 0, 0, 0, 0)


def test_a_stale_preview_cannot_be_confirmed_twice(client, office_user):
    client.force_login(office_user)
    upload(client, RESTART.read_bytes(), "a.txt")
    key = client.session[SESSION_KEY]["key"]
    client.post(reverse("reports:notice-import-confirm"), {"key": key})
    response = client.post(reverse("reports:notice-import-confirm"), {"key": key})
    assert response.status_code == 302 and Inspection.objects.count() == 1


def test_with_several_units_the_office_chooses_the_unit(client, office_user, settings, tmp_path):
    """Units: the choice appears only with several units; the round goes into the unit chosen, and
    a unit's own office imports into its own unit without being asked."""
    from rectify.accounts.roles import Role
    from rectify.ledger.models import Inspection
    from tests.conftest import make_user
    from tests.factories import make_unit, the_unit

    settings.MEDIA_ROOT = tmp_path
    client.force_login(office_user)
    assert "单位" not in client.get(reverse("reports:notice-import")).content.decode().split("<form")[1]
    home, county = the_unit(), make_unit("某县委", short_name="某县")
    assert 'name="unit"' in client.get(reverse("reports:notice-import")).content.decode()
    response = client.post(
        reverse("reports:notice-import"), {"file": SimpleUploadedFile("seed.txt", SEED.read_bytes()), "unit": county.pk}
    )
    assert response.status_code == 302
    key = client.session["notice_import"]["key"]
    client.post(reverse("reports:notice-import-confirm"), {"key": key})
    assert Inspection.objects.get().unit == county
    county_office = make_user("county", Role.DISCIPLINE_OFFICE, unit=county)
    client.force_login(county_office)
    assert 'name="unit"' not in client.get(reverse("reports:notice-import")).content.decode()
    upload(client, SEED.read_bytes(), "seed.txt")
    client.post(reverse("reports:notice-import-confirm"), {"key": client.session["notice_import"]["key"]})
    assert set(Inspection.objects.values_list("unit", flat=True)) == {county.pk}
    assert home.inspections.count() == 0
