"""Overdue and the warning light, at their boundaries, in Python and in the database alike."""

import datetime

import pytest

from rectify.ledger.models import FeedbackProblem, Inspection, RectificationItem
from rectify.ledger.warning import Light, is_overdue, light_for
from tests.factories import the_unit

TODAY = datetime.date(2024, 6, 15)
Status = RectificationItem.Status


@pytest.mark.parametrize(
    ("days", "light", "overdue"),
    [
        (-1, Light.RED, True),  # yesterday
        (0, Light.YELLOW, False),  # today
        (1, Light.YELLOW, False),  # tomorrow
        (10, Light.YELLOW, False),
        (11, Light.GREEN, False),
    ],
)
def test_light_and_overdue_around_the_deadline(days, light, overdue):
    deadline = TODAY + datetime.timedelta(days=days)
    assert light_for(status=Status.IN_PROGRESS, deadline=deadline, today=TODAY) == light
    assert is_overdue(status=Status.IN_PROGRESS, deadline=deadline, today=TODAY) is overdue


def test_completed_is_grey_and_never_overdue():
    yesterday = TODAY - datetime.timedelta(days=1)
    assert light_for(status=Status.COMPLETED, deadline=yesterday, today=TODAY) == Light.GREY
    assert not is_overdue(status=Status.COMPLETED, deadline=yesterday, today=TODAY)


def test_long_term_is_blue():
    yesterday = TODAY - datetime.timedelta(days=1)
    assert light_for(status=Status.ONGOING, deadline=yesterday, today=TODAY) == Light.BLUE
    assert light_for(status=Status.IN_PROGRESS, deadline=None, today=TODAY) == Light.BLUE


def test_threshold_comes_from_settings(settings):
    settings.RECTIFY_WARNING_DAYS = 3
    assert light_for(status=Status.IN_PROGRESS, deadline=TODAY + datetime.timedelta(days=4), today=TODAY) == Light.GREEN


@pytest.mark.django_db
def test_database_light_agrees_with_python():
    inspection = Inspection.objects.create(unit=the_unit(), name="x", inspecting_body="y", inspected_unit="z")
    problem = FeedbackProblem.objects.create(inspection=inspection, sequence=1, title="p")
    cases = [(s, d) for s in Status for d in (-1, 0, 1, 10, 11, None)]
    for number, (status, days) in enumerate(cases, start=1):
        RectificationItem.objects.create(
            inspection=inspection,
            problem=problem,
            number=number,
            title=str(number),
            status=status,
            completed_on=TODAY if status == Status.COMPLETED else None,
            deadline=None if days is None else TODAY + datetime.timedelta(days=days),
        )
    items = RectificationItem.objects.with_light(TODAY)
    for item in items:
        assert item.light == light_for(status=item.status, deadline=item.deadline, today=TODAY)
    overdue = set(RectificationItem.objects.overdue(TODAY).values_list("pk", flat=True))
    assert overdue == {i.pk for i in items if is_overdue(status=i.status, deadline=i.deadline, today=TODAY)}
    for light in Light:
        expected = {i.pk for i in items if i.light == light}
        assert (
            set(
                RectificationItem.objects.filter(RectificationItem.objects.light_q(light, TODAY)).values_list(
                    "pk", flat=True
                )
            )
            == expected
        )
