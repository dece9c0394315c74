"""With RECTIFY_2FA=required the office scans the QR code, confirms a code and keeps ten recovery codes."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enrolment_through_the_pages(page, live_server, seed, office_user, settings, artifacts_dir):
    settings.RECTIFY_2FA = "required"
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    page.goto(f"{live_server.url}/items/")
    page.get_by_label("用户名").fill("office")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    page.wait_for_url("**/accounts/two-factor/enrol/**")
    assert page.get_by_role("heading", name="启用双因素认证").is_visible()
    qr = page.get_by_label("身份验证器二维码").locator("svg").bounding_box()
    assert qr["width"] > 150 and qr["width"] == pytest.approx(qr["height"])
    page.screenshot(path=artifacts_dir / "two_factor_enrol.png", full_page=True)
    # The privileged pages stay shut meanwhile.
    page.goto(f"{live_server.url}/reports/notices/")
    assert "/accounts/two-factor/enrol/" in page.url

    secret = b32decode(page.locator("[data-secret]").inner_text().replace(" ", ""))
    totp = TOTP(secret)
    totp.time = time.time()
    page.get_by_label("验证码").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="绑定").click()

    codes = page.locator("[data-recovery-code]")
    assert codes.count() == 10
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_url(f"{live_server.url}/reports/notices/")
    assert errors == []
