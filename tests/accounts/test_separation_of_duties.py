"""Separation of duties (三员分立) in /admin/: each attack of the security review is refused, nothing
changes, and every account change is an audit event the auditor reads."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from rectify.accounts.models import AuditEvent, Department, Leader, User
from rectify.accounts.roles import Role
from rectify.ledger.filters import ItemFilter
from rectify.ledger.forms import BulkActionForm, ItemEditForm
from tests.conftest import PASSWORD, make_user
from tests.factories import make_item, the_unit

pytestmark = pytest.mark.django_db


def change_url(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def password_url(user: User) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


def role(role: Role) -> Group:
    return Group.objects.get(name=role.value)


def form_data(user: User, **changes) -> dict:
    """The user change form as the admin renders it for ``user``, with ``changes`` applied."""
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "phone": user.phone,
        "department": user.department_id or "",
        "groups": [group.pk for group in user.groups.all()],
        "is_active": "on" if user.is_active else "",
        "must_change_password": "on" if user.must_change_password else "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value not in ("", None)}


@pytest.fixture
def auditor(db):
    return make_user("auditor", Role.AUDITOR)


@pytest.fixture
def admin_client(sysadmin):
    client = Client()
    client.force_login(sysadmin)
    return client


class TestTheSysadminCannotBecomeAnyone:
    def test_ticking_superuser_on_the_own_account_is_refused(self, admin_client, sysadmin):
        response = admin_client.post(change_url(sysadmin), form_data(sysadmin, is_superuser="on"), follow=True)
        assert "不能修改自己的角色" in response.content.decode()
        sysadmin.refresh_from_db()
        assert not sysadmin.is_superuser
        assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.SUPERUSER_CHANGED).exists()

    def test_joining_the_discipline_office_is_refused(self, admin_client, sysadmin):
        groups = [role(Role.SYSADMIN).pk, role(Role.DISCIPLINE_OFFICE).pk]
        response = admin_client.post(change_url(sysadmin), form_data(sysadmin, groups=groups), follow=True)
        assert "不能修改自己的角色" in response.content.decode()
        assert set(User.objects.get(pk=sysadmin.pk).groups.values_list("name", flat=True)) == {Role.SYSADMIN.value}
        assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.ROLE_ADDED).exists()
        # ... and so the ledger stays closed to them.
        assert admin_client.get(reverse("admin:ledger_rectificationitem_changelist")).status_code == 403

    def test_the_own_change_form_shows_roles_read_only(self, admin_client, sysadmin):
        body = admin_client.get(change_url(sysadmin)).content.decode()
        assert 'name="groups"' not in body and 'name="is_active"' not in body
        assert 'name="is_superuser"' not in body and 'name="user_permissions"' not in body

    def test_no_superuser_flag_or_raw_permissions_for_others_either(self, admin_client, office_user):
        body = admin_client.get(change_url(office_user)).content.decode()
        assert 'name="groups"' in body
        assert 'name="is_superuser"' not in body and 'name="user_permissions"' not in body
        assert 'name="is_staff"' not in body
        admin_client.post(change_url(office_user), form_data(office_user, is_superuser="on", is_staff=""))
        office_user.refresh_from_db()
        assert not office_user.is_superuser and office_user.is_staff

    def test_only_the_five_roles_are_offered(self, admin_client, office_user):
        Group.objects.create(name="自建组")
        body = admin_client.get(change_url(office_user)).content.decode()
        for name in Role.values:
            assert name in body
        assert "自建组" not in body
        assert admin_client.get("/admin/auth/group/").status_code == 404

    def test_a_password_set_by_the_sysadmin_must_be_changed_at_next_login(self, admin_client, office_user, sysadmin):
        response = admin_client.post(
            password_url(office_user),
            {"password1": "Taken#Over-2024", "password2": "Taken#Over-2024", "usable_password": "true"},
        )
        assert response.status_code == 302
        office_user.refresh_from_db()
        assert office_user.must_change_password
        event = AuditEvent.objects.get(kind=AuditEvent.Kind.PASSWORD_SET_BY_ADMIN)
        assert (event.user, event.object_id, event.object_repr) == (sysadmin, str(office_user.pk), str(office_user))
        # Logging in as the office user leads nowhere but to the password change.
        as_office = Client()
        login = {"username": "office", "password": "Taken#Over-2024"}
        assert as_office.post(reverse("accounts:login"), login).status_code == 302
        assert as_office.get("/items/")["Location"] == reverse("accounts:password-change")

    def test_superuser_accounts_are_out_of_reach(self, admin_client):
        root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
        assert admin_client.get(change_url(root)).status_code == 200  # read only
        assert admin_client.post(change_url(root), form_data(root, username="taken")).status_code == 403
        response = admin_client.post(
            password_url(root), {"password1": "Taken#Over-2024", "password2": "Taken#Over-2024"}
        )
        assert response.status_code == 403
        assert "无权访问" in response.content.decode()
        root.refresh_from_db()
        assert root.username == "root" and root.check_password(PASSWORD)

    def test_accounts_are_deactivated_not_deleted(self, admin_client, office_user, sysadmin):
        response = admin_client.post(reverse("admin:accounts_user_delete", args=[office_user.pk]), {"post": "yes"})
        assert response.status_code == 403
        changelist = reverse("admin:accounts_user_changelist")
        response = admin_client.post(
            changelist,
            {"action": "deactivate_accounts", "_selected_action": [office_user.pk, sysadmin.pk]},
            follow=True,
        )
        body = response.content.decode()
        assert "已停用 1 个账户" in body and "不能停用自己的账户" in body
        assert not User.objects.get(pk=office_user.pk).is_active
        assert User.objects.get(pk=sysadmin.pk).is_active
        event = AuditEvent.objects.get(kind=AuditEvent.Kind.ACCOUNT_DEACTIVATED)
        assert event.object_id == str(office_user.pk) and event.changes == {"有效": ["是", "否"]}


class TestAccountChangesAreAudited:
    def test_role_grant_and_staff_flag_old_to_new(self, admin_client, sysadmin, liaison):
        response = admin_client.post(
            change_url(liaison), form_data(liaison, groups=[role(Role.DISCIPLINE_OFFICE).pk], full_name="王五")
        )
        assert response.status_code == 302
        liaison.refresh_from_db()
        assert liaison.is_staff  # the staff flag follows the roles
        events = {event.kind: event for event in AuditEvent.objects.filter(object_id=str(liaison.pk))}
        assert events[AuditEvent.Kind.ROLE_ADDED].changes == {"角色": ["部门联络员", "纪工委工作人员"]}
        assert events[AuditEvent.Kind.ROLE_ADDED].user == sysadmin
        assert AuditEvent.Kind.ROLE_REMOVED in events
        assert events[AuditEvent.Kind.STAFF_CHANGED].changes == {"可登录管理后台": ["否", "是"]}
        assert events[AuditEvent.Kind.ACCOUNT_CHANGED].changes == {"姓名": ["（空）", "王五"]}

    def test_the_auditor_sees_who_changed_whom(self, admin_client, liaison, auditor):
        admin_client.post(change_url(liaison), form_data(liaison, groups=[role(Role.LEADER).pk]))
        reader = Client()
        reader.force_login(auditor)
        body = reader.get(reverse("accounts:audit-log"), {"kind": AuditEvent.Kind.ROLE_ADDED}).content.decode()
        assert "授予角色" in body and "sysadmin" in body and str(liaison) in body
        assert "部门联络员 → 责任领导" in body

    def test_creation_in_the_admin_is_audited(self, admin_client, department):
        admin_client.post(
            reverse("admin:accounts_user_add"),
            {
                "username": "newoffice",
                "password1": "Initial#Pass2024",
                "password2": "Initial#Pass2024",
                "usable_password": "true",
                "groups": [role(Role.DISCIPLINE_OFFICE).pk],
            },
        )
        created = User.objects.get(username="newoffice")
        assert created.must_change_password and created.is_staff
        kinds = set(AuditEvent.objects.filter(object_id=str(created.pk)).values_list("kind", flat=True))
        assert {AuditEvent.Kind.ACCOUNT_CREATED, AuditEvent.Kind.ROLE_ADDED, AuditEvent.Kind.STAFF_CHANGED} <= kinds

    def test_clearing_a_lockout_is_audited(self, admin_client, office_user):
        for _ in range(5):
            Client().post(reverse("accounts:login"), {"username": "office", "password": "wrong"})
        assert Client().post(reverse("accounts:login"), {"username": "office", "password": PASSWORD}).status_code == 429
        admin_client.post(
            reverse("admin:accounts_user_changelist"),
            {"action": "clear_lockouts", "_selected_action": [office_user.pk]},
        )
        assert AuditEvent.objects.filter(kind=AuditEvent.Kind.LOCKOUT_CLEARED, object_id=str(office_user.pk)).exists()
        assert Client().post(reverse("accounts:login"), {"username": "office", "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize("who", ["office_user", "liaison", "other_liaison", "leader_user", "auditor"])
def test_no_other_role_manages_accounts(client, request, who, sysadmin):
    """Owner, colleague and outsider alike: the user pages answer 403 (or the admin login), and
    a crafted change of the system administrator changes nothing."""
    client.force_login(request.getfixturevalue(who))
    for url in (reverse("admin:accounts_user_changelist"), change_url(sysadmin), password_url(sysadmin)):
        assert client.get(url).status_code in (302, 403), url
    client.post(change_url(sysadmin), form_data(sysadmin, groups=[role(Role.AUDITOR).pk], username="x"))
    client.post(password_url(sysadmin), {"password1": "Taken#Over-2024", "password2": "Taken#Over-2024"})
    sysadmin.refresh_from_db()
    assert sysadmin.username == "sysadmin" and sysadmin.check_password(PASSWORD)
    assert list(sysadmin.groups.values_list("name", flat=True)) == [Role.SYSADMIN.value]


class TestAdminIndexPerRole:
    def test_the_office_sees_the_ledger_and_its_reference_data(self, client, office_user):
        client.force_login(office_user)
        body = client.get("/admin/").content.decode()
        assert "你没有查看或编辑的权限" not in body
        for label in ("整改事项", "反馈问题", "部门", "责任领导"):
            assert label in body
        assert reverse("admin:accounts_user_changelist") not in body
        assert reverse("admin:ledger_rectificationitem_changelist") in body

    def test_the_sysadmin_sees_users_departments_and_leaders(self, client, sysadmin):
        client.force_login(sysadmin)
        body = client.get("/admin/").content.decode()
        assert "你没有查看或编辑的权限" not in body
        for url in ("accounts_user_changelist", "accounts_department_changelist", "accounts_leader_changelist"):
            assert reverse(f"admin:{url}") in body
        assert reverse("admin:ledger_rectificationitem_changelist") not in body
        assert reverse("admin:accounts_auditevent_changelist") not in body

    @pytest.mark.parametrize("who", ["liaison", "leader_user", "auditor"])
    def test_the_other_roles_stay_out(self, client, request, who):
        client.force_login(request.getfixturevalue(who))
        assert client.get("/admin/").status_code == 302


class TestReferenceDataIsDeactivatedNotDeleted:
    def test_a_leader_of_an_item_cannot_be_deleted(self, client, sysadmin):
        leader = Leader.objects.create(unit=the_unit(), name="张某", position="党工委书记")
        item = make_item(leaders=[leader])
        client.force_login(sysadmin)
        response = client.post(reverse("admin:accounts_leader_delete", args=[leader.pk]), {"post": "yes"})
        assert response.status_code == 403
        assert list(item.leaders.all()) == [leader]
        body = client.get(reverse("admin:accounts_leader_changelist")).content.decode()
        assert "delete_selected" not in body and "停用所选项" in body

    def test_a_department_of_an_item_cannot_be_deleted_but_an_unused_one_can(self, client, office_user, department):
        make_item(lead_department=department)
        unused = Department.objects.create(unit=the_unit(), name="撤并的部门")
        client.force_login(office_user)
        delete = "admin:accounts_department_delete"
        assert client.post(reverse(delete, args=[department.pk]), {"post": "yes"}).status_code == 403
        assert client.post(reverse(delete, args=[unused.pk]), {"post": "yes"}).status_code == 302
        assert Department.objects.filter(pk=department.pk).exists()
        assert not Department.objects.filter(pk=unused.pk).exists()

    def test_deactivated_ones_leave_the_choice_lists_but_stay_on_their_items(
        self, client, office_user, department, other_department
    ):
        leader = Leader.objects.create(unit=the_unit(), name="李某", position="管委会主任")
        item = make_item(lead_department=department, leaders=[leader])
        client.force_login(office_user)
        changelist = reverse("admin:accounts_department_changelist")
        client.post(changelist, {"action": "deactivate", "_selected_action": [department.pk]})
        client.post(
            reverse("admin:accounts_leader_changelist"), {"action": "deactivate", "_selected_action": [leader.pk]}
        )
        assert not Department.objects.get(pk=department.pk).is_active
        other = make_item(lead_department=other_department)
        assert department not in ItemEditForm(instance=other).fields["lead_department"].queryset
        assert leader not in ItemEditForm(instance=other).fields["leaders"].queryset
        assert department not in BulkActionForm().fields["lead_department"].queryset
        assert department not in ItemFilter({}).form.fields["lead_department"].queryset
        assert leader not in ItemFilter({}).form.fields["leader"].queryset
        own = ItemEditForm(instance=item)
        assert department in own.fields["lead_department"].queryset and leader in own.fields["leaders"].queryset
        assert department.name in client.get(reverse("ledger:item-detail", args=[item.pk])).content.decode()
