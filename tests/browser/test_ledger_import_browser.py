"""Importing the app's own ledger export in Chromium: the preview offers the round the file names
first, one click re-previews into it, nothing is duplicated; the pages fit a phone's width."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from rectify.accounts.models import Department
from rectify.ledger.models import Inspection, RectificationItem
from rectify.reports.excel.export import monthly_ledger, workbook_bytes
from tests.conftest import PASSWORD
from tests.factories import make_inspection, make_item, make_problem, make_unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1440, 390])
def test_own_export_goes_back_into_its_round(page, live_server, office_user, artifacts_dir, settings, tmp_path, width):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("loaddata", "seed_huaihua_2023", verbosity=0)
    inspection = Inspection.objects.get()
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook_bytes(monthly_ledger(inspection, timezone.localdate())))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(office_user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/reports/import/")
    page.get_by_label("台账文件").set_input_files(str(path))
    page.get_by_label("或新建巡视轮次，名称").fill("又一轮")
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url("**/reports/import/preview/")
    offer = page.get_by_role("region", name="已有巡视轮次")
    assert "对应已有巡视轮次「省委第十二巡视组延伸巡视怀化高新区」" in offer.inner_text()
    assert no_sideways_scroll(page)
    page.screenshot(path=artifacts_dir / f"ledger-import-offer-{width}.png", full_page=False)

    offer.get_by_role("button", name="改为导入到「省委第十二巡视组延伸巡视怀化高新区」").click()
    page.wait_for_url("**/reports/import/preview/")
    assert "无变化 21 项" in page.content()
    assert no_sideways_scroll(page)
    page.screenshot(path=artifacts_dir / f"ledger-import-into-round-{width}.png", full_page=False)
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url("**/items/**")
    assert Inspection.objects.count() == 1 and RectificationItem.objects.count() == 21
    assert errors == []


def login(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


@pytest.mark.parametrize("width", [1440, 390])
def test_a_units_ledger_in_and_out(page, live_server, office_user, artifacts_dir, settings, tmp_path, width):
    """The supervising office of two units: the export page offers 按单位导出; the import page asks
    for the unit, and the preview says which departments will be created in it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    jia, yi = make_unit("甲县委", short_name="甲县"), make_unit("乙县委", short_name="乙县")
    Department.objects.create(unit=jia, name="财政局")
    inspection = make_inspection(unit=jia, name="甲县巡察", inspected_unit="甲县", inspecting_body="市委第一巡察组")
    make_item(make_problem(inspection, title="问题。"), title="事项", lead_department=Department.objects.get())
    path = tmp_path / "甲县台账.xlsx"
    path.write_bytes(workbook_bytes(monthly_ledger(inspection, timezone.localdate())))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, office_user)

    page.goto(f"{live_server.url}/reports/ledger/")
    unit_form = page.get_by_role("form", name="按单位导出")
    assert unit_form.get_by_label("单位").locator("option").all_inner_texts() == ["全部单位", "甲县委", "乙县委"]
    assert no_sideways_scroll(page)
    page.screenshot(path=artifacts_dir / f"ledger-export-units-{width}.png", full_page=True)

    page.goto(f"{live_server.url}/reports/import/")
    page.get_by_label("台账文件").set_input_files(str(path))
    page.get_by_label("或新建巡视轮次，名称").fill("乙县巡察")
    page.get_by_label("单位", exact=True).select_option(label="乙县委")
    assert no_sideways_scroll(page)
    page.screenshot(path=artifacts_dir / f"ledger-import-unit-{width}.png", full_page=True)
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url("**/reports/import/preview/")
    assert "部门「财政局」只在其他单位（甲县委）中有，将在「乙县委」新建。" in page.content()
    assert "（单位：乙县委）" in page.content()
    assert no_sideways_scroll(page)
    page.screenshot(path=artifacts_dir / f"ledger-import-unit-preview-{width}.png", full_page=False)
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url("**/items/**")
    assert Inspection.objects.get(name="乙县巡察").unit == yi
    assert errors == []
