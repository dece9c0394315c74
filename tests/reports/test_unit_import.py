"""A unit's ledger into that unit (issue 15): import_ledger --unit and the import page's unit
choice; new departments and leaders are created in the target unit only, and the preview says so
where a department of that name exists only in another unit. One unit: the page is as before."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from rectify.accounts.models import Department, Leader
from rectify.accounts.roles import Role
from rectify.ledger.models import Inspection
from rectify.reports.excel import uploads
from rectify.reports.excel.export import monthly_ledger
from tests.conftest import make_user
from tests.factories import make_inspection, make_item, make_problem, make_unit, the_unit
from tests.reports.test_excel_import import official

pytestmark = pytest.mark.django_db

ROW = [1, "（一）问题甲", "事项甲", "1. 一", "张某", "财政局", "", "2024年6月30日", "", "整改中", "", ""]


@pytest.fixture
def two_units(db):
    """甲县 with a department 财政局 and a leader 张某; 乙县 with neither."""
    jia, yi = make_unit("甲县委", short_name="甲县"), make_unit("乙县委", short_name="乙县")
    Department.objects.create(unit=jia, name="财政局")
    Leader.objects.create(unit=jia, name="张某", position="县长")
    return {"甲县": jia, "乙县": yi}


def test_the_command_puts_a_new_round_and_its_names_into_the_unit(two_units, make_xlsx, capsys):
    path = make_xlsx(official([ROW]))
    call_command("import_ledger", str(path), "--unit", "乙县", "--title", "乙县巡察", "--dry-run")
    out = capsys.readouterr().out
    assert "部门「财政局」只在其他单位（甲县委）中有，将在「乙县委」新建。" in out
    assert "责任领导「张某」只在其他单位（甲县委）中有，将在「乙县委」新建。" in out
    call_command("import_ledger", str(path), "--unit", "乙县", "--title", "乙县巡察", verbosity=0)
    inspection = Inspection.objects.get(name="乙县巡察")
    item = inspection.items.get()
    assert inspection.unit == two_units["乙县"]
    assert item.lead_department.unit == two_units["乙县"] and item.leaders.get().unit == two_units["乙县"]
    assert Department.objects.filter(name="财政局").count() == 2  # 甲县's is untouched
    assert Department.objects.get(unit=two_units["甲县"], name="财政局").led_items.count() == 0


def test_the_command_updates_the_units_round_its_file_names(two_units, tmp_path, capsys):
    inspection = make_inspection(
        unit=two_units["乙县"], name="乙县巡察", inspected_unit="乙县", inspecting_body="市委第一巡察组"
    )
    make_item(make_problem(inspection, title="问题。"), title="事项")
    path = tmp_path / "乙县.xlsx"
    monthly_ledger(inspection, timezone.localdate()).save(path)
    call_command("import_ledger", str(path), "--unit", "乙县")
    out = capsys.readouterr().out
    assert "按文件标题导入到「乙县委」的巡视轮次「乙县巡察」" in out and "无变化 1 项" in out
    assert Inspection.objects.count() == 1
    call_command("import_ledger", str(path), "--unit", "甲县", verbosity=0)  # 甲县 has no such round: a new one
    assert Inspection.objects.get(unit=two_units["甲县"]).items.count() == 1


def test_the_command_refuses_a_round_of_another_unit_and_an_unknown_unit(two_units, make_xlsx):
    inspection = make_inspection(unit=two_units["甲县"])
    path = make_xlsx(official([ROW]))
    with pytest.raises(CommandError, match="属于「甲县委」，不属于单位「乙县委」"):
        call_command("import_ledger", str(path), "--unit", "乙县", "--inspection", str(inspection.pk))
    with pytest.raises(CommandError, match="单位“丁县”不存在"):
        call_command("import_ledger", str(path), "--unit", "丁县", "--title", "x")
    with pytest.raises(CommandError, match="请用 --inspection 指定巡视轮次"):
        call_command("import_ledger", str(path))


# --- the page ---------------------------------------------------------------------------------


def upload(client, path, **data):
    with path.open("rb") as handle:
        return client.post(reverse("reports:ledger-import"), {"file": handle, **data})


def test_one_unit_shows_no_choice(client, office_user):
    the_unit()
    client.force_login(office_user)
    assert 'name="unit"' not in client.get(reverse("reports:ledger-import")).content.decode()


def test_the_supervising_office_chooses_the_unit(client, office_user, two_units, make_xlsx):
    client.force_login(office_user)
    assert 'name="unit"' in client.get(reverse("reports:ledger-import")).content.decode()
    upload(client, make_xlsx(official([ROW])), title="乙县巡察", unit=two_units["乙县"].pk)
    page = client.get(reverse("reports:ledger-import-preview")).content.decode()
    assert "（单位：乙县委）" in page and "部门「财政局」只在其他单位（甲县委）中有，将在「乙县委」新建。" in page
    client.post(reverse("reports:ledger-import-confirm"), {"key": client.session[uploads.SESSION_KEY]["key"]})
    assert Inspection.objects.get(name="乙县巡察").unit == two_units["乙县"]
    assert set(Department.objects.filter(unit=two_units["乙县"]).values_list("name", flat=True)) == {"财政局"}


def test_a_round_of_another_unit_is_refused_on_the_form(client, office_user, two_units, make_xlsx):
    inspection = make_inspection(unit=two_units["甲县"], name="甲县巡察")
    client.force_login(office_user)
    response = upload(client, make_xlsx(official([ROW])), inspection=inspection.pk, unit=two_units["乙县"].pk)
    assert "所选巡视轮次「甲县巡察」属于「甲县委」，不属于所选单位「乙县委」。" in response.content.decode()
    assert uploads.SESSION_KEY not in client.session


def test_an_office_over_several_units_must_name_the_unit_of_a_new_round(client, make_xlsx):
    city = make_unit("某市委")
    make_unit("甲县委", parent=city)
    office = make_user("office_city", Role.DISCIPLINE_OFFICE, unit=city)
    client.force_login(office)
    response = upload(client, make_xlsx(official([ROW])), title="新轮次")
    assert "请选择新巡视轮次所属的单位。" in response.content.decode()
    outside = make_unit("外市委")
    response = upload(client, make_xlsx(official([ROW])), title="新轮次", unit=outside.pk)
    assert "选择一个有效的选项" in response.content.decode()  # a unit outside the office's scope
    assert not Inspection.objects.exists()
