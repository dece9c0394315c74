"""The monthly ledger in Excel: the official layout, the ledger as of a past day, the statistics
and the month's changes, the item-list export, who may download, and constant query counts."""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from rectify.accounts.models import AuditEvent, Department, Leader
from rectify.ledger.asof import end_of_day
from rectify.ledger.models import Inspection, Measure, ProgressUpdate, RectificationItem
from rectify.reports.excel import styles
from rectify.reports.excel.columns import LEDGER_HEADERS
from rectify.reports.excel.export import monthly_ledger, workbook_bytes
from rectify.reports.excel.styles import LIGHT_FILLS, STATUS_FILLS
from rectify.reports.measures import split_measures
from tests.factories import force_status, make_inspection, make_item, make_problem, the_unit

pytestmark = pytest.mark.django_db
Status = RectificationItem.Status

HEADER = [
    "序号",
    "反馈问题",
    "具体问题（整改事项）",
    "整改措施",
    "责任领导",
    "责任部门",
    "配合部门",
    "完成时限",
    "整改进展情况",
    "完成状态",
    "预警",
    "责任人",
    "完成日期",
    "原完成时限",
    "备注",
]
FIRST_DATA_ROW = 4


def data_rows(sheet) -> list[tuple]:
    """The item rows: down to the blank row above the 填表人 line."""
    rows = []
    for row in sheet.iter_rows(min_row=FIRST_DATA_ROW, values_only=True):
        if all(value is None for value in row):
            break
        rows.append(row)
    return rows


def rows_by_first_cell(sheet) -> dict:
    return {row[0]: row for row in sheet.iter_rows(values_only=True) if row and row[0] is not None}


def backdate(when: datetime.datetime, *, after: datetime.datetime | None = None) -> None:
    """Move the history records written so far (or those after ``after``) to ``when``."""
    for model in (RectificationItem, Measure):
        records = model.history.all()
        if after is not None:
            records = records.filter(history_date__gt=after)
        records.update(history_date=when)


# --- the seed, as published ------------------------------------------------------------


@pytest.fixture(scope="module")
def seed_ledger(django_db_setup, django_db_blocker, tmp_path_factory):
    """The seed exported as of the notice's date, once for the module (the seed is rolled back)."""
    path = tmp_path_factory.mktemp("seed") / "seed.xlsx"
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("loaddata", "seed_huaihua_2023", verbosity=0)
        call_command("export_ledger", "--as-of", "2023-12-18", "--output", str(path))
        transaction.set_rollback(True)
    return load_workbook(path)


def test_seed_as_published(seed_ledger):
    assert seed_ledger.sheetnames == ["整改台账", "统计", "本月变化"]
    sheet = seed_ledger["整改台账"]
    assert sheet["A1"].value == "怀化高新区落实省委第十二巡视组延伸巡视反馈问题整改台账"
    assert sheet["A2"].value == "填报单位：中共怀化高新技术产业开发区工作委员会"
    assert sheet["G2"].value == "截至2023年12月18日"
    assert [cell.value for cell in sheet[3]] == HEADER == LEDGER_HEADERS
    rows = data_rows(sheet)
    assert [row[0] for row in rows] == list(range(1, 22))
    assert sum(len(split_measures(row[3])) for row in rows) == 57
    problem_cells = [row[1] for row in rows if row[1] is not None]
    assert len(problem_cells) == 11
    assert problem_cells[0] == "（一）产业规模小，产业链薄弱。"
    assert problem_cells[5] == "（六）国有资产管理不善。" and problem_cells[10] == "（十一）国有资产管理不善。"
    assert sum(row[9] == "已完成（已销号）" for row in rows) == 20
    assert rows[20][2] == "经营权转让费长期未收回。" and rows[20][9] == "整改中"
    assert rows[0][3].startswith("1. 大力招引优质项目。") and "\n2. 积极培育存量企业" in rows[0][3]
    assert rows[0][7] == datetime.datetime(2023, 11, 30)


def test_seed_problem_cells_are_merged_over_their_items(seed_ledger):
    sheet = seed_ledger["整改台账"]
    merged = sorted(str(r) for r in sheet.merged_cells.ranges if r.min_col == r.max_col == 2)
    # Problems with several items: （一）（二）（三）（四） two each, （六）（八） three, （七） two.
    assert merged == ["B10:B12", "B14:B15", "B16:B18", "B19:B21", "B4:B5", "B6:B7", "B8:B9"]
    assert {"A1:O1", "A2:F2", "G2:O2"} <= {str(r) for r in sheet.merged_cells.ranges}


def test_seed_layout_for_printing(seed_ledger):
    sheet = seed_ledger["整改台账"]
    assert sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape"
    assert str(sheet.page_setup.paperSize) == "9"  # A4
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    first = sheet[FIRST_DATA_ROW]
    assert all(cell.border.left.style == "thin" for cell in first)
    assert first[3].alignment.wrap_text is True
    assert first[7].number_format == 'yyyy"年"m"月"d"日"'
    assert sheet["C3"].font.bold is True


def test_seed_status_and_warning_cells_are_coloured(seed_ledger):
    sheet = seed_ledger["整改台账"]
    completed, in_progress = sheet["J4"], sheet["J24"]
    assert (completed.value, in_progress.value) == ("已完成（已销号）", "整改中")
    assert completed.fill.fgColor.rgb.endswith(STATUS_FILLS[Status.COMPLETED])
    assert in_progress.fill.fgColor.rgb.endswith(STATUS_FILLS[Status.IN_PROGRESS])
    assert sheet["K4"].value == "灰灯" and sheet["K4"].fill.fgColor.rgb.endswith(LIGHT_FILLS["grey"])
    # Item 21 was due 2023-12-31: 13 days left on 2023-12-18, more than the 10-day warning.
    assert sheet["K24"].value == "绿灯" and sheet["K24"].fill.fgColor.rgb.endswith(LIGHT_FILLS["green"])


def test_seed_statistics(seed_ledger):
    rows = rows_by_first_cell(seed_ledger["统计"])
    assert rows["已完成（已销号）"][1] == 20
    assert rows["整改中"][1] == 1
    assert rows["合计"][1] == 21
    assert rows["完成率（已完成÷全部）"][1] == 0.952  # shown as 95.2%
    assert seed_ledger["统计"]["B12"].number_format == "0.0%"
    assert rows["完成率（已完成＋长期坚持）÷全部"][1] == 0.952
    assert rows["逾期（已过完成时限未完成）"][1] == 0
    # by department: total, completed, ongoing, overdue, rate
    assert rows["怀化高新投公司"][1:6] == (5, 4, 0, 0, 0.8)
    # by leader
    assert rows["陈某"][1:3] == (6, 5)
    assert "（无逾期事项）" in rows


def test_seed_changes_since_the_end_of_november(seed_ledger):
    sheet = seed_ledger["本月变化"]
    assert sheet["A2"].value == "比较：上月末（2023年11月30日）→ 截至2023年12月18日"
    details = [row for row in sheet.iter_rows(values_only=True) if row[0] == "新完成" and row[1] is not None]
    newly_completed = [row for row in details if isinstance(row[1], int) and row[2]]
    assert [row[1] for row in newly_completed] == [3, 4, 5, 9, 11, 12, 15, 20]
    assert newly_completed[0][4:6] == ("整改中", "已完成（已销号）")


# --- as of a past day -------------------------------------------------------------------


def test_past_day_shows_the_values_of_that_day(tmp_path, read_workbook):
    today = timezone.localdate()
    past = today - datetime.timedelta(days=40)
    department = Department.objects.create(unit=the_unit(), name="经济发展局")
    item = make_item(
        make_problem(title="产业规模小。"),
        lead_department=department,
        leaders=[Leader.objects.create(unit=the_unit(), name="张某", position="书记")],
        measures=["措施甲"],
        deadline=past + datetime.timedelta(days=20),
        status=Status.IN_PROGRESS,
    )
    ProgressUpdate.objects.create(item=item, reported_on=past, text="当时的进展", created_at=end_of_day(past))
    backdate(end_of_day(past) - datetime.timedelta(hours=3))
    ProgressUpdate.objects.filter(item=item).update(created_at=end_of_day(past) - datetime.timedelta(hours=2))
    # After that day: completed, deadline moved, measure reworded, a new report.
    force_status(item, Status.COMPLETED)
    item.completed_on, item.deadline = today, today
    item.save()
    measure = item.measures.get()
    measure.text = "措施甲（修订）"
    measure.save()
    ProgressUpdate.objects.create(item=item, text="今天的进展")

    path = tmp_path / "past.xlsx"
    call_command("export_ledger", "--as-of", past.isoformat(), "--output", str(path))
    then = data_rows(read_workbook(path)["整改台账"])[0]
    assert then[3] == "1. 措施甲"
    assert then[7].date() == past + datetime.timedelta(days=20)
    assert then[8] == "当时的进展"
    assert then[9] == "整改中"
    assert then[10] == "绿灯"

    call_command("export_ledger", "--output", str(path))
    now = data_rows(read_workbook(path)["整改台账"])[0]
    assert (now[3], now[7].date(), now[8], now[9], now[10]) == (
        "1. 措施甲（修订）",
        today,
        "今天的进展",
        "已完成（已销号）",
        "灰灯",
    )


def test_month_means_its_last_day(seed, tmp_path, read_workbook):
    path = tmp_path / "november.xlsx"
    call_command("export_ledger", "--month", "2023-11", "--output", str(path))
    sheet = read_workbook(path)["整改台账"]
    assert sheet["G2"].value == "截至2023年11月30日"
    assert sum(row[9] == "已完成（已销号）" for row in data_rows(sheet)) == 12


def test_changes_of_the_month(read_workbook):
    """Items as they stood on 2024-02-29 against 2024-03-15: each kind of change once."""
    problem = make_problem(make_inspection(), title="营商环境不优。")
    february = end_of_day(datetime.date(2024, 2, 1))
    completed = make_item(problem, title="甲", status=Status.IN_PROGRESS, deadline=datetime.date(2024, 6, 30))
    overdue = make_item(problem, title="乙", status=Status.IN_PROGRESS, deadline=datetime.date(2024, 3, 5))
    extended = make_item(problem, title="丙", status=Status.IN_PROGRESS, deadline=datetime.date(2024, 3, 31))
    returned = make_item(problem, title="丁", status=Status.PENDING_SIGNOFF, deadline=datetime.date(2024, 6, 30))
    unchanged = make_item(problem, title="戊", status=Status.IN_PROGRESS, deadline=datetime.date(2024, 6, 30))
    backdate(february)
    force_status(completed, Status.COMPLETED)
    completed.completed_on = datetime.date(2024, 3, 10)
    completed.save()
    extended.original_deadline, extended.deadline = extended.deadline, datetime.date(2024, 4, 30)
    extended.save()
    force_status(returned, Status.IN_PROGRESS)
    returned.return_count = 1
    returned.save()
    new = make_item(problem, title="己", deadline=datetime.date(2024, 5, 31))
    backdate(end_of_day(datetime.date(2024, 3, 10)), after=february)

    workbook = monthly_ledger(problem.inspection, datetime.date(2024, 3, 15))
    sheet = read_workbook(workbook_bytes(workbook))["本月变化"]
    summary = {row[0]: row[1] for row in sheet.iter_rows(min_row=6, max_row=10, values_only=True)}
    assert summary == {"新完成": 1, "新逾期": 1, "延期": 1, "退回": 1, "新增事项": 1}
    details = [row for row in sheet.iter_rows(min_row=14, values_only=True)]
    assert details == [
        ("新完成", completed.number, "甲", None, "整改中", "已完成（已销号）"),
        ("新逾期", overdue.number, "乙", None, "完成时限2024年3月5日", "逾期10天"),
        ("延期", extended.number, "丙", None, "2024年3月31日", "2024年4月30日"),
        ("退回", returned.number, "丁", None, "退回0次", "退回1次"),
        ("新增事项", new.number, "己", None, None, "未启动"),
    ]
    assert unchanged.number not in [row[1] for row in details]


# --- the view: permissions, errors, queries --------------------------------------------


def ledger_url(**params) -> str:
    query = "&".join(f"{key}={value}" for key, value in params.items())
    return reverse("reports:ledger-xlsx") + (f"?{query}" if query else "")


@pytest.fixture
def one_item(db):
    return make_item(make_problem(make_inspection(name="甲巡视")), measures=["措施"])


@pytest.mark.parametrize("who", ["office_user", "leader_user"])
def test_office_and_leaders_download_the_ledger(client, request, one_item, who, read_workbook):
    client.force_login(request.getfixturevalue(who))
    response = client.get(ledger_url(inspection=one_item.inspection_id))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response["Content-Disposition"] and ".xlsx" in response["Content-Disposition"]
    assert data_rows(read_workbook(response.content)["整改台账"])[0][2] == "整改事项1"
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.EXPORT)
    assert event.detail.startswith("月度台账：甲巡视，截至") and event.user.username in ("office", "leader")


@pytest.mark.parametrize("who", ["liaison", "sysadmin"])
def test_others_may_not_download_the_whole_ledger(client, request, one_item, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(ledger_url()).status_code == 403
    assert client.get(reverse("reports:ledger-export")).status_code == 403


def test_anonymous_is_sent_to_login(client, one_item):
    response = client.get(ledger_url())
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_export_page_offers_the_inspections(client, office_user, one_item):
    client.force_login(office_user)
    response = client.get(reverse("reports:ledger-export"))
    assert response.status_code == 200
    assert "甲巡视" in response.content.decode()


def test_one_inspection_may_be_left_out(client, office_user, one_item):
    client.force_login(office_user)
    assert client.get(ledger_url()).status_code == 200


def test_several_inspections_must_be_named(client, office_user, one_item):
    make_inspection(name="乙巡视")
    client.force_login(office_user)
    response = client.get(ledger_url(as_of="2024-01-31"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "存在多个巡视轮次" in page and "甲巡视" in page and "乙巡视" in page
    assert f"inspection={one_item.inspection_id}&amp;as_of=2024-01-31" in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"as_of": "2023-13-45"}, "无法识别的日期：2023-13-45"),
        ({"as_of": "yesterday"}, "无法识别的日期：yesterday"),
        ({"as_of": "2999-01-01"}, "晚于今天"),
        ({"month": "2023-13"}, "无法识别的月份：2023-13"),
        ({"as_of": "2023-12-01", "month": "2023-12"}, "只能指定一个"),
        ({"inspection": "abc"}, "巡视轮次编号应为数字：abc"),
        ({"inspection": "999"}, "没有编号为 999 的巡视轮次"),
    ],
)
def test_bad_input_gives_a_chinese_400(client, office_user, one_item, params, message):
    client.force_login(office_user)
    response = client.get(ledger_url(**params))
    assert response.status_code == 400
    assert message in response.content.decode()


def test_command_errors_are_chinese(one_item, tmp_path):
    make_inspection(name="乙巡视")
    with pytest.raises(CommandError, match="存在多个巡视轮次，请指定要导出哪一个：\n  .*甲巡视"):
        call_command("export_ledger", "--output", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="无法识别的日期：2023-02-30"):
        call_command("export_ledger", "--as-of", "2023-02-30", "--output", str(tmp_path / "x.xlsx"))
    with pytest.raises(CommandError, match="输出目录不存在"):
        call_command("export_ledger", "--inspection", str(one_item.inspection_id), "--output", "/nonexistent/x.xlsx")


def _items(inspection, count: int, leader, department) -> None:
    problems = [make_problem(inspection) for _ in range(3)]
    for index in range(count):
        make_item(
            problems[index % 3],
            leaders=[leader],
            co_departments=[department],
            lead_department=department,
            measures=["一", "二"],
            status=Status.IN_PROGRESS,
        )


@pytest.mark.parametrize("past", [False, True], ids=["today", "past day"])
def test_query_count_does_not_depend_on_the_number_of_items(client, office_user, past):
    leader = Leader.objects.create(unit=the_unit(), name="张某", position="书记")
    department = Department.objects.create(unit=the_unit(), name="经济发展局")
    counts = []
    for count in (3, 30):
        inspection = make_inspection()
        _items(inspection, count, leader, department)
        as_of = timezone.localdate()
        if past:
            as_of -= datetime.timedelta(days=400)
            backdate(end_of_day(as_of - datetime.timedelta(days=40)))
        client.force_login(office_user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(ledger_url(inspection=inspection.pk, as_of=as_of.isoformat()))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_export_view_queries(client, office_user, one_item, django_assert_num_queries):
    client.force_login(office_user)
    # Expect 14 queries:
    #   3 for the request: the session, the user, the user's role groups (permission check);
    #   1 the inspection;
    #   5 the ledger of today (items with problem and department, then leaders, co-departments,
    #     measures and progress reports, one query each);
    #   1 the outline of the end of last month (status, deadline, return count), from the item
    #     records in history: all the 本月变化 sheet compares;
    #   1 the audit log entry (导出);
    #   3 saving the session (SESSION_SAVE_EVERY_REQUEST: savepoint, update, release).
    with django_assert_num_queries(14):
        response = client.get(ledger_url(inspection=one_item.inspection_id))
    assert response.status_code == 200


# --- the item list export ----------------------------------------------------------------


@pytest.fixture
def listed(department, other_department):
    inspection = make_inspection(name="甲巡视", inspected_unit="甲单位", inspecting_body="省委第一巡视组")
    problem = make_problem(inspection, title="问题甲。")
    return {
        1: make_item(problem, title="甲一", lead_department=department, status=Status.IN_PROGRESS),
        2: make_item(problem, title="甲二", lead_department=other_department, status=Status.IN_PROGRESS),
        3: make_item(problem, title="甲三", lead_department=department, status=Status.COMPLETED),
        4: make_item(problem, title="甲四", lead_department=other_department, co_departments=[department]),
    }


def test_item_list_export_has_the_filtered_rows(client, office_user, listed, read_workbook):
    client.force_login(office_user)
    response = client.get(reverse("reports:items-xlsx") + "?status=in_progress")
    assert response.status_code == 200
    sheet = read_workbook(response.content)["整改台账"]
    assert [cell.value for cell in sheet[3]] == HEADER
    assert [row[2] for row in data_rows(sheet)] == ["甲一", "甲二"]
    assert sheet["A1"].value == "甲单位落实省委第一巡视组巡视反馈问题整改台账（筛选结果）"
    assert sheet.freeze_panes == "A4"


def test_item_list_export_shows_what_the_list_shows(client, liaison, listed, read_workbook):
    client.force_login(liaison)
    page = client.get(reverse("ledger:item-list"))
    on_screen = sorted(row.record.title for row in page.context["table"].page.object_list)
    response = client.get(reverse("reports:items-xlsx"))
    assert response.status_code == 200
    exported = sorted(row[2] for row in data_rows(read_workbook(response.content)["整改台账"]))
    assert exported == on_screen == ["甲一", "甲三", "甲四"]


def test_item_list_export_query_count_does_not_depend_on_the_number_of_items(client, office_user):
    leader = Leader.objects.create(unit=the_unit(), name="张某", position="书记")
    department = Department.objects.create(unit=the_unit(), name="经济发展局")
    inspection = make_inspection()
    client.force_login(office_user)
    counts = []
    for count in (3, 27):
        _items(inspection, count, leader, department)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("reports:items-xlsx") + "?status=in_progress")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_item_list_export_needs_view_permission(client, sysadmin, listed):
    client.force_login(sysadmin)
    assert client.get(reverse("reports:items-xlsx")).status_code == 403


def test_texts_are_never_formulas(client, office_user, read_workbook):
    make_item(make_problem(), title='=HYPERLINK("http://x")', note="#N/A\x07")
    client.force_login(office_user)
    sheet = read_workbook(client.get(ledger_url()).content)["整改台账"]
    assert sheet["C4"].data_type == "s" and sheet["C4"].value == '=HYPERLINK("http://x")'
    assert sheet["O4"].value == "#N/A"  # 备注


def test_inspection_without_items_exports_an_empty_ledger(client, office_user, read_workbook):
    Inspection.objects.create(unit=the_unit(), name="空巡视", inspecting_body="省委第二巡视组", inspected_unit="乙单位")
    client.force_login(office_user)
    workbook = read_workbook(client.get(ledger_url()).content)
    assert [cell.value for cell in workbook["整改台账"][3]] == HEADER
    assert data_rows(workbook["整改台账"]) == []


def test_the_row_writer_keeps_dates_and_numbers_in_their_own_formats(tmp_path):
    """A date in a column's reused styled cell takes a date format; the numbers after it in that
    column, and bare values, keep theirs."""
    from openpyxl import load_workbook

    from rectify.reports.excel.export import new_workbook

    workbook = new_workbook()
    writer = styles.RowWriter(workbook.create_sheet("测试"))
    writer.append([(styles.CENTRED, datetime.date(2024, 1, 2)), (None, 7)])
    writer.append([(styles.CENTRED, 5), (None, datetime.date(2024, 3, 4))])
    writer.append([(styles.CENTRED, datetime.date(2024, 5, 6)), (None, 8)])
    path = tmp_path / "formats.xlsx"
    workbook.save(path)

    sheet = load_workbook(path)["测试"]
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        [datetime.datetime(2024, 1, 2), 7],
        [5, datetime.datetime(2024, 3, 4)],
        [datetime.datetime(2024, 5, 6), 8],
    ]
    assert [sheet.cell(row, 1).is_date for row in (1, 2, 3)] == [True, False, True]
    assert [sheet.cell(row, 2).is_date for row in (1, 2, 3)] == [False, True, False]


@pytest.mark.parametrize("sort", ["-number", "deadline", "-deadline", "lead_department", "-status", "title", "bogus"])
def test_item_list_export_follows_the_lists_sort_order(client, office_user, read_workbook, sort):
    first, second = (
        Department.objects.create(unit=the_unit(), name="甲局"),
        Department.objects.create(unit=the_unit(), name="乙局"),
    )
    problem = make_problem(make_inspection(), title="问题甲。")
    for title, deadline, department, status in (
        ("事项丙", datetime.date(2030, 3, 1), first, Status.IN_PROGRESS),
        ("事项甲", None, second, Status.NOT_STARTED),
        ("事项乙", datetime.date(2030, 1, 1), second, Status.IN_PROGRESS),
        ("事项丁", datetime.date(2030, 2, 1), first, Status.ONGOING),
    ):
        make_item(problem, title=title, deadline=deadline, lead_department=department, status=status)
    client.force_login(office_user)
    page = client.get(reverse("ledger:item-list"), {"sort": sort})
    on_screen = [row.record.title for row in page.context["table"].page.object_list]
    response = client.get(reverse("reports:items-xlsx"), {"sort": sort})
    assert response.status_code == 200
    exported = [row[2] for row in data_rows(read_workbook(response.content)["整改台账"])]
    assert exported == on_screen
    unsorted = ["事项丙", "事项甲", "事项乙", "事项丁"]  # by number, the list's default
    expected = {
        "-number": ["事项丁", "事项乙", "事项甲", "事项丙"],
        "deadline": ["事项乙", "事项丁", "事项丙", "事项甲"],  # no deadline last
        "-deadline": ["事项丙", "事项丁", "事项乙", "事项甲"],
        "-status": ["事项丁", "事项甲", "事项乙", "事项丙"],  # ties by number, reversed too
        "bogus": unsorted,  # an unknown column is ignored, as the list ignores it
    }
    if sort in expected:
        assert exported == expected[sort]
    else:  # text orders depend on the database's collation
        assert exported != unsorted


def test_every_sheet_prints_on_a4_and_the_ledger_is_signed(seed_ledger):
    """The 整改台账 columns add up to about 160 characters, so fitting A4 landscape's width keeps
    the 10-point text at about 9.5 pt; the 统计 and 本月变化 sheets print portrait, fitted to
    the width; a 填表人 / 审核人 / 联系电话 / 填报日期 line stands under the table."""
    from rectify.reports.excel.columns import LEDGER_COLUMNS

    assert sum(width for _header, width in LEDGER_COLUMNS) <= 165
    for name, orientation in (("整改台账", "landscape"), ("统计", "portrait"), ("本月变化", "portrait")):
        sheet = seed_ledger[name]
        assert sheet.page_setup.orientation == orientation, name
        assert str(sheet.page_setup.paperSize) == "9" and sheet.page_setup.fitToWidth == 1, name
        assert sheet.sheet_properties.pageSetUpPr.fitToPage is True, name
    sheet = seed_ledger["整改台账"]
    last = [row for row in sheet.iter_rows(values_only=True) if any(row)][-1]
    assert (
        last[0].startswith("填表人：") and "审核人：" in last[0] and "联系电话：" in last[0] and "填报日期：" in last[0]
    )
