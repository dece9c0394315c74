"""The ledger of a past day is rebuilt from history, not read from today's values."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rectify.accounts.models import Department, Leader
from rectify.ledger.asof import end_of_day, ledger_as_of, outline_as_of
from rectify.ledger.models import Measure, ProgressUpdate, RectificationItem
from tests.factories import force_status, make_item, make_problem, the_unit

pytestmark = pytest.mark.django_db
Status = RectificationItem.Status


def test_end_of_day_is_midnight_in_beijing():
    end = end_of_day(datetime.date(2023, 12, 18))
    assert end.isoformat() == "2023-12-19T00:00:00+08:00"


def test_seed_as_published(seed):
    from rectify.ledger.models import Inspection

    rows = ledger_as_of(Inspection.objects.get(), datetime.date(2023, 12, 18))
    assert len(rows) == 21
    assert sum(len(row.measures) for row in rows) == 57
    assert len({row.problem.pk for row in rows}) == 11
    assert sum(row.status == Status.COMPLETED for row in rows) == 20
    assert rows[20].status == Status.IN_PROGRESS and rows[20].title == "经营权转让费长期未收回。"


def test_seed_before_any_completion(seed):
    from rectify.ledger.models import Inspection

    rows = ledger_as_of(Inspection.objects.get(), datetime.date(2023, 8, 1))
    assert len(rows) == 21
    assert {row.status for row in rows} == {Status.NOT_STARTED}
    assert not any(m.is_done for row in rows for m in row.measures)
    assert ledger_as_of(Inspection.objects.get(), datetime.date(2023, 7, 24)) == []


@pytest.mark.parametrize("day", ["2023-07-24", "2023-08-01", "2023-12-18", "today"])
def test_outline_agrees_with_the_full_ledger(seed, day):
    """The outline the 本月变化 sheet compares is the full ledger's, field for field."""
    from rectify.ledger.models import Inspection

    inspection = Inspection.objects.get()
    day = timezone.localdate() if day == "today" else datetime.date.fromisoformat(day)
    full = [(r.pk, r.number, r.status, r.deadline, r.return_count, r.is_overdue) for r in ledger_as_of(inspection, day)]
    outline = [
        (r.pk, r.number, r.status, r.deadline, r.return_count, r.is_overdue) for r in outline_as_of(inspection, day)
    ]
    assert outline == full


def test_past_values_not_todays():
    today = timezone.localdate()
    past = today - datetime.timedelta(days=30)
    department = Department.objects.create(unit=the_unit(), name="经济发展局")
    leader = Leader.objects.create(unit=the_unit(), name="张某", position="书记")
    item = make_item(make_problem(), leaders=[leader], lead_department=department, measures=["措施甲"])
    RectificationItem.history.filter(id=item.pk).update(history_date=end_of_day(past) - datetime.timedelta(hours=2))
    Measure.history.update(history_date=end_of_day(past) - datetime.timedelta(hours=2))
    # Changed after that day: status, deadline, a measure's text, a leader, a later item.
    force_status(item, Status.IN_PROGRESS)
    item.deadline = today + datetime.timedelta(days=5)
    item.save()
    item.leaders.add(Leader.objects.create(unit=the_unit(), name="李某", position="主任"))
    measure = item.measures.get()
    measure.text = "措施甲（修订）"
    measure.save()
    ProgressUpdate.objects.create(item=item, text="今天的进展")
    make_item(item.problem)

    then = ledger_as_of(item.inspection, past)
    assert len(then) == 1
    assert then[0].status == Status.NOT_STARTED
    assert then[0].deadline is None
    assert then[0].leaders == ["张某"]
    assert then[0].lead_department == "经济发展局"
    assert [m.text for m in then[0].measures] == ["措施甲"]
    assert then[0].progress == []

    now = ledger_as_of(item.inspection, today)
    assert len(now) == 2
    assert now[0].status == Status.IN_PROGRESS
    assert sorted(now[0].leaders) == ["张某", "李某"]
    assert [m.text for m in now[0].measures] == ["措施甲（修订）"]
    assert [p.text for p in now[0].progress] == ["今天的进展"]


@pytest.mark.parametrize("days_ago", [0, 400])
def test_query_count_does_not_depend_on_the_number_of_items(days_ago):
    problem = make_problem()
    make_item(problem, measures=["一", "二"])
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    if days_ago:
        RectificationItem.history.update(history_date=end_of_day(day) - datetime.timedelta(hours=1))
        Measure.history.update(history_date=end_of_day(day) - datetime.timedelta(hours=1))
    with CaptureQueriesContext(connection) as one:
        ledger_as_of(problem.inspection, day)
    for _ in range(10):
        make_item(
            problem,
            measures=["一", "二"],
            leaders=[Leader.objects.get_or_create(unit=the_unit(), name="王某", position="x")[0]],
        )
    if days_ago:
        RectificationItem.history.update(history_date=end_of_day(day) - datetime.timedelta(hours=1))
        Measure.history.update(history_date=end_of_day(day) - datetime.timedelta(hours=1))
    with CaptureQueriesContext(connection) as eleven:
        rows = ledger_as_of(problem.inspection, day)
    assert len(rows) == 11
    assert len(eleven) == len(one)
