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


def test_the_dashboard_prints_on_at_most_two_a4_pages(page, live_server, seed, leader_user, artifacts_dir):
    """Print media, charts redrawn at the printed size: every chart and the whole department
    ranking fit on two A4 pages."""
    import re

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("leader")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    page.locator('[data-chart="status"] canvas').first.wait_for()
    page.emulate_media(media="print")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    ranking = page.locator("[data-list=department-ranking] tbody tr")
    assert ranking.count() >= 11 and ranking.last.is_visible()
    for name in ("status", "departments", "leaders", "problems", "trend", "deadlines"):
        box = page.locator(f'[data-chart="{name}"] canvas').first.bounding_box()
        assert box["height"] >= 150, name  # no chart squashed to a sliver
    pdf = page.pdf(format="A4", print_background=True)
    (artifacts_dir / "dashboard-a4.pdf").write_bytes(pdf)
    pages = int(re.search(rb"/Count\s+(\d+)", pdf).group(1))
    assert 1 <= pages <= 2
