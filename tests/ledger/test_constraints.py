"""The database itself refuses impossible ledgers."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from rectify.ledger.models import (
    FeedbackProblem,
    Inspection,
    Measure,
    RectificationItem,
    SignOff,
)
from tests.factories import force_status, the_unit

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture
def problem():
    inspection = Inspection.objects.create(
        unit=the_unit(), name="测试巡视", inspecting_body="巡视组", inspected_unit="某单位"
    )
    return FeedbackProblem.objects.create(inspection=inspection, sequence=1, title="问题")


def _item(problem, number=1, **fields):
    return RectificationItem.objects.create(
        inspection=problem.inspection, problem=problem, number=number, title=f"事项{number}", **fields
    )


def test_item_number_is_unique_within_its_inspection(problem):
    _item(problem, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        _item(problem, 1)


def test_the_same_number_is_fine_in_another_inspection(problem):
    _item(problem, 1)
    other = Inspection.objects.create(unit=the_unit(), name="另一轮", inspecting_body="巡视组", inspected_unit="某单位")
    other_problem = FeedbackProblem.objects.create(inspection=other, sequence=1, title="问题")
    assert _item(other_problem, 1).pk


def test_problem_sequence_is_unique_within_its_inspection(problem):
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedbackProblem.objects.create(inspection=problem.inspection, sequence=1, title="重复")


def test_measure_sequence_is_unique_within_its_item(problem):
    item = _item(problem)
    Measure.objects.create(item=item, sequence=1, text="一")
    with pytest.raises(IntegrityError), transaction.atomic():
        Measure.objects.create(item=item, sequence=1, text="二")


def test_a_completed_item_needs_a_completion_date(problem):
    with pytest.raises(IntegrityError), transaction.atomic():
        _item(problem, status=RectificationItem.Status.COMPLETED)
    assert _item(problem, 2, status=RectificationItem.Status.COMPLETED, completed_on=datetime.date(2024, 1, 1)).pk


def test_item_number_must_be_positive(problem):
    with pytest.raises(IntegrityError), transaction.atomic():
        _item(problem, 0)


def test_only_one_pending_signoff_per_item(problem):
    item = _item(problem)
    SignOff.objects.create(item=item, note="已完成")
    with pytest.raises(IntegrityError), transaction.atomic():
        SignOff.objects.create(item=item, note="再次申请")


def test_a_returned_signoff_needs_a_reason(problem):
    item = _item(problem)
    with pytest.raises(IntegrityError), transaction.atomic():
        SignOff.objects.create(item=item, note="已完成", decision="rejected", review_note="")


def test_onsite_end_not_before_start():
    with pytest.raises(IntegrityError), transaction.atomic():
        Inspection.objects.create(
            unit=the_unit(),
            name="x",
            inspecting_body="y",
            inspected_unit="z",
            onsite_start=datetime.date(2023, 6, 1),
            onsite_end=datetime.date(2023, 5, 1),
        )


def test_every_change_is_recorded_in_history(problem):
    item = _item(problem)
    force_status(item, RectificationItem.Status.IN_PROGRESS)
    item.save()
    assert [h.history_type for h in item.history.order_by("history_id")] == ["+", "~"]
    assert item.history.earliest("history_id").status == RectificationItem.Status.NOT_STARTED
