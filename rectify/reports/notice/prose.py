"""Facts read from a notice's prose: who inspected whom and when (the opening paragraph), the plan,
its counts, meetings and working groups (section 一), and the contact line (the closing paragraph).

Each reader takes what it finds and leaves the rest empty: a notice need not say everything.
"""

import datetime
import re
from dataclasses import dataclass, field

from rectify.chinese import ascii_digits
from rectify.ledger.models import Inspection, Meeting, WorkingGroupMember

DEPLOYER_RE = re.compile(r"根据(?P<deployer>[^，,。；;]+?)(?:的)?(?:统一)?(?:部署|安排)")
ONSITE_RE = re.compile(
    r"(?P<year>\d{4})年(?P<month>\d{1,2})月(?P<day>\d{1,2})日\s*[至到—\-－~～]+\s*"
    r"(?:(?P<end_year>\d{4})年)?(?:(?P<end_month>\d{1,2})月)?(?P<end_day>\d{1,2})日"
)
WHO_RE = re.compile(
    r"(?P<body>[^，,。；;]+?)对(?P<unit>[^，,。；;]+?)(?:开展|进行)了?(?P<kind>[^，,。；;]*?(?:巡视|巡察|审计|督导))"
)
FEEDBACK_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日[，,]?[^。；;]*?反馈")
PLAN_TITLE_RE = re.compile(r"制[订定](?:印发|出台)?了?《(.+?)》")
PLAN_COUNTS_RE = re.compile(
    r"(\d+)\s*个(?:反馈)?问题[^。，,；;]*?(?:分解|细化|梳理)[^。，,；;]*?为?\s*(\d+)\s*(?:个|项|条)(?:具体)?整改(?:事项|任务|措施)"
)
REGULATIONS_RE = re.compile(r"(?:制定|建立|完善|出台|修订)[^。，,；;]{0,10}?制度\s*(\d+)\s*[项个件条]")
WORKING_GROUP_RE = re.compile(r"成立(?:了)?由(?P<seats>[^。]+?)的(?P<group>[^。，,]*?领导小组)")
SEAT_RE = re.compile(r"(?P<holder>.+?)[任为](?P<role>组长|第一副组长|常务副组长|副组长|成员)")

CONTACT_LABEL_RE = re.compile(r"(?:联系电话|举报电话|邮政信箱|通信地址|通讯地址|来信地址|电子邮箱)\s*[：:]")
CONTACT_NUMBER_RE = re.compile(r"(?:联系电话|举报电话)\s*[0-9０-９]")
PHONE_RE = re.compile(r"电话\s*[：:]\s*([0-9０-９][0-9０-９\-－— ]*[0-9０-９])")
ADDRESS_RE = re.compile(
    r"(?:邮政信箱|通信地址|通讯地址|来信地址|邮寄地址)\s*[：:]\s*(.+?)\s*(?=[；;。\n]|电子邮箱|联系电话|$)"
)
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")


@dataclass
class ParsedOpening:
    deploying_body: str = ""
    inspecting_body: str = ""
    inspected_unit: str = ""
    kind: str = Inspection.Kind.INSPECTION
    kind_text: str = ""
    onsite_start: datetime.date | None = None
    onsite_end: datetime.date | None = None
    feedback_date: datetime.date | None = None


@dataclass
class ParsedSeat:
    group: str
    role: str
    holder: str
    sequence: int


@dataclass
class ParsedOrganisation:
    text: str = ""
    plan_title: str = ""
    planned_problem_count: int | None = None
    planned_item_count: int | None = None
    planned_regulation_count: int | None = None
    meetings: dict[str, int] = field(default_factory=dict)  # Meeting.Kind value → count
    seats: list[ParsedSeat] = field(default_factory=list)


@dataclass
class ParsedContact:
    closing_text: str = ""
    phone: str = ""
    address: str = ""
    email: str = ""


def parse_opening(text: str) -> ParsedOpening:
    """Who inspected whom, when, and the feedback date, from the opening paragraph (what it says of it)."""
    opening = ParsedOpening()
    if match := DEPLOYER_RE.search(text):
        opening.deploying_body = match["deployer"].strip()
    rest = text
    if match := ONSITE_RE.search(text):
        year = int(match["year"])
        end_year = int(match["end_year"] or year)
        end_month = int(match["end_month"] or match["month"])
        try:
            opening.onsite_start = datetime.date(year, int(match["month"]), int(match["day"]))
            opening.onsite_end = datetime.date(end_year, end_month, int(match["end_day"]))
        except ValueError:
            opening.onsite_start = opening.onsite_end = None
        if opening.onsite_start and opening.onsite_end and opening.onsite_end < opening.onsite_start:
            opening.onsite_start = opening.onsite_end = None
        rest = text[match.end() :]
    if match := WHO_RE.search(rest):
        opening.inspecting_body = re.sub(r"于?\s*\d{4}年.*$", "", match["body"]).strip()
        opening.inspected_unit = match["unit"].strip()
        opening.kind_text = match["kind"].strip()
        opening.kind = inspection_kind(opening.kind_text)
        rest = rest[match.end() :]
    if match := FEEDBACK_RE.search(rest):
        try:
            opening.feedback_date = datetime.date(*(int(part) for part in match.groups()))
        except ValueError:
            opening.feedback_date = None
    return opening


def inspection_kind(text: str) -> str:
    for value, label in Inspection.Kind.choices:
        if text == label:
            return value
    for word, kind in (
        ("延伸", Inspection.Kind.EXTENDED),
        ("专项", Inspection.Kind.SPECIAL),
        ("巡察", Inspection.Kind.PATROL),
        ("审计", Inspection.Kind.AUDIT),
        ("巡视", Inspection.Kind.INSPECTION),
    ):
        if word in text:
            return kind
    return Inspection.Kind.OTHER


def parse_organisation(text: str) -> ParsedOrganisation:
    """The plan, its declared counts, the meetings and the working groups section 一 names."""
    organisation = ParsedOrganisation(text=text)
    if match := PLAN_TITLE_RE.search(text):
        organisation.plan_title = match.group(1)
    if match := PLAN_COUNTS_RE.search(text):
        organisation.planned_problem_count, organisation.planned_item_count = int(match[1]), int(match[2])
    if match := REGULATIONS_RE.search(text):
        organisation.planned_regulation_count = int(match[1])
    for kind, label in Meeting.Kind.choices:
        if kind != Meeting.Kind.OTHER and (match := re.search(rf"{re.escape(str(label))}\s*(\d+)\s*次", text)):
            organisation.meetings[kind] = int(match[1])
    role_by_label = {str(label): value for value, label in WorkingGroupMember.Role.choices}
    for match in WORKING_GROUP_RE.finditer(text):
        group = WorkingGroupMember.Group.SUPERVISION if "监督" in match["group"] else WorkingGroupMember.Group.LEADING
        seats = [SEAT_RE.fullmatch(seat.strip()) for seat in re.split(r"[，,；;]", match["seats"])]
        if all(seats):
            organisation.seats.extend(
                ParsedSeat(group=group, role=role_by_label[seat["role"]], holder=seat["holder"], sequence=n)
                for n, seat in enumerate(seats, start=1)
            )
    return organisation


def is_closing(paragraph: str) -> bool:
    """The invitation to supervise (欢迎…监督) or the contact line: the notice's body has ended."""
    return paragraph.startswith("欢迎") or bool(
        CONTACT_LABEL_RE.search(paragraph) or CONTACT_NUMBER_RE.search(paragraph)
    )


def parse_contact(closing: list[str]) -> ParsedContact:
    text = "\n".join(closing)
    contact = ParsedContact()
    label = CONTACT_LABEL_RE.search(text)
    contact.closing_text = (text[: label.start()] if label else text).strip()
    if match := PHONE_RE.search(text):
        contact.phone = ascii_digits(match.group(1)).strip()
    if match := ADDRESS_RE.search(text):
        contact.address = match.group(1).strip()
    if match := EMAIL_RE.search(text):
        contact.email = match.group(0)
    return contact
