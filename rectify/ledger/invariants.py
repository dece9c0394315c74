"""What must hold in any ledger the transition table (status.py) produced: the checks of
``manage.py check_ledger``. Each check is one query, whatever the size of the ledger."""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from .models import Decision, Extension, RectificationItem, SignOff
from .status import Status


@dataclass(frozen=True)
class Violation:
    rule: str
    item_id: int
    label: str  # 第N项（轮次）

    def __str__(self) -> str:
        return f"{self.label}：{self.rule}"


def _approved(model):
    return Exists(model.objects.filter(item=OuterRef("pk"), decision=Decision.APPROVED))


def _stranger(through, field: str) -> Exists:
    """The item names (through this many-to-many) a department or leader of another unit."""
    links = through.objects.filter(rectificationitem=OuterRef("pk"))
    return Exists(links.exclude(**{f"{field}__unit": OuterRef("inspection__unit")}))


def _checks():
    today = timezone.localdate()
    items = RectificationItem.objects
    pending_signoffs = Count("signoffs", filter=Q(signoffs__decision=Decision.PENDING), distinct=True)
    return [
        (
            "已完成（已销号），但没有批准或导入的销号记录",
            items.filter(status=Status.COMPLETED).exclude(_approved(SignOff)),
        ),
        (
            "状态为待销号，但待审核的销号申请不是恰好一份",
            items.filter(status=Status.PENDING_SIGNOFF).annotate(n=pending_signoffs).exclude(n=1),
        ),
        (
            "有待审核的销号申请，但状态不是待销号",
            items.exclude(status=Status.PENDING_SIGNOFF).filter(signoffs__decision=Decision.PENDING),
        ),
        (
            "有待审核的延期申请，但事项已销号",
            items.filter(status=Status.COMPLETED, extensions__decision=Decision.PENDING),
        ),
        (
            "记有原完成时限，但没有批准的延期记录",
            items.filter(original_deadline__isnull=False).exclude(_approved(Extension)),
        ),
        ("完成日期晚于今天", items.filter(completed_on__gt=today)),
        (
            "完成日期早于巡视反馈日期",
            items.filter(completed_on__lt=F("inspection__feedback_date")),
        ),
        ("未销号，却记有完成日期", items.exclude(status=Status.COMPLETED).filter(completed_on__isnull=False)),
        (
            "退回次数与被退回的销号申请数不一致",
            items.annotate(
                returned=Count("signoffs", filter=Q(signoffs__decision=Decision.REJECTED), distinct=True)
            ).exclude(returned=F("return_count")),
        ),
        (
            "销号申请由申请人本人审核，却未记为本人审核（四眼原则）",
            items.filter(signoffs__reviewed_by=F("signoffs__requested_by"), signoffs__self_reviewed=False),
        ),
        (
            "延期申请由申请人本人审核，却未记为本人审核（四眼原则）",
            items.filter(
                extensions__origin="request",
                extensions__reviewed_by=F("extensions__requested_by"),
                extensions__self_reviewed=False,
            ),
        ),
        (
            "责任部门属于其他单位",
            items.filter(lead_department__isnull=False).exclude(lead_department__unit=F("inspection__unit")),
        ),
        ("配合部门属于其他单位", items.filter(_stranger(RectificationItem.co_departments.through, "department"))),
        ("责任领导属于其他单位", items.filter(_stranger(RectificationItem.leaders.through, "leader"))),
    ]


def broken_invariants() -> list[Violation]:
    """Every violation, by rule and then by round and number."""
    found = []
    for rule, queryset in _checks():
        rows = queryset.order_by("inspection_id", "number").values_list("pk", "number", "inspection__name").distinct()
        found += [Violation(rule, pk, f"{name} 第{number}项") for pk, number, name in rows]
    return found
