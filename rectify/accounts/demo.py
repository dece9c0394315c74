"""Demo accounts for a development machine (``make run``); listed in the README."""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from .models import Department, Leader, User
from .roles import ADMIN_SITE_ROLES, Role

DEMO_PASSWORD = "Rectify#2023demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: Role
    department: str = ""
    leader_position: str = ""


DEMO_ACCOUNTS = [
    DemoAccount("office", "纪工委演示用户", Role.DISCIPLINE_OFFICE, department="纪工委（监工委）"),
    DemoAccount("liaison", "经济发展局联络员", Role.LIAISON, department="经济发展局"),
    DemoAccount("liaison2", "招商合作局联络员", Role.LIAISON, department="招商合作局"),
    DemoAccount("leader", "党工委书记（演示）", Role.LEADER, leader_position="党工委书记"),
    DemoAccount("sysadmin", "系统管理员", Role.SYSADMIN),
    DemoAccount("auditor", "审计员", Role.AUDITOR),
]


@transaction.atomic
def create_demo_accounts() -> list[User]:
    """Create (or reset) the demo accounts; idempotent."""
    users = []
    for account in DEMO_ACCOUNTS:
        department = None
        if account.department:
            department, _ = Department.objects.get_or_create(name=account.department, defaults={"is_sample": True})
        user, _ = User.objects.update_or_create(
            username=account.username,
            defaults={"full_name": account.full_name, "department": department, "is_active": True},
        )
        user.set_password(DEMO_PASSWORD)
        user.is_staff = account.role in ADMIN_SITE_ROLES
        user.save()
        user.groups.set([Group.objects.get(name=account.role.value)])
        if account.leader_position:
            leader = Leader.objects.filter(position=account.leader_position).order_by("pk").first()
            if leader and leader.user_id is None:
                leader.user = user
                leader.save(update_fields=["user"])
        users.append(user)
    return users
