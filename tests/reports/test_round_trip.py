"""The lossless round trip (issue 17): the monthly ledger exported, imported (into a fresh
database, into a new round beside the original, again into the same round) and exported again
is the same workbook, every cell of every sheet, except the 截至 line."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from rectify.accounts.demo import create_demo_accounts
from rectify.accounts.models import Department, Leader, User
from rectify.demo.current_round import load_demo_round
from rectify.demo.demo_data import generate_demo_data
from rectify.ledger.invariants import broken_invariants
from rectify.ledger.models import Inspection, RectificationItem
from rectify.reports.excel import uploads
from rectify.reports.excel.export import monthly_ledger, workbook_bytes
from rectify.reports.excel.importer import LedgerImportError, import_ledger
from rectify.reports.excel.planning import UNCHANGED
from tests.factories import make_inspection

pytestmark = pytest.mark.django_db
Status = RectificationItem.Status

# A round imported today has no past, so its 本月变化 lists every item as new: for a new round
# the 整改台账 and 统计 sheets are compared, for a re-import into the same round every sheet.
LEDGER_AND_STATISTICS = ("整改台账", "统计")
AS_OF_LINE = "截至"


def exported(inspection: Inspection) -> bytes:
    return workbook_bytes(monthly_ledger(inspection, timezone.localdate()))


def cells(content: bytes, *, sheets=None) -> dict[str, list[tuple]]:
    """Every cell value of every sheet (or of ``sheets``), the 截至 line's cells left out."""
    workbook = load_workbook(io.BytesIO(content))
    result = {}
    for sheet in workbook.worksheets:
        if sheets is not None and sheet.title not in sheets:
            continue
        result[sheet.title] = [
            tuple(None if isinstance(value, str) and AS_OF_LINE in value else value for value in row)
            for row in sheet.iter_rows(values_only=True)
        ]
    return result


def assert_same_cells(again: dict, original: dict) -> None:
    assert again.keys() == original.keys()
    for name, rows in original.items():
        assert len(again[name]) == len(rows), name
        for number, (row, expected) in enumerate(zip(again[name], rows, strict=True), start=1):
            assert row == expected, f"{name}第{number}行"


def the_file(inspection: Inspection, tmp_path, name="ledger.xlsx"):
    path = tmp_path / name
    path.write_bytes(exported(inspection))
    return path


def empty_the_database() -> None:
    """As a fresh installation: no round, department or leader (the accounts stay)."""
    Inspection.objects.all().delete()
    Leader.objects.all().delete()
    User.objects.update(department=None)
    Department.objects.all().delete()


ITEM_FIELDS = (
    "number",
    "title",
    "kind",
    "status",
    "deadline",
    "original_deadline",
    "completed_on",
    "contact_person",
    "note",
    "lead_department__name",
)


def items_of(inspection: Inspection) -> list[tuple]:
    return list(inspection.items.order_by("number").values_list(*ITEM_FIELDS))


def round_trips(inspection: Inspection, tmp_path) -> Inspection:
    """The three round trips of one round, each compared cell for cell with the original (and
    item by item: what the cells stand for, the kind included)."""
    original = exported(inspection)
    original_items = items_of(inspection)
    path = the_file(inspection, tmp_path)

    # Again into the same round: nothing changes, the export is the same, every sheet.
    plan = import_ledger(source=path, inspection=inspection)
    assert {row.action for row in plan.rows} == {UNCHANGED}
    assert_same_cells(cells(exported(inspection)), cells(original))

    # Into a new round beside the original (its departments and leaders are reused).
    copy = import_ledger(source=path, title="往返副本").inspection
    assert_same_cells(
        cells(exported(copy), sheets=LEDGER_AND_STATISTICS), cells(original, sheets=LEDGER_AND_STATISTICS)
    )
    assert items_of(copy) == original_items
    assert broken_invariants() == []
    Inspection.objects.filter(pk=copy.pk).delete()

    # Into a fresh database.
    empty_the_database()
    fresh = import_ledger(source=path, title="往返新库").inspection
    assert_same_cells(
        cells(exported(fresh), sheets=LEDGER_AND_STATISTICS), cells(original, sheets=LEDGER_AND_STATISTICS)
    )
    assert items_of(fresh) == original_items
    assert broken_invariants() == []
    return fresh


def test_round_trip_of_the_seed(seed, tmp_path):
    inspection = Inspection.objects.get()
    original = cells(exported(inspection))
    fresh = round_trips(inspection, tmp_path)
    # What a round imported today reports as this month's change: every item is new.
    changes = [row[:2] for row in cells(exported(fresh), sheets=["本月变化"])["本月变化"]]
    assert ("新增事项", 21) in changes
    assert ("新增事项", 0) in [row[:2] for row in original["本月变化"]]


def test_round_trip_of_generated_demo_data(tmp_path):
    generate_demo_data(items=120, inspections=1, seed=7)
    inspection = Inspection.objects.get()
    states = set(inspection.items.values_list("status", flat=True))
    assert states == set(Status.values)  # every status goes through the file
    assert inspection.items.filter(original_deadline__isnull=False).exists()
    round_trips(inspection, tmp_path)


def test_round_trip_of_the_current_demo_round(seed, tmp_path):
    create_demo_accounts()
    inspection = load_demo_round()
    round_trips(inspection, tmp_path)


def test_the_export_carries_contact_person_completion_date_and_original_deadline(tmp_path):
    generate_demo_data(items=120, inspections=1, seed=7)
    inspection = Inspection.objects.get()
    sheet = load_workbook(the_file(inspection, tmp_path))["整改台账"]
    header = [cell.value for cell in sheet[3]]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=4, values_only=True) if isinstance(row[0], int)}
    person, done, original = header.index("责任人"), header.index("完成日期"), header.index("原完成时限")
    for item in inspection.items.all():
        row = rows[item.number]
        assert row[person] == (item.contact_person or None)
        assert (row[done].date() if row[done] else None) == item.completed_on
        assert (row[original].date() if row[original] else None) == item.original_deadline


# --- the dates read back, and the bad ones ---------------------------------------------------

HEADER = ["序号", "具体问题（整改事项）", "完成时限", "完成状态", "责任人", "完成日期", "原完成时限"]


def test_a_new_round_takes_the_files_dates_and_records_the_extension(make_xlsx):
    today = timezone.localdate()
    done_on, original, deadline = today - datetime.timedelta(days=40), today - datetime.timedelta(days=90), today
    path = make_xlsx([HEADER, [1, "事项甲", deadline, "已完成", "王某", done_on, original]])
    item = import_ledger(source=path, title="新轮次").inspection.items.get()
    assert (item.status, item.completed_on, item.contact_person) == (Status.COMPLETED, done_on, "王某")
    assert (item.deadline, item.original_deadline) == (deadline, original)
    extension = item.extensions.get()
    assert (extension.origin, extension.decision) == ("import", "approved")
    assert (extension.previous_deadline, extension.requested_deadline) == (original, deadline)
    assert broken_invariants() == []


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        (["已完成", "", "2999-01-01", ""], "第2行「完成日期」晚于今天：2999年1月1日（完成日期不能是将来的日期）。"),
        (["整改中", "", "2024-01-05", ""], "第2行「完成日期」已填写（2024年1月5日），但完成状态不是已完成"),
        (["整改中", "", "长期坚持", ""], "第2行「完成日期」应为日期：长期坚持"),
        (
            ["整改中", "", "", "2024-09-30"],
            "第2行「原完成时限」应早于完成时限（延期后的时限）：2024年9月30日，完成时限为2024年6月30日。",
        ),
        (["整改中", "", "", "某天"], "第2行「原完成时限」无法识别的日期：某天"),
    ],
)
def test_impossible_dates_are_refused_by_row_and_column(make_xlsx, ledger_counts, cells, message):
    before = ledger_counts()
    path = make_xlsx([HEADER, [1, "事项甲", "2024-06-30", *cells]])
    with pytest.raises(LedgerImportError) as raised:
        import_ledger(source=path, title="新轮次")
    assert message in "\n".join(raised.value.messages)
    assert ledger_counts() == before


def test_a_completion_before_the_feedback_is_refused(make_xlsx, ledger_counts):
    inspection = make_inspection(feedback_date=datetime.date(2024, 3, 1))
    before = ledger_counts()
    path = make_xlsx([HEADER, [1, "事项甲", "2024-06-30", "已完成", "", "2024-02-01", ""]])
    with pytest.raises(LedgerImportError) as raised:
        import_ledger(source=path, inspection=inspection)
    assert "第2行「完成日期」早于巡视反馈日期（2024年3月1日）：2024年2月1日。" in raised.value.messages
    assert ledger_counts() == before


def test_an_existing_items_completion_and_extension_are_not_changed_by_a_file(seed, tmp_path):
    """A file that says otherwise about a signed-off item's 完成日期 or an item's 原完成时限 is
    noted in the preview; the item keeps its values (they change only through review)."""
    inspection = Inspection.objects.get()
    item = inspection.items.filter(status=Status.COMPLETED).order_by("number").first()
    path = the_file(inspection, tmp_path)
    workbook = load_workbook(path)
    sheet = workbook["整改台账"]
    header = [cell.value for cell in sheet[3]]
    row = next(r for r in sheet.iter_rows(min_row=4) if r[0].value == item.number)
    row[header.index("完成日期")].value = item.completed_on - datetime.timedelta(days=1)
    workbook.save(path)
    plan = import_ledger(source=path, inspection=inspection, dry_run=True)
    assert any("已销号事项的完成日期不由导入更改" in note for note in plan.notes)
    assert {planned.action for planned in plan.rows} == {UNCHANGED}


def test_new_problems_keep_the_files_labels(make_xlsx):
    rows = [
        ["序号", "反馈问题", "具体问题"],
        [1, "（二）问题乙", "事项甲"],
        [2, "（五）问题戊", "事项乙"],
        [3, "问题无号", "事项丙"],
    ]
    inspection = import_ledger(source=make_xlsx(rows), title="新轮次").inspection
    assert list(inspection.problems.order_by("sequence").values_list("sequence", "title")) == [
        (2, "问题乙"),
        (5, "问题戊"),
        (6, "问题无号"),
    ]


# --- the import page offers the round the file names ----------------------------------------


def test_the_page_offers_the_round_the_file_names_first(seed, client, office_user, tmp_path):
    inspection = Inspection.objects.get()
    path = the_file(inspection, tmp_path)
    client.force_login(office_user)
    with path.open("rb") as handle:
        client.post(reverse("reports:ledger-import"), {"file": handle, "title": "又一轮"})
    page = client.get(reverse("reports:ledger-import-preview")).content.decode()
    offer = "对应已有巡视轮次「省委第十二巡视组延伸巡视怀化高新区」"
    assert offer in page and page.index("改为导入到") < page.index("仍新建巡视轮次并导入")
    key = client.session[uploads.SESSION_KEY]["key"]

    response = client.post(reverse("reports:ledger-import-target"), {"key": key, "inspection": inspection.pk})
    assert response["Location"] == reverse("reports:ledger-import-preview")
    page = client.get(reverse("reports:ledger-import-preview")).content.decode()
    assert "省委第十二巡视组延伸巡视怀化高新区" in page and "无变化 21 项" in page and offer not in page
    client.post(reverse("reports:ledger-import-confirm"), {"key": key})
    assert Inspection.objects.count() == 1 and not Inspection.objects.filter(name="又一轮").exists()


def test_no_offer_when_the_title_names_no_round(seed, client, office_user, make_xlsx):
    client.force_login(office_user)
    path = make_xlsx([["某县落实市委第二巡察组巡察反馈问题整改台账"], ["序号", "具体问题"], [1, "事项"]])
    with path.open("rb") as handle:
        client.post(reverse("reports:ledger-import"), {"file": handle, "title": "新"})
    page = client.get(reverse("reports:ledger-import-preview")).content.decode()
    assert "对应已有巡视轮次" not in page and "确认导入" in page


def test_switching_needs_the_pending_key_and_a_live_round(seed, client, office_user, tmp_path):
    inspection = Inspection.objects.get()
    client.force_login(office_user)
    with the_file(inspection, tmp_path).open("rb") as handle:
        client.post(reverse("reports:ledger-import"), {"file": handle, "title": "又一轮"})
    key = client.session[uploads.SESSION_KEY]["key"]
    target = reverse("reports:ledger-import-target")
    response = client.post(target, {"key": "other", "inspection": inspection.pk}, follow=True)
    assert "该预览已失效" in response.content.decode()
    client.post(
        reverse("reports:ledger-import"), {"file": the_file(inspection, tmp_path).open("rb"), "title": "又一轮"}
    )
    key = client.session[uploads.SESSION_KEY]["key"]
    response = client.post(target, {"key": key, "inspection": "x"}, follow=True)
    assert "所选巡视轮次不存在或已删除" in response.content.decode()
    assert client.session[uploads.SESSION_KEY]["title"] == "又一轮"


def test_the_command_points_to_the_round_the_file_names(seed, tmp_path, capsys):
    inspection = Inspection.objects.get()
    call_command("import_ledger", str(the_file(inspection, tmp_path)), "--title", "又一轮", "--dry-run")
    assert f"请改用 --inspection {inspection.pk}" in capsys.readouterr().out
