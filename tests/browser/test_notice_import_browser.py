"""Importing a notice in Chromium: upload, preview, confirm; the pages fit a phone's width (no sideways scroll)."""

from pathlib import Path

import pytest
from django.conf import settings

from rectify.ledger.models import Inspection, RectificationItem
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTICE = Path(settings.BASE_DIR) / "tests" / "reports" / "notices" / "07_silent_sections_restart.txt"


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [1440, 390])
def test_upload_preview_confirm(page, live_server, office_user, artifacts_dir, settings, tmp_path, width):
    settings.MEDIA_ROOT = tmp_path / "media"
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(office_user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/reports/notices/")
    page.get_by_role("link", name="导入已发布的通报").click()
    page.wait_for_url("**/reports/notices/import/")
    assert no_sideways_scroll(page)
    page.screenshot(path=artifacts_dir / f"notice-import-form-{width}.png", full_page=True)

    page.get_by_label("通报文件").set_input_files(str(NOTICE))
    page.get_by_role("button", name="上传并预览").click()
    page.wait_for_url("**/reports/notices/import/preview/")
    assert "已完成 5 项，整改中 2 项，长期坚持 0 项" in page.get_by_test_id("status-counts").inner_text()
    assert page.locator("section.card").count() == 3
    assert no_sideways_scroll(page)
    page.screenshot(path=artifacts_dir / f"notice-import-preview-{width}.png", full_page=True)

    page.get_by_role("button", name="确认导入").click()
    page.wait_for_url("**/reports/notices/*/")
    assert "如导入有误，可在“导入记录”中撤销本次导入" in page.content()
    assert RectificationItem.objects.filter(inspection=Inspection.objects.get()).count() == 7
    assert errors == []
