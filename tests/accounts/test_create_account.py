"""`manage.py create_account`: one account in one role, password changed at first login, audited."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from rectify.accounts.models import AuditEvent, User
from rectify.accounts.roles import Role

pytestmark = pytest.mark.django_db
INITIAL = "First#Office-2024"


@pytest.fixture
def initial_password(monkeypatch):
    monkeypatch.setenv("RECTIFY_ACCOUNT_PASSWORD", INITIAL)


def test_the_first_office_account(initial_password, capsys):
    call_command("create_account", "zhangsan", "--role", "纪工委工作人员", "--full-name", "张三")
    user = User.objects.get(username="zhangsan")
    assert user.full_name == "张三" and user.has_role(Role.DISCIPLINE_OFFICE)
    assert user.is_staff and not user.is_superuser
    assert user.must_change_password and user.check_password(INITIAL)
    assert "已创建账户 zhangsan" in capsys.readouterr().out
    kinds = set(AuditEvent.objects.filter(object_id=str(user.pk)).values_list("kind", flat=True))
    assert {AuditEvent.Kind.ACCOUNT_CREATED, AuditEvent.Kind.ROLE_ADDED} <= kinds
    created = AuditEvent.objects.get(kind=AuditEvent.Kind.ACCOUNT_CREATED)
    assert "create_account" in created.detail and created.changes["角色"] == ["无", "纪工委工作人员"]
    client = Client()
    assert client.post(reverse("accounts:login"), {"username": "zhangsan", "password": INITIAL}).status_code == 302
    assert client.get("/items/")["Location"] == reverse("accounts:password-change")


def test_a_liaison_with_the_code_name_of_the_role(initial_password, department):
    call_command("create_account", "lisi", "--role", "liaison", "--department", department.name)
    user = User.objects.get(username="lisi")
    assert user.department == department and user.has_role(Role.LIAISON) and not user.is_staff


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--role", "管理员"], "未知角色“管理员”"),
        (["--role", "liaison"], "部门联络员须指定所属部门"),
        (["--role", "liaison", "--department", "不存在的局"], "部门“不存在的局”不存在或已停用"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_creates_nothing(initial_password, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_account", "wangwu", *arguments)
    assert not User.objects.filter(username="wangwu").exists()
    assert not AuditEvent.objects.exists()


def test_an_existing_username_is_refused(initial_password, office_user):
    with pytest.raises(CommandError, match="用户名“office”已存在"):
        call_command("create_account", "office", "--role", "auditor")
    assert not office_user.groups.filter(name=Role.AUDITOR.value).exists()


def test_a_weak_password_is_refused(monkeypatch):
    monkeypatch.setenv("RECTIFY_ACCOUNT_PASSWORD", "12345678")
    with pytest.raises(CommandError, match="密码不符合要求"):
        call_command("create_account", "zhaoliu", "--role", "auditor")
    assert not User.objects.filter(username="zhaoliu").exists()


def test_without_the_variable_and_no_terminal_it_refuses(monkeypatch):
    monkeypatch.delenv("RECTIFY_ACCOUNT_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    with pytest.raises(CommandError, match="RECTIFY_ACCOUNT_PASSWORD"):
        call_command("create_account", "zhaoliu", "--role", "auditor")


def test_the_password_is_prompted_twice(monkeypatch):
    monkeypatch.delenv("RECTIFY_ACCOUNT_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    answers = iter([INITIAL, INITIAL])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    call_command("create_account", "zhaoliu", "--role", "审计员")
    assert User.objects.get(username="zhaoliu").check_password(INITIAL)
