"""The office builds a round in the browser: round, problem, an item with measure rows added and
removed in place (no reload, no inline script), reordering; every page fits a phone."""

import os
from pathlib import Path

import pytest

from rectify.accounts.models import Department
from rectify.ledger.models import Inspection, RectificationItem
from tests.conftest import PASSWORD
from tests.factories import make_unit, the_unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path(os.environ.get("RECTIFY_SHOTS", "/tmp/shots/c1"))


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def shoot(page, name: str) -> None:
    """The page at desk and phone width; at the phone width it must not scroll sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900 if width > 400 else 844})
        page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)
        assert fits(page), f"{name} scrolls sideways at {width} px"
    page.set_viewport_size({"width": 1440, "height": 900})


def test_office_builds_a_round(page, live_server, office_user, department):
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server, "office")

    page.goto(f"{live_server.url}/items/rounds/")
    page.get_by_role("link", name="新建巡视轮次").click()
    form = page.get_by_role("form", name="新建巡视轮次")
    form.get_by_label("名称").fill("市委第二巡察组巡察测试单位")
    form.get_by_label("巡视（巡察）组").fill("市委第二巡察组")
    form.get_by_label("被巡视单位").fill("测试单位")
    form.get_by_label("进驻日期").fill("2024-01-05")
    form.get_by_label("结束日期").fill("2024-02-05")
    form.get_by_label("反馈日期").fill("2024-03-01")
    form.get_by_label("方案整改事项数").fill("3")
    shoot(page, "round-create")
    form.get_by_role("button", name="新建").click()
    page.get_by_text("已新建巡视轮次").wait_for()
    inspection = Inspection.objects.get()

    for label, title in (("（一）", "产业规模小"), ("（二）", "营商环境不优")):
        adding = page.get_by_role("form", name="新增反馈问题")
        adding.get_by_role("textbox", name="问题", exact=True).fill(title)
        adding.get_by_role("button", name="新增反馈问题").click()
        page.get_by_text(f"已新增反馈问题{label}{title}。").wait_for()

    page.get_by_role("link", name="在反馈问题（一）下新建整改事项").click()
    form = page.get_by_role("form", name="新建整改事项")
    form.get_by_role("textbox", name="整改事项", exact=True).fill("招商引资不足")
    form.get_by_label("责任部门", exact=True).select_option(label="测试部门甲")
    co_departments = form.get_by_role("group", name="配合部门")
    assert co_departments.get_by_role("checkbox", name="测试部门甲").is_visible()  # a checkbox list
    form.get_by_label("完成时限").fill("2024-06-30")
    rows = form.locator("[data-measure-row]:visible textarea")
    rows.nth(0).fill("加大招商力度")
    url = page.url
    form.get_by_role("button", name="＋ 添加一条措施").click()
    rows.nth(1).fill("临时一条")
    form.get_by_role("button", name="＋ 添加一条措施").click()
    rows.nth(2).fill("建立项目台账")
    assert form.locator("[data-measure-number]:visible").all_inner_texts() == ["1.", "2.", "3."]
    form.locator("[data-measure-row]:visible").nth(1).get_by_role("button", name="删除").click()
    assert form.locator("[data-measure-number]:visible").all_inner_texts() == ["1.", "2."]
    assert page.url == url  # rows came and went without a reload
    shoot(page, "item-create")
    form.get_by_role("button", name="新建").click()
    page.get_by_text("已在（一）下新建第1项「招商引资不足」（未启动）。").wait_for()
    item = RectificationItem.objects.get()
    assert list(item.measures.values_list("sequence", "text")) == [(1, "加大招商力度"), (2, "建立项目台账")]
    assert item.status == RectificationItem.Status.NOT_STARTED and item.lead_department == department

    page.get_by_role("link", name="在反馈问题（二）下新建整改事项").click()
    form = page.get_by_role("form", name="新建整改事项")
    form.get_by_role("textbox", name="整改事项", exact=True).fill("审批时限长")
    form.locator("[data-measure-row] textarea").first.fill("压缩审批时限")
    form.get_by_role("button", name="新建").click()
    page.get_by_text("已在（二）下新建第2项").wait_for()

    page.get_by_role("button", name="上移反馈问题（二）").click()
    page.get_by_text("已调整顺序：「营商环境不优」现为（一）").wait_for()
    assert page.locator("section h2").all_inner_texts()[:2] == ["（一）营商环境不优", "（二）产业规模小"]
    assert page.get_by_role("link", name="1. 审批时限长").is_visible()
    shoot(page, "round-detail")

    page.get_by_role("link", name="编辑反馈问题（一）").click()
    shoot(page, "problem-edit")
    page.go_back()
    page.get_by_role("link", name="编辑第2项的整改措施").click()
    shoot(page, "measures-edit")
    form = page.get_by_role("form", name="编辑整改措施")
    form.get_by_role("button", name="＋ 添加一条措施").click()
    form.locator("[data-measure-row]:visible textarea").nth(2).fill("加大招商力度")
    form.get_by_role("button", name="保存").click()
    page.get_by_text("第3条整改措施与第1条重复").wait_for()
    assert item.measures.count() == 2
    form = page.get_by_role("form", name="编辑整改措施")
    form.locator("[data-measure-row]:visible").nth(2).get_by_role("button", name="删除").click()
    form.locator("[data-measure-row]:visible textarea").nth(1).fill("建立重点项目台账")
    form.get_by_role("button", name="保存").click()
    page.get_by_text("整改措施已保存。").wait_for()
    assert page.get_by_text("建立重点项目台账").is_visible()
    shoot(page, "item-detail")
    assert errors == []
    assert inspection.problems.count() == 2


def test_supervising_office_picks_the_unit(page, live_server, office_user):
    """With several units the create form asks which one; the item form then offers that unit's
    leaders and departments only."""
    top = the_unit()
    first, second = make_unit("甲区工委", parent=top), make_unit("乙区工委", parent=top)
    Department.objects.create(unit=first, name="甲区财政局")
    Department.objects.create(unit=second, name="乙区财政局")
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    log_in(page, live_server, "office")
    page.goto(f"{live_server.url}/items/rounds/new/")
    form = page.get_by_role("form", name="新建巡视轮次")
    form.get_by_role("combobox", name="单位", exact=True).select_option(label="乙区工委")
    form.get_by_label("名称").fill("乙区巡察")
    form.get_by_label("巡视（巡察）组").fill("区委第一巡察组")
    form.get_by_label("被巡视单位").fill("乙区")
    shoot(page, "round-create-units")
    form.get_by_role("button", name="新建").click()
    page.get_by_text("已新建巡视轮次「乙区巡察」").wait_for()
    assert Inspection.objects.get().unit == second
    adding = page.get_by_role("form", name="新增反馈问题")
    adding.get_by_role("textbox", name="问题", exact=True).fill("财务管理不规范")
    adding.get_by_role("button", name="新增反馈问题").click()
    page.get_by_role("link", name="在反馈问题（一）下新建整改事项").click()
    lead = page.get_by_label("责任部门", exact=True)
    assert lead.locator("option").all_inner_texts() == ["---------", "乙区财政局"]
    assert errors == []
