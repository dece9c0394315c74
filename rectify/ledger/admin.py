from django.contrib import admin
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from rectify.accounts import audit
from rectify.accounts.models import AuditEvent
from rectify.admin_base import ReadOnlyAdminMixin, UnitScopedAdminMixin

from .models import (
    Accountability,
    Escalation,
    Evidence,
    Extension,
    FeedbackProblem,
    FundRecovery,
    Inspection,
    Measure,
    Meeting,
    Notice,
    ProgressUpdate,
    RectificationItem,
    Regulation,
    SignOff,
    WorkingGroupMember,
)
from .presentation import light_badge, status_badge


class OverdueFilter(admin.SimpleListFilter):
    title = _("是否逾期")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("已逾期")), ("no", _("未逾期"))]

    def queryset(self, request, queryset):
        overdue = RectificationItem.objects.overdue_q(timezone.localdate())
        if self.value() == "yes":
            return queryset.filter(overdue)
        if self.value() == "no":
            return queryset.exclude(overdue)
        return queryset


class WorkingGroupMemberInline(admin.TabularInline):
    model = WorkingGroupMember
    extra = 0


class MeetingInline(admin.TabularInline):
    model = Meeting
    extra = 0


@admin.register(Inspection)
class InspectionAdmin(UnitScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["name", "unit", "kind", "inspecting_body", "feedback_date", "planned_item_count"]
    list_filter = ["kind", "unit"]
    list_select_related = ["unit"]
    search_fields = ["name", "inspecting_body", "inspected_unit", "plan_title"]
    date_hierarchy = "feedback_date"
    inlines = [WorkingGroupMemberInline, MeetingInline]

    def has_delete_permission(self, request, obj=None):
        # A round is deleted in the workspace (typing its name; soft delete, audited), never by cascade.
        return False


class ItemInline(admin.TabularInline):
    model = RectificationItem
    fields = ["number", "title", "lead_department", "deadline", "status"]
    readonly_fields = ["status"]
    show_change_link = True
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("lead_department")


@admin.register(FeedbackProblem)
class FeedbackProblemAdmin(UnitScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["label_title", "inspection", "item_count"]
    list_filter = ["inspection"]
    list_select_related = ["inspection"]
    search_fields = ["title", "description"]
    inlines = [ItemInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(item_total=Count("items"))

    @admin.display(description=_("反馈问题"), ordering="sequence")
    def label_title(self, obj):
        return str(obj)

    @admin.display(description=_("整改事项数"), ordering="item_total")
    def item_count(self, obj):
        return obj.item_total


class MeasureInline(admin.TabularInline):
    model = Measure
    fields = ["sequence", "text", "is_done", "done_on"]
    extra = 0


@admin.register(RectificationItem)
class RectificationItemAdmin(UnitScopedAdminMixin, SimpleHistoryAdmin):
    list_display = [
        "number",
        "title",
        "problem_label",
        "lead_department",
        "leader_list",
        "deadline",
        "status_badge",
        "light_badge",
    ]
    list_display_links = ["number", "title"]
    list_filter = ["inspection", "status", "kind", OverdueFilter, "lead_department", "leaders"]
    list_select_related = ["inspection", "problem", "lead_department"]
    search_fields = ["title", "detail", "summary", "measures__text"]
    autocomplete_fields = ["leaders", "co_departments"]
    inlines = [MeasureInline]
    history_list_display = ["status", "deadline"]
    # Status and what only its transitions set are read-only here: they change on the item's page
    # (销号, 退回, 延期, 长期坚持, 回头看), never by editing.
    readonly_fields = ["status", "completed_on", "original_deadline", "return_count", "next_review_on"]

    def delete_model(self, request, obj):
        audit.record(AuditEvent.Kind.ITEM_DELETED, request=request, obj=obj, detail=f"{obj.inspection}：{obj}")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for item in queryset.select_related("inspection"):
            audit.record(AuditEvent.Kind.ITEM_DELETED, request=request, obj=item, detail=f"{item.inspection}：{item}")
        super().delete_queryset(request, queryset)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("leaders")

    @admin.display(description=_("反馈问题"), ordering="problem__sequence")
    def problem_label(self, obj):
        return obj.problem.label

    @admin.display(description=_("责任领导"))
    def leader_list(self, obj):
        return "、".join(leader.name for leader in obj.leaders.all()) or "—"

    @admin.display(description=_("完成状态"), ordering="status")
    def status_badge(self, obj):
        return status_badge(obj.status, obj.get_status_display())

    @admin.display(description=_("预警"))
    def light_badge(self, obj):
        return light_badge(obj.light())


@admin.register(Measure)
class MeasureAdmin(UnitScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["__str__", "item", "is_done", "done_on"]
    list_filter = ["is_done", "item__inspection"]
    list_select_related = ["item"]
    search_fields = ["text"]
    autocomplete_fields = ["item"]


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(UnitScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["item", "reported_on", "author", "text"]
    list_filter = ["item__inspection", "reported_on"]
    list_select_related = ["item", "author"]
    search_fields = ["text"]
    autocomplete_fields = ["item"]


@admin.register(Evidence)
class EvidenceAdmin(UnitScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "item", "original_name", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["item", "uploaded_by"]
    search_fields = ["title", "original_name", "sha256"]
    readonly_fields = ["original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    autocomplete_fields = ["item"]


class DecisionRecordAdmin(UnitScopedAdminMixin, ReadOnlyAdminMixin, SimpleHistoryAdmin):
    """销号 and extension records are read-only here: decisions are made on the item's page, where
    four eyes and the transition table hold."""


@admin.register(SignOff)
class SignOffAdmin(DecisionRecordAdmin):
    list_display = ["item", "requested_by", "requested_at", "decision", "reviewed_by", "reviewed_at"]
    list_filter = ["decision"]
    list_select_related = ["item", "requested_by", "reviewed_by"]
    autocomplete_fields = ["item"]


@admin.register(Extension)
class ExtensionAdmin(DecisionRecordAdmin):
    list_display = ["item", "previous_deadline", "requested_deadline", "requested_by", "decision"]
    list_filter = ["decision"]
    list_select_related = ["item", "requested_by"]
    autocomplete_fields = ["item"]


@admin.register(Meeting)
class MeetingAdmin(UnitScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["kind", "title", "held_on", "count", "inspection"]
    list_filter = ["inspection", "kind"]
    list_select_related = ["inspection"]


@admin.register(Regulation)
class RegulationAdmin(UnitScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "document_number", "issued_on", "item", "inspection"]
    list_filter = ["inspection"]
    list_select_related = ["inspection", "item"]
    search_fields = ["title", "document_number"]
    autocomplete_fields = ["item"]


@admin.register(FundRecovery)
class FundRecoveryAdmin(UnitScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["amount", "recovered_on", "description", "item", "inspection"]
    list_filter = ["inspection"]
    list_select_related = ["inspection", "item"]
    autocomplete_fields = ["item"]


@admin.register(Accountability)
class AccountabilityAdmin(UnitScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["kind", "people", "decided_on", "note", "inspection"]
    list_filter = ["inspection", "kind"]
    list_select_related = ["inspection", "item"]
    autocomplete_fields = ["item"]


@admin.register(Notice)
class NoticeAdmin(UnitScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["title", "publisher", "published_on", "inspection"]
    list_filter = ["inspection"]
    list_select_related = ["inspection"]


@admin.register(WorkingGroupMember)
class WorkingGroupMemberAdmin(UnitScopedAdminMixin, SimpleHistoryAdmin):
    list_display = ["group", "role", "holder", "inspection"]
    list_filter = ["inspection", "group"]
    list_select_related = ["inspection"]


@admin.register(Escalation)
class EscalationAdmin(UnitScopedAdminMixin, admin.ModelAdmin):
    """督办记录: raised by the daily job and closed by the services; read here, never edited."""

    list_display = ["item", "level", "raised_on", "days_overdue", "reason", "notice_label", "closed_on"]
    list_filter = ["level", ("closed_on", admin.EmptyFieldListFilter)]
    search_fields = ["item__title", "reason", "told"]
    list_select_related = ["item"]

    @admin.display(description="督办通知单")
    def notice_label(self, escalation):
        return escalation.notice_label

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
