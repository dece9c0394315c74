"""Small things that trip people: evidence shown in the browser with its SHA-256, the 是否逾期
filter's words, a refusal that says why and where to go, the plan reconciliation counted over the
whole round only."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from rectify.accounts.models import AuditEvent
from rectify.ledger import services
from tests.factories import make_inspection, make_item, make_problem, the_unit

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DOCX_LIKE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.fixture
def item(department, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_item(lead_department=department, deadline=timezone.localdate() + datetime.timedelta(days=5))


def test_pdf_evidence_opens_inline_with_its_hash(client, item, liaison, other_liaison):
    evidence = services.add_evidence(item_id=item.pk, user=liaison, upload=SimpleUploadedFile("证明.pdf", PDF))
    client.force_login(liaison)
    page = client.get(item.get_absolute_url()).content.decode()
    assert f"SHA-256：{hashlib.sha256(PDF).hexdigest()}" in page
    url = reverse("ledger:view-evidence", args=[item.pk, evidence.pk])
    assert url in page
    response = client.get(url)
    assert response["Content-Disposition"].startswith("inline")
    assert response["Content-Type"] == "application/pdf" and b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.EVIDENCE_DOWNLOAD, detail__contains="在线查看").exists()
    # An outsider (another department's liaison) gets 404, as for the item itself.
    client.force_login(other_liaison)
    assert client.get(url).status_code == 404


def test_other_types_are_only_downloaded(client, item, liaison):
    evidence = services.add_evidence(item_id=item.pk, user=liaison, upload=SimpleUploadedFile("旧表.xls", DOCX_LIKE))
    client.force_login(liaison)
    assert (
        reverse("ledger:view-evidence", args=[item.pk, evidence.pk])
        not in client.get(item.get_absolute_url()).content.decode()
    )
    response = client.get(reverse("ledger:view-evidence", args=[item.pk, evidence.pk]))
    assert response["Content-Disposition"].startswith("attachment")


def test_the_overdue_filter_reads_all_yes_no(client, office_user, department):
    late = make_item(lead_department=department, deadline=timezone.localdate() - datetime.timedelta(days=3))
    on_time = make_item(late.problem, deadline=timezone.localdate() + datetime.timedelta(days=30))
    client.force_login(office_user)
    page = client.get(reverse("ledger:item-list")).content.decode()
    assert ">全部</option>" in page and ">是</option>" in page and ">否</option>" in page and "未知" not in page
    overdue = client.get(reverse("ledger:item-list"), {"overdue": "true"}).content.decode()
    assert late.title in overdue and on_time.title not in overdue
    not_overdue = client.get(reverse("ledger:item-list"), {"overdue": "false"}).content.decode()
    assert on_time.title in not_overdue and late.get_absolute_url() not in not_overdue


def test_a_refusal_says_why_and_where_to_go(client, liaison):
    client.force_login(liaison)
    response = client.get(reverse("reports:ledger-export"))
    body = response.content.decode()
    assert response.status_code == 403
    assert "您只能导出本部门可见的整改事项" in body and reverse("ledger:item-list") in body


def test_reconciliation_only_for_the_whole_round(client, office_user, liaison, department):
    inspection = make_inspection(planned_item_count=32, planned_problem_count=17)
    make_item(make_problem(inspection), lead_department=department)
    client.force_login(office_user)
    assert "方案对账" in client.get("/", {"inspection": inspection.pk}).content.decode()
    client.force_login(liaison)
    assert "方案对账" not in client.get("/", {"inspection": inspection.pk}).content.decode()


def test_leaders_and_co_departments_are_checkbox_lists(client, office_user, item, other_department):
    from rectify.accounts.models import Leader

    first, second = (
        Leader.objects.create(unit=the_unit(), name="甲", position="书记"),
        Leader.objects.create(unit=the_unit(), name="乙", position="主任"),
    )
    client.force_login(office_user)
    url = reverse("ledger:item-edit", args=[item.pk])
    page = client.get(url).content.decode()
    assert 'type="checkbox" name="leaders"' in page and 'type="checkbox" name="co_departments"' in page
    assert '<select name="leaders"' not in page
    data = {
        "title": item.title,
        "kind": item.kind,
        "version": item.version,
        "lead_department": item.lead_department_id,
        "deadline": item.deadline.isoformat(),
        "leaders": [first.pk, second.pk],
        "co_departments": [other_department.pk],
    }
    client.post(url, data)
    assert set(item.leaders.all()) == {first, second} and list(item.co_departments.all()) == [other_department]


def test_the_list_has_cards_for_phones_and_filters_behind_a_button(client, liaison, item):
    client.force_login(liaison)
    page = client.get(reverse("ledger:item-list")).content.decode()
    cards = page[page.index('class="list-unstyled d-sm-none item-cards"') :]
    assert item.title in cards and item.get_absolute_url() in cards
    assert 'data-bs-target="#item-filters"' in page and 'id="item-filters"' in page


def test_the_progress_form_takes_photos_from_the_camera(client, liaison, item):
    client.force_login(liaison)
    page = client.get(item.get_absolute_url()).content.decode()
    assert 'capture="environment"' in page and 'name="photos"' in page
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    client.post(
        reverse("ledger:add-progress", args=[item.pk]),
        {
            "text": "现场整改完毕",
            "reported_on": timezone.localdate().isoformat(),
            "photos": [SimpleUploadedFile("现场.png", png, content_type="image/png")],
        },
    )
    assert item.evidence.get().original_name == "现场.png"
