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
    measures = [Measure(item=item, sequence=n, text=f"措施{n}") for n in (1, 2, 3)]

    bulk.create_with_history(measures, Measure, user=office_user, date=moment, reason="导入")

    assert all(measure.pk for measure in measures)
    assert list(item.measures.order_by("sequence").values_list("pk", "text")) == [(m.pk, m.text) for m in measures]
    records = Measure.history.filter(item_id=item.pk).order_by("sequence")
    assert [(r.id, r.history_type, r.history_date, r.history_user_id, r.history_change_reason) for r in records] == [
        (m.pk, "+", moment, office_user.pk, "导入") for m in measures
    ]


def test_keys_come_after_existing_rows_and_the_orm_carries_on_after_them():
    item = make_item(measures=["原有措施"])
    existing = item.measures.get().pk
    new = [Measure(item=item, sequence=2, text="新措施")]

    bulk.create_with_history(new, Measure, date=timezone.now())
    # On PostgreSQL the keys come from the table's sequence: the ORM's next row must not collide.
    later = Measure.objects.create(item=item, sequence=3, text="之后的措施")

    assert existing < new[0].pk < later.pk


def test_dates_and_nulls_are_stored_as_the_orm_would():
    item = make_item()
    copy = RectificationItem(
        inspection=item.inspection,
        problem=item.problem,
        number=99,
        title="批量写入的事项",
        deadline=datetime.date(2024, 12, 31),
        created_at=timezone.now(),
    )

    bulk.create_with_history([copy], RectificationItem, date=timezone.now())

    stored = RectificationItem.objects.get(pk=copy.pk)
    assert (stored.deadline, stored.lead_department_id, stored.status) == (
        datetime.date(2024, 12, 31),
        None,
        RectificationItem.Status.NOT_STARTED,
    )
    assert stored.history.get().deadline == datetime.date(2024, 12, 31)
