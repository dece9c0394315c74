"""The rectification ledger (巡视整改台账) of domain.md."""

import datetime
import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition
from simple_history.models import HistoricalRecords

from rectify.accounts.models import Department, Leader, Unit

from .numbering import measure_label, problem_label
from .querysets import InspectionQuerySet, RectificationItemQuerySet
from .status import Status
from .status import transition as table
from .warning import Light, is_overdue, light_for


def _fsm(name: str) -> dict:
    """The django-fsm ``@transition`` arguments of one row of the transition table (status.py)."""
    row = table(name)
    return {"source": sorted(row.sources), "target": row.target, "permission": row.permission}


class Inspection(models.Model):
    """One inspection round (巡视/巡察轮次) and the rectification plan that answers it."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("巡视")
        EXTENDED = "extended", _("延伸巡视")
        SPECIAL = "special", _("专项巡视")
        PATROL = "patrol", _("巡察")
        AUDIT = "audit", _("审计")
        OTHER = "other", _("其他")

    unit = models.ForeignKey(Unit, verbose_name=_("单位"), on_delete=models.PROTECT, related_name="inspections")
    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.INSPECTION)
    deploying_body = models.CharField(_("部署单位"), max_length=100, blank=True, help_text=_("如：省委"))
    inspecting_body = models.CharField(_("巡视（巡察）组"), max_length=100)
    inspected_unit = models.CharField(_("被巡视单位"), max_length=100)
    responsible_unit = models.CharField(
        _("整改责任主体"), max_length=100, blank=True, help_text=_("如：中共怀化高新技术产业开发区工作委员会")
    )
    onsite_start = models.DateField(_("进驻日期"), null=True, blank=True)
    onsite_end = models.DateField(_("结束日期"), null=True, blank=True)
    feedback_date = models.DateField(_("反馈日期"), null=True, blank=True)
    concentrated_period_end = models.DateField(_("集中整改期截止日期"), null=True, blank=True)
    plan_title = models.CharField(_("整改工作方案"), max_length=300, blank=True)
    planned_problem_count = models.PositiveIntegerField(_("方案反馈问题数"), null=True, blank=True)
    planned_item_count = models.PositiveIntegerField(_("方案整改事项数"), null=True, blank=True)
    planned_regulation_count = models.PositiveIntegerField(_("方案制定制度数"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    deleted_at = models.DateTimeField(_("删除时间"), null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("删除人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = InspectionQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("巡视轮次")
        verbose_name_plural = _("巡视轮次")
        ordering = ["-feedback_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(onsite_start__isnull=True)
                | Q(onsite_end__isnull=True)
                | Q(onsite_end__gte=F("onsite_start")),
                name="inspection_onsite_end_after_start",
            ),
        ]

    def __str__(self):
        return self.name


class WorkingGroupMember(models.Model):
    """A seat in the leading group or the supervision group set up for the rectification."""

    class Group(models.TextChoices):
        LEADING = "leading", _("巡视整改工作领导小组")
        SUPERVISION = "supervision", _("整改监督工作领导小组")

    class Role(models.TextChoices):
        HEAD = "head", _("组长")
        FIRST_DEPUTY = "first_deputy", _("第一副组长")
        EXECUTIVE_DEPUTY = "executive_deputy", _("常务副组长")
        DEPUTY = "deputy", _("副组长")
        MEMBER = "member", _("成员")

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡视轮次"), on_delete=models.CASCADE, related_name="group_members"
    )
    group = models.CharField(_("工作小组"), max_length=20, choices=Group.choices)
    role = models.CharField(_("职务"), max_length=20, choices=Role.choices)
    holder = models.CharField(_("担任人"), max_length=200, help_text=_("如：党工委书记"))
    sequence = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("工作小组成员")
        verbose_name_plural = _("工作小组成员")
        ordering = ["inspection", "group", "sequence", "id"]

    def __str__(self):
        return f"{self.get_group_display()}{self.get_role_display()}：{self.holder}"


class FeedbackProblem(models.Model):
    """A problem (反馈问题) the inspection team fed back, shown as （一）."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡视轮次"), on_delete=models.CASCADE, related_name="problems"
    )
    sequence = models.PositiveIntegerField(_("序号"))
    title = models.CharField(_("问题"), max_length=300)
    description = models.TextField(_("问题描述"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("反馈问题")
        verbose_name_plural = _("反馈问题")
        ordering = ["inspection", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "sequence"], name="problem_unique_sequence"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="problem_sequence_positive"),
        ]

    def __str__(self):
        return f"{self.label}{self.title}"

    @property
    def label(self) -> str:
        return problem_label(self.sequence)


class RectificationItem(FSMModelMixin, models.Model):
    """A rectification item (整改事项): what one department must fix by a deadline.

    Its status changes only through the transition methods below (the table is ``status.py``);
    the field is protected, so any other assignment raises."""

    Status = Status

    class Kind(models.TextChoices):
        IMMEDIATE = "immediate", _("立行立改")
        TIME_BOUND = "time_bound", _("限期整改")
        LONG_TERM = "long_term", _("长期坚持")

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡视轮次"), on_delete=models.CASCADE, related_name="items"
    )
    problem = models.ForeignKey(
        FeedbackProblem, verbose_name=_("反馈问题"), on_delete=models.CASCADE, related_name="items"
    )
    number = models.PositiveIntegerField(_("序号"))
    title = models.CharField(_("整改事项"), max_length=500)
    detail = models.TextField(_("问题详情"), blank=True)
    goal = models.TextField(_("整改目标"), blank=True)
    kind = models.CharField(_("整改类型"), max_length=20, choices=Kind.choices, default=Kind.TIME_BOUND)
    leaders = models.ManyToManyField(Leader, verbose_name=_("责任领导"), blank=True, related_name="items")
    lead_department = models.ForeignKey(
        Department,
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_items",
    )
    co_departments = models.ManyToManyField(Department, verbose_name=_("配合部门"), blank=True, related_name="co_items")
    contact_person = models.CharField(_("责任人"), max_length=50, blank=True)
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    original_deadline = models.DateField(
        _("原完成时限"), null=True, blank=True, help_text=_("批准延期后保留的原定时限。")
    )
    status = FSMField(_("完成状态"), max_length=20, choices=Status.choices, default=Status.NOT_STARTED, protected=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    next_review_on = models.DateField(
        _("下次复查日期"), null=True, blank=True, help_text=_("认定长期坚持时确定的下次复查日期。")
    )
    summary = models.TextField(_("整改情况"), blank=True, help_text=_("通报中公布的整改情况。"))
    note = models.TextField(_("备注"), blank=True)
    return_count = models.PositiveIntegerField(_("退回次数"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = RectificationItemQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[leaders, co_departments])

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["inspection_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "number"], name="item_unique_number_per_inspection"),
            models.CheckConstraint(condition=Q(number__gte=1), name="item_number_positive"),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_on__isnull=False),
                name="item_completed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="item_status_deadline_idx"),
            models.Index(fields=["lead_department", "status"], name="item_department_status_idx"),
            models.Index(fields=["deadline"], name="item_deadline_idx"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        return reverse("ledger:item-detail", args=[self.pk])

    def clean(self):
        if self.problem_id and self.inspection_id and self.problem.inspection_id != self.inspection_id:
            raise ValidationError({"problem": _("反馈问题不属于该巡视轮次。")})

    def clean_fields(self, exclude=None):
        # Validating re-assigns every field; the protected status is checked by its transitions.
        super().clean_fields(exclude={*(exclude or ()), "status"})

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return is_overdue(status=self.status, deadline=self.deadline, today=today or timezone.localdate())

    def light(self, today: datetime.date | None = None) -> Light:
        return light_for(status=self.status, deadline=self.deadline, today=today or timezone.localdate())

    @property
    def is_completed(self) -> bool:
        return self.status == self.Status.COMPLETED

    # --- Transitions (fired only by services.py, inside a transaction, on a locked row) --------

    @transition(field=status, **_fsm("start"))
    def start(self) -> None:
        """未启动 → 整改中."""

    @transition(field=status, **_fsm("submit"))
    def submit(self) -> None:
        """整改中 / 长期坚持 → 待销号."""

    @transition(field=status, **_fsm("approve"))
    def approve(self, *, completed_on: datetime.date) -> None:
        """待销号 → 已完成（已销号）."""
        self.completed_on = completed_on
        self.next_review_on = None

    @transition(field=status, **_fsm("send_back"))
    def send_back(self) -> None:
        """待销号 → 整改中, one more return."""
        self.return_count += 1

    @transition(field=status, **_fsm("designate_long_term"))
    def designate_long_term(self, *, next_review_on: datetime.date) -> None:
        """未启动 / 整改中 → 长期坚持."""
        self.next_review_on = next_review_on

    @transition(field=status, **_fsm("reopen"))
    def reopen(self, *, deadline: datetime.date) -> None:
        """已完成 / 长期坚持 → 整改中 with a new deadline (回头看)."""
        self.completed_on = None
        self.next_review_on = None
        self.deadline = deadline


class Measure(models.Model):
    """A rectification measure (整改措施): one 一是/二是 clause of an item."""

    item = models.ForeignKey(
        RectificationItem, verbose_name=_("整改事项"), on_delete=models.CASCADE, related_name="measures"
    )
    sequence = models.PositiveIntegerField(_("序号"))
    text = models.TextField(_("措施内容"))
    is_done = models.BooleanField(_("已完成"), default=False)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("整改措施")
        verbose_name_plural = _("整改措施")
        ordering = ["item", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["item", "sequence"], name="measure_unique_sequence"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="measure_sequence_positive"),
            models.CheckConstraint(
                condition=Q(is_done=True, done_on__isnull=False) | Q(is_done=False, done_on__isnull=True),
                name="measure_done_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.label}{self.text[:40]}"

    @property
    def label(self) -> str:
        return measure_label(self.sequence)


class ProgressUpdate(models.Model):
    """A progress report (整改进展) on an item; append-only."""

    item = models.ForeignKey(
        RectificationItem, verbose_name=_("整改事项"), on_delete=models.CASCADE, related_name="progress_updates"
    )
    reported_on = models.DateField(_("报告日期"), default=timezone.localdate)
    text = models.TextField(_("进展情况"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_updates",
    )
    created_at = models.DateTimeField(_("填报时间"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("整改进展")
        verbose_name_plural = _("整改进展")
        ordering = ["item", "-reported_on", "-id"]
        indexes = [models.Index(fields=["item", "-reported_on"], name="progress_item_date_idx")]

    def __str__(self):
        return f"{self.reported_on:%Y-%m-%d} {self.text[:40]}"


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    """A random name under evidence/YYYY/MM/, keeping only the checked extension."""
    suffix = PurePath(filename).suffix.lower()
    return f"evidence/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A supporting document (佐证材料) for an item."""

    item = models.ForeignKey(
        RectificationItem, verbose_name=_("整改事项"), on_delete=models.CASCADE, related_name="evidence"
    )
    progress_update = models.ForeignKey(
        ProgressUpdate,
        verbose_name=_("所属进展"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="evidence",
    )
    title = models.CharField(_("材料名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to=evidence_upload_to, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=255)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["item", "-uploaded_at", "-id"]

    def __str__(self):
        return self.title


class Decision(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("已退回")


class Origin(models.TextChoices):
    REQUEST = "request", _("申请")
    IMPORT = "import", _("导入")
    OFFICE = "office", _("纪工委决定")


class ReviewRequest(models.Model):
    """What a 销号 and an extension request share: who asked, when, and the review of it."""

    origin = models.CharField(_("来源"), max_length=20, choices=Origin.choices, default=Origin.REQUEST)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="%(class)ss_requested",
    )
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decision = models.CharField(_("审核结果"), max_length=20, choices=Decision.choices, default=Decision.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="%(class)ss_reviewed",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.TextField(_("审核意见"), blank=True)
    self_reviewed = models.BooleanField(
        _("本人审核"), default=False, help_text=_("四眼原则关闭（RECTIFY_FOUR_EYES=0）时申请人审核了自己的申请。")
    )
    source_name = models.CharField(_("来源文件"), max_length=255, blank=True, help_text=_("导入时的文件名。"))
    is_sample = models.BooleanField(_("示例数据"), default=False, help_text=_("原始材料未载明、为演示填入的示例值。"))

    class Meta:
        abstract = True

    @property
    def is_pending(self) -> bool:
        return self.decision == Decision.PENDING


class SignOff(ReviewRequest):
    """A request to close (销号) an item, and the discipline office's decision on it. An imported
    past completion is a sign-off of origin 导入 naming the file and the importing user."""

    item = models.ForeignKey(
        RectificationItem, verbose_name=_("整改事项"), on_delete=models.CASCADE, related_name="signoffs"
    )
    note = models.TextField(_("销号说明"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("销号申请")
        verbose_name_plural = _("销号申请")
        ordering = ["item", "-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(decision="pending"), name="signoff_one_pending_per_item"
            ),
            models.CheckConstraint(
                condition=~Q(decision="rejected") | ~Q(review_note=""),
                name="signoff_rejection_has_reason",
            ),
        ]
        # The dashboard's "待我审核" list: pending requests, oldest first.
        indexes = [
            models.Index(fields=["requested_at"], condition=Q(decision="pending"), name="signoff_pending_idx"),
        ]

    def __str__(self):
        return f"{self.item.number}. 销号申请（{self.get_decision_display()}）"


class Extension(ReviewRequest):
    """A request to move an item's deadline (延期), and its decision. A deadline the office moves
    itself (a bulk action) is an extension of origin 纪工委决定, approved as it is recorded."""

    item = models.ForeignKey(
        RectificationItem, verbose_name=_("整改事项"), on_delete=models.CASCADE, related_name="extensions"
    )
    previous_deadline = models.DateField(_("原完成时限"), null=True, blank=True)
    requested_deadline = models.DateField(_("申请延至"))
    reason = models.TextField(_("延期理由"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["item", "-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=Q(decision="pending"), name="extension_one_pending_per_item"
            ),
        ]
        indexes = [
            models.Index(fields=["requested_at"], condition=Q(decision="pending"), name="extension_pending_idx"),
        ]

    def __str__(self):
        return f"{self.item.number}. 延期至{self.requested_deadline:%Y-%m-%d}（{self.get_decision_display()}）"


class Escalation(models.Model):
    """A step of the escalation ladder (督办等级) raised on an item: 催办, 督办 (with its 督办通知单),
    约谈提醒. Raised by `send_reminders` once per item, level and deadline (``cycle``); closed when
    the item is completed, designated long-term or its deadline is extended."""

    class Level(models.IntegerChoices):
        URGE = 1, _("催办")
        SUPERVISE = 2, _("督办")
        INTERVIEW = 3, _("约谈提醒")

    item = models.ForeignKey(
        RectificationItem, verbose_name=_("整改事项"), on_delete=models.CASCADE, related_name="escalations"
    )
    level = models.PositiveSmallIntegerField(_("督办等级"), choices=Level.choices)
    cycle = models.CharField(
        _("对应完成时限"), max_length=10, help_text=_("升级时的完成时限（YYYY-MM-DD），无时限为“-”。")
    )
    raised_on = models.DateField(_("升级日期"))
    days_overdue = models.IntegerField(_("逾期天数"), default=0)
    reason = models.CharField(_("升级原因"), max_length=300)
    told = models.TextField(_("通知对象"), blank=True)
    notice_year = models.PositiveIntegerField(_("通知单年度"), null=True, blank=True)
    notice_number = models.PositiveIntegerField(_("通知单序号"), null=True, blank=True)
    reply_by = models.DateField(_("要求回复日期"), null=True, blank=True)
    closed_on = models.DateField(_("关闭日期"), null=True, blank=True)
    close_reason = models.CharField(_("关闭原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["item", "raised_on", "level", "id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "level", "cycle"], name="escalation_once_per_item_level_cycle"),
            models.UniqueConstraint(fields=["notice_year", "notice_number"], name="escalation_notice_number_unique"),
        ]
        indexes = [
            models.Index(fields=["level"], condition=Q(closed_on__isnull=True), name="escalation_open_idx"),
        ]

    def __str__(self):
        return f"{self.item.number}. {self.get_level_display()}（{self.raised_on:%Y-%m-%d}）"

    @property
    def notice_label(self) -> str:
        """督办〔2024〕3号, for a 督办 step."""
        return f"督办〔{self.notice_year}〕{self.notice_number}号" if self.notice_number else ""


class Meeting(models.Model):
    """Meetings held on the rectification; one row may stand for several when only a count is known."""

    class Kind(models.TextChoices):
        PARTY_COMMITTEE = "party_committee", _("党工委会议")
        MOBILISATION = "mobilisation", _("巡视整改工作动员大会")
        SCHEDULING = "scheduling", _("专题调度会")
        WEEKLY = "weekly", _("周例会")
        OTHER = "other", _("其他会议")

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡视轮次"), on_delete=models.CASCADE, related_name="meetings"
    )
    kind = models.CharField(_("会议类型"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("会议名称"), max_length=200, blank=True)
    held_on = models.DateField(_("召开日期"), null=True, blank=True)
    count = models.PositiveIntegerField(_("次数"), default=1)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["inspection", "kind", "held_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(count__gte=1), name="meeting_count_positive")]

    def __str__(self):
        return f"{self.get_kind_display()}×{self.count}"


class Regulation(models.Model):
    """A regulation (规章制度) made as part of the rectification."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡视轮次"), on_delete=models.CASCADE, related_name="regulations"
    )
    title = models.CharField(_("制度名称"), max_length=300)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    item = models.ForeignKey(
        RectificationItem,
        verbose_name=_("关联整改事项"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="regulations",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("规章制度")
        verbose_name_plural = _("规章制度")
        ordering = ["inspection", "issued_on", "id"]

    def __str__(self):
        return self.title


class FundRecovery(models.Model):
    """Funds recovered (挽回/追缴资金) through the rectification, in 万元."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡视轮次"), on_delete=models.CASCADE, related_name="fund_recoveries"
    )
    amount = models.DecimalField(_("金额（万元）"), max_digits=14, decimal_places=2)
    recovered_on = models.DateField(_("日期"), null=True, blank=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    item = models.ForeignKey(
        RectificationItem,
        verbose_name=_("关联整改事项"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fund_recoveries",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("挽回资金")
        verbose_name_plural = _("挽回资金")
        ordering = ["inspection", "recovered_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="fund_amount_not_negative")]

    def __str__(self):
        return f"{self.amount}万元"


class Accountability(models.Model):
    """People held accountable (追责问责), by kind."""

    class Kind(models.TextChoices):
        PARTY_DISCIPLINE = "party_discipline", _("党纪处分")
        GOVERNMENT_SANCTION = "government_sanction", _("政务处分")
        ORGANISATIONAL = "organisational", _("组织处理")
        ADMONITION = "admonition", _("诫勉谈话")
        CRITICISM = "criticism", _("批评教育")
        REMINDER = "reminder", _("提醒谈话")

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡视轮次"), on_delete=models.CASCADE, related_name="accountabilities"
    )
    kind = models.CharField(_("问责方式"), max_length=30, choices=Kind.choices)
    people = models.PositiveIntegerField(_("人数"))
    decided_on = models.DateField(_("日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    item = models.ForeignKey(
        RectificationItem,
        verbose_name=_("关联整改事项"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accountabilities",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("问责情况")
        verbose_name_plural = _("问责情况")
        ordering = ["inspection", "kind", "id"]
        constraints = [models.CheckConstraint(condition=Q(people__gte=1), name="accountability_people_positive")]

    def __str__(self):
        return f"{self.get_kind_display()}{self.people}人"


class Notice(models.Model):
    """A public notice (通报) on the progress of rectification, as published."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("巡视轮次"), on_delete=models.CASCADE, related_name="notices"
    )
    attachment_label = models.CharField(_("附件标识"), max_length=20, blank=True, help_text=_("如：附件4"))
    title = models.CharField(_("标题"), max_length=200, default="关于巡视整改进展情况的通报")
    opening = models.TextField(_("开头段"), blank=True)
    organisation_text = models.TextField(_("组织整改落实情况"), blank=True)
    next_steps = models.TextField(_("下一步整改工作安排"), blank=True)
    closing_text = models.TextField(_("结束语"), blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=50, blank=True)
    contact_address = models.CharField(_("邮政信箱"), max_length=200, blank=True)
    contact_email = models.EmailField(_("电子邮箱"), blank=True)
    publisher = models.CharField(_("发布单位"), max_length=100)
    published_on = models.DateField(_("发布日期"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("整改通报")
        verbose_name_plural = _("整改通报")
        ordering = ["inspection", "-published_on", "-id"]

    def __str__(self):
        return f"{self.publisher}{self.title}"


class LedgerRevision(models.Model):
    """How many committed transactions have changed what the ledger shows: one row, raised after
    each commit that wrote an inspection, problem, item, department or leader (``revision.py``).
    Caches of views of the ledger key on it: unlike the highest history id, it follows the order
    in which transactions commit."""

    number = models.BigIntegerField(_("版本号"), default=0)

    class Meta:
        verbose_name = _("台账版本")
        verbose_name_plural = _("台账版本")

    def __str__(self):
        return str(self.number)
