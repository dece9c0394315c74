"""The roles of domain.md, kept as auth groups (created by a data migration)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Each role is an auth group whose name is the Chinese label."""

    DISCIPLINE_OFFICE = "纪工委工作人员", _("纪工委工作人员")
    LIAISON = "部门联络员", _("部门联络员")
    LEADER = "责任领导", _("责任领导")
    SYSADMIN = "系统管理员", _("系统管理员")
    AUDITOR = "审计员", _("审计员")


# The roles that work in /admin/: the staff flag follows them (rectify/accounts/services.py).
ADMIN_SITE_ROLES = (Role.DISCIPLINE_OFFICE, Role.SYSADMIN)
