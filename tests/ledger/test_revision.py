"""The ledger's revision rises once per committed change of what the ledger shows, after the commit."""

import pytest
from django.db import transaction

from rectify.accounts.models import Department
from rectify.ledger import revision
from rectify.ledger.models import LedgerRevision, Measure, RectificationItem
from tests.factories import force_status, make_item, the_unit

pytestmark = pytest.mark.django_db


def current() -> int:
    return LedgerRevision.objects.filter(pk=1).values_list("number", flat=True).first() or 0


def test_it_rises_once_per_transaction_and_only_after_the_commit(django_capture_on_commit_callbacks):
    before = current()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        item = make_item()
        force_status(item, RectificationItem.Status.IN_PROGRESS)
        item.save()
        Department.objects.create(unit=the_unit(), name="新部门")
        assert current() == before  # not yet: the transaction has not committed
    assert len(callbacks) == 1
    assert current() == before + 1


def test_a_rolled_back_change_does_not_raise_it(django_capture_on_commit_callbacks):
    class Rollback(Exception):
        pass

    before = current()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Rollback), transaction.atomic():
            make_item()
            raise Rollback
    assert callbacks == []
    assert current() == before


def test_changes_the_dashboard_does_not_show_leave_it_alone(django_capture_on_commit_callbacks):
    item = make_item()
    with django_capture_on_commit_callbacks() as callbacks:
        revision.on_history_record(sender=Measure.history.model, instance=Measure(item=item, sequence=1, text="措施"))
    assert callbacks == []


def test_bulk_writes_raise_it_themselves(django_capture_on_commit_callbacks):
    before = current()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        revision.changed()
        revision.changed()
    assert len(callbacks) == 1
    assert current() == before + 1


def test_an_excel_import_raises_it(django_capture_on_commit_callbacks, tmp_path):
    from openpyxl import Workbook

    from rectify.reports.excel.importer import import_ledger

    workbook = Workbook()
    workbook.active.append(["序号", "具体问题", "完成时限"])
    workbook.active.append([1, "导入的事项", "2030年1月1日"])
    path = tmp_path / "one.xlsx"
    workbook.save(path)
    before = current()
    with django_capture_on_commit_callbacks(execute=True):
        import_ledger(source=path, title="导入")
    assert current() == before + 1


def test_a_rolled_back_savepoint_does_not_swallow_a_later_change(django_capture_on_commit_callbacks):
    """Django drops the callbacks of a rolled-back savepoint: the next change schedules anew."""

    class Rollback(Exception):
        pass

    before = current()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            with pytest.raises(Rollback), transaction.atomic():
                revision.changed()
                raise Rollback
            revision.changed()
            revision.changed()
    assert len(callbacks) == 1
    assert current() == before + 1


def test_a_released_savepoint_keeps_its_raise(django_capture_on_commit_callbacks):
    before = current()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            with transaction.atomic():
                revision.changed()
            revision.changed()
    assert len(callbacks) == 1
    assert current() == before + 1


@pytest.mark.django_db(transaction=True)
def test_each_committed_transaction_raises_it_once():
    before = current()
    with transaction.atomic():
        revision.changed()
        assert current() == before
    assert current() == before + 1
    with transaction.atomic():
        revision.changed()
        with transaction.atomic():
            revision.changed()
        revision.changed()
    assert current() == before + 2
    revision.changed()  # outside a transaction: at once
    assert current() == before + 3


def test_a_rolled_back_transaction_leaves_no_raise_behind(django_capture_on_commit_callbacks):
    class Rollback(Exception):
        pass

    before = current()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(Rollback), transaction.atomic():
            with transaction.atomic():
                revision.changed()
                raise Rollback
        with transaction.atomic():
            revision.changed()
    assert len(callbacks) == 1
    assert current() == before + 1
