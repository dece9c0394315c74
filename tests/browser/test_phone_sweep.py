"""Every page each demo role reaches fits a phone (390×844; home and list also at 360 and 414 px)
without sideways scrolling and without console errors.

One browser context per role, one test per role; the pages of each role are a plain list
(``PAGES``): a new page is one more line there. The sweep also checks that every link of the
role's navigation is in its list, so a page added to the menu cannot escape it.
"""

import os
import time
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group
from django_otp.oath import TOTP
from playwright.sync_api import expect

from rectify.accounts import services as account_services
from rectify.accounts.demo import DEMO_PASSWORD, create_demo_accounts
from rectify.accounts.models import User
from rectify.accounts.roles import Role
from rectify.demo.current_round import load_demo_round
from rectify.ledger.models import Inspection, RectificationItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
NARROW_WIDTHS = (360, 414)
# Full-page screenshots of every page at 390 px, only when they are kept (RECTIFY_KEEP_ARTIFACTS=DIR):
# they would double the sweep's time.
KEEP_SHOTS = bool(os.environ.get("RECTIFY_KEEP_ARTIFACTS"))


@dataclass(frozen=True)
class Page:
    label: str
    path: str  # may name {item}, {problem}, {demo} (the demo round's pk) and {seed} (the 2023 round's pk)
    narrow: bool = False  # also at 360 and 414 px


COMMON = [
    Page("提醒", "/notifications/"),
    Page("消息设置", "/accounts/profile/"),
    Page("双因素认证", "/accounts/two-factor/enrol/"),
    Page("修改密码", "/accounts/password/"),
]
LEDGER = [
    Page("首页", "/", narrow=True),
    Page("整改事项", "/items/", narrow=True),
    Page("整改事项（第二页、按时限排序）", "/items/?sort=deadline&page=2"),
    Page("事项详情", "/items/{item}/"),
    Page("历史台账", "/items/?as_of=", narrow=True),
    Page("历史台账（2023 轮次，2023年12月31日）", "/items/?as_of=2023-12-31&inspection={seed}"),
    Page("变化情况", "/items/changes/", narrow=True),
]
NOTICES = [
    Page("整改通报", "/reports/notices/"),
    Page("通报（演示轮次）", "/reports/notices/{demo}/"),
    Page("通报（2023 轮次）", "/reports/notices/{seed}/"),
    Page("导出台账", "/reports/ledger/"),
]

# The item each role opens: the office's has a 销号 request waiting, the liaison's was returned
# once (every work form open), the leader's is overdue.
ITEMS = {
    "office": "闲置厂房出租未履行评估程序",
    "liaison": "企业诉求办理反馈不及时",
    "leader": "惠企政策兑现周期长",
}

# What every office account reaches, the supervising office (tied to no unit) included.
OFFICE = LEDGER + [
    *NOTICES,
    Page("导入台账", "/reports/import/"),
    Page("导入记录", "/reports/imports/"),
    Page("导入通报", "/reports/notices/import/"),
    Page("巡视轮次", "/items/rounds/"),
    Page("通知渠道", "/notifications/channels/"),
    Page("后台管理", "/admin/"),
    *COMMON,
]
# What only the unit's own office does with its rounds.
UNIT_OFFICE = [
    Page("编辑事项", "/items/{item}/edit/"),
    Page("添加会议", "/reports/notices/{demo}/meetings/add/"),
    Page("添加规章制度", "/reports/notices/{demo}/regulations/add/"),
    Page("删除巡视轮次（确认）", "/items/rounds/{demo}/delete/"),
    Page("新建巡视轮次", "/items/rounds/new/", narrow=True),
    Page("编制问题与事项", "/items/rounds/{demo}/", narrow=True),
    Page("修改巡视轮次", "/items/rounds/{demo}/edit/"),
    Page("修改反馈问题", "/items/rounds/problems/{problem}/edit/"),
    Page("新建整改事项", "/items/rounds/problems/{problem}/items/new/", narrow=True),
    Page("编辑整改措施", "/items/{item}/measures/"),
]

# One list per role: a new page is one more line.
PAGES = {
    "office": OFFICE + UNIT_OFFICE,
    "supervisor": OFFICE,
    "liaison": LEDGER + COMMON,
    "leader": LEDGER + NOTICES + COMMON,
    "sysadmin": [
        Page("首页", "/", narrow=True),
        Page("双因素认证管理", "/accounts/two-factor/users/"),
        Page("后台管理", "/admin/"),
        Page("用户", "/admin/accounts/user/"),
    ]
    + COMMON,
    "auditor": [
        Page("首页", "/", narrow=True),
        Page("审计日志", "/accounts/audit/"),
    ]
    + COMMON,
}

# Those who must verify a second factor (RECTIFY_2FA=required): enrolled beforehand, so the sweep
# passes through the verification page at login.
PRIVILEGED = {"office", "supervisor", "sysadmin", "auditor"}

OVERFLOW = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  const wide = [];
  for (const el of document.querySelectorAll('body *')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && el.offsetParent !== null) {
      wide.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')} right=${Math.round(box.right)}`);
    }
    if (wide.length >= 8) break;
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, wide};
}"""

UNDRAWN_CHARTS = "() => [...document.querySelectorAll('[data-chart]')].filter(e => e.dataset.rendered !== 'true').map(e => e.dataset.chart)"


def _enrol(user: User) -> TOTP:
    device = account_services.start_enrolment(user=user)
    totp = TOTP(device.bin_key)
    totp.time = time.time() - 30  # the previous step: login then uses a later one (no replay)
    account_services.confirm_enrolment(user=user, token=f"{totp.token():06d}")
    return totp


def _log_in(page, live_server, username: str, totp: TOTP | None):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    if totp is None:
        page.wait_for_url(signed_in)
        return None
    page.wait_for_url("**/accounts/two-factor/verify/**")
    problem = page.evaluate(OVERFLOW)
    totp.time = time.time()
    page.get_by_label("验证码").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(signed_in)
    return problem


def signed_in(url: str) -> bool:
    return "/accounts/login/" not in url and "/two-factor/verify/" not in url


def _nav_paths(page) -> set[str]:
    return set(
        page.evaluate(
            """() => [...document.querySelectorAll('nav[aria-label="主导航"] a[href]')]
                 .map(a => new URL(a.href).pathname)"""
        )
    )


@pytest.mark.parametrize("role", list(PAGES))
def test_every_page_fits_a_phone(role, browser, live_server, seed, settings, tmp_path, artifacts_dir):
    settings.RECTIFY_2FA = "required"
    settings.MEDIA_ROOT = tmp_path
    for group in Role:  # transactional tests flush the groups the data migration made
        Group.objects.get_or_create(name=group.value)
    create_demo_accounts()
    demo = load_demo_round()
    ids = {
        "demo": demo.pk,
        "seed": Inspection.objects.exclude(pk=demo.pk).get().pk,
        "item": RectificationItem.objects.get(inspection=demo, title=ITEMS.get(role, ITEMS["office"])).pk,
        "problem": demo.problems.order_by("sequence").first().pk,
    }
    totp = _enrol(User.objects.get(username=role)) if role in PRIVILEGED else None

    context = browser.new_context(locale="zh-CN", viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"{page.url}: {error}"))
    page.on("console", lambda message: message.type == "error" and errors.append(f"{page.url}: {message.text}"))
    page.on("response", lambda response: response.status >= 400 and errors.append(f"{response.url}: {response.status}"))
    problems = {}
    try:
        verify = _log_in(page, live_server, role, totp)
        if verify:
            problems["双因素验证"] = verify
        pages = PAGES[role]
        swept = {page_.path.format(**ids).split("?")[0] for page_ in pages}
        linked = set()
        for entry in pages:
            path = entry.path.format(**ids)
            widths = (PHONE["width"], *NARROW_WIDTHS) if entry.narrow else (PHONE["width"],)
            for width in widths:
                page.set_viewport_size({"width": width, "height": PHONE["height"]})
                response = page.goto(f"{live_server.url}{path}")
                if response.status != 200:
                    problems[f"{entry.label} {path}"] = f"HTTP {response.status}"
                    break
                page.wait_for_load_state("load")
                linked |= _nav_paths(page)
                problem = page.evaluate(OVERFLOW)
                if problem:
                    problems[f"{entry.label} {path} @{width}"] = problem
                undrawn = page.evaluate(UNDRAWN_CHARTS)
                if undrawn:
                    problems[f"{entry.label} {path} @{width} charts not drawn"] = undrawn
                if width == PHONE["width"] and KEEP_SHOTS:
                    name = "".join(ch if ch.isalnum() else "-" for ch in path).strip("-") or "home"
                    page.screenshot(path=artifacts_dir / f"{role}-{name}-{width}.png", full_page=True)
    finally:
        context.close()
    assert linked - swept == set(), f"{role}: navigation links missing from PAGES"
    assert problems == {}, problems
    assert errors == []


def test_the_liaison_reports_progress_from_its_home_in_two_clicks(browser, live_server, seed, settings, tmp_path):
    """On a phone: home → the item's 报告进展 → the form is open on the screen; submit it."""
    settings.MEDIA_ROOT = tmp_path
    for group in Role:
        Group.objects.get_or_create(name=group.value)
    create_demo_accounts()
    demo = load_demo_round()
    item = RectificationItem.objects.get(inspection=demo, title="党委理论学习中心组学习流于形式")
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        _log_in(page, live_server, "liaison", None)
        todo = page.locator("[data-list=liaison-todo] li", has_text=item.title)
        todo.get_by_role("link", name="报告进展").click()  # click 1
        page.wait_for_url(f"**/items/{item.pk}/#progress")
        form = page.get_by_role("form", name="报告进展")
        expect(form.get_by_label("进展情况")).to_be_in_viewport()
        form.get_by_label("进展情况").fill("已召开专题学习会，学习记录已补齐。")
        form.get_by_role("button", name="报告进展").click()  # click 2
        page.get_by_text("进展已报告。").wait_for()
    finally:
        context.close()
    assert item.progress_updates.filter(text="已召开专题学习会，学习记录已补齐。").exists()
    assert errors == []
