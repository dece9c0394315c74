"""Every object URL and action, tried by outsiders: 403 or 404 (or 405), and nothing changes.

The URLs are read from the URL configuration, so a new page is covered the day it is added.
"""

import datetime

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from rectify.ledger import services
from rectify.ledger.models import Escalation, Meeting
from rectify.notifications.models import Notification
from tests.factories import make_item

pytestmark = pytest.mark.django_db
NAMESPACES = {"ledger", "reports", "dashboard"}


def object_patterns():
    """(namespaced name, route) of every URL that takes arguments, in our own apps."""

    def walk(patterns, namespace=None):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, entry.namespace or namespace)
            elif isinstance(entry, URLPattern) and namespace in NAMESPACES and entry.pattern.converters:
                yield f"{namespace}:{entry.name}", list(entry.pattern.converters)

    return sorted(set((name, tuple(args)) for name, args in walk(get_resolver().url_patterns)))


def snapshot():
    rows = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label.startswith(("sessions.", "axes.", "accounts.auditevent", "contenttypes.", "auth.permission")):
            continue
        rows[label] = list(model._default_manager.order_by("pk").values())
    return rows


@pytest.fixture
def world(department, liaison, office_user, settings, tmp_path):
    """An item of `department` with a measure, evidence, a pending sign-off, an extension request,
    an outcome record, and a reminder for its liaison."""
    settings.MEDIA_ROOT = tmp_path
    item = make_item(
        lead_department=department, deadline=timezone.localdate() + datetime.timedelta(days=20), measures=["措施"]
    )
    evidence = services.add_evidence(item_id=item.pk, user=liaison, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n"))
    extension = services.request_extension(
        item_id=item.pk, user=liaison, new_deadline=item.deadline + datetime.timedelta(days=9), reason="x"
    )
    signoff = services.submit_signoff(item_id=item.pk, user=liaison, note="完成")
    meeting = Meeting.objects.create(inspection=item.inspection, kind=Meeting.Kind.WEEKLY, count=2)
    notification = Notification.objects.create(recipient=liaison, day=timezone.localdate(), title="提醒", body="x")
    escalation = Escalation.objects.create(
        item=item,
        level=Escalation.Level.SUPERVISE,
        cycle="-",
        raised_on=timezone.localdate(),
        reason="x",
        notice_year=2024,
        notice_number=1,
        reply_by=timezone.localdate(),
    )
    return {
        "pk": item.pk,
        "inspection_id": item.inspection_id,
        "measure_pk": item.measures.get().pk,
        "evidence_pk": evidence.pk,
        "signoff_pk": signoff.pk,
        "extension_pk": extension.pk,
        "kind": "meetings",
        "record_pk": meeting.pk,
        "notification_pk": notification.pk,
        "escalation_pk": escalation.pk,
    }


def build(name, args, world):
    from django.urls import reverse

    values = {}
    for arg in args:
        key = arg
        if arg == "pk" and name.startswith("reports:notice-record"):
            key = "record_pk"
        if arg == "pk" and name.startswith("dashboard:notification"):
            key = "notification_pk"
        values[arg] = world[key]
    return reverse(name, kwargs=values)


def test_the_list_of_object_urls_is_not_empty():
    names = {name for name, _ in object_patterns()}
    assert {
        "ledger:item-detail",
        "ledger:approve-signoff",
        "ledger:download-evidence",
        "reports:notice-detail",
    } <= names


@pytest.mark.parametrize("outsider", ["other_liaison", "sysadmin"])
def test_outsiders_get_403_or_404_and_change_nothing(client, request, world, outsider):
    client.force_login(request.getfixturevalue(outsider))
    before = snapshot()
    tried = []
    for name, args in object_patterns():
        url = build(name, args, world)
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"text": "x", "note": "x", "reason": "x", "decision": "approve"})
            tried.append((method, url, response.status_code))
            assert response.status_code in {403, 404, 405}, (outsider, method, url, response.status_code)
    assert snapshot() == before
    assert len(tried) >= 30


@pytest.fixture
def other_unit_accounts(db):
    """Accounts of another unit (a sibling of the item's unit): its own office, a leader with a
    leader record there, and a liaison of one of its departments."""
    from rectify.accounts.models import Department, Leader
    from rectify.accounts.roles import Role
    from tests.conftest import make_user
    from tests.factories import make_unit, the_unit

    the_unit()  # the item's unit exists first
    elsewhere = make_unit("另一单位党委", short_name="另一单位")
    office = make_user("office_elsewhere", Role.DISCIPLINE_OFFICE, unit=elsewhere, is_staff=True)
    leader = make_user("leader_elsewhere", Role.LEADER)
    Leader.objects.create(unit=elsewhere, name="外某", position="书记", user=leader)
    liaison = make_user("liaison_elsewhere", Role.LIAISON, Department.objects.create(unit=elsewhere, name="测试部门甲"))
    return {"office": office, "leader": leader, "liaison": liaison}


@pytest.mark.parametrize("who", ["office", "leader", "liaison"])
def test_accounts_of_another_unit_get_404_and_change_nothing(client, world, other_unit_accounts, who):
    client.force_login(other_unit_accounts[who])
    before = snapshot()
    for name, args in object_patterns():
        url = build(name, args, world)
        for method in ("get", "post"):
            response = getattr(client, method)(url, {"text": "x", "note": "x", "reason": "x", "decision": "approve"})
            assert response.status_code in {403, 404, 405}, (who, method, url, response.status_code)
    assert snapshot() == before


@pytest.mark.parametrize("who", ["office", "leader"])
def test_another_units_exports_and_pages_reveal_nothing(client, world, other_unit_accounts, who):
    """The round's id in a query string: 404 for exports, and lists, homes and the round list show
    none of its rows or counts."""
    from django.urls import reverse

    client.force_login(other_unit_accounts[who])
    inspection = world["inspection_id"]
    export = client.get(reverse("reports:ledger-xlsx"), {"inspection": inspection, "as_of": "2024-01-01"})
    assert export.status_code == 404
    listing = client.get(reverse("ledger:item-list"), {"inspection": inspection})
    assert listing.status_code == 200 and "整改事项1" not in listing.content.decode()
    home = client.get("/", {"inspection": inspection})
    assert home.status_code == 200
    body = home.content.decode()
    assert "测试巡视" not in body and "整改事项1" not in body
    if who == "office":
        rounds = client.get(reverse("ledger:inspection-list")).content.decode()
        assert "测试巡视" not in rounds


@pytest.mark.parametrize("who", ["office", "leader"])
def test_another_units_ledger_by_unit_is_404(client, world, other_unit_accounts, who):
    """/reports/ledger.xlsx?unit=<the item's unit>: 404, nothing revealed; their own unit's works."""
    from django.urls import reverse

    from rectify.ledger.models import Inspection

    client.force_login(other_unit_accounts[who])
    unit = Inspection.objects.get(pk=world["inspection_id"]).unit_id
    assert client.get(reverse("reports:ledger-xlsx"), {"unit": unit}).status_code == 404
    everything = client.get(reverse("reports:ledger-xlsx"), {"unit": "all"})
    assert everything.status_code == 400 and "没有巡视轮次" in everything.content.decode()
