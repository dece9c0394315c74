"""The admin of accounts, departments, leaders and the audit log.

Separation of duties (三员分立): the user form has no superuser flag and no raw permission lists;
roles are the five role groups, and the staff flag follows them. Nobody changes their own roles or
active flag; a password set by someone else must be changed at the next login; every account
change is an audit event (rectify/accounts/services.py). Who may do what is decided in rules.py.
"""

import rules
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.admin import SimpleHistoryAdmin

from rectify.admin_base import ReadOnlyAdminMixin, UnitScopedAdminMixin

from . import services
from .models import AuditEvent, Department, Leader, Unit, User
from .roles import Role

# Roles are the five groups of roles.py, assigned on the user form; the groups' own permission
# lists are not used (every permission comes from the rules), so the group admin is not offered.
admin.site.unregister(Group)

# Fields that change what an account may do; nobody changes them on their own account.
ACCESS_FIELDS = ["groups", "is_active", "unit"]
# Fields no form here has (or has only for others' accounts): a POST naming them is refused.
PRIVILEGE_FIELDS = [*ACCESS_FIELDS, "is_staff", "is_superuser", "user_permissions"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "full_name", "unit", "department", "role_list", "is_active", "last_login"]
    list_filter = ["groups", "unit", "department", "is_active"]
    list_select_related = ["unit", "department"]
    search_fields = ["username", "full_name", "email"]
    filter_horizontal = []
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["full_name", "email", "phone", "unit", "department"]}),
        (_("角色与状态"), {"fields": ["groups", "is_active", "must_change_password", "is_staff", "is_superuser"]}),
        (_("重要日期"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        (_("单位信息"), {"fields": ["full_name", "unit", "department", "groups"]}),
    ]
    readonly_fields = ["is_staff", "is_superuser", "last_login", "date_joined"]
    actions = ["deactivate_accounts", "clear_lockouts", "reset_two_factor"]

    def get_queryset(self, request):
        accounts = super().get_queryset(request).prefetch_related("groups")
        path = request.user.scope_path
        if path:  # an administrator tied to a unit keeps the accounts of its units
            accounts = accounts.filter(
                Q(unit__path__startswith=path)
                | Q(department__unit__path__startswith=path)
                | Q(leader__unit__path__startswith=path)
            )
        return accounts

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("accounts.change_user", obj)

    def has_delete_permission(self, request, obj=None):
        return rules.has_perm("accounts.delete_user", request.user, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and not rules.has_perm("accounts.change_user_access", request.user, obj):
            readonly += ACCESS_FIELDS
        return readonly

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = Group.objects.filter(name__in=Role.values).order_by("name")
            kwargs["widget"] = forms.CheckboxSelectMultiple
            kwargs["label"] = _("角色")
            kwargs["help_text"] = _("角色决定用户能看到和修改什么；不能修改自己的角色。")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        form.account_before = services.AccountState.of(obj) if change else None
        if not change:
            # Whoever an administrator creates sets their own password at first login.
            obj.must_change_password = True
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if any(name in request.POST and name not in form.fields for name in PRIVILEGE_FIELDS):
            messages.warning(request, "不能修改自己的角色、账户状态、后台权限或超级用户标志，这些内容未保存。")
        services.sync_admin_site_access(form.instance)
        services.record_account_changes(request=request, user=form.instance, before=form.account_before)

    def user_change_password(self, request, id, form_url=""):
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        with transaction.atomic():
            user = self.get_object(request, unquote(id))
            before = user.password if user is not None else None
            response = super().user_change_password(request, id, form_url)
            user = self.get_object(request, unquote(id))
            if user is not None and user.password != before:
                services.password_set_by_admin(request=request, actor=request.user, user=user)
        return response

    @admin.action(description=_("停用所选账户"), permissions=["change"])
    def deactivate_accounts(self, request, queryset):
        allowed = [
            user
            for user in queryset
            if request.user.has_perm("accounts.change_user", user)
            and rules.has_perm("accounts.change_user_access", request.user, user)
        ]
        count = services.deactivate_accounts(request=request, actor=request.user, users=allowed)
        messages.success(request, f"已停用 {count} 个账户。")
        refused = [str(user) for user in queryset if user not in allowed]
        if refused:
            messages.warning(request, "未停用（不能停用自己的账户或超级用户）：" + "、".join(refused))

    @admin.action(description=_("解除所选账户的登录锁定"), permissions=["change"])
    def clear_lockouts(self, request, queryset):
        cleared = 0
        for user in queryset:
            if request.user.has_perm("accounts.change_user", user):
                services.clear_lockout(request=request, actor=request.user, user=user)
                cleared += 1
        messages.success(request, f"已解除 {cleared} 个账户的登录锁定。")

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


class ReferenceDataForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        try:
            services.check_unit_move(self.instance, cleaned.get("unit"))
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class ReferenceDataAdmin(UnitScopedAdminMixin, SimpleHistoryAdmin):
    """Departments and leaders: those that items or accounts refer to are deactivated, not deleted,
    and stay in their unit."""

    form = ReferenceDataForm
    actions = ["deactivate", "activate"]

    def has_delete_permission(self, request, obj=None):
        return rules.has_perm(f"{self.opts.app_label}.delete_{self.opts.model_name}", request.user, obj)

    def get_search_results(self, request, queryset, search_term):
        if request.path == reverse("admin:autocomplete"):
            queryset = queryset.filter(is_active=True)  # the ledger's pickers offer active ones only
        return super().get_search_results(request, queryset, search_term)

    @admin.action(description=_("停用所选项"), permissions=["change"])
    def deactivate(self, request, queryset):
        count = services.set_reference_active(objects=queryset, active=False)
        messages.success(request, f"已停用 {count} 项；引用它们的整改事项照常显示，新选择列表中不再出现。")

    @admin.action(description=_("启用所选项"), permissions=["change"])
    def activate(self, request, queryset):
        count = services.set_reference_active(objects=queryset, active=True)
        messages.success(request, f"已启用 {count} 项。")


@admin.register(Department)
class DepartmentAdmin(ReferenceDataAdmin):
    list_display = ["name", "unit", "sort_order", "is_active", "is_sample"]
    list_editable = ["sort_order"]
    list_select_related = ["unit"]
    search_fields = ["name"]
    list_filter = ["unit", "is_active", "is_sample"]


@admin.register(Leader)
class LeaderAdmin(ReferenceDataAdmin):
    list_display = ["name", "position", "unit", "user", "sort_order", "is_active", "is_sample"]
    list_select_related = ["unit", "user"]
    search_fields = ["name", "position"]
    list_filter = ["unit", "is_active", "is_sample"]
    autocomplete_fields = ["user"]


class UnitForm(forms.ModelForm):
    class Meta:
        model = Unit
        fields = ["name", "short_name", "kind", "parent", "sort_order"]

    def clean_parent(self):
        parent = self.cleaned_data["parent"]
        unit = self.instance
        if unit.pk and parent is not None and parent.path.startswith(unit.path):
            raise ValidationError(f"不能把“{unit}”移到它自己或它的下级单位“{parent}”之下。")
        return parent


@admin.register(Unit)
class UnitAdmin(UnitScopedAdminMixin, SimpleHistoryAdmin):
    """The unit tree; paths are kept by rectify/accounts/services.py."""

    form = UnitForm
    list_display = ["indented_name", "short_name", "kind", "parent"]
    list_select_related = ["parent"]
    search_fields = ["name", "short_name"]
    list_filter = ["kind"]

    @admin.display(description=_("单位名称"), ordering="path")
    def indented_name(self, unit):
        return "　" * (unit.depth - 1) + unit.name

    def has_delete_permission(self, request, obj=None):
        return rules.has_perm("accounts.delete_unit", request.user, obj)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            if not change:
                created = services.create_unit(
                    name=obj.name,
                    short_name=obj.short_name,
                    kind=obj.kind,
                    parent=obj.parent,
                    sort_order=obj.sort_order,
                    actor=request.user,
                )
                obj.pk, obj.path = created.pk, created.path
                return
            parent = obj.parent
            obj.parent = Unit.objects.get(pk=obj.pk).parent  # moved below, with the subtree's paths
            obj.save(update_fields=["name", "short_name", "kind", "sort_order"])
            services.set_unit_parent(unit=obj, parent=parent, actor=request.user)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: the audit log is written by the app and never edited."""

    list_display = ["created_at", "kind", "username", "object_repr", "ip_address", "path"]
    list_filter = ["kind"]
    search_fields = ["username", "ip_address", "path", "detail", "object_repr"]
    date_hierarchy = "created_at"


# Second-factor devices change only through enrolment and the audited reset (the action above):
# django-otp's own admin pages would let a superuser read another person's TOTP key unaudited.
admin.site.unregister([TOTPDevice, StaticDevice])
