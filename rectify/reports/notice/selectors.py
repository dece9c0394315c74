"""Reads for the notice: the inspection's latest published notice and its outcome records (成效)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, QuerySet

from rectify.ledger.models import (
    Accountability,
    FundRecovery,
    Inspection,
    Meeting,
    Notice,
    Regulation,
    WorkingGroupMember,
)
from rectify.ledger.selectors import inspections_in_scope


def inspections_for_notices(user) -> QuerySet[Inspection]:
    """The rounds of the user's units: drafts are for those who see the whole ledger (the
    discipline office and leaders)."""
    return inspections_in_scope(user).order_by("-feedback_date", "-id")


def latest_notice(inspection: Inspection) -> Notice | None:
    """The notice published last (undated ones count as oldest); its texts seed the draft."""
    return inspection.notices.order_by(F("published_on").desc(nulls_last=True), "-id").first()


@dataclass(frozen=True)
class OutcomeRecords:
    """The outcome records listed (and, for the discipline office, edited) on the notice page."""

    meetings: list[Meeting]
    regulations: list[Regulation]
    fund_recoveries: list[FundRecovery]
    accountabilities: list[Accountability]


def _in_kind_order(rows: list, kinds: list[str]) -> list:
    """Rows in the order their kinds are declared (党工委会议 before 周例会), not alphabetically by value."""
    position = {kind: n for n, kind in enumerate(kinds)}
    return sorted(rows, key=lambda row: position.get(row.kind, len(kinds)))


def outcome_records(inspection: Inspection) -> OutcomeRecords:
    """Four queries whatever the number of rows: linked items come with their rows."""
    meetings = list(inspection.meetings.order_by(F("held_on").asc(nulls_first=True), "id"))
    accountabilities = list(
        inspection.accountabilities.select_related("item").order_by(F("decided_on").asc(nulls_first=True), "id")
    )
    return OutcomeRecords(
        meetings=_in_kind_order(meetings, Meeting.Kind.values),
        regulations=list(inspection.regulations.select_related("item").order_by("issued_on", "id")),
        fund_recoveries=list(inspection.fund_recoveries.select_related("item").order_by("recovered_on", "id")),
        accountabilities=_in_kind_order(accountabilities, Accountability.Kind.values),
    )


@dataclass(frozen=True)
class OutcomeFigures:
    """What section 一 of the notice reports, counting only records dated on or before the day (or undated)."""

    meetings: list[tuple[str, int]]  # (kind of meeting, times held), in the order of Meeting.Kind
    regulation_count: int
    funds_recovered: Decimal
    accountability: list[tuple[str, int]]  # (kind, people), in the order of Accountability.Kind


def _up_to(day: datetime.date, field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": day})


def outcome_figures(inspection: Inspection, day: datetime.date) -> OutcomeFigures:
    meeting_counts: dict[str, int] = defaultdict(int)
    kind_order = {kind: position for position, kind in enumerate(Meeting.Kind.values)}
    meetings = inspection.meetings.filter(_up_to(day, "held_on")).order_by("held_on", "id")
    for meeting in sorted(meetings, key=lambda m: kind_order[m.kind]):
        name = meeting.title if meeting.kind == Meeting.Kind.OTHER and meeting.title else meeting.get_kind_display()
        meeting_counts[str(name)] += meeting.count
    people: dict[str, int] = defaultdict(int)
    for kind, count in (
        inspection.accountabilities.filter(_up_to(day, "decided_on")).values_list("kind", "people").order_by("id")
    ):
        people[kind] += count
    funds = inspection.fund_recoveries.filter(_up_to(day, "recovered_on")).order_by().values_list("amount", flat=True)
    return OutcomeFigures(
        meetings=list(meeting_counts.items()),
        regulation_count=inspection.regulations.filter(_up_to(day, "issued_on")).count(),
        funds_recovered=sum(funds, Decimal(0)),
        accountability=[(str(label), people[kind]) for kind, label in Accountability.Kind.choices if people.get(kind)],
    )


def working_groups(inspection: Inspection) -> dict[str, list[WorkingGroupMember]]:
    """Seats by group (leading group first), each in its order."""
    groups: dict[str, list[WorkingGroupMember]] = {group: [] for group in WorkingGroupMember.Group.values}
    for member in inspection.group_members.order_by("sequence", "id"):
        groups[member.group].append(member)
    return {group: members for group, members in groups.items() if members}
