"""Writing a parsed notice into the ledger: one new inspection with its problems, items and measures."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from rectify.accounts.models import Unit, User
from rectify.accounts.services import unit_for_round
from rectify.chinese import chinese_date
from rectify.ledger.models import (
    Decision,
    FeedbackProblem,
    Inspection,
    Measure,
    Meeting,
    Notice,
    Origin,
    RectificationItem,
    SignOff,
    WorkingGroupMember,
)
from rectify.ledger.status import Status

from ..imports import CreatedObjects
from ..models import ImportRecord
from .errors import NoticeFormatError
from .parse import ParsedItem, ParsedNotice, parse_notice
from .sources import read_paragraphs

IMPORT_NOTE = "由通报导入。"


@dataclass(frozen=True)
class ImportResult:
    inspection: Inspection
    notice: Notice
    problems: int
    items: int
    measures: int
    completed: int
    record: ImportRecord


def parse_notice_file(*, data: bytes, filename: str) -> ParsedNotice:
    """Read and parse a .txt or .docx notice; raises NoticeFormatError with a message for the user."""
    return parse_notice(read_paragraphs(data=data, filename=filename))


@transaction.atomic
def import_notice(
    *,
    parsed: ParsedNotice,
    unit: Unit | None = None,
    today: datetime.date | None = None,
    user: User | None = None,
    file_name: str = "",
) -> ImportResult:
    """Create a new inspection from ``parsed``: everything or, on any error, nothing.

    Items listed under 已完成 are completed on the notice's date (today's when it has none), their
    measures ticked off that day, each with a sign-off record of origin 导入 naming the file and
    the importing user; items under 长期坚持 are ongoing (of kind 长期坚持), all others in progress.
    """
    _check_lengths(parsed)
    completed_on = parsed.published_on or today or timezone.localdate()
    created = CreatedObjects()
    now = timezone.now()
    fields = inspection_fields(parsed)
    try:
        unit = unit_for_round(chosen=unit, names=(fields["responsible_unit"], fields["inspected_unit"]))
    except ValidationError as error:
        raise NoticeFormatError("".join(error.messages)) from None
    inspection = Inspection.objects.create(unit=unit, **fields)
    created.add(inspection)
    problems = create_outline(inspection=inspection, parsed=parsed)
    created.add_all(problems.values())
    measures = 0
    for parsed_item in parsed.items:
        item = RectificationItem.objects.create(
            inspection=inspection,
            problem=problems[id(parsed_item.problem)],
            **published_item_fields(parsed_item),
            status=parsed_item.status or Status.IN_PROGRESS,
            **({"kind": RectificationItem.Kind.LONG_TERM} if parsed_item.status == Status.ONGOING else {}),
            completed_on=completed_on if parsed_item.completed else None,
            note=IMPORT_NOTE,
        )
        created.add(item)
        if parsed_item.completed:
            created.add(
                SignOff.objects.create(
                    item=item,
                    origin=Origin.IMPORT,
                    note=f"据导入的通报《{file_name or parsed.title}》，该事项已完成（导入历史通报）。",
                    requested_by=user,
                    requested_at=now,
                    decision=Decision.APPROVED,
                    reviewed_at=now,
                    source_name=file_name[:255],
                )
            )
        # One save per measure (not bulk_create) so that each gets its history record.
        for sequence, text in enumerate(parsed_item.measures, start=1):
            measure = Measure.objects.create(
                item=item,
                sequence=sequence,
                text=text,
                is_done=parsed_item.completed,
                done_on=completed_on if parsed_item.completed else None,
            )
            created.add(measure)
            measures += 1
    notice = create_notice_record(inspection=inspection, parsed=parsed)
    completed = sum(item.completed for item in parsed.items)
    record = created.record(
        kind=ImportRecord.Kind.NOTICE,
        file_name=file_name or parsed.title,
        inspection=inspection,
        summary=f"新增 {len(parsed.items)} 项，其中已完成 {completed} 项",
        updated_count=0,
        user=user,
    )
    return ImportResult(
        record=record,
        inspection=inspection,
        notice=notice,
        problems=len(problems),
        items=len(parsed.items),
        measures=measures,
        completed=completed,
    )


def create_outline(*, inspection: Inspection, parsed: ParsedNotice) -> dict[int, FeedbackProblem]:
    """``parsed``'s working-group seats and feedback problems under ``inspection``; the problems by the
    ``id()`` of the parsed problem they come from (the caller's transaction holds the writes together)."""
    for seat in parsed.organisation.seats:
        WorkingGroupMember.objects.create(
            inspection=inspection, group=seat.group, role=seat.role, holder=seat.holder, sequence=seat.sequence
        )
    return {
        id(p): FeedbackProblem.objects.create(
            inspection=inspection, sequence=p.sequence, title=p.title, description=p.description
        )
        for p in parsed.problems
    }


def published_item_fields(parsed_item: ParsedItem) -> dict:
    """What the notice says of an item, as model fields: number, title, detail, published summary."""
    return {
        "number": parsed_item.number,
        "title": parsed_item.title,
        "detail": parsed_item.detail,
        "summary": parsed_item.summary,
    }


def create_notice_record(*, inspection: Inspection, parsed: ParsedNotice) -> Notice:
    """The meetings ``parsed``'s section 一 counts and the notice itself, as published."""
    for kind, count in parsed.organisation.meetings.items():
        Meeting.objects.create(inspection=inspection, kind=kind, count=count, held_on=None)
    return Notice.objects.create(
        inspection=inspection,
        attachment_label=parsed.attachment_label,
        title=parsed.title,
        opening=parsed.opening_text,
        organisation_text=parsed.organisation.text,
        next_steps=parsed.next_steps,
        closing_text=parsed.contact.closing_text,
        contact_phone=parsed.contact.phone,
        contact_address=parsed.contact.address,
        contact_email=parsed.contact.email,
        publisher=parsed.publisher,
        published_on=parsed.published_on,
    )


def _check_lengths(parsed: ParsedNotice) -> None:
    """Refuse, in the user's words, what the columns cannot hold (PostgreSQL would fail in English)."""
    limits = [
        (f"第{p.sequence}个反馈问题的标题", p.title, FeedbackProblem._meta.get_field("title").max_length)
        for p in parsed.problems
    ]
    limits += [
        (f"第{i.number}项整改事项的标题", i.title, RectificationItem._meta.get_field("title").max_length)
        for i in parsed.items
    ]
    contact = parsed.contact
    limits += [
        ("通报标题", parsed.title, Notice._meta.get_field("title").max_length),
        ("发布单位", parsed.publisher, Notice._meta.get_field("publisher").max_length),
        ("附件标识", parsed.attachment_label, Notice._meta.get_field("attachment_label").max_length),
        ("联系电话", contact.phone, Notice._meta.get_field("contact_phone").max_length),
        ("邮政信箱", contact.address, Notice._meta.get_field("contact_address").max_length),
        ("电子邮箱", contact.email, Notice._meta.get_field("contact_email").max_length),
    ]
    limits += [
        (f"工作小组成员“{s.holder[:20]}”", s.holder, WorkingGroupMember._meta.get_field("holder").max_length)
        for s in parsed.organisation.seats
    ]
    for label, text, limit in limits:
        if len(text) > limit:
            raise NoticeFormatError(f"{label}过长（{len(text)} 字，最多 {limit} 字），请检查通报格式是否正确。")


def inspection_fields(parsed: ParsedNotice) -> dict:
    """The inspection ``parsed`` tells of, as model fields (cut to the columns' lengths)."""
    opening, organisation = parsed.opening, parsed.organisation
    if opening.inspecting_body and opening.inspected_unit:
        name = f"{opening.inspecting_body}{opening.kind_text}{opening.inspected_unit}"
    else:
        day = parsed.published_on
        name = f"{parsed.publisher}{parsed.title}" + (f"（{chinese_date(day)}）" if day else "")
    return {
        "name": name[:200],
        "kind": opening.kind,
        "deploying_body": opening.deploying_body[:100],
        "inspecting_body": opening.inspecting_body[:100],
        "inspected_unit": opening.inspected_unit[:100],
        "responsible_unit": parsed.publisher[:100],
        "onsite_start": opening.onsite_start,
        "onsite_end": opening.onsite_end,
        "feedback_date": opening.feedback_date,
        "plan_title": organisation.plan_title[:300],
        "planned_problem_count": organisation.planned_problem_count,
        "planned_item_count": organisation.planned_item_count,
        "planned_regulation_count": organisation.planned_regulation_count,
    }
