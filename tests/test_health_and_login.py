from unittest import mock

import pytest
from django.db import DatabaseError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_login(client, django_assert_num_queries):
    # Expect 1 query: the SELECT 1 round trip.
    with django_assert_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_healthz_answers_503_when_the_database_is_down(client):
    with mock.patch("rectify.health.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503


@pytest.mark.parametrize("url", ["/", "/items/", "/items/1/"])
def test_anonymous_users_are_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_admin_sends_anonymous_users_to_its_login(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_login_page_is_chinese(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "巡视整改台账管理系统" in body
    assert "用户名" in body and "密码" in body and "登录" in body


def test_login_with_correct_password_reaches_the_dashboard(client, seed, office_user):
    from tests.conftest import PASSWORD

    response = client.post("/accounts/login/", {"username": "office", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == "/"
    assert "<title>工作台" in response.content.decode()  # the office's home


def test_wrong_password_gives_a_chinese_error(client, office_user):
    response = client.post("/accounts/login/", {"username": "office", "password": "wrong-password"})
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码" in response.content.decode()


def test_logout_needs_post_and_ends_the_session(client, office_user):
    client.force_login(office_user)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302
