from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from . import services
from .models import AuditEvent, Department, Leader, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "department", "role_list", "is_active", "last_login"]
    list_filter = ["groups", "department", "is_active"]
    list_select_related = ["department"]
    search_fields = ["username", "full_name", "email"]
    actions = ["reset_two_factor"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        (_("单位信息"), {"fields": ["full_name", "department", "phone", "must_change_password"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("单位信息"), {"fields": ["full_name", "department", "groups"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    def save_model(self, request, obj, form, change):
        if not change:
            # Whoever an administrator creates sets their own password at first login.
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    @admin.display(description=_("角色"))
    def role_list(self, obj):
        return "、".join(group.name for group in obj.groups.all()) or "—"

    @admin.action(description=_("重置所选用户的双因素认证"))
    def reset_two_factor(self, request, queryset):
        if not request.user.has_perm("accounts.reset_two_factor"):
            raise PermissionDenied
        reset = [user for user in queryset if user.two_factor_enabled]
        for user in reset:
            services.reset_two_factor(user=user, actor=request.user, request=request)
        names = "、".join(user.get_username() for user in reset) or "无（所选用户均未启用双因素认证）"
        self.message_user(request, f"已重置双因素认证：{names}。")


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ["name", "sort_order", "is_sample"]
    list_editable = ["sort_order"]
    search_fields = ["name"]
    list_filter = ["is_sample"]


@admin.register(Leader)
class LeaderAdmin(SimpleHistoryAdmin):
    list_display = ["name", "position", "user", "sort_order", "is_sample"]
    list_select_related = ["user"]
    search_fields = ["name", "position"]
    list_filter = ["is_sample"]
    autocomplete_fields = ["user"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is written by the app and never edited."""

    list_display = ["created_at", "kind", "username", "ip_address", "path"]
    list_filter = ["kind"]
    search_fields = ["username", "ip_address", "path", "detail"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# Second-factor devices change only through enrolment and the audited reset (the action above):
# django-otp's own admin pages would let a superuser read another person's TOTP key unaudited.
admin.site.unregister([TOTPDevice, StaticDevice])
