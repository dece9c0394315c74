"""The notice Rectify drafts from the ledger, as a list of blocks that the HTML preview and the .docx share.

Its shape is the seed's (domain.md, "The notice Rectify drafts"): title, opening paragraph, 一、组织整改落实情况,
二、集中整改期内已完成的整改事项, 三、集中整改期内未完成或长期整改的整改事项, 四、下一步整改工作安排, the closing
paragraph with the contact line, publisher and date.

Section 一 is composed from the records (working groups, plan, counts, meetings, regulations, funds,
accountability), not copied from the last notice's text, so that it says what the ledger says on the day.
Sections 二 and 三 come from ``ledger_as_of``: an item stands under 二 when it was completed by that day.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from rectify.chinese import chinese_date
from rectify.ledger.asof import ItemState, ledger_as_of
from rectify.ledger.models import Inspection, Notice, RectificationItem, WorkingGroupMember
from rectify.ledger.numbering import measure_label, problem_label

from . import selectors

DEFAULT_TITLE = "关于巡视整改进展情况的通报"
COMPLETED_HEADING = "二、集中整改期内已完成的整改事项"
OPEN_HEADING = "三、集中整改期内未完成或长期整改的整改事项"
NOTHING_LISTED = "无。"
NO_SUMMARY = "（待补充）"
DEFAULT_CLOSING = "欢迎广大干部群众对{activity}整改落实情况进行监督。如对公示的事项有任何意见建议，请及时向我们反映。"
DEFAULT_NEXT_STEPS = (
    "继续以严的标准、实的作风、铁的纪律抓紧抓实整改工作，坚决扛牢压实整改主体责任。坚持问题导向、目标导向和结果导向，"
    "推进{activity}反馈问题真改实改。对尚未完成的整改事项，紧盯目标、持续推进，确保按期完成；对已完成的整改事项，"
    "适时开展“回头看”，巩固整改成果，防止问题反弹。按照标本兼治的要求，健全完善长效机制，真正把“问题清单”变为“成果清单”。"
)
SENTENCE_ENDINGS = ("。", "！", "？", "；", ".", "!", "?", ";", "…")


class BlockKind(StrEnum):
    ATTACHMENT = "attachment"  # 附件4
    MASTHEAD = "masthead"  # the publisher's name above the title
    TITLE = "title"
    HEADING1 = "heading1"  # 一、…
    HEADING2 = "heading2"  # （一）…
    ITEM = "item"  # 1.…
    PARAGRAPH = "paragraph"
    SIGNATURE = "signature"  # publisher under the text
    DATE = "date"


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str


@dataclass(frozen=True)
class NoticeDraft:
    inspection: Inspection
    as_of: datetime.date
    title: str
    blocks: list[Block]
    completed_count: int
    open_count: int

    @property
    def filename_stem(self) -> str:
        return f"{self.title}（截至{chinese_date(self.as_of)}）"


def build_notice_draft(*, inspection: Inspection, as_of: datetime.date) -> NoticeDraft:
    """The draft of ``inspection``'s notice as the ledger stood at the end of ``as_of``."""
    notice = selectors.latest_notice(inspection)
    states = ledger_as_of(inspection, as_of)
    completed = [state for state in states if state.status == RectificationItem.Status.COMPLETED]
    still_open = [state for state in states if state.status != RectificationItem.Status.COMPLETED]
    activity = activity_word(inspection)
    publisher = (notice.publisher if notice else "") or inspection.responsible_unit
    title = (notice.title if notice else "") or DEFAULT_TITLE

    blocks: list[Block] = []
    if notice and notice.attachment_label:
        blocks.append(Block(BlockKind.ATTACHMENT, notice.attachment_label))
    if publisher:
        blocks.append(Block(BlockKind.MASTHEAD, publisher))
    blocks.append(Block(BlockKind.TITLE, title))
    blocks.append(Block(BlockKind.PARAGRAPH, compose_opening(inspection, notice)))

    blocks.append(Block(BlockKind.HEADING1, "一、组织整改落实情况"))
    blocks.extend(Block(BlockKind.PARAGRAPH, text) for text in compose_organisation(inspection, states, as_of))

    counter = iter(range(1, len(states) + 2))
    blocks.append(Block(BlockKind.HEADING1, COMPLETED_HEADING))
    blocks.extend(item_blocks(completed, counter))
    blocks.append(Block(BlockKind.HEADING1, OPEN_HEADING))
    blocks.extend(item_blocks(still_open, counter))

    blocks.append(Block(BlockKind.HEADING1, "四、下一步整改工作安排"))
    next_steps = (notice.next_steps if notice else "") or DEFAULT_NEXT_STEPS.format(activity=activity)
    blocks.extend(Block(BlockKind.PARAGRAPH, line.strip()) for line in next_steps.splitlines() if line.strip())
    blocks.append(Block(BlockKind.PARAGRAPH, compose_closing(notice, activity)))
    if publisher:
        blocks.append(Block(BlockKind.SIGNATURE, publisher))
    blocks.append(Block(BlockKind.DATE, chinese_date(as_of)))
    return NoticeDraft(
        inspection=inspection,
        as_of=as_of,
        title=title,
        blocks=blocks,
        completed_count=len(completed),
        open_count=len(still_open),
    )


def activity_word(inspection: Inspection) -> str:
    """巡视, 巡察 or 审计: the word the notice uses for what was done."""
    if inspection.kind == Inspection.Kind.PATROL:
        return "巡察"
    if inspection.kind == Inspection.Kind.AUDIT:
        return "审计"
    return "巡视"


def kind_phrase(inspection: Inspection) -> str:
    """延伸巡视, 巡察, …: what the opening says the team carried out."""
    if inspection.kind == Inspection.Kind.OTHER:
        return activity_word(inspection)
    return str(Inspection.Kind(inspection.kind).label)


def period(start: datetime.date | None, end: datetime.date | None) -> str:
    """2023年3月9日至6月10日 (the year once when both days fall in it)."""
    if start and end:
        tail = f"{end.month}月{end.day}日" if end.year == start.year else chinese_date(end)
        return f"{chinese_date(start)}至{tail}"
    if start:
        return f"{chinese_date(start)}起"
    return ""


def compose_opening(inspection: Inspection, notice: Notice | None) -> str:
    """The seed's opening, composed from the inspection; the last notice's own opening when the
    inspection does not say who inspected whom."""
    activity = activity_word(inspection)
    if not (inspection.inspecting_body and inspection.inspected_unit) and notice and notice.opening:
        return " ".join(notice.opening.split())
    text = f"根据{inspection.deploying_body}统一部署，" if inspection.deploying_body else ""
    if when := period(inspection.onsite_start, inspection.onsite_end):
        text += f"{when}，"
    if inspection.inspecting_body and inspection.inspected_unit:
        text += f"{inspection.inspecting_body}对{inspection.inspected_unit}进行了{kind_phrase(inspection)}。"
    if inspection.feedback_date:
        team = inspection.inspecting_body or f"{activity}组"
        text += f"{chinese_date(inspection.feedback_date)}，{team}反馈了{activity}意见。"
    return f"{text}按照{activity}工作有关要求，现将{activity}整改进展情况予以公布。"


def seat_phrase(member: WorkingGroupMember) -> str:
    """党工委书记任组长; 其他党工委班子成员为副组长 (a collective holder "is", a person "takes")."""
    verb = "为" if member.holder.startswith(("其他", "各", "相关", "有关")) else "任"
    return f"{member.holder}{verb}{member.get_role_display()}"


def compose_organisation(inspection: Inspection, states: list[ItemState], as_of: datetime.date) -> list[str]:
    """Section 一: working groups, plan and its counts, regulations, funds, accountability, meetings."""
    activity = activity_word(inspection)
    unit = inspection.responsible_unit or "我单位"
    figures = selectors.outcome_figures(inspection, as_of)
    groups = selectors.working_groups(inspection)

    first = [
        f"{unit}坚持把抓好{activity}反馈问题整改作为重大政治任务来抓，严格履行{activity}整改主体责任，"
        f"推动{activity}反馈问题整改工作取得实效。"
    ]
    for group, members in groups.items():
        seats = "，".join(seat_phrase(member) for member in members)
        first.append(f"成立由{seats}的{WorkingGroupMember.Group(group).label}。")
    problem_count = inspection.planned_problem_count or len({state.problem.pk for state in states})
    item_count = inspection.planned_item_count or len(states)
    source = (
        f"{inspection.inspecting_body}{kind_phrase(inspection)}{inspection.inspected_unit}"
        if inspection.inspecting_body and inspection.inspected_unit
        else activity
    )
    breakdown = (
        f"将{source}反馈的{problem_count}个问题细化分解为{item_count}个具体整改事项，"
        "逐项明确整改目标、整改措施、责任领导、责任部门、完成时限。"
    )
    first.append(f"制订《{inspection.plan_title}》，{breakdown}" if inspection.plan_title else breakdown)
    # Once the office records regulations, the notice counts the records; until then the declared figure.
    regulations = figures.regulation_count or inspection.planned_regulation_count
    if regulations:
        first.append(f"坚持标本兼治，共制定规章制度{regulations}项。")
    if figures.funds_recovered:
        first.append(f"通过整改挽回（追缴）资金{format_amount(figures.funds_recovered)}万元。")
    if figures.accountability:
        total = sum(people for _, people in figures.accountability)
        kinds = "、".join(f"{kind}{people}人" for kind, people in figures.accountability)
        first.append(f"严肃追责问责{total}人，其中{kinds}。")
    paragraphs = ["".join(first)]

    head = next(
        (m.holder for m in groups.get(WorkingGroupMember.Group.LEADING, []) if m.role == WorkingGroupMember.Role.HEAD),
        "",
    )
    if figures.meetings:
        meetings = "、".join(f"{kind}{count}次" for kind, count in figures.meetings)
        lead = (
            f"{head}坚决扛牢{activity}整改第一责任人责任，坚持以身作则、以上率下，做到重要工作亲自部署、"
            "重大问题亲自过问、重点环节亲自协调，"
            if head
            else ""
        )
        paragraphs.append(f"{lead}先后召开{meetings}，研究部署{activity}整改工作。")
    return paragraphs


def format_amount(amount: Decimal) -> str:
    """12.50 → 12.5; 100.00 → 100."""
    text = f"{amount:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def item_blocks(states: list[ItemState], counter) -> list[Block]:
    """Problems in order, each headed with the next number, its items under it with their 整改情况."""
    if not states:
        return [Block(BlockKind.PARAGRAPH, NOTHING_LISTED)]
    by_problem: dict[int, list[ItemState]] = {}
    for state in sorted(states, key=lambda s: (s.problem.sequence, s.problem.pk, s.number)):
        by_problem.setdefault(state.problem.pk, []).append(state)
    blocks = []
    for items in by_problem.values():
        blocks.append(Block(BlockKind.HEADING2, f"{problem_label(next(counter))}反馈问题：{items[0].problem.title}"))
        for state in items:
            blocks.append(Block(BlockKind.ITEM, f"{state.number}.{state.title}"))
            first, *more = item_summary(state)
            blocks.append(Block(BlockKind.PARAGRAPH, f"整改情况：{first}"))
            blocks.extend(Block(BlockKind.PARAGRAPH, line) for line in more)
    return blocks


def item_summary(state: ItemState) -> list[str]:
    """The 整改情况 paragraphs: the published summary; else one 一是…。二是…。 clause per measure;
    else a placeholder for the office to fill in."""
    if lines := [line.strip() for line in state.summary.splitlines() if line.strip()]:
        return lines
    texts = [m.text.strip() for m in state.measures if m.text.strip()]
    if not texts:
        return [NO_SUMMARY]
    if len(texts) == 1:
        return [end_sentence(texts[0])]
    return ["".join(f"{measure_label(n)}{end_sentence(text)}" for n, text in enumerate(texts, start=1))]


def end_sentence(text: str) -> str:
    return text if text.endswith(SENTENCE_ENDINGS) else f"{text}。"


def compose_closing(notice: Notice | None, activity: str) -> str:
    """The invitation to supervise and the contact line: phone, postal address, e-mail."""
    closing = (notice.closing_text if notice else "") or DEFAULT_CLOSING.format(activity=activity)
    if notice is None:
        return closing
    contacts = [
        f"{label}：{value}"
        for label, value in (
            ("联系电话", notice.contact_phone),
            ("邮政信箱", notice.contact_address),
            ("电子邮箱", notice.contact_email),
        )
        if value
    ]
    return f"{closing}{'；'.join(contacts)}。" if contacts else closing
