"""The dashboard's charts render in Chromium, and its figures lead to the matching items."""

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_charts_render_and_overdue_figure_opens_the_filtered_list(page, live_server, seed, leader_user, artifacts_dir):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("leader")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    for name in ("status", "departments", "leaders", "problems", "trend", "deadlines"):
        chart = page.locator(f'[data-chart="{name}"]')
        chart.locator("canvas").first.wait_for()
        assert chart.get_attribute("data-rendered") == "true"
    assert page.locator("[data-figure=completion_rate]").inner_text() == "95.2%"
    assert "21. 经营权转让费长期未收回。" in page.locator("[data-list=overdue]").inner_text()
    page.screenshot(path=artifacts_dir / "dashboard-charts.png", full_page=True)

    page.locator("a:has([data-figure=overdue])").click()
    page.wait_for_url("**/items/?*overdue=true*")
    rows = page.locator("table tbody tr")
    assert rows.count() == 1
    assert "经营权转让费长期未收回" in rows.first.inner_text()
    assert errors == []
