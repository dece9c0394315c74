"""The supervising office's home in Chromium: the ranking fits a phone without sideways scrolling,
and the 单位 selector drills into a unit's cockpit."""

import pytest
from django.utils import timezone

from rectify.accounts.models import Department
from rectify.accounts.roles import Role
from tests.conftest import PASSWORD, make_user
from tests.factories import make_inspection, make_item, make_problem, make_unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _units():
    today = timezone.localdate()
    units = []
    for name in ("甲市直属单位", "乙县人民医院", "丙区教育局"):
        unit = make_unit(name, short_name=name)
        department = Department.objects.create(unit=unit, name=f"{name}办公室")
        problem = make_problem(make_inspection(unit=unit))
        for days in (5, 30):
            make_item(problem, lead_department=department, deadline=today - timezone.timedelta(days=days))
        units.append(unit)
    return units


@pytest.mark.parametrize("width", [1440, 390])
def test_ranking_on_desktop_and_phone_and_drilling_in(page, live_server, artifacts_dir, width):
    units = _units()
    make_user("supervisor", Role.DISCIPLINE_OFFICE)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("supervisor")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("[data-list=unit-ranking] tbody tr").count() == 3
    assert "综合评分 = 按期完成率(%)" in page.locator("[data-section=score-formula]").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=artifacts_dir / f"supervising-{width}.png", full_page=True)

    page.get_by_label("单位", exact=True).select_option(str(units[1].pk))
    page.locator("form[aria-label=选择单位] button").click()
    page.wait_for_url(f"**/?unit={units[1].pk}")
    assert page.locator("h1").inner_text().startswith("乙县人民医院")
    assert page.locator("[data-figure=total]").inner_text() == "2"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=artifacts_dir / f"cockpit-{width}.png", full_page=True)
