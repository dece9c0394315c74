"""One workbook for several units: sheet 整改台账 with a 单位 column, sheet 统计 ranking the units;
it prints on A4 like the ledger of one unit."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from rectify.accounts.roles import Role
from rectify.ledger.asof import ledger_as_of
from rectify.ledger.models import ProgressUpdate, RectificationItem
from rectify.reports.excel.columns import LEDGER_HEADERS, UNIT_HEADER, ledger_columns
from rectify.reports.excel.export import Heading, units_ledger, workbook_bytes
from tests.conftest import make_user
from tests.factories import make_inspection, make_item, make_problem, make_unit

pytestmark = pytest.mark.django_db
Status = RectificationItem.Status


def three_units():
    """甲 (1 of 2 done), 乙 (2 of 2 done), 丙 (0 of 2, one 10 days overdue, one returned twice)."""
    today = timezone.localdate()
    units = {}
    for name, statuses in (
        ("甲单位", [Status.COMPLETED, Status.IN_PROGRESS]),
        ("乙单位", [Status.COMPLETED, Status.COMPLETED]),
        ("丙单位", [Status.IN_PROGRESS, Status.NOT_STARTED]),
    ):
        inspection = make_inspection(inspected_unit=name, inspecting_body="市委第一巡察组")
        problem = make_problem(inspection, title=f"{name}的问题。")
        for status in statuses:
            make_item(problem, status=status, deadline=today + datetime.timedelta(days=30))
        units[name] = inspection
    late = units["丙单位"].items.order_by("number").first()
    RectificationItem.objects.filter(pk=late.pk).update(deadline=today - datetime.timedelta(days=10), return_count=2)
    ProgressUpdate.objects.create(item=late, reported_on=today - datetime.timedelta(days=3), text="推进中")
    return units


def exported(units) -> dict:
    today = timezone.localdate()
    groups = [(name, ledger_as_of(inspection, today)) for name, inspection in units.items()]
    heading = Heading(title="各单位巡察整改台账", reporting_unit="市委巡察办", as_of=today)
    return load_workbook(io.BytesIO(workbook_bytes(units_ledger(heading, groups))))


def test_the_ledger_has_a_unit_column_and_the_units_one_after_another():
    workbook = exported(three_units())
    assert workbook.sheetnames == ["整改台账", "统计"]
    sheet = workbook["整改台账"]
    assert [cell.value for cell in sheet[3]] == [UNIT_HEADER, *LEDGER_HEADERS]
    rows = [row for row in sheet.iter_rows(min_row=4, values_only=True) if isinstance(row[1], int)]
    assert [(row[0], row[1]) for row in rows] == [
        ("甲单位", 1),
        ("甲单位", 2),
        ("乙单位", 1),
        ("乙单位", 2),
        ("丙单位", 1),
        ("丙单位", 2),
    ]
    merged = sorted(str(r) for r in sheet.merged_cells.ranges if r.min_col == r.max_col == 3)
    assert merged == ["C4:C5", "C6:C7", "C8:C9"]  # 反馈问题, now the third column


def test_the_statistics_rank_the_units():
    today = timezone.localdate()
    sheet = exported(three_units())["统计"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    ranked = [row[:8] for row in rows[:3]]
    assert ranked == [
        (1, "乙单位", 2, 2, 0, 0, 0, 0),
        (2, "甲单位", 2, 1, 0, 0, 0, 0),
        (3, "丙单位", 2, 0, 0, 1, 10, 2),
    ]
    assert rows[2][8].date() == today - datetime.timedelta(days=3) and rows[0][8] == "—"
    assert [row[9] for row in rows[:3]] == [1, 0.5, 0]
    # 综合评分 (ledger/scores.py, default weights): 乙 all on time 100; 甲 half on time but an open
    # item never reported (12 months × 5) and 丙 overdue and returned, both 0: fewer overdue first.
    assert [row[10] for row in rows[:3]] == [100, 0, 0]
    assert rows[3][:8] == (None, "合计", 6, 3, 0, 1, 10, 2)
    assert "排名依据：综合评分 = 按期完成率" in sheet["A2"].value


def test_the_workbook_of_several_units_prints_on_a4():
    assert sum(width for _header, width in ledger_columns(with_units=True)) <= 165
    workbook = exported(three_units())
    for name, orientation in (("整改台账", "landscape"), ("统计", "portrait")):
        sheet = workbook[name]
        assert sheet.page_setup.orientation == orientation, name
        assert str(sheet.page_setup.paperSize) == "9" and sheet.page_setup.fitToWidth == 1, name


# --- /reports/ledger.xlsx?unit= and export_ledger --unit -------------------------------------


@pytest.fixture
def tree(db):
    """市委 → 甲县 (one round), 乙县 (two rounds); 丙县 elsewhere (another top unit, one round)."""
    city = make_unit("某市委", short_name="某市")
    units = {
        "某市": city,
        "甲县": make_unit("甲县委", short_name="甲县", parent=city),
        "乙县": make_unit("乙县委", short_name="乙县", parent=city),
        "丙县": make_unit("丙县委", short_name="丙县"),
    }
    rounds = {}
    for key, unit, name in (
        ("甲", units["甲县"], "甲县巡察"),
        ("乙1", units["乙县"], "乙县巡察一"),
        ("乙2", units["乙县"], "乙县巡察二"),
        ("丙", units["丙县"], "丙县巡察"),
    ):
        inspection = make_inspection(unit=unit, name=name, inspected_unit=unit.name, inspecting_body="市委第一巡察组")
        make_item(make_problem(inspection, title=f"{name}的问题。"), title=f"{name}的事项")
        rounds[key] = inspection
    return {"units": units, "rounds": rounds}


def ledger_of(response) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(response.content))["整改台账"]
    return [row for row in sheet.iter_rows(min_row=4, values_only=True) if row[0] and "填表人" not in str(row[0])]


def test_one_units_ledger_is_its_rounds_monthly_ledger(client, office_user, tree):
    client.force_login(office_user)
    response = client.get(reverse("reports:ledger-xlsx"), {"unit": tree["units"]["甲县"].pk})
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["整改台账", "统计", "本月变化"]
    assert [cell.value for cell in workbook["整改台账"][3]] == LEDGER_HEADERS  # no 单位 column
    assert [row[2] for row in ledger_of(response)] == ["甲县巡察的事项"]


def test_a_parent_units_ledger_holds_the_units_below_it(client, office_user, tree):
    client.force_login(office_user)
    response = client.get(reverse("reports:ledger-xlsx"), {"unit": tree["units"]["某市"].pk})
    assert response.status_code == 200
    assert "某市整改台账" in response["Content-Disposition"] or "%E6%9F%90%E5%B8%82" in response["Content-Disposition"]
    assert [(row[0], row[3]) for row in ledger_of(response)] == [
        ("甲县", "甲县巡察的事项"),
        ("乙县（乙县巡察二）", "乙县巡察二的事项"),
        ("乙县（乙县巡察一）", "乙县巡察一的事项"),
    ]
    ranking = load_workbook(io.BytesIO(response.content))["统计"]
    assert sorted(row[1] for row in ranking.iter_rows(min_row=4, max_row=5, values_only=True)) == ["乙县", "甲县"]


def test_all_units_for_the_supervising_office(client, office_user, tree):
    client.force_login(office_user)
    response = client.get(reverse("reports:ledger-xlsx"), {"unit": "all"})
    assert {row[0].split("（")[0] for row in ledger_of(response)} == {"甲县", "乙县", "丙县"}


def test_a_unit_scoped_office_gets_404_for_another_units_export(client, tree):
    office = make_user("office_jia", Role.DISCIPLINE_OFFICE, unit=tree["units"]["甲县"])
    client.force_login(office)
    for unit in ("乙县", "某市", "丙县"):
        assert client.get(reverse("reports:ledger-xlsx"), {"unit": tree["units"][unit].pk}).status_code == 404
    own = client.get(reverse("reports:ledger-xlsx"), {"unit": "all"})
    assert [row[2] for row in ledger_of(own)] == ["甲县巡察的事项"]  # "all" is all of their own


@pytest.mark.parametrize(
    ("value", "message"), [("x", "单位编号应为数字或 all：x"), ("99999", "没有编号为 99999 的单位")]
)
def test_a_bad_unit_is_a_chinese_400(client, office_user, tree, value, message):
    client.force_login(office_user)
    response = client.get(reverse("reports:ledger-xlsx"), {"unit": value})
    assert response.status_code == 400 and message in response.content.decode()


def test_the_command_exports_a_unit(tree, tmp_path, capsys):
    path = tmp_path / "unit.xlsx"
    call_command("export_ledger", "--unit", "乙县", "--output", str(path))
    rows = [row for row in load_workbook(path)["整改台账"].iter_rows(min_row=4, values_only=True) if row[0]]
    assert {row[0] for row in rows if "填表人" not in row[0]} == {"乙县（乙县巡察一）", "乙县（乙县巡察二）"}
    with pytest.raises(CommandError, match="单位“丁县”不存在"):
        call_command("export_ledger", "--unit", "丁县", "--output", str(path))
    call_command("export_ledger", "--all-units", "--output", str(path))
    assert "各单位（4 个巡视轮次）" in capsys.readouterr().out


def test_the_export_page_offers_the_units_only_where_there_are_several(client, office_user, tree):
    client.force_login(office_user)
    page = client.get(reverse("reports:ledger-export")).content.decode()
    assert 'aria-label="按单位导出"' in page and '<option value="all">全部单位</option>' in page
    assert f'<option value="{tree["units"]["甲县"].pk}">\u3000甲县委</option>' in page


def test_one_unit_export_page_is_as_before(client, office_user):
    make_item(make_problem())
    client.force_login(office_user)
    page = client.get(reverse("reports:ledger-export")).content.decode()
    assert "按单位导出" not in page and 'name="unit"' not in page
