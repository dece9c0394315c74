"""A demo round dated around today, so that every demo account has work on a fresh ``make run``.

The seed (2023) is history: everything in it is done or a thousand days late. This round is
written through the same services as any user's work (so check_ledger holds and the audit trail
and history are real) and puts the demo liaison's department (经济发展局) in every state: not
started, in progress, due within ten days, overdue, returned once and waiting for 销号; the demo
leader has open items; the office has a 销号 and an extension request waiting.
"""

import datetime
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from rectify.accounts.demo import seed_unit
from rectify.accounts.models import Department, Leader, User
from rectify.ledger import services
from rectify.ledger.models import FeedbackProblem, Inspection, Measure, RectificationItem

DEMO_MARK = "（演示数据）"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass(frozen=True)
class DemoItem:
    title: str
    department: str
    deadline_in_days: int  # from today; negative: already late
    state: str  # not_started, in_progress, returned, pending, extension, completed


PROBLEMS = {
    "落实全面从严治党主体责任不够有力": [
        DemoItem("党委理论学习中心组学习流于形式", "经济发展局", 45, "not_started"),
        DemoItem("部分党员干部落实“一岗双责”不到位", "经济发展局", 6, "in_progress"),
        DemoItem("基层党组织“三会一课”记录不规范", "招商合作局", 30, "in_progress"),
    ],
    "优化营商环境工作存在短板": [
        DemoItem("惠企政策兑现周期长", "经济发展局", -12, "in_progress"),
        DemoItem("企业诉求办理反馈不及时", "经济发展局", 20, "returned"),
        DemoItem("项目审批“体外循环”问题仍有发生", "招商合作局", -3, "not_started"),
    ],
    "国有资产管理不够规范": [
        DemoItem("闲置厂房出租未履行评估程序", "经济发展局", 25, "pending"),
        DemoItem("国有资产台账更新不及时", "经济发展局", 9, "extension"),
        DemoItem("往来款项长期挂账未清理", "招商合作局", 60, "completed"),
    ],
}


def demo_round_name(today: datetime.date) -> str:
    return f"{today.year}年市委第一巡察组巡察怀化高新区{DEMO_MARK}"


@transaction.atomic
def load_demo_round(*, today: datetime.date | None = None) -> Inspection | None:
    """Create the demo round once (None when one exists). Needs the demo accounts."""
    today = today or timezone.localdate()
    if Inspection.objects.filter(name__contains=DEMO_MARK).exists():
        return None
    office = User.objects.get(username="office")
    liaisons = {user.department.name: user for user in User.objects.filter(username__in=["liaison", "liaison2"])}
    unit = seed_unit()
    leader = (
        Leader.objects.filter(unit=unit, user__username="leader").first()
        or Leader.objects.filter(unit=unit).order_by("pk").first()
    )
    inspection = Inspection.objects.create(
        unit=unit,
        name=demo_round_name(today),
        kind=Inspection.Kind.PATROL,
        deploying_body="市委",
        inspecting_body="市委第一巡察组",
        inspected_unit="怀化高新区",
        responsible_unit="中共怀化高新技术产业开发区工作委员会",
        onsite_start=today - datetime.timedelta(days=120),
        onsite_end=today - datetime.timedelta(days=90),
        feedback_date=today - datetime.timedelta(days=60),
        concentrated_period_end=today + datetime.timedelta(days=120),
        plan_title=f"怀化高新区落实市委第一巡察组巡察反馈问题整改工作方案{DEMO_MARK}",
        planned_problem_count=len(PROBLEMS),
        planned_item_count=sum(len(items) for items in PROBLEMS.values()),
    )
    number = 0
    for sequence, (problem_title, items) in enumerate(PROBLEMS.items(), start=1):
        problem = FeedbackProblem.objects.create(inspection=inspection, sequence=sequence, title=problem_title)
        for demo in items:
            number += 1
            item = RectificationItem.objects.create(
                inspection=inspection,
                problem=problem,
                number=number,
                title=demo.title,
                lead_department=Department.objects.get_or_create(
                    unit=unit, name=demo.department, defaults={"is_sample": True}
                )[0],
                deadline=today + datetime.timedelta(days=demo.deadline_in_days),
                note=f"演示数据：日期随今天而定。{DEMO_MARK}",
            )
            if leader is not None:
                item.leaders.set([leader])
            for measure_sequence, text in enumerate(["建立工作台账，逐项明确责任人", "每月调度推进情况"], start=1):
                Measure.objects.create(item=item, sequence=measure_sequence, text=text)
            _bring_to_state(item, demo.state, liaison=liaisons.get(demo.department), office=office, today=today)
    return inspection


def _bring_to_state(item, state: str, *, liaison: User | None, office: User, today: datetime.date) -> None:
    worker = liaison or office
    if state == "not_started":
        return
    services.add_progress(item_id=item.pk, user=worker, text="已制定整改方案，正在逐项推进。")
    if state == "in_progress":
        return
    if state == "extension":
        services.request_extension(
            item_id=item.pk,
            user=worker,
            new_deadline=today + datetime.timedelta(days=40),
            reason="涉及多个部门协调，需延长整改时间。",
        )
        return
    evidence = SimpleUploadedFile("整改佐证材料.pdf", PDF, content_type="application/pdf")
    services.add_evidence(item_id=item.pk, user=worker, upload=evidence, title="整改佐证材料（演示）")
    signoff = services.submit_signoff(item_id=item.pk, user=worker, note="整改措施已落实，申请销号。")
    if state == "returned":
        services.return_signoff(
            item_id=item.pk, signoff_id=signoff.pk, user=office, reason="佐证材料不足，请补充办理回执后再申请。"
        )
    elif state == "completed":
        services.approve_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office)
