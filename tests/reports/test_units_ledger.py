"""One workbook for several units: sheet 整改台账 with a 单位 column, sheet 统计 ranking the units;
it prints on A4 like the ledger of one unit."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from rectify.ledger.asof import ledger_as_of
from rectify.ledger.models import ProgressUpdate, RectificationItem
from rectify.reports.excel.columns import LEDGER_HEADERS, UNIT_HEADER, ledger_columns
from rectify.reports.excel.export import Heading, units_ledger, workbook_bytes
from tests.factories import make_inspection, make_item, make_problem

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
    assert rows[3][:8] == (None, "合计", 6, 3, 0, 1, 10, 2)
    assert "排名依据" in sheet["A2"].value


def test_the_workbook_of_several_units_prints_on_a4():
    assert sum(width for _header, width in ledger_columns(with_units=True)) <= 165
    workbook = exported(three_units())
    for name, orientation in (("整改台账", "landscape"), ("统计", "portrait")):
        sheet = workbook[name]
        assert sheet.page_setup.orientation == orientation, name
        assert str(sheet.page_setup.paperSize) == "9" and sheet.page_setup.fitToWidth == 1, name
