"""Headless Chromium logs in through the login page and sees the Chinese navigation."""

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_through_the_page_shows_chinese_navigation(page, live_server, seed, office_user, artifacts_dir):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto(f"{live_server.url}/items/")
    assert "/accounts/login/" in page.url
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.wait_for_url(f"{live_server.url}/items/")
    navigation = page.get_by_role("navigation", name="主导航")
    assert navigation.get_by_role("link", name="工作台").is_visible()  # the office's home
    assert navigation.get_by_role("link", name="整改事项").is_visible()
    assert navigation.get_by_role("button", name="退出登录").is_visible()
    assert page.get_by_role("heading", name="整改事项").is_visible()
    assert page.get_by_role("link", name="高新区生产型企业少，工业总产值低。").is_visible()

    page.get_by_role("link", name="工作台").click()
    assert page.locator("[data-figure=completion_rate]").inner_text() == "95.2%"
    page.screenshot(path=artifacts_dir / "dashboard.png", full_page=True)
    assert (artifacts_dir / "dashboard.png").stat().st_size > 10_000
    assert errors == []


def test_wrong_password_stays_on_the_login_page_with_a_chinese_message(page, live_server, office_user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text().startswith("请输入一个正确的用户名和密码")
