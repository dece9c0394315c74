"""Raw bulk inserts (``rectify.ledger.bulk``): the same rows and history records as the ORM's."""

import datetime

import pytest
from django.utils import timezone

from rectify.ledger import bulk
from rectify.ledger.models import Measure, RectificationItem
from tests.factories import make_item

pytestmark = pytest.mark.django_db


def test_create_with_history_writes_the_rows_and_a_plus_record_each(office_user):
    item = make_item()
    moment = timezone.make_aware(datetime.datetime(2024, 3, 1, 9, 30))
    rows = [{"item_id": item.pk, "sequence": n, "text": f"措施{n}"} for n in (1, 2, 3)]

    pks = bulk.create_with_history(Measure, rows, user=office_user, date=moment, reason="导入")

    assert list(item.measures.order_by("sequence").values_list("pk", "text", "is_done")) == [
        (pk, row["text"], False) for pk, row in zip(pks, rows, strict=True)
    ]
    records = Measure.history.filter(item_id=item.pk).order_by("sequence")
    assert [(r.id, r.history_type, r.history_date, r.history_user_id, r.history_change_reason) for r in records] == [
        (pk, "+", moment, office_user.pk, "导入") for pk in pks
    ]


def test_keys_come_after_existing_rows_and_the_orm_carries_on_after_them():
    item = make_item(measures=["原有措施"])
    existing = item.measures.get().pk
    [new] = bulk.create_with_history(
        Measure, [{"item_id": item.pk, "sequence": 2, "text": "新措施"}], date=timezone.now()
    )
    # On PostgreSQL the keys come from the table's sequence: the ORM's next row must not collide.
    later = Measure.objects.create(item=item, sequence=3, text="之后的措施")

    assert existing < new < later.pk


def test_missing_fields_take_their_defaults_and_dates_are_stored_as_the_orm_would():
    item = make_item()
    before = timezone.now()
    row = {"inspection_id": item.inspection_id, "problem_id": item.problem_id, "number": 99, "title": "批量写入的事项"}

    [pk] = bulk.create_with_history(RectificationItem, [{**row, "deadline": datetime.date(2024, 12, 31)}], date=before)

    stored = RectificationItem.objects.get(pk=pk)
    assert (stored.deadline, stored.lead_department_id, stored.status, stored.version, stored.summary) == (
        datetime.date(2024, 12, 31),
        None,
        RectificationItem.Status.NOT_STARTED,
        1,
        "",
    )
    assert before <= stored.created_at and before <= stored.updated_at
    assert stored.history.get().deadline == datetime.date(2024, 12, 31)


def test_awkward_text_empty_strings_and_nulls_survive_the_copy():
    item = make_item()
    awkward = '逗号,引号"双"\t制表\\N反斜杠\n换行\r回车'
    rows = [
        {"item_id": item.pk, "sequence": 1, "text": awkward, "done_on": None},
        {"item_id": item.pk, "sequence": 2, "text": "", "is_done": True, "done_on": datetime.date(2024, 2, 29)},
    ]

    bulk.create_with_history(Measure, rows, date=timezone.now())

    assert list(item.measures.order_by("sequence").values_list("text", "is_done", "done_on")) == [
        (awkward, False, None),
        ("", True, datetime.date(2024, 2, 29)),
    ]


def test_the_keys_of_deleted_rows_are_not_handed_out_again():
    """A deleted item's key (and so its history) never goes to a new item, as with the ORM."""
    first = make_item()
    second = make_item(first.problem)
    deleted = second.pk
    second.delete()

    [new] = bulk.create_with_history(
        RectificationItem,
        [{"inspection_id": first.inspection_id, "problem_id": first.problem_id, "number": 5, "title": "新事项"}],
        date=timezone.now(),
    )
    later = make_item(first.problem, number=6)

    assert deleted < new < later.pk
    assert [record.history_type for record in RectificationItem.history.filter(id=new)] == ["+"]
