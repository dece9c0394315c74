"""The office's channel page (发送测试消息, 发送失败), department channel URLs checked when saved,
and the user's own choice of channel."""

import pytest
from django.core.exceptions import ValidationError

from rectify.accounts.admin import DepartmentAdmin  # noqa: F401  (the admin form validates the model)
from rectify.accounts.models import AuditEvent, User
from rectify.notifications.models import Delivery

pytestmark = pytest.mark.django_db


def test_an_unreadable_channel_url_is_refused_in_chinese(department):
    department.notify_url = "这不是地址"
    with pytest.raises(ValidationError) as error:
        department.full_clean()
    assert "无法识别的通知渠道地址" in str(error.value)
    department.notify_url = "json://127.0.0.1:9/hook"
    department.full_clean()


def test_the_admin_refuses_a_bad_channel_url(client, department, sysadmin, office_user):
    client.force_login(office_user)
    response = client.post(
        f"/admin/accounts/department/{department.pk}/change/",
        {"name": department.name, "sort_order": 0, "is_active": "on", "notify_url": "nonsense://x"},
    )
    if response.status_code == 403:
        client.force_login(sysadmin)
        response = client.post(
            f"/admin/accounts/department/{department.pk}/change/",
            {"name": department.name, "sort_order": 0, "is_active": "on", "notify_url": "nonsense://x"},
        )
    assert response.status_code == 200 and "无法识别的通知渠道地址" in response.content.decode()
    department.refresh_from_db()
    assert department.notify_url == ""


def test_test_message_reaches_the_channel(client, office_user, department, webhook, settings):
    settings.RECTIFY_NOTIFY_URLS = [webhook.url]
    department.notify_url = webhook.url.replace("/hook", "/dept")
    department.save()
    client.force_login(office_user)
    page = client.get("/notifications/channels/").content.decode()
    assert "发送测试消息" in page and department.name in page
    response = client.post("/notifications/channels/test/", {"channel": f"department-{department.pk}"}, follow=True)
    assert "测试消息已发往「测试部门甲」" in response.content.decode()
    assert [body["title"] for body in webhook.received] == ["巡视整改台账管理系统测试消息"]


def test_a_failing_test_message_is_listed_under_failed(client, office_user, settings, closed_port_url):
    settings.RECTIFY_NOTIFY_URLS = [closed_port_url]
    client.force_login(office_user)
    response = client.post("/notifications/channels/test/", {"channel": "office-0"}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "失败" in page
    failed = Delivery.objects.get()
    assert failed.state == Delivery.State.FAILED
    assert f'data-failed="{failed.pk}"' in client.get("/notifications/channels/").content.decode()


def test_only_the_office_sees_channels(client, liaison):
    client.force_login(liaison)
    assert client.get("/notifications/channels/").status_code == 403
    assert client.post("/notifications/channels/test/", {"channel": "office-0"}).status_code == 403


def test_the_user_chooses_a_channel(client, liaison):
    client.force_login(liaison)
    assert "消息接收方式" in client.get("/accounts/profile/").content.decode()
    refused = client.post("/accounts/profile/", {"notify_channel": "email", "email": ""})
    assert "须填写电子邮箱" in refused.content.decode()
    client.post("/accounts/profile/", {"notify_channel": "department", "email": "l@example.org"})
    liaison.refresh_from_db()
    assert liaison.notify_channel == User.NotifyChannel.DEPARTMENT and liaison.email == "l@example.org"
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNT_CHANGED, user=liaison).exists()


def test_a_bad_office_url_is_a_system_check_warning(settings):
    from rectify.notifications.checks import notify_urls

    settings.RECTIFY_NOTIFY_URLS = ["json://127.0.0.1:9/hook", "garbage"]
    assert [warning.id for warning in notify_urls(None)] == ["rectify.W016"]


def test_a_units_office_keeps_only_its_units_channels(client, department, settings):
    """Units: the installation's office channels and other units' department channels (and their
    failures) are for the office tied to no unit."""
    from django.urls import reverse

    from rectify.accounts.models import Department
    from rectify.accounts.roles import Role
    from tests.conftest import make_user
    from tests.factories import make_unit

    settings.RECTIFY_NOTIFY_URLS = ["json://127.0.0.1:9/office"]
    department.notify_url = "json://127.0.0.1:9/home-department"
    department.save()
    elsewhere = make_unit("另一单位")
    theirs = Department.objects.create(unit=elsewhere, name="外单位财政局", notify_url="json://127.0.0.1:9/elsewhere")
    Delivery.objects.create(
        event_key="x",
        channel=Delivery.Channel.DEPARTMENT,
        target="json://127.0.0.1:9/home-department",
        title="本单位的失败消息",
        body="x",
        state=Delivery.State.FAILED,
    )
    client.force_login(make_user("unit_office", Role.DISCIPLINE_OFFICE, unit=elsewhere))
    page = client.get(reverse("notifications:channels")).content.decode()
    assert f'value="department-{theirs.pk}"' in page
    assert f'value="department-{department.pk}"' not in page and 'value="office-0"' not in page
    assert "本单位的失败消息" not in page
    before = Delivery.objects.count()
    response = client.post(reverse("notifications:send-test"), {"channel": f"department-{department.pk}"})
    assert response.status_code == 302 and Delivery.objects.count() == before
