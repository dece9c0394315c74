from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .channels import validate_channel_url
from .roles import Role


class Unit(models.Model):
    """An inspected unit (被巡视/巡察单位, the 整改责任主体), placed in the supervision tree.

    ``path`` is a materialised path: each ancestor's primary key, zero-padded, then the unit's
    own, e.g. ``000001/000004/``. A unit's whole subtree is one indexed prefix query
    (``path__startswith``); rectify/accounts/units.py keeps the paths and asks them."""

    class Kind(models.TextChoices):
        PARTY_COMMITTEE = "party_committee", _("党委")
        PARTY_GROUP = "party_group", _("党组")
        WORKING_COMMITTEE = "working_committee", _("党工委")
        ENTERPRISE = "enterprise", _("企业")
        SCHOOL = "school", _("学校")
        HOSPITAL = "hospital", _("医院")
        OTHER = "other", _("其他")

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    kind = models.CharField(_("单位类型"), max_length=20, choices=Kind.choices, default=Kind.PARTY_COMMITTEE)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    path = models.CharField(_("层级路径"), max_length=255, unique=True, editable=False)
    sort_order = models.PositiveIntegerField(_("排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["path"]
        indexes = [
            # LIKE 'prefix%' uses a B-tree index on PostgreSQL only with the pattern operator class.
            models.Index(fields=["path"], name="unit_path_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self):
        return self.name

    @property
    def label(self) -> str:
        """The short name where there is one: what tables and selectors show."""
        return self.short_name or self.name

    @property
    def depth(self) -> int:
        return self.path.count("/")


class ReferenceData(models.Model):
    """What departments and leaders share: their order in lists, whether the seed's sample values
    filled them in, and deactivation (referenced rows are deactivated, never deleted)."""

    sort_order = models.PositiveIntegerField(_("排序"), default=0)
    is_sample = models.BooleanField(_("示例数据"), default=False, help_text=_("原始材料未载明、为演示填入的示例值。"))
    is_active = models.BooleanField(
        _("在用"), default=True, help_text=_("停用后不再出现在选择列表中；引用它的整改事项照常显示。")
    )

    class Meta:
        abstract = True


class Department(ReferenceData):
    """A responsible department (责任部门) of the inspected unit."""

    unit = models.ForeignKey(Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="departments")
    name = models.CharField(_("名称"), max_length=100)
    notify_url = models.CharField(
        _("部门通知渠道"),
        max_length=1000,
        blank=True,
        validators=[validate_channel_url],
        help_text=_("本部门事项的消息发往此处，如钉钉或企业微信群机器人的 apprise 地址（dingtalk://…、wxteams://…）。"),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name"], name="department_unique_name_per_unit"),
        ]

    def __str__(self):
        return self.name


class Leader(ReferenceData):
    """A responsible leader (责任领导); may be linked to a user account."""

    unit = models.ForeignKey(Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="leaders")
    name = models.CharField(_("姓名"), max_length=50)
    position = models.CharField(_("职务"), max_length=100)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户账户"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leader",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("责任领导")
        verbose_name_plural = _("责任领导")
        ordering = ["sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "name", "position"], name="leader_unique_per_unit"),
        ]

    def __str__(self):
        return f"{self.name}（{self.position}）"


class User(AbstractUser):
    """A person who signs in. A department liaison belongs to one department."""

    class NotifyChannel(models.TextChoices):
        EMAIL = "email", _("电子邮件（并在系统内提醒）")
        IN_APP = "in_app", _("仅系统内提醒")
        DEPARTMENT = "department", _("部门通知渠道（并在系统内提醒）")

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所属单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        help_text=_(
            "账户只能看到本单位及下级单位。纪工委工作人员不指定单位（或指定上级单位）即为巡察办，可查看所辖各单位。"
        ),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("所属部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    notify_channel = models.CharField(
        _("消息接收方式"), max_length=20, choices=NotifyChannel.choices, default=NotifyChannel.EMAIL
    )
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)
    # Kept by rectify.accounts.services (enrolment sets it, the reset clears it), so that the
    # two-factor gate knows without a query on every request.
    two_factor_enabled = models.BooleanField(_("已启用双因素认证"), default=False, editable=False)

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self):
        return self.full_name or self.username

    @cached_property
    def role_names(self) -> frozenset[str]:
        """The names of the user's role groups, read once per request."""
        return frozenset(group.name for group in self.groups.all())  # uses a prefetch where there is one

    def has_role(self, role: Role) -> bool:
        return role.value in self.role_names

    @cached_property
    def scope_path(self) -> str:
        """The path of the unit whose subtree the user sees (``""``: all), read once per request."""
        from .units import scope_path

        return scope_path(self)

    @cached_property
    def units_with_own_office(self) -> frozenset[int]:
        """The units whose 销号 decisions stay with their own office, read once per request."""
        from .units import units_with_own_office

        return units_with_own_office()


class AuditEvent(models.Model):
    """An entry of the security audit log (安全审计日志). Written by the app, never edited through it."""

    class Kind(models.TextChoices):
        LOGIN = "login", _("登录")
        LOGOUT = "logout", _("退出")
        LOGIN_FAILED = "login_failed", _("登录失败")
        LOCKED_OUT = "locked_out", _("账户锁定")
        PERMISSION_DENIED = "permission_denied", _("越权访问")
        PASSWORD_CHANGED = "password_changed", _("修改密码")
        EXPORT = "export", _("导出")
        IMPORT = "import", _("导入")
        EVIDENCE_DOWNLOAD = "evidence_download", _("下载佐证材料")
        BACKUP = "backup", _("备份")
        RESTORE = "restore", _("恢复")
        RESTORE_FAILED = "restore_failed", _("恢复失败")
        # Ledger decisions (close-out integrity).
        ITEM_STARTED = "item_started", _("启动整改")
        SIGNOFF_SUBMITTED = "signoff_submitted", _("申请销号")
        SIGNOFF_APPROVED = "signoff_approved", _("批准销号")
        SIGNOFF_RETURNED = "signoff_returned", _("退回销号申请")
        EXTENSION_REQUESTED = "extension_requested", _("申请延期")
        EXTENSION_DECIDED = "extension_decided", _("审核延期")
        ITEM_REOPENED = "item_reopened", _("回头看重新打开")
        LONG_TERM_DESIGNATED = "long_term_designated", _("认定长期坚持")
        BULK_ACTION = "bulk_action", _("批量操作")
        IMPORT_UNDONE = "import_undone", _("撤销导入")
        INSPECTION_DELETED = "inspection_deleted", _("删除巡视轮次")
        INSPECTION_CREATED = "inspection_created", _("新建巡视轮次")
        PROBLEM_CREATED = "problem_created", _("新建反馈问题")
        ITEM_CREATED = "item_created", _("新建整改事项")
        LEDGER_REORDERED = "ledger_reordered", _("调整顺序")
        ITEM_DELETED = "item_deleted", _("删除整改事项")
        LEDGER_EDITED = "ledger_edited", _("修改台账")
        # Accounts (separation of duties).
        ACCOUNT_CREATED = "account_created", _("创建账户")
        ACCOUNT_CHANGED = "account_changed", _("修改账户")
        ACCOUNT_DEACTIVATED = "account_deactivated", _("停用账户")
        ROLE_ADDED = "role_added", _("授予角色")
        ROLE_REMOVED = "role_removed", _("撤销角色")
        STAFF_CHANGED = "staff_changed", _("修改后台权限")
        SUPERUSER_CHANGED = "superuser_changed", _("修改超级用户")
        PASSWORD_SET_BY_ADMIN = "password_set_by_admin", _("管理员重置密码")
        LOCKOUT_CLEARED = "lockout_cleared", _("解除锁定")
        TWO_FACTOR_ENROLLED = "two_factor_enrolled", _("启用双因素认证")
        TWO_FACTOR_RESET = "two_factor_reset", _("重置双因素认证")
        TWO_FACTOR_FAILED = "two_factor_failed", _("双因素验证失败")
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("重新生成恢复码")
        AUDIT_EXPORTED = "audit_exported", _("导出审计日志")
        # The unit tree (who sees what follows it).
        UNIT_CREATED = "unit_created", _("新建单位")
        UNIT_MOVED = "unit_moved", _("调整上级单位")

    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    kind = models.CharField(_("事件"), max_length=30, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    username = models.CharField(_("用户名"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    path = models.CharField(_("访问路径"), max_length=500, blank=True)
    detail = models.TextField(_("详情"), blank=True)
    object_type = models.CharField(_("对象类型"), max_length=50, blank=True)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=300, blank=True)
    changes = models.JSONField(
        _("变更内容"), default=dict, blank=True, help_text=_("字段名 → [原值, 新值]，均为中文可读文本。")
    )

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "-created_at"], name="audit_kind_time_idx"),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.get_kind_display()} {self.username}"
