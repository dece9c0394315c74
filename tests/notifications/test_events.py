"""Who is told what for each ledger event: never the actor, never twice, with the item and a link."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rectify.accounts.models import Leader
from rectify.ledger import services
from rectify.notifications.models import Delivery, Notification
from tests.factories import make_item, the_unit

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def item(department, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return make_item(
        title="公车私用问题整改",
        lead_department=department,
        deadline=timezone.localdate() + datetime.timedelta(days=20),
    )


def told(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def submit(item, liaison):
    services.add_evidence(item_id=item.pk, user=liaison, upload=SimpleUploadedFile("a.pdf", PDF))
    return services.submit_signoff(item_id=item.pk, user=liaison, note="已整改完毕")


def test_submission_tells_the_reviewers_not_the_submitter(item, liaison, office_user, second_office_user):
    submit(item, liaison)
    assert told(Kind.SIGNOFF_SUBMITTED) == ["office", "office2"]
    message = Notification.objects.filter(kind=Kind.SIGNOFF_SUBMITTED).first()
    assert f"第{item.number}项" in message.body and item.title in message.body and str(item.inspection) in message.body
    assert f"http://127.0.0.1:8000/items/{item.pk}/" in message.body
    assert message.read_at is None


def test_return_tells_the_submitter_and_the_liaisons_never_the_reviewer(
    item, department, liaison, office_user, second_office_user
):
    from rectify.accounts.roles import Role
    from tests.conftest import make_user

    make_user("liaison_b", Role.LIAISON, department)
    signoff = submit(item, liaison)
    services.return_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user, reason="佐证材料不全")
    assert told(Kind.SIGNOFF_RETURNED) == ["liaison", "liaison_b"]
    message = Notification.objects.get(kind=Kind.SIGNOFF_RETURNED, recipient=liaison)
    assert "佐证材料不全" in message.body and "office" not in told(Kind.SIGNOFF_RETURNED)


def test_approval_tells_the_liaison(item, liaison, office_user):
    signoff = submit(item, liaison)
    services.approve_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user)
    assert told(Kind.SIGNOFF_APPROVED) == ["liaison"]


def test_extension_request_and_decision(item, liaison, office_user, second_office_user):
    extension = services.request_extension(
        item_id=item.pk, user=liaison, new_deadline=item.deadline + datetime.timedelta(days=30), reason="需招标"
    )
    assert told(Kind.EXTENSION_REQUESTED) == ["office", "office2"]
    services.decide_extension(item_id=item.pk, extension_id=extension.pk, user=office_user, approve=True)
    assert told(Kind.EXTENSION_DECIDED) == ["liaison"]
    assert "延至" in Notification.objects.get(kind=Kind.EXTENSION_DECIDED).body


def test_reassignment_tells_the_new_department_and_new_leaders(
    item, other_department, liaison, other_liaison, leader_user, office_user
):
    leader = Leader.objects.create(unit=the_unit(), name="王某", position="副主任", user=leader_user)
    services.update_item(
        item_id=item.pk,
        user=office_user,
        expected_version=item.version,
        changes={"lead_department": other_department},
        leaders=[leader],
    )
    assert told(Kind.ITEM_ASSIGNED) == ["leader", "liaison2"]
    # The same leader again is no news.
    item.refresh_from_db()
    services.update_item(
        item_id=item.pk, user=office_user, expected_version=item.version, changes={"title": "新标题"}, leaders=[leader]
    )
    assert Notification.objects.filter(kind=Kind.ITEM_ASSIGNED).count() == 2


def test_reopening_tells_liaisons(item, liaison, office_user):
    signoff = submit(item, liaison)
    services.approve_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user)
    services.reopen_item(
        item_id=item.pk,
        user=office_user,
        reason="回头看发现反弹",
        deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    assert told(Kind.ITEM_REOPENED) == ["liaison"]


def test_the_actor_is_never_told_even_in_two_roles(item, liaison, office_user):
    """An office member who is also the liaison submits: the other reviewers are told, not them."""
    from django.contrib.auth.models import Group

    liaison.groups.add(Group.objects.get(name="纪工委工作人员"))
    submit(item, liaison)
    assert told(Kind.SIGNOFF_SUBMITTED) == ["office"]


def test_an_event_recorded_twice_is_one_message(item, liaison, office_user):
    from rectify.ledger import events

    signoff = submit(item, liaison)
    events.signoff_submitted(item, signoff, actor=liaison)
    assert Notification.objects.filter(kind=Kind.SIGNOFF_SUBMITTED).count() == 1


def test_a_rolled_back_decision_leaves_no_message(item, liaison, office_user):
    from rectify.ledger.services import WorkflowError

    signoff = submit(item, liaison)
    with pytest.raises(WorkflowError):
        services.return_signoff(item_id=item.pk, signoff_id=signoff.pk + 99, user=office_user, reason="x")
    assert not Notification.objects.filter(kind=Kind.SIGNOFF_RETURNED).exists()


def test_email_choice_queues_an_email_in_app_only_does_not(item, liaison, office_user, second_office_user):
    office_user.email = "office@example.org"
    office_user.save()
    second_office_user.email = "office2@example.org"
    second_office_user.notify_channel = "in_app"
    second_office_user.save()
    submit(item, liaison)
    assert list(Delivery.objects.values_list("channel", "target")) == [("email", "office@example.org")]


def test_the_returned_request_is_on_the_liaisons_reminders_page_at_once(client, item, liaison, office_user):
    """The issue's first finding: after a return the 提醒 page said 暂无提醒。"""
    signoff = submit(item, liaison)
    services.return_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user, reason="请补充验收报告")
    client.force_login(liaison)
    assert 'data-unread="1"' in client.get("/items/").content.decode()
    listing = client.get("/notifications/").content.decode()
    assert "暂无提醒" not in listing and "销号申请被退回" in listing
    message = Notification.objects.get(recipient=liaison)
    opened = client.get(f"/notifications/{message.pk}/").content.decode()
    assert "请补充验收报告" in opened and f'href="/items/{item.pk}/" data-action="open-link"' in opened


def test_a_units_requests_go_to_its_own_office_else_to_the_supervising_office(item, liaison, office_user):
    """Units: the item's unit has an office of its own, so only it is told; in a unit without one,
    the office above it (here the supervising office, tied to no unit) is told."""
    from rectify.accounts.models import Department
    from rectify.accounts.roles import Role
    from tests.conftest import make_user
    from tests.factories import make_inspection, make_problem, make_unit

    make_user("unit_office", Role.DISCIPLINE_OFFICE, unit=the_unit())
    make_user("elsewhere_office", Role.DISCIPLINE_OFFICE, unit=make_unit("另一单位"))
    submit(item, liaison)
    assert told(Kind.SIGNOFF_SUBMITTED) == ["unit_office"]
    orphan = make_unit("无整改办的单位")
    department = Department.objects.create(unit=orphan, name="某局")
    orphan_item = make_item(
        make_problem(make_inspection(unit=orphan)),
        lead_department=department,
        deadline=timezone.localdate() + datetime.timedelta(days=20),
    )
    orphan_liaison = make_user("orphan_liaison", Role.LIAISON, department)
    submit(orphan_item, orphan_liaison)
    assert told(Kind.SIGNOFF_SUBMITTED) == ["office", "unit_office"]  # office: the supervising office
