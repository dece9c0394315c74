"""The escalation ladder with `send_reminders --today`: 催办 at 1 day, 督办 at 7 (or after two
returns), 约谈提醒 at 15, each step once; closed by an extension; the 督办通知单 read back."""

import datetime
import io

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from rectify.accounts.models import Leader
from rectify.ledger import services
from rectify.ledger.models import Escalation, RectificationItem
from rectify.notifications.models import Notification
from tests.factories import force_status, make_item, the_unit

pytestmark = pytest.mark.django_db
DEADLINE = datetime.date(2024, 6, 30)
Level = Escalation.Level


@pytest.fixture
def item(department, liaison, leader_user, office_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    principal = Leader.objects.create(unit=the_unit(), name="李某", position="书记", user=leader_user, sort_order=1)
    return make_item(
        title="项目审批不规范",
        lead_department=department,
        leaders=[principal],
        deadline=DEADLINE,
        status=RectificationItem.Status.IN_PROGRESS,
    )


def run(days_after: int):
    call_command("send_reminders", "--today", (DEADLINE + datetime.timedelta(days=days_after)).isoformat())


def levels(item):
    return sorted(item.escalations.values_list("level", flat=True))


@pytest.mark.parametrize(
    "days, expected",
    [
        (0, []),
        (1, [Level.URGE]),
        (6, [Level.URGE]),
        (7, [Level.URGE, Level.SUPERVISE]),
        (14, [Level.URGE, Level.SUPERVISE]),
        (15, [Level.URGE, Level.SUPERVISE, Level.INTERVIEW]),
    ],
)
def test_the_ladder_by_days_overdue(item, days, expected):
    run(days)
    assert levels(item) == expected
    run(days)  # a second run raises none
    assert levels(item) == expected


def test_climbing_day_by_day_raises_each_step_once(item, liaison, leader_user, office_user):
    for days in (0, 1, 6, 7, 14, 15, 15, 16):
        run(days)
    assert levels(item) == [Level.URGE, Level.SUPERVISE, Level.INTERVIEW]
    urge, supervise, interview = item.escalations.order_by("level")
    assert urge.raised_on == DEADLINE + datetime.timedelta(days=1)
    assert supervise.raised_on == DEADLINE + datetime.timedelta(days=7) and supervise.days_overdue == 7
    escalated = Notification.objects.filter(kind=Notification.Kind.ESCALATED)
    assert sorted(escalated.values_list("recipient__username", "title")) == sorted(
        [
            ("liaison", f"催办：第{item.number}项 项目审批不规范"),
            ("leader", f"督办：第{item.number}项 项目审批不规范"),
            ("office", f"约谈提醒：第{item.number}项 项目审批不规范"),
            ("leader", f"约谈提醒：第{item.number}项 项目审批不规范"),
        ]
    )
    assert "督办〔2024〕1号" in escalated.get(title__startswith="督办").body


def test_two_returns_raise_a_supervision_before_the_deadline(item):
    RectificationItem.objects.filter(pk=item.pk).update(return_count=2)
    run(-20)
    assert levels(item) == [Level.SUPERVISE]
    assert item.escalations.get().reason == "销号申请已被退回2次"


def test_an_extension_closes_the_steps_and_a_new_deadline_starts_afresh(item, office_user):
    run(7)
    item.refresh_from_db()
    services.update_item(
        item_id=item.pk,
        user=office_user,
        expected_version=item.version,
        changes={"deadline": timezone.localdate() + datetime.timedelta(days=400)},
    )
    assert not item.escalations.filter(closed_on__isnull=True).exists()
    assert set(item.escalations.values_list("close_reason", flat=True)) == {
        f"完成时限延至{(timezone.localdate() + datetime.timedelta(days=400)).year}年"
        f"{(timezone.localdate() + datetime.timedelta(days=400)).month}月"
        f"{(timezone.localdate() + datetime.timedelta(days=400)).day}日"
    }


def test_completed_and_long_term_items_do_not_climb(item):
    force_status(item, RectificationItem.Status.COMPLETED)
    item.completed_on = DEADLINE
    item.save()
    run(30)
    assert levels(item) == []


def test_notice_numbers_count_per_year(item, department):
    other = make_item(lead_department=department, deadline=DEADLINE, status=RectificationItem.Status.IN_PROGRESS)
    run(7)
    numbers = sorted(Escalation.objects.filter(level=Level.SUPERVISE).values_list("notice_number", flat=True))
    assert numbers == [1, 2]
    assert other.escalations.filter(level=Level.SUPERVISE).exists()


def test_the_supervision_notice_docx(item, client, office_user, tmp_path):
    run(9)
    supervise = item.escalations.get(level=Level.SUPERVISE)
    client.force_login(office_user)
    response = client.get(f"/items/{item.pk}/escalations/{supervise.pk}/notice.docx")
    assert response.status_code == 200
    document = docx.Document(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "督办通知单" and texts[1] == "督办〔2024〕1号"
    body = "".join(texts)
    assert "项目审批不规范" in body and "2024年6月30日" in body and "已逾期9天" in body
    assert "2024年7月14日前" in body  # reply within five days of 2024-07-09
    title_run = document.paragraphs[0].runs[0]
    assert title_run.font.name == "方正小标宋简体" and title_run.font.size.pt == 22
    assert (
        title_run._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "方正小标宋简体"
    )
    assert document.paragraphs[3].runs[0].font.name == "仿宋_GB2312"
    # The stored copy attached to the e-mail says the same.
    stored = docx.Document(
        str(tmp_path / "supervision" / "2024" / f"督办〔2024〕1号督办通知单（第{item.number}项）.docx")
    )
    assert [p.text for p in stored.paragraphs] == texts


def test_the_item_page_shows_its_record(item, client, office_user, liaison):
    run(8)
    client.force_login(liaison)
    page = client.get(f"/items/{item.pk}/").content.decode()
    assert "督办记录" in page and "催办" in page and "督办〔2024〕1号" in page and "李某" in page


def test_the_list_filters_by_level(item, department, client, office_user):
    calm = make_item(title="按期推进", lead_department=department, deadline=DEADLINE + datetime.timedelta(days=900))
    run(8)
    client.force_login(office_user)
    page = client.get("/items/", {"escalation": Level.SUPERVISE}).content.decode()
    assert "项目审批不规范" in page and calm.title not in page


def test_the_dashboard_counts_items_by_level(item, department, client, office_user):
    make_item(
        title="刚逾期",
        lead_department=department,
        deadline=DEADLINE + datetime.timedelta(days=6),
        status=RectificationItem.Status.IN_PROGRESS,
    )
    client.force_login(office_user)
    run(8)  # item: 催办 + 督办 (highest 督办); the other: 催办
    page = client.get("/", {"inspection": "all"}).content.decode()
    assert 'data-level-count="1">催办 <strong>1</strong>项' in page
    assert 'data-level-count="2">督办 <strong>1</strong>项' in page
    assert 'data-level-count="3">约谈提醒 <strong>0</strong>项' in page
    assert "/items/?escalation=2" in page
    listed = client.get("/items/", {"escalation": 1}).content.decode()
    assert "刚逾期" in listed and "项目审批不规范" not in listed


def test_sending_is_queued_no_page_gains_a_query_per_recipient(
    department, liaison, client, office_user, settings, tmp_path
):
    """Returning a 销号 request costs the same queries for 1 liaison as for 12."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from rectify.accounts.roles import Role
    from tests.conftest import make_user

    settings.MEDIA_ROOT = tmp_path
    liaison.email = "liaison@example.org"
    liaison.save()
    client.force_login(office_user)
    counts = []
    for extra in (0, 11):
        for n in range(extra):
            make_user(f"liaison_x{n}", Role.LIAISON, department, email=f"x{n}@example.org")
        one = make_item(lead_department=department, deadline=DEADLINE + datetime.timedelta(days=900))
        services.add_evidence(item_id=one.pk, user=liaison, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n"))
        signoff = services.submit_signoff(item_id=one.pk, user=liaison, note="完成")
        with CaptureQueriesContext(connection) as queries:
            client.post(f"/items/{one.pk}/signoff/{signoff.pk}/return/", {"reason": "不全"})
        counts.append(len(queries))
        assert (
            Notification.objects.filter(kind="signoff_returned", event_key=f"signoff:{signoff.pk}:decided").count()
            == 1 + extra
        )
    assert counts[0] == counts[1]


def test_the_liaisons_home_says_what_needs_them(item, department, liaison, office_user, client, tmp_path):
    """Returned requests with the reviewer's reason, escalated items with their level, deadlines
    this week: each with its action a click away."""
    soon = make_item(
        title="本周到期",
        lead_department=department,
        deadline=timezone.localdate() + datetime.timedelta(days=3),
        status=RectificationItem.Status.IN_PROGRESS,
    )
    returned = make_item(
        title="被退回事项",
        lead_department=department,
        deadline=timezone.localdate() + datetime.timedelta(days=60),
        status=RectificationItem.Status.IN_PROGRESS,
    )
    services.add_evidence(item_id=returned.pk, user=liaison, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n"))
    signoff = services.submit_signoff(item_id=returned.pk, user=liaison, note="完成")
    services.return_signoff(item_id=returned.pk, signoff_id=signoff.pk, user=office_user, reason="缺少验收报告")
    call_command("send_reminders", "--today", timezone.localdate().isoformat())  # item: long overdue
    client.force_login(liaison)
    page = client.get("/").content.decode()
    assert "退回理由：缺少验收报告" in page and f"/items/{returned.pk}/#signoff" in page
    assert 'data-todo="escalated"' in page and "约谈提醒" in page and f"/items/{item.pk}/#progress" in page
    assert "本周到期" in page and f"/items/{soon.pk}/#extension" in page


def test_the_supervision_email_carries_the_notice(item, leader_user, django_capture_on_commit_callbacks):
    from django.core import mail

    leader_user.email = "leader@example.org"
    leader_user.save()
    with django_capture_on_commit_callbacks(execute=True):
        run(7)
    to_leader = [m for m in mail.outbox if m.to == ["leader@example.org"] and m.subject.startswith("督办：")]
    assert len(to_leader) == 1
    ((name, content, mimetype),) = to_leader[0].attachments
    assert name == f"督办〔2024〕1号督办通知单（第{item.number}项）.docx" and "wordprocessingml" in mimetype
    assert docx.Document(io.BytesIO(content)).paragraphs[1].text == "督办〔2024〕1号"


def test_deadline_notices_seven_three_and_one_day_ahead(item, liaison, leader_user):
    for days_before in range(10, -1, -1):
        run(-days_before)
        run(-days_before)  # a rerun adds nothing
    ahead = Notification.objects.filter(kind=Notification.Kind.DEADLINE_AHEAD)
    assert sorted(ahead.values_list("recipient__username", "title")) == sorted(
        (user, f"还剩{n}天到期：第{item.number}项 项目审批不规范") for user in ("leader", "liaison") for n in (7, 3, 1)
    )


def test_deadline_notice_days_are_configurable(item, settings):
    settings.RECTIFY_DEADLINE_NOTICE_DAYS = [5]
    run(-5)
    run(-3)
    assert set(Notification.objects.filter(kind="deadline_ahead").values_list("title", flat=True)) == {
        f"还剩5天到期：第{item.number}项 项目审批不规范"
    }
