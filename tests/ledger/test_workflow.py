"""The 销号 and extension workflow as service calls: transitions, refusals, history."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rectify.ledger import services
from rectify.ledger.models import Decision, Evidence, RectificationItem
from tests.factories import make_item

pytestmark = pytest.mark.django_db
Status = RectificationItem.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf(name="证明.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def item(department):
    return make_item(lead_department=department, deadline=timezone.localdate() + datetime.timedelta(days=20))


def test_progress_moves_a_new_item_to_in_progress_and_keeps_files(item, liaison, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    update = services.add_progress(item_id=item.pk, user=liaison, text="已召开专题会", files=[pdf()])
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS
    evidence = update.evidence.get()
    assert evidence.uploaded_by == liaison and evidence.size == len(PDF)
    assert (tmp_path / evidence.file.name).read_bytes() == PDF
    assert item.history.latest("history_id").history_user == liaison


def test_a_bad_file_saves_neither_the_progress_nor_any_file(item, liaison, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("伪装.pdf", b"<html>not a pdf</html>")
    with pytest.raises(ValidationError) as raised:
        services.add_progress(item_id=item.pk, user=liaison, text="进展", files=[pdf(), fake])
    assert "内容与扩展名" in str(raised.value)
    assert item.progress_updates.count() == 0
    assert Evidence.objects.count() == 0
    assert not any(path.is_file() for path in tmp_path.rglob("*"))


def test_submit_without_evidence_is_refused(item, liaison):
    with pytest.raises(services.WorkflowError, match="至少上传一份佐证材料"):
        services.submit_signoff(item_id=item.pk, user=liaison, note="已完成")
    item.refresh_from_db()
    assert item.status == Status.NOT_STARTED


def test_submit_without_note_is_refused(item, liaison, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    services.add_evidence(item_id=item.pk, user=liaison, upload=pdf())
    with pytest.raises(services.WorkflowError, match="销号说明"):
        services.submit_signoff(item_id=item.pk, user=liaison, note="  ")


def test_submit_approve(item, liaison, office_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    services.add_evidence(item_id=item.pk, user=liaison, upload=pdf())
    signoff = services.submit_signoff(item_id=item.pk, user=liaison, note="各项措施已落实")
    item.refresh_from_db()
    assert item.status == Status.PENDING_SIGNOFF
    services.approve_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user)
    item.refresh_from_db()
    signoff.refresh_from_db()
    assert item.status == Status.COMPLETED and item.completed_on == timezone.localdate()
    assert signoff.decision == Decision.APPROVED and signoff.reviewed_by == office_user
    last = item.history.latest("history_id")
    assert last.history_user == office_user and last.history_change_reason == "销号审核通过"
    with pytest.raises(services.WorkflowError, match="已经审核过"):
        services.return_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user, reason="再看看")


def test_return_needs_a_reason_and_counts(item, liaison, office_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    services.add_evidence(item_id=item.pk, user=liaison, upload=pdf())
    signoff = services.submit_signoff(item_id=item.pk, user=liaison, note="完成")
    with pytest.raises(services.WorkflowError, match="退回理由"):
        services.return_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user, reason="")
    services.return_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user, reason="佐证材料不足")
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS and item.return_count == 1
    again = services.submit_signoff(item_id=item.pk, user=liaison, note="补充材料后再次申请")
    services.return_signoff(item_id=item.pk, signoff_id=again.pk, user=office_user, reason="仍不足")
    item.refresh_from_db()
    assert item.return_count == 2


def test_reopen_a_completed_item(item, office_user):
    RectificationItem.objects.filter(pk=item.pk).update(status=Status.COMPLETED, completed_on=timezone.localdate())
    new_deadline = timezone.localdate() + datetime.timedelta(days=30)
    with pytest.raises(services.WorkflowError, match="理由"):
        services.reopen_item(item_id=item.pk, user=office_user, reason="", deadline=new_deadline)
    with pytest.raises(services.WorkflowError, match="新完成时限"):
        services.reopen_item(item_id=item.pk, user=office_user, reason="x", deadline=timezone.localdate())
    services.reopen_item(item_id=item.pk, user=office_user, reason="回头看发现问题反弹", deadline=new_deadline)
    item.refresh_from_db()
    assert item.status == Status.IN_PROGRESS and item.completed_on is None
    assert item.deadline == new_deadline and not item.is_overdue()
    assert "问题反弹" in item.history.latest("history_id").history_change_reason


def test_reopen_only_completed_or_long_term(item, office_user):
    later = timezone.localdate() + datetime.timedelta(days=30)
    with pytest.raises(services.WorkflowError, match="当前状态为「未启动」，不能回头看"):
        services.reopen_item(item_id=item.pk, user=office_user, reason="x", deadline=later)


def test_completed_items_take_no_more_work(item, liaison):
    RectificationItem.objects.filter(pk=item.pk).update(status=Status.COMPLETED, completed_on=timezone.localdate())
    with pytest.raises(services.WorkflowError, match="已销号"):
        services.add_progress(item_id=item.pk, user=liaison, text="x")
    with pytest.raises(services.WorkflowError, match="已销号"):
        services.request_extension(
            item_id=item.pk, user=liaison, new_deadline=timezone.localdate() + datetime.timedelta(days=90), reason="x"
        )


def test_extension_approved_keeps_the_original_deadline(item, liaison, office_user):
    first = item.deadline
    later = first + datetime.timedelta(days=30)
    extension = services.request_extension(item_id=item.pk, user=liaison, new_deadline=later, reason="资金未到位")
    with pytest.raises(services.WorkflowError, match="待审核的延期申请"):
        services.request_extension(item_id=item.pk, user=liaison, new_deadline=later, reason="再申请")
    services.decide_extension(item_id=item.pk, extension_id=extension.pk, user=office_user, approve=True)
    item.refresh_from_db()
    assert item.deadline == later and item.original_deadline == first
    second = services.request_extension(
        item_id=item.pk, user=liaison, new_deadline=later + datetime.timedelta(days=10), reason="又遇困难"
    )
    services.decide_extension(item_id=item.pk, extension_id=second.pk, user=office_user, approve=True)
    item.refresh_from_db()
    assert item.original_deadline == first


def test_extension_refused_needs_a_reason_and_changes_nothing(item, liaison, office_user):
    later = item.deadline + datetime.timedelta(days=30)
    extension = services.request_extension(item_id=item.pk, user=liaison, new_deadline=later, reason="资金未到位")
    with pytest.raises(services.WorkflowError, match="理由"):
        services.decide_extension(item_id=item.pk, extension_id=extension.pk, user=office_user, approve=False)
    services.decide_extension(
        item_id=item.pk, extension_id=extension.pk, user=office_user, approve=False, note="理由不充分"
    )
    item.refresh_from_db()
    extension.refresh_from_db()
    assert item.deadline == later - datetime.timedelta(days=30) and item.original_deadline is None
    assert extension.decision == Decision.REJECTED


def test_extension_must_move_the_deadline_later(item, liaison):
    with pytest.raises(services.WorkflowError, match="须晚于现在的完成时限"):
        services.request_extension(item_id=item.pk, user=liaison, new_deadline=item.deadline, reason="x")


def test_stale_edit_is_refused_and_names_who_saved(item, office_user):
    stale = item.version
    services.update_item(item_id=item.pk, user=office_user, expected_version=stale, changes={"note": "第一次"})
    with pytest.raises(services.ConflictError) as raised:
        services.update_item(item_id=item.pk, user=office_user, expected_version=stale, changes={"note": "第二次"})
    assert "office" in str(raised.value) and "修改" in str(raised.value)
    item.refresh_from_db()
    assert item.note == "第一次"


def test_bulk_update_all_or_nothing(item, office_user, other_department):
    second = make_item(item.problem)
    count = services.bulk_apply(
        item_ids=[item.pk, second.pk], user=office_user, action="lead_department", lead_department=other_department
    )
    assert count == 2
    assert set(RectificationItem.objects.values_list("lead_department", flat=True)) == {other_department.pk}
    with pytest.raises(services.WorkflowError, match="已不存在"):
        services.bulk_apply(item_ids=[item.pk, 999999], user=office_user, action="approve")
    assert not RectificationItem.objects.filter(status=Status.COMPLETED).exists()
