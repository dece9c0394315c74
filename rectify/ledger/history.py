"""An item's change history as people read it: who, when, and each field's old → new value."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch

from rectify.accounts.models import Department, Leader

from .models import FeedbackProblem, RectificationItem

# Bookkeeping fields that change on every save and mean nothing to a reader.
_UNTRACKED = {"id", "version", "created_at", "updated_at", "inspection"}
_ACTIONS = {"+": "创建", "~": "修改", "-": "删除"}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class Change:
    when: datetime.datetime
    who: str
    action: str
    reason: str
    fields: list[FieldChange] = field(default_factory=list)


def _tracked_fields():
    return [f for f in RectificationItem._meta.concrete_fields if f.name not in _UNTRACKED]


def item_changes(item: RectificationItem) -> list[Change]:
    """Newest first. A constant number of queries, whatever the length of the history."""
    records = list(
        item.history.select_related("history_user")
        .prefetch_related(
            Prefetch("historicalrectificationitem_leaders_set"),
            Prefetch("historicalrectificationitem_co_departments_set"),
        )
        .order_by("history_date", "history_id")
    )
    names = _NameLookup(records)
    changes = []
    previous = None
    for record in records:
        change = Change(
            when=record.history_date,
            who=str(record.history_user) if record.history_user else "系统",
            action=_ACTIONS[record.history_type],
            reason=record.history_change_reason or "",
        )
        if previous is not None:
            change.fields = _diff(previous, record, names)
        if previous is None or change.fields or change.reason:
            changes.append(change)
        previous = record
    changes.reverse()
    return changes


def _diff(old, new, names: "_NameLookup") -> list[FieldChange]:
    result = []
    for model_field in _tracked_fields():
        before, after = getattr(old, model_field.attname), getattr(new, model_field.attname)
        if before != after:
            result.append(
                FieldChange(
                    str(model_field.verbose_name),
                    names.display(model_field, before),
                    names.display(model_field, after),
                )
            )
    for attr, key, label, lookup in (
        ("historicalrectificationitem_leaders_set", "leader_id", "责任领导", names.leaders),
        ("historicalrectificationitem_co_departments_set", "department_id", "配合部门", names.departments),
    ):
        before = sorted(getattr(row, key) for row in getattr(old, attr).all())
        after = sorted(getattr(row, key) for row in getattr(new, attr).all())
        if before != after:
            result.append(FieldChange(label, names.join(lookup, before), names.join(lookup, after)))
    return result


class _NameLookup:
    """Names for the ids that occur in a history, fetched with one query per model."""

    def __init__(self, records):
        department_ids, leader_ids, problem_ids = set(), set(), set()
        for record in records:
            department_ids.add(record.lead_department_id)
            problem_ids.add(record.problem_id)
            department_ids.update(
                row.department_id for row in record.historicalrectificationitem_co_departments_set.all()
            )
            leader_ids.update(row.leader_id for row in record.historicalrectificationitem_leaders_set.all())
        department_ids.discard(None)
        self.departments = {d.pk: d.name for d in Department.objects.filter(pk__in=department_ids)}
        self.leaders = {leader.pk: leader.name for leader in Leader.objects.filter(pk__in=leader_ids)}
        self.problems = {p.pk: str(p) for p in FeedbackProblem.objects.filter(pk__in=problem_ids)}

    def display(self, model_field, value) -> str:
        if value is None or value == "":
            return "—"
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if model_field.name == "lead_department":
            return self.departments.get(value, f"#{value}")
        if model_field.name == "problem":
            return self.problems.get(value, f"#{value}")
        if isinstance(value, datetime.date):
            return value.strftime("%Y-%m-%d")
        return str(value)

    @staticmethod
    def join(lookup: dict, ids: list) -> str:
        return "、".join(lookup.get(pk, f"#{pk}") for pk in ids) or "—"
