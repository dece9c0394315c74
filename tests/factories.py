"""Small builders for ledger rows in tests."""

import datetime
import itertools

from rectify.accounts.models import Unit
from rectify.accounts.services import create_unit
from rectify.ledger.models import FeedbackProblem, Inspection, Measure, RectificationItem

_counter = itertools.count(1)


def the_unit() -> Unit:
    """The unit test rows go into when a test does not say: the first unit (the seed's, where the
    seed is loaded), created on an empty database."""
    return Unit.objects.order_by("path").first() or create_unit(name="测试单位", short_name="测试")


def make_unit(name: str, *, parent: Unit | None = None, short_name: str = "") -> Unit:
    return create_unit(name=name, short_name=short_name, parent=parent)


def make_inspection(**fields) -> Inspection:
    n = next(_counter)
    defaults = {"name": f"测试巡视{n}", "inspecting_body": "省委第一巡视组", "inspected_unit": f"测试单位{n}"}
    if "unit" not in fields:
        defaults["unit"] = the_unit()
    return Inspection.objects.create(**{**defaults, **fields})


def make_problem(inspection: Inspection | None = None, **fields) -> FeedbackProblem:
    inspection = inspection or make_inspection()
    sequence = fields.pop("sequence", inspection.problems.count() + 1)
    return FeedbackProblem.objects.create(
        inspection=inspection, sequence=sequence, title=fields.pop("title", f"问题{sequence}"), **fields
    )


def make_item(
    problem: FeedbackProblem | None = None, *, leaders=(), co_departments=(), measures=(), **fields
) -> RectificationItem:
    problem = problem or make_problem()
    number = fields.pop("number", problem.inspection.items.count() + 1)
    if fields.get("status") == RectificationItem.Status.COMPLETED:
        fields.setdefault("completed_on", datetime.date(2024, 1, 1))
    item = RectificationItem.objects.create(
        inspection=problem.inspection,
        problem=problem,
        number=number,
        title=fields.pop("title", f"整改事项{number}"),
        **fields,
    )
    item.leaders.set(leaders)
    item.co_departments.set(co_departments)
    for sequence, text in enumerate(measures, start=1):
        Measure.objects.create(item=item, sequence=sequence, text=text)
    return item


def force_status(item: RectificationItem, status: str) -> None:
    """Test set-up only: put an item in a state without its transition (the field is protected;
    the product changes status only through services.py). ``save()`` still writes history."""
    item.__dict__["status"] = status
