"""send_reminders: who gets what, one digest per person per day, dry runs send nothing."""

import datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from rectify.accounts.models import Leader
from rectify.ledger.models import ProgressUpdate, RectificationItem
from rectify.notifications.models import Notification
from tests.factories import make_item, make_problem, the_unit

pytestmark = pytest.mark.django_db
Status = RectificationItem.Status
TODAY = datetime.date(2024, 6, 15)


@pytest.fixture
def ledger(department, other_department, liaison, other_liaison, leader_user, office_user, settings):
    """Red and yellow items in two departments; the leader leads one red item. The digests alone:
    the escalation ladder and the deadline notices are off (tests/notifications cover them)."""
    settings.RECTIFY_ESCALATION_URGE_DAYS = settings.RECTIFY_ESCALATION_SUPERVISE_DAYS = 10_000
    settings.RECTIFY_ESCALATION_INTERVIEW_DAYS = settings.RECTIFY_ESCALATION_SUPERVISE_RETURNS = 10_000
    settings.RECTIFY_DEADLINE_NOTICE_DAYS = []
    for user, address in (
        (liaison, "liaison@example.org"),
        (other_liaison, ""),
        (leader_user, "leader@example.org"),
        (office_user, "office@example.org"),
    ):
        user.email = address
        user.save()
    me = Leader.objects.create(unit=the_unit(), name="张某", position="书记", user=leader_user)
    problem = make_problem()
    day = datetime.timedelta(days=1)
    items = {
        "red_mine": make_item(
            problem,
            title="甲部门逾期",
            lead_department=department,
            leaders=[me],
            deadline=TODAY - day,
            status=Status.IN_PROGRESS,
        ),
        "yellow_mine": make_item(
            problem, title="甲部门临期", lead_department=department, deadline=TODAY + 3 * day, status=Status.IN_PROGRESS
        ),
        "green_mine": make_item(
            problem,
            title="甲部门正常",
            lead_department=department,
            deadline=TODAY + 60 * day,
            status=Status.IN_PROGRESS,
        ),
        "red_other": make_item(
            problem,
            title="乙部门逾期",
            lead_department=other_department,
            deadline=TODAY - 5 * day,
            status=Status.IN_PROGRESS,
        ),
        "done": make_item(
            problem, title="已完成", lead_department=department, deadline=TODAY - day, status=Status.COMPLETED
        ),
    }
    for key in ("yellow_mine", "red_other"):
        ProgressUpdate.objects.create(item=items[key], text="本月进展", reported_on=TODAY)
    return items


def bodies():
    return {message.to[0]: message.body for message in mail.outbox}


def test_who_gets_what(ledger):
    call_command("send_reminders", "--today", TODAY.isoformat())
    received = bodies()
    assert set(received) == {"liaison@example.org", "leader@example.org", "office@example.org"}
    liaison = received["liaison@example.org"]
    assert "甲部门逾期" in liaison and "甲部门临期" in liaison and "乙部门逾期" not in liaison
    assert "本月尚未报告进展" in liaison and "甲部门正常" in liaison  # no progress this month
    assert "已完成" not in liaison
    leader = received["leader@example.org"]
    assert "甲部门逾期" in leader and "甲部门临期" not in leader
    office = received["office@example.org"]
    assert "甲部门逾期" in office and "乙部门逾期" in office and "甲部门临期" not in office
    assert "http://127.0.0.1:8000/items/" in office
    # The other liaison has no address: reminded in the app only.
    other = Notification.objects.get(recipient__username="liaison2")
    assert not other.emailed and "乙部门逾期" in other.body
    assert Notification.objects.count() == 4


def test_a_units_office_is_reminded_of_its_units_items_only(ledger):
    from rectify.accounts.roles import Role
    from tests.conftest import make_user
    from tests.factories import make_inspection, make_unit

    elsewhere = make_unit("另一单位")
    make_item(
        make_problem(make_inspection(unit=elsewhere)), title="外单位逾期", deadline=TODAY - datetime.timedelta(days=2)
    )
    make_user("unit_office", Role.DISCIPLINE_OFFICE, unit=elsewhere, email="unit@example.org")
    call_command("send_reminders", "--today", TODAY.isoformat())
    received = bodies()
    assert "外单位逾期" in received["unit@example.org"] and "甲部门逾期" not in received["unit@example.org"]
    assert "外单位逾期" in received["office@example.org"]  # the supervising office sees every unit


def test_one_digest_per_person_not_one_mail_per_item(ledger):
    call_command("send_reminders", "--today", TODAY.isoformat())
    assert len(mail.outbox) == 3
    assert len({message.to[0] for message in mail.outbox}) == 3


def test_running_twice_a_day_sends_nothing_new(ledger):
    call_command("send_reminders", "--today", TODAY.isoformat())
    call_command("send_reminders", "--today", TODAY.isoformat())
    assert len(mail.outbox) == 3
    assert Notification.objects.count() == 4
    call_command("send_reminders", "--today", (TODAY + datetime.timedelta(days=1)).isoformat())
    assert len(mail.outbox) == 6


def test_dry_run_sends_nothing(ledger, capsys):
    call_command("send_reminders", "--dry-run", "--today", TODAY.isoformat())
    assert mail.outbox == []
    assert Notification.objects.count() == 0
    assert "演练" in capsys.readouterr().out


def test_nobody_gets_an_empty_mail(department, liaison):
    liaison.email = "liaison@example.org"
    liaison.save()
    make_item(lead_department=department, deadline=TODAY + datetime.timedelta(days=60), status=Status.COMPLETED)
    call_command("send_reminders", "--today", TODAY.isoformat())
    assert mail.outbox == []
    assert Notification.objects.count() == 0


def test_bad_date_is_a_chinese_error():
    with pytest.raises(CommandError, match="无法识别的日期"):
        call_command("send_reminders", "--today", "2024-13-45")


def test_notifications_in_the_app(client, ledger, liaison, other_liaison):
    call_command("send_reminders", "--today", TODAY.isoformat())
    client.force_login(liaison)
    page = client.get("/items/").content.decode()
    assert 'data-unread="1"' in page
    listing = client.get("/notifications/").content.decode()
    notification = Notification.objects.get(recipient=liaison)
    assert notification.title in listing
    opened = client.get(f"/notifications/{notification.pk}/").content.decode()
    assert "甲部门逾期" in opened
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert 'data-unread="' not in client.get("/items/").content.decode()
    # Someone else's reminder is not there for this user.
    theirs = Notification.objects.get(recipient=other_liaison)
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404


def test_mark_all_read(client, ledger, office_user):
    call_command("send_reminders", "--today", TODAY.isoformat())
    client.force_login(office_user)
    client.post("/notifications/read/")
    assert not Notification.objects.filter(recipient=office_user, read_at__isnull=True).exists()
