"""generate_demo_data --units: the items spread over new units, each with its own departments,
leaders and rounds; without --units everything stays in the first unit."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from rectify.accounts.models import Department, Leader, Unit
from rectify.demo.demo_data import DEPARTMENTS_PER_UNIT, LEADERS, generate_demo_data
from rectify.ledger.models import Inspection, RectificationItem
from tests.factories import the_unit

pytestmark = pytest.mark.django_db


def test_items_spread_over_new_units(capsys):
    first = the_unit()
    summary = generate_demo_data(items=300, units=3, seed=2)
    assert (summary.units, summary.inspections, summary.items) == (3, 3, 300)
    units = list(Unit.objects.exclude(pk=first.pk))
    assert [unit.name for unit in units] == [
        "中共经济技术开发区工作委员会",
        "中共高新技术产业开发区工作委员会",
        "中共鹤城区委员会",
    ]
    assert all(unit.parent_id is None for unit in units)
    per_unit = dict(RectificationItem.objects.values_list("inspection__unit").annotate(n=Count("pk")))
    assert per_unit == {unit.pk: 100 for unit in units}
    for unit in units:
        assert Department.objects.filter(unit=unit).count() == DEPARTMENTS_PER_UNIT
        assert Leader.objects.filter(unit=unit).count() == len(LEADERS)
        items = RectificationItem.objects.filter(inspection__unit=unit)
        # Every item names departments and leaders of its own unit only.
        assert not items.exclude(lead_department__unit=unit).exclude(lead_department=None).exists()
        assert not items.filter(leaders__isnull=False).exclude(leaders__unit=unit).exists()
        assert not items.filter(co_departments__isnull=False).exclude(co_departments__unit=unit).exists()
        round_ = Inspection.objects.get(unit=unit)
        assert (round_.inspected_unit, round_.responsible_unit) == (unit.label, unit.name)
        assert Department.history.filter(unit_id=unit.pk, history_type="+").count() == DEPARTMENTS_PER_UNIT
    assert not Inspection.objects.filter(unit=first).exists()
    call_command("check_ledger")
    assert "未发现问题" in capsys.readouterr().out


def test_names_stay_unique_on_a_second_run():
    generate_demo_data(items=20, units=2, seed=1)
    generate_demo_data(items=20, units=2, seed=1)
    names = list(Unit.objects.values_list("name", flat=True))
    assert len(names) == len(set(names)) == 4
    assert names[2:] == ["中共鹤城区委员会", "中共市发展和改革委员会党组"]  # the next free names


def test_more_units_than_the_phrase_list():
    generate_demo_data(items=30, units=15, seed=1)
    assert Unit.objects.filter(inspections__isnull=False).distinct().count() == 15
    assert Inspection.objects.count() == 15
    # Past the twelve names of the phrase list, the list again with （二）.
    assert Unit.objects.filter(name="中共经济技术开发区工作委员会（二）", short_name="经济技术开发区（二）").exists()


def test_without_units_everything_goes_into_the_first_unit():
    first = the_unit()
    summary = generate_demo_data(items=50, inspections=2, seed=1)
    assert summary.units == 0
    assert list(Unit.objects.all()) == [first]
    assert set(Inspection.objects.values_list("unit", flat=True)) == {first.pk}


def test_command_with_units():
    out = io.StringIO()
    call_command("generate_demo_data", items=40, units=2, seed=3, stdout=out)
    text = out.getvalue()
    assert "正在生成 40 个整改事项（2 个巡视轮次，分到 2 个新单位，随机种子 3）" in text
    assert "已生成演示数据：单位 2 个，巡视轮次 2 个" in text
    with pytest.raises(CommandError, match=r"巡视轮次数量（2）不能少于单位数量（3）"):
        call_command("generate_demo_data", items=40, units=3, inspections=2, stdout=io.StringIO())
    with pytest.raises(CommandError, match="单位数量必须在 1 与整改事项数量之间"):
        call_command("generate_demo_data", items=2, units=3, stdout=io.StringIO())
    assert Unit.objects.count() == 2  # the refused runs created nothing
