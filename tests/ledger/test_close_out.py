"""Close-out integrity: the transition table by role and state, four eyes, the bypass paths that
must not change status, check_ledger, and the audit trail of every decision."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from rectify.accounts.models import AuditEvent
from rectify.accounts.roles import Role
from rectify.ledger import services
from rectify.ledger.invariants import broken_invariants
from rectify.ledger.models import Decision, Extension, Inspection, RectificationItem
from rectify.ledger.status import TRANSITIONS, Status
from tests.conftest import make_user
from tests.factories import force_status, make_item, the_unit

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = timezone.localdate
LATER = lambda: timezone.localdate() + datetime.timedelta(days=30)  # noqa: E731


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def item(department):
    return make_item(lead_department=department, deadline=TODAY() + datetime.timedelta(days=20))


@pytest.fixture
def second_office(db):
    return make_user("office2", Role.DISCIPLINE_OFFICE, is_staff=True)


@pytest.fixture
def clean_ledger():
    """Every scenario that uses it ends with a ledger check_ledger finds clean."""
    yield
    assert broken_invariants() == []


def pending_signoff(item, user):
    services.add_evidence(item_id=item.pk, user=user, upload=SimpleUploadedFile("证明.pdf", PDF))
    return services.submit_signoff(item_id=item.pk, user=user, note="措施已落实")


def kinds() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("kind", flat=True))


# --- The transition table ---------------------------------------------------------------------


def _fire(name, item, user):
    if name == "start":
        return services.start_item(item_id=item.pk, user=user)
    if name == "submit":
        services.add_evidence(item_id=item.pk, user=user, upload=SimpleUploadedFile("a.pdf", PDF)) if not (
            item.evidence.exists()
        ) and item.status != Status.COMPLETED else None
        return services.submit_signoff(item_id=item.pk, user=user, note="完成")
    if name in ("approve", "send_back"):
        signoff = item.signoffs.filter(decision=Decision.PENDING).first()
        signoff_id = signoff.pk if signoff else 0
        if name == "approve":
            return services.approve_signoff(item_id=item.pk, signoff_id=signoff_id, user=user)
        return services.return_signoff(item_id=item.pk, signoff_id=signoff_id, user=user, reason="材料不足")
    if name == "designate_long_term":
        return services.designate_long_term(item_id=item.pk, user=user, reason="需长期坚持", next_review_on=LATER())
    return services.reopen_item(item_id=item.pk, user=user, reason="回头看", deadline=LATER())


@pytest.mark.parametrize("state", list(Status))
@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: t.name)
def test_each_transition_fires_only_from_its_states(transition, state, item, liaison, office_user, second_office):
    """Set up ``state`` (with the request a pending item has), then fire as the office."""
    if state == Status.PENDING_SIGNOFF:
        pending_signoff(item, liaison)
    else:
        force_status(item, state)
        item.completed_on = TODAY() if state == Status.COMPLETED else None
        item.save()
    item.refresh_from_db()
    before = item.status
    # A 销号 request on a not-started item is its first report: the service starts it first.
    allowed = transition.sources | ({Status.NOT_STARTED} if transition.name == "submit" else set())
    if state in allowed:
        _fire(transition.name, item, second_office)
        item.refresh_from_db()
        assert item.status == transition.target
    else:
        with pytest.raises(services.WorkflowError) as raised:
            _fire(transition.name, item, second_office)
        item.refresh_from_db()
        assert item.status == before
        assert str(raised.value)  # a Chinese reason


@pytest.mark.parametrize("name", ["start", "designate_long_term", "approve", "send_back"])
def test_office_only_transitions_are_refused_to_the_liaison_and_leader(name, item, liaison, leader_user, office_user):
    if name in ("approve", "send_back"):
        pending_signoff(item, office_user)
    for user in (leader_user,) if name == "start" else (liaison, leader_user):
        with pytest.raises(services.WorkflowError, match="没有权限"):
            _fire(name, item, user)
    item.refresh_from_db()
    assert item.status in (Status.NOT_STARTED, Status.PENDING_SIGNOFF)


def test_liaison_of_another_department_may_not_submit(item, other_liaison, liaison, settings):
    services.add_evidence(item_id=item.pk, user=liaison, upload=SimpleUploadedFile("a.pdf", PDF))
    services.start_item(item_id=item.pk, user=liaison)
    with pytest.raises(services.WorkflowError, match="没有权限"):
        services.submit_signoff(item_id=item.pk, user=other_liaison, note="完成")
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS


def test_approval_dates(item, liaison, office_user, clean_ledger):
    signoff = pending_signoff(item, liaison)
    with pytest.raises(services.WorkflowError, match="不能晚于今天"):
        services.approve_signoff(
            item_id=item.pk, signoff_id=signoff.pk, user=office_user, completed_on=TODAY() + datetime.timedelta(1)
        )
    feedback = TODAY() - datetime.timedelta(days=100)
    Inspection.objects.filter(pk=item.inspection_id).update(feedback_date=feedback)
    with pytest.raises(services.WorkflowError, match="不能早于巡视反馈日期"):
        services.approve_signoff(
            item_id=item.pk, signoff_id=signoff.pk, user=office_user, completed_on=feedback - datetime.timedelta(1)
        )
    earlier = TODAY() - datetime.timedelta(days=5)
    services.approve_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user, completed_on=earlier)
    item.refresh_from_db()
    assert item.status == Status.COMPLETED and item.completed_on == earlier


def test_long_term_then_submit_then_reopen(item, liaison, office_user, second_office, clean_ledger):
    with pytest.raises(services.WorkflowError, match="下次复查日期"):
        services.designate_long_term(item_id=item.pk, user=office_user, reason="x", next_review_on=TODAY())
    services.designate_long_term(item_id=item.pk, user=office_user, reason="制度建设需长期坚持", next_review_on=LATER())
    item.refresh_from_db()
    assert item.status == Status.ONGOING and item.next_review_on == LATER()
    signoff = pending_signoff(item, liaison)
    services.approve_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user)
    services.reopen_item(item_id=item.pk, user=second_office, reason="回头看发现反弹", deadline=LATER())
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS and item.light().value != "red"


# --- Four eyes ----------------------------------------------------------------------------------


def test_nobody_decides_their_own_signoff(item, office_user, second_office, client, clean_ledger):
    signoff = pending_signoff(item, office_user)  # the office files on the department's behalf
    with pytest.raises(services.WorkflowError, match="四眼原则"):
        services.approve_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user)
    client.force_login(office_user)
    page = client.get(item.get_absolute_url()).content.decode()
    assert "批准销号</button>" not in page and "须由纪工委其他工作人员审核" in page
    client.post(reverse("ledger:approve-signoff", args=[item.pk, signoff.pk]), {"checked": "on"})
    item.refresh_from_db()
    assert item.status == Status.PENDING_SIGNOFF
    client.force_login(second_office)
    assert "批准销号</button>" in client.get(item.get_absolute_url()).content.decode()
    services.approve_signoff(item_id=item.pk, signoff_id=signoff.pk, user=second_office)
    signoff.refresh_from_db()
    assert signoff.reviewed_by == second_office and not signoff.self_reviewed


def test_nobody_decides_their_own_extension(item, office_user, second_office, clean_ledger):
    extension = services.request_extension(item_id=item.pk, user=office_user, new_deadline=LATER(), reason="资金")
    with pytest.raises(services.WorkflowError, match="四眼原则"):
        services.decide_extension(item_id=item.pk, extension_id=extension.pk, user=office_user, approve=True)
    services.decide_extension(item_id=item.pk, extension_id=extension.pk, user=second_office, approve=True)
    item.refresh_from_db()
    assert item.deadline == LATER()


def test_an_office_of_one_may_decide_its_own_when_four_eyes_is_off(item, office_user, settings, clean_ledger):
    settings.RECTIFY_FOUR_EYES = False
    signoff = pending_signoff(item, office_user)
    services.approve_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user)
    signoff.refresh_from_db()
    assert signoff.self_reviewed
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SIGNOFF_APPROVED)
    assert "本人审核" in event.detail


# --- Nothing else changes status -----------------------------------------------------------------


def test_the_edit_form_cannot_set_status(client, item, office_user):
    client.force_login(office_user)
    data = {"title": item.title, "kind": item.kind, "version": item.version, "status": "completed"}
    data.update({"completed_on": TODAY().isoformat(), "lead_department": item.lead_department_id})
    client.post(reverse("ledger:item-edit", args=[item.pk]), data)
    item.refresh_from_db()
    assert item.status == Status.NOT_STARTED and item.completed_on is None
    with pytest.raises(services.WorkflowError, match="不能直接修改"):
        services.update_item(
            item_id=item.pk, user=office_user, expected_version=None, changes={"status": Status.COMPLETED}
        )


def test_the_admin_cannot_set_status(client, item, office_user):
    client.force_login(office_user)
    url = reverse("admin:ledger_rectificationitem_change", args=[item.pk])
    page = client.get(url).content.decode()
    assert 'name="status"' not in page
    data = {
        "inspection": item.inspection_id,
        "problem": item.problem_id,
        "number": item.number,
        "title": item.title,
        "kind": item.kind,
        "status": "completed",
        "completed_on": TODAY().isoformat(),
        "measures-TOTAL_FORMS": 0,
        "measures-INITIAL_FORMS": 0,
    }
    client.post(url, data)
    item.refresh_from_db()
    assert item.status == Status.NOT_STARTED
    # Decisions are read-only in the admin.
    signoff_add = client.get(reverse("admin:ledger_signoff_add"))
    assert signoff_add.status_code == 403


def test_bulk_cannot_set_a_status(client, item, office_user):
    client.force_login(office_user)
    data = {"items": [item.pk], "action": "status", "status": "completed", "confirm": "yes"}
    client.post(reverse("ledger:bulk-action"), data)
    item.refresh_from_db()
    assert item.status == Status.NOT_STARTED


def test_the_protected_field_refuses_assignment(item):
    with pytest.raises(AttributeError):
        item.status = Status.COMPLETED


# --- Bulk transitions ---------------------------------------------------------------------------


def test_bulk_approve_is_all_or_nothing_and_audited(client, item, liaison, office_user, clean_ledger):
    second = make_item(item.problem, lead_department=item.lead_department)
    pending_signoff(item, liaison)
    client.force_login(office_user)
    data = {"items": [item.pk, second.pk], "action": "approve"}
    response = client.post(reverse("ledger:bulk-action"), {**data, "confirm": "yes"}, follow=True)
    assert f"第{second.number}项：第{second.number}项没有待审核的销号申请" in response.content.decode()
    assert not RectificationItem.objects.filter(status=Status.COMPLETED).exists()
    pending_signoff(second, liaison)
    confirm = client.post(reverse("ledger:bulk-action"), data).content.decode()
    assert "批准所选事项的待审核销号申请" in confirm
    client.post(reverse("ledger:bulk-action"), {**data, "confirm": "yes"})
    assert RectificationItem.objects.filter(status=Status.COMPLETED).count() == 2
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.BULK_ACTION).count() == 1


def test_bulk_deadline_is_a_recorded_extension(item, office_user, clean_ledger):
    first = item.deadline
    services.bulk_apply(item_ids=[item.pk], user=office_user, action="deadline", deadline=LATER(), reason="统一调整")
    item.refresh_from_db()
    assert item.deadline == LATER() and item.original_deadline == first
    extension = Extension.objects.get(item=item)
    assert extension.origin == "office" and extension.decision == Decision.APPROVED


def test_bulk_leaders_replace_or_append(item, office_user):
    from rectify.accounts.models import Leader

    old, new = (
        Leader.objects.create(unit=the_unit(), name="甲", position="书记"),
        Leader.objects.create(unit=the_unit(), name="乙", position="主任"),
    )
    item.leaders.set([old])
    services.bulk_apply(item_ids=[item.pk], user=office_user, action="leaders", leaders=[new], append=True)
    assert set(item.leaders.all()) == {old, new}
    services.bulk_apply(item_ids=[item.pk], user=office_user, action="leaders", leaders=[new], append=False)
    assert set(item.leaders.all()) == {new}


# --- check_ledger -------------------------------------------------------------------------------


def test_check_ledger_is_clean_on_the_seed(seed, capsys):
    call_command("check_ledger")
    assert "未发现问题" in capsys.readouterr().out


def test_check_ledger_names_each_broken_invariant(seed, capsys):
    item = RectificationItem.objects.get(number=21)
    RectificationItem.objects.filter(pk=item.pk).update(status=Status.COMPLETED, completed_on=TODAY())
    RectificationItem.objects.filter(number=20).update(completed_on=TODAY() + datetime.timedelta(days=3))
    RectificationItem.objects.filter(number=19).update(original_deadline=datetime.date(2023, 9, 30))
    RectificationItem.objects.filter(number=18).update(status=Status.PENDING_SIGNOFF)
    with pytest.raises(CommandError) as raised:
        call_command("check_ledger")
    out = capsys.readouterr().out
    assert "第21项：已完成（已销号），但没有批准或导入的销号记录" in out
    assert "第20项：完成日期晚于今天" in out
    assert "第19项：记有原完成时限，但没有批准的延期记录" in out
    assert "第18项：状态为待销号，但待审核的销号申请不是恰好一份" in out
    assert "第18项：未销号，却记有完成日期" in out
    assert raised.value.returncode == 1 and "5 处问题" in str(raised.value)


def test_check_ledger_names_departments_and_leaders_of_another_unit(seed, capsys):
    from rectify.accounts.models import Department, Leader
    from tests.factories import make_unit

    elsewhere = make_unit("另一单位")
    stranger = Department.objects.create(unit=elsewhere, name="外单位财政局")
    RectificationItem.objects.filter(number=3).update(lead_department=stranger)
    RectificationItem.objects.get(number=4).co_departments.add(stranger)
    RectificationItem.objects.get(number=5).leaders.add(
        Leader.objects.create(unit=elsewhere, name="外某", position="x")
    )
    with pytest.raises(CommandError):
        call_command("check_ledger")
    out = capsys.readouterr().out
    assert "第3项：责任部门属于其他单位" in out
    assert "第4项：配合部门属于其他单位" in out
    assert "第5项：责任领导属于其他单位" in out
    assert "第6项" not in out


# --- The audit trail ----------------------------------------------------------------------------


def test_every_decision_is_an_audit_event(item, liaison, office_user, second_office, client):
    signoff = pending_signoff(item, liaison)
    services.return_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user, reason="材料不足")
    signoff = services.submit_signoff(item_id=item.pk, user=liaison, note="已补充")
    services.approve_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user)
    services.reopen_item(item_id=item.pk, user=office_user, reason="回头看", deadline=LATER())
    extension = services.request_extension(
        item_id=item.pk, user=liaison, new_deadline=LATER() + datetime.timedelta(days=10), reason="x"
    )
    services.decide_extension(item_id=item.pk, extension_id=extension.pk, user=office_user, approve=False, note="否")
    services.designate_long_term(item_id=item.pk, user=office_user, reason="长期", next_review_on=LATER())
    services.delete_inspection(inspection_id=item.inspection_id, user=second_office, typed_name=item.inspection.name)
    K = AuditEvent.Kind
    assert kinds() == [
        K.ITEM_STARTED,
        K.SIGNOFF_SUBMITTED,
        K.SIGNOFF_RETURNED,
        K.SIGNOFF_SUBMITTED,
        K.SIGNOFF_APPROVED,
        K.ITEM_REOPENED,
        K.EXTENSION_REQUESTED,
        K.EXTENSION_DECIDED,
        K.LONG_TERM_DESIGNATED,
        K.INSPECTION_DELETED,
    ]
    returned = AuditEvent.objects.get(kind=K.SIGNOFF_RETURNED)
    assert returned.user == office_user and returned.object_id == str(item.pk)
    assert returned.changes["完成状态"] == ["待销号", "整改中"] and returned.changes["退回次数"] == ["0", "1"]
    # The auditor sees them, filters by kind and object, and downloads the list (itself audited).
    auditor = make_user("auditor", Role.AUDITOR)
    client.force_login(auditor)
    page = client.get(reverse("accounts:audit-log"), {"kind": K.SIGNOFF_RETURNED}).content.decode()
    assert '<td class="text-nowrap">退回销号申请</td>' in page and "材料不足" in page
    assert '<td class="text-nowrap">批准销号</td>' not in page
    page = client.get(reverse("accounts:audit-log"), {"object": f"{item.number}. "}).content.decode()
    assert "回头看重新打开" in page
    response = client.get(reverse("accounts:audit-xlsx"), {"kind": K.SIGNOFF_RETURNED})
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxml")
    assert AuditEvent.objects.filter(kind=K.AUDIT_EXPORTED, user=auditor).exists()
    import io

    from openpyxl import load_workbook

    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert rows[0][1] == "事件" and [row[1] for row in rows[1:]] == ["退回销号申请"]


def test_the_ledger_edit_is_audited_old_to_new(item, office_user):
    services.update_item(item_id=item.pk, user=office_user, expected_version=None, changes={"title": "新标题"})
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.LEDGER_EDITED)
    assert event.changes["整改事项"] == ["整改事项1", "新标题"]


# --- Deleting a round ---------------------------------------------------------------------------


def test_deleting_a_round_needs_its_name_and_is_soft(client, item, office_user, liaison):
    client.force_login(office_user)
    url = reverse("ledger:inspection-delete", args=[item.inspection_id])
    response = client.post(url, {"name": "不对的名字"}, follow=True)
    assert "名称不一致" in response.content.decode()
    assert Inspection.objects.active().filter(pk=item.inspection_id).exists()
    client.post(url, {"name": item.inspection.name})
    assert not Inspection.objects.active().filter(pk=item.inspection_id).exists()
    assert RectificationItem.objects.filter(pk=item.pk).exists()  # kept, not cascaded
    listing = client.get(reverse("ledger:inspection-list")).content.decode()
    assert "已删除" in listing and item.inspection.name in listing
    assert client.get(item.get_absolute_url()).status_code == 404
    assert item.title not in client.get(reverse("ledger:item-list")).content.decode()
    client.force_login(liaison)
    assert client.get(url).status_code == 403
