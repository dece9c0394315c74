"""Imports go through review: a new round's past completions get sign-offs of origin 导入, a
re-import files 销号 requests instead of completing, an import can be withdrawn while nothing it
created has changed, and a web edit saved during an import is never lost."""

import datetime
import threading

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from rectify.accounts.models import AuditEvent, Department
from rectify.ledger import services
from rectify.ledger.invariants import broken_invariants
from rectify.ledger.models import Decision, Evidence, Inspection, RectificationItem, SignOff
from rectify.ledger.status import Status
from rectify.reports.excel import uploads
from rectify.reports.excel.importer import LedgerImportError, import_ledger
from rectify.reports.imports import undo_import, why_not_undoable
from rectify.reports.models import ImportRecord
from rectify.reports.notice.importer import import_notice, parse_notice_file
from tests.factories import make_inspection, make_item, make_problem, the_unit
from tests.reports.test_excel_import import official

pytestmark = pytest.mark.django_db
SEED_NOTICE = "fixtures/seed_huaihua_2023.txt"


def row(number, title, status="", problem="（一）问题甲", department=""):
    return [number, problem, title, "1. 措施", "", department, "", "2024年6月30日", "", status, "", ""]


def test_a_new_round_s_completed_items_get_an_import_sign_off(make_xlsx, office_user):
    path = make_xlsx(official([row(1, "甲", "已完成"), row(2, "乙", "整改中")]))
    plan = import_ledger(source=path, title="历史台账", user=office_user, file_name="历史台账.xlsx")
    first = plan.inspection.items.get(number=1)
    assert first.status == Status.COMPLETED
    signoff = first.signoffs.get()
    assert (signoff.origin, signoff.decision, signoff.requested_by) == ("import", Decision.APPROVED, office_user)
    assert "历史台账.xlsx" in signoff.note and signoff.source_name == "历史台账.xlsx"
    assert not plan.inspection.items.get(number=2).signoffs.exists()
    assert broken_invariants() == []


def test_a_re_import_files_requests_and_completes_nothing(make_xlsx, office_user):
    inspection = make_inspection()
    problem = make_problem(inspection, title="问题甲")
    started = make_item(problem, title="甲", status=Status.IN_PROGRESS)
    make_item(problem, title="乙")
    path = make_xlsx(official([row(1, "甲", "已完成"), row(2, "乙", "未启动"), row(3, "丙", "已完成")]))
    plan = import_ledger(source=path, inspection=inspection, user=office_user, file_name="月报.xlsx")
    assert not RectificationItem.objects.filter(status=Status.COMPLETED).exists()
    started.refresh_from_db()
    assert started.status == Status.PENDING_SIGNOFF
    new = inspection.items.get(number=3)
    assert new.status == Status.PENDING_SIGNOFF  # a new item the file calls done: a request too
    for item in (started, new):
        request = item.signoffs.get(decision=Decision.PENDING)
        assert request.origin == "import" and request.requested_by == office_user
        evidence = item.evidence.get()
        assert evidence.original_name == "月报.xlsx" and evidence.size == path.stat().st_size
    assert broken_invariants() == []
    # The office (another person than the importer) approves it: only now is it completed.
    assert "申请销号（待纪工委审核）" in plan.rows[0].changes


def test_a_re_import_never_completes_and_never_reopens(make_xlsx, office_user):
    inspection = make_inspection()
    problem = make_problem(inspection, title="问题甲")
    make_item(problem, title="甲", status=Status.IN_PROGRESS)
    import_ledger(source=make_xlsx(official([row(1, "甲", "长期坚持")])), inspection=inspection, user=office_user)
    assert inspection.items.get().status == Status.IN_PROGRESS


def test_the_import_page_refuses_when_an_item_changed_after_the_preview(client, office_user, make_xlsx):
    inspection = make_inspection()
    item = make_item(make_problem(inspection, title="问题"), title="旧")
    client.force_login(office_user)
    path = make_xlsx(official([[1, "问题", "新", "", "", "", "", "", "", "", "", ""]]))
    with open(path, "rb") as upload:
        client.post(reverse("reports:ledger-import"), {"file": upload, "inspection": inspection.pk})
    client.get(reverse("reports:ledger-import-preview"))
    services.update_item(item_id=item.pk, user=office_user, expected_version=None, changes={"note": "网页上改的"})
    key = client.session[uploads.SESSION_KEY]["key"]
    response = client.post(reverse("reports:ledger-import-confirm"), {"key": key})
    assert "被他人修改" in response.content.decode() or "已被他人修改" in response.content.decode()
    item.refresh_from_db()
    assert item.title == "旧" and item.note == "网页上改的"


# --- Undo ---------------------------------------------------------------------------------------


def test_an_import_is_withdrawn_exactly(make_xlsx, office_user, client):
    Department.objects.create(unit=the_unit(), name="已有部门")
    before = {model: model.objects.count() for model in (Inspection, RectificationItem, SignOff, Department)}
    path = make_xlsx(official([row(1, "甲", "已完成", department="新部门"), row(2, "乙", department="已有部门")]))
    plan = import_ledger(source=path, title="误导入的轮次", user=office_user, file_name="误导入.xlsx")
    record = plan.record
    assert why_not_undoable(record) is None
    client.force_login(office_user)
    page = client.get(reverse("reports:import-records")).content.decode()
    assert "误导入.xlsx" in page and "撤销本次导入" in page
    client.post(reverse("reports:import-undo", args=[record.pk]), {"confirm": "on"})
    assert {model: model.objects.count() for model in before} == before
    record.refresh_from_db()
    assert record.undone_by == office_user
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.IMPORT_UNDONE, object_id=str(record.pk)).exists()
    assert "已撤销" in client.get(reverse("reports:import-records")).content.decode()


def test_an_import_changed_since_cannot_be_withdrawn(make_xlsx, office_user, liaison):
    plan = import_ledger(source=make_xlsx(official([row(1, "甲")])), title="轮次", user=office_user)
    item = plan.inspection.items.get()
    services.add_progress(item_id=item.pk, user=office_user, text="已开展工作")
    assert "添加了整改进展" in why_not_undoable(plan.record) or "修改了" in why_not_undoable(plan.record)
    with pytest.raises(services.WorkflowError):
        undo_import(record_id=plan.record.pk, user=office_user)
    assert RectificationItem.objects.filter(pk=item.pk).exists()


def test_a_re_import_that_updated_items_cannot_be_withdrawn(make_xlsx, office_user):
    inspection = make_inspection()
    make_item(make_problem(inspection, title="问题甲"), title="甲")
    plan = import_ledger(source=make_xlsx(official([row(1, "甲改")])), inspection=inspection, user=office_user)
    assert "更新了 1 个已有事项" in why_not_undoable(plan.record)


def test_a_notice_import_gets_import_sign_offs_and_can_be_withdrawn(office_user):
    with open(SEED_NOTICE, "rb") as handle:
        parsed = parse_notice_file(data=handle.read(), filename="通报.txt")
    result = import_notice(parsed=parsed, user=office_user, file_name="通报.txt")
    completed = result.inspection.items.filter(status=Status.COMPLETED)
    assert completed.count() == 20
    assert SignOff.objects.filter(item__in=completed, origin="import", decision=Decision.APPROVED).count() == 20
    assert broken_invariants() == []
    undo_import(record_id=result.record.pk, user=office_user)
    assert not Inspection.objects.filter(pk=result.inspection.pk).exists()
    assert ImportRecord.objects.get().undone_at is not None


# --- The import/edit race (two connections; SQLite waits on its write lock, PostgreSQL on the row lock) --


# Committing (marked ``commits`` by conftest): runs in the serial pass after the rest.
@pytest.mark.django_db(transaction=True)
def test_a_web_edit_during_an_import_is_not_lost(make_xlsx, office_user, monkeypatch):
    """Two connections: the import has read (and locked) the items and is still writing when a web
    edit of one of them arrives. The edit waits for the import's lock, then is refused as stale;
    nothing either of them saved is lost."""
    from rectify.reports.excel import importer

    inspection = make_inspection()
    item = make_item(make_problem(inspection, title="问题甲"), title="甲")
    seen_version = item.version
    path = make_xlsx(official([row(1, "甲（导入）")]))
    planned, release = threading.Event(), threading.Event()
    outcome = {}
    update_items = importer._Writer._update_items

    def slow_update(self, rows):
        planned.set()
        release.wait(10)
        update_items(self, rows)

    monkeypatch.setattr(importer._Writer, "_update_items", slow_update)

    def run_import():
        try:
            import_ledger(source=path, inspection=inspection, user=office_user)
            outcome["import"] = "saved"
        except LedgerImportError as error:
            outcome["import"] = str(error)
        finally:
            connections.close_all()

    def run_edit():
        try:
            services.update_item(
                item_id=item.pk, user=office_user, expected_version=seen_version, changes={"note": "网页编辑"}
            )
            outcome["edit"] = "saved"
        except services.ConflictError as error:
            outcome["edit"] = str(error)
        finally:
            connections.close_all()

    importing = threading.Thread(target=run_import)
    importing.start()
    assert planned.wait(10)
    editing = threading.Thread(target=run_edit)
    editing.start()
    editing.join(1)
    assert editing.is_alive(), "the edit must wait for the import's row lock"
    release.set()
    importing.join(20)
    editing.join(20)
    assert outcome["import"] == "saved"
    assert "被" in outcome["edit"] and "修改" in outcome["edit"]
    item.refresh_from_db()
    assert item.title == "甲（导入）" and item.note == ""
    assert item.version == seen_version + 1


def test_refused_import_changes_nothing(make_xlsx, office_user):
    inspection = make_inspection()
    make_item(make_problem(inspection, title="问题甲"), title="甲")
    with pytest.raises(LedgerImportError, match="被他人修改"):
        import_ledger(
            source=make_xlsx(official([row(1, "甲改")])),
            inspection=inspection,
            user=office_user,
            expected_versions={"1": 99},
        )
    assert inspection.items.get().title == "甲" and not ImportRecord.objects.exists()
    assert not Evidence.objects.exists()


def test_dates_of_import_sign_offs_are_today(make_xlsx, office_user):
    plan = import_ledger(source=make_xlsx(official([row(1, "甲", "已完成")])), title="x", user=office_user)
    signoff = SignOff.objects.get(item__inspection=plan.inspection)
    assert timezone.localtime(signoff.reviewed_at).date() == timezone.localdate()
    assert plan.inspection.items.get().completed_on <= timezone.localdate() + datetime.timedelta(days=0)
