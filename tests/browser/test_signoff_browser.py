"""A liaison reports progress with evidence and asks for 销号; the discipline office approves."""

import pytest

from rectify.accounts.roles import Role
from rectify.ledger.models import RectificationItem
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def log_out(page):
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/")


def test_liaison_submits_and_office_approves(page, live_server, seed, office_user, settings, tmp_path, artifacts_dir):
    settings.MEDIA_ROOT = tmp_path
    item = RectificationItem.objects.get(number=21)
    make_user("gxt", Role.LIAISON, item.lead_department)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    log_in(page, live_server, "gxt")
    page.goto(f"{live_server.url}{item.get_absolute_url()}")
    progress = page.get_by_role("form", name="报告进展")
    progress.get_by_label("进展情况").fill("已收回1家企业的经营权转让费。")
    progress.get_by_label("佐证材料").set_input_files(
        [{"name": "收款凭证.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    progress.get_by_role("button", name="报告进展").click()
    page.get_by_text("进展已报告。").wait_for()
    assert page.get_by_role("link", name="收款凭证.pdf").is_visible()

    signoff = page.get_by_role("form", name="申请销号")
    signoff.get_by_label("销号说明").fill("经营权转让费已全部收回，申请销号。")
    signoff.get_by_role("button", name="申请销号").click()
    page.get_by_text("已申请销号，等待纪工委审核。").wait_for()
    assert page.get_by_text("待销号", exact=True).first.is_visible()
    log_out(page)

    log_in(page, live_server, "office")
    page.goto(f"{live_server.url}{item.get_absolute_url()}")
    approval = page.get_by_role("form", name="批准销号")
    approval.get_by_role("button", name="批准销号").click()  # not yet confirmed: the browser refuses
    assert page.locator(".badge.status-pending_signoff").is_visible()
    approval.get_by_label("已核查佐证材料，同意销号").check()
    approval.get_by_role("button", name="批准销号").click()
    page.get_by_text("已批准销号，该事项已完成。").wait_for()
    assert page.locator(".badge.status-completed").inner_text() == "已完成（已销号）"
    page.screenshot(path=artifacts_dir / "item-completed.png", full_page=True)
    assert errors == []
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.COMPLETED
