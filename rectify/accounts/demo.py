"""Demo accounts for a development machine (``make run``); listed in the README."""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from . import services
from .models import Department, Leader, Unit, User
from .roles import ADMIN_SITE_ROLES, Role

DEMO_PASSWORD = "Rectify#2023demo"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: Role
    department: str = ""
    leader_position: str = ""
    # Tied to the seed's unit (its 整改办); False: tied to no unit (the supervising office, or a role
    # that does not read the ledger).
    in_seed_unit: bool = True


DEMO_ACCOUNTS = [
    DemoAccount("office", "纪工委演示用户", Role.DISCIPLINE_OFFICE, department="纪工委（监工委）"),
    DemoAccount("liaison", "经济发展局联络员", Role.LIAISON, department="经济发展局"),
    DemoAccount("liaison2", "招商合作局联络员", Role.LIAISON, department="招商合作局"),
    DemoAccount("leader", "党工委书记（演示）", Role.LEADER, leader_position="党工委书记"),
    DemoAccount("supervisor", "巡察办演示用户", Role.DISCIPLINE_OFFICE, in_seed_unit=False),
    DemoAccount("sysadmin", "系统管理员", Role.SYSADMIN, in_seed_unit=False),
    DemoAccount("auditor", "审计员", Role.AUDITOR, in_seed_unit=False),
]

# The unit of the seed fixture (seed_huaihua_2023).
SEED_UNIT_NAME = "中共怀化高新技术产业开发区工作委员会"
SEED_UNIT_SHORT_NAME = "怀化高新区"


def seed_unit() -> Unit:
    """The seed's unit; created when the seed is not loaded (demo accounts on an empty database)."""
    unit = Unit.objects.filter(name=SEED_UNIT_NAME).first()
    if unit is None:
        unit = services.create_unit(
            name=SEED_UNIT_NAME, short_name=SEED_UNIT_SHORT_NAME, kind=Unit.Kind.WORKING_COMMITTEE
        )
    return unit


@transaction.atomic
def create_demo_accounts() -> list[User]:
    """Create (or reset) the demo accounts; idempotent."""
    users = []
    unit = seed_unit()
    for account in DEMO_ACCOUNTS:
        department = None
        if account.department:
            department, _ = Department.objects.get_or_create(
                unit=unit, name=account.department, defaults={"is_sample": True}
            )
        # Liaisons and leaders belong to the unit through their department or leader record.
        tied = account.in_seed_unit and account.role not in (Role.LIAISON, Role.LEADER)
        user, _ = User.objects.update_or_create(
            username=account.username,
            defaults={
                "full_name": account.full_name,
                "unit": unit if tied else None,
                "department": department,
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.is_staff = account.role in ADMIN_SITE_ROLES
        user.save()
        user.groups.set([Group.objects.get(name=account.role.value)])
        if account.leader_position:
            leader = Leader.objects.filter(unit=unit, position=account.leader_position).order_by("pk").first()
            if leader and leader.user_id is None:
                leader.user = user
                leader.save(update_fields=["user"])
        users.append(user)
    return users
