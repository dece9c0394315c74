"""Importing ledgers other people made: layouts, synonyms, every deadline and status form, split
names and measures, bad files (all errors, nothing saved), re-import, the round trip and the pages."""

import datetime
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from rectify.accounts.models import AuditEvent, Department, Leader
from rectify.ledger.asof import end_of_day, ledger_as_of
from rectify.ledger.models import FeedbackProblem, Inspection, Measure, RectificationItem
from rectify.reports.excel import uploads
from rectify.reports.excel.importer import LedgerImportError, import_ledger
from rectify.reports.excel.parsing import (
    CellError,
    parse_deadline,
    parse_status,
    split_names,
)
from rectify.reports.measures import split_measures
from tests.factories import make_inspection, make_item, make_problem, the_unit

pytestmark = pytest.mark.django_db
Status = RectificationItem.Status
Kind = RectificationItem.Kind

OFFICIAL_HEADER = [
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
    "备注",
]


def official(rows, title="某县落实市委第二巡察组巡察反馈问题整改台账"):
    """A ledger in the export's own layout: title, reporting unit, header, rows."""
    return [
        [title],
        ["填报单位：中共某县委员会", None, None, None, None, None, "截至2024年3月31日"],
        OFFICIAL_HEADER,
        *rows,
    ]


def item_titles(inspection) -> list[str]:
    return list(inspection.items.order_by("number").values_list("title", flat=True))


# --- cells --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "day", "kind"),
    [
        (datetime.datetime(2024, 6, 30), datetime.date(2024, 6, 30), None),
        (datetime.date(2024, 6, 30), datetime.date(2024, 6, 30), None),
        ("2024年6月30日", datetime.date(2024, 6, 30), None),
        ("2024.6.30", datetime.date(2024, 6, 30), None),
        ("2024-06-30", datetime.date(2024, 6, 30), None),
        ("2024/6/30", datetime.date(2024, 6, 30), None),
        ("２０２４年６月３０日前", datetime.date(2024, 6, 30), None),
        ("2024年6月底", datetime.date(2024, 6, 30), None),
        ("2024年6月底前", datetime.date(2024, 6, 30), None),
        ("2024年2月底前", datetime.date(2024, 2, 29), None),
        ("2024年6月", datetime.date(2024, 6, 30), None),
        ("2024年底前", datetime.date(2024, 12, 31), None),
        (45473, datetime.date(2024, 6, 30), None),
        ("立行立改", None, Kind.IMMEDIATE),
        ("立行立改（2023年8月20日前）", datetime.date(2023, 8, 20), Kind.IMMEDIATE),
        ("长期坚持", None, Kind.LONG_TERM),
        ("2023年12月底前完成并长期坚持", datetime.date(2023, 12, 31), Kind.LONG_TERM),
        (None, None, None),
        ("", None, None),
    ],
)
def test_deadline_forms(cell, day, kind):
    deadline = parse_deadline(cell)
    assert (deadline.day, deadline.kind) == (day, kind)


@pytest.mark.parametrize("cell", ["2024年13月45日", "2024-02-30", "明年上半年", "2024年13月", 12])
def test_unreadable_deadlines(cell):
    with pytest.raises(CellError, match="无法识别的日期"):
        parse_deadline(cell)


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        *[(word, Status.COMPLETED) for word in ["已完成", "完成", "已整改", "已销号", "已完成（已销号）", " 已 完成 "]],
        *[(word, Status.IN_PROGRESS) for word in ["整改中", "正在整改", "推进中", "未完成"]],
        *[(word, Status.ONGOING) for word in ["长期坚持", "持续整改", "基本完成", "长期坚持（阶段性成果）"]],
        *[(word, Status.NOT_STARTED) for word in ["未启动", "未开始", "", None]],
        ("待销号", Status.PENDING_SIGNOFF),
    ],
)
def test_status_synonyms(cell, status):
    assert parse_status(cell) == status


def test_unknown_status():
    with pytest.raises(CellError, match="无法识别的完成状态：差不多"):
        parse_status("差不多")


@pytest.mark.parametrize(
    "cell",
    [
        "张某、李某",
        "张某，李某",
        "张某,李某",
        "张某;李某",
        "张某；李某",
        "张某/李某",
        "张某\n李某",
        " 张某 、、李某、张某 ",
    ],
)
def test_names_split(cell):
    assert split_names(cell) == ["张某", "李某"]


@pytest.mark.parametrize(
    ("cell", "measures"),
    [
        ("1. 建立制度。\n2. 开展检查。", ["建立制度。", "开展检查。"]),
        ("1、建立制度；2、开展检查。", ["建立制度", "开展检查。"]),
        ("1．建立制度。2．开展检查。", ["建立制度。", "开展检查。"]),
        ("(1) 建立制度 (2) 开展检查", ["建立制度", "开展检查"]),
        ("（1）建立制度；（2）开展检查。", ["建立制度", "开展检查。"]),
        ("一是建立制度。二是开展检查。三是严肃问责。", ["建立制度。", "开展检查。", "严肃问责。"]),
        ("整改措施：一是建立制度；二是开展检查。", ["建立制度", "开展检查。"]),
        ("一、建立制度。二、开展检查。", ["建立制度。", "开展检查。"]),
        ("1. 引资153.4亿元，落实第2、3条。\n2. 新增14个项目。", ["引资153.4亿元，落实第2、3条。", "新增14个项目。"]),
        ("1. 只有一条措施", ["只有一条措施"]),
        ("没有编号的一段话。", ["没有编号的一段话。"]),
        ("", []),
    ],
)
def test_measures_split_on_their_numbering(cell, measures):
    assert split_measures(cell) == measures


# --- layouts --------------------------------------------------------------------------------


def test_official_layout_with_merged_problems(make_xlsx):
    path = make_xlsx(
        official(
            [
                [
                    1,
                    "（一）产业规模小。",
                    "企业少。",
                    "1. 招商。\n2. 培育。",
                    "张某、李某",
                    "经济发展局",
                    "招商局",
                    "2024年6月30日",
                    "已招商5家",
                    "整改中",
                    "绿灯",
                    "示例",
                ],
                [
                    2,
                    None,
                    "产值低。",
                    "一是扩产；二是增效。",
                    "王某",
                    "经济发展局",
                    None,
                    "立行立改",
                    "",
                    "已完成",
                    "灰灯",
                    "",
                ],
                [
                    3,
                    "（二）营商环境不优。",
                    "审批慢。",
                    "（1）简化；（2）提速",
                    "张某",
                    "行政审批局，经济发展局",
                    "财政局",
                    "长期坚持",
                    "",
                    "长期坚持",
                    "蓝灯",
                    "",
                ],
            ]
        ),
        merges=["A1:L1", "B4:B5"],
    )
    plan = import_ledger(source=path, title="某县巡察整改")
    inspection = plan.inspection
    assert (inspection.name, inspection.inspected_unit, inspection.inspecting_body) == (
        "某县巡察整改",
        "某县",
        "市委第二巡察组",
    )
    assert inspection.kind == Inspection.Kind.PATROL and inspection.responsible_unit == "中共某县委员会"
    problems = list(inspection.problems.order_by("sequence").values_list("sequence", "title"))
    assert problems == [(1, "产业规模小。"), (2, "营商环境不优。")]
    first, second, third = inspection.items.order_by("number")
    assert first.problem.title == second.problem.title == "产业规模小。"
    assert [m.text for m in first.measures.order_by("sequence")] == ["招商。", "培育。"]
    assert sorted(first.leaders.values_list("name", flat=True)) == ["张某", "李某"]
    assert first.lead_department.name == "经济发展局"
    assert [d.name for d in first.co_departments.all()] == ["招商局"]
    assert (first.deadline, first.kind, first.status, first.summary, first.note) == (
        datetime.date(2024, 6, 30),
        Kind.TIME_BOUND,
        Status.IN_PROGRESS,
        "已招商5家",
        "示例",
    )
    # 立行立改 without a day: a new inspection has no feedback date, so no deadline.
    assert (second.kind, second.deadline, second.status) == (Kind.IMMEDIATE, None, Status.COMPLETED)
    assert second.completed_on == timezone.localdate()  # no deadline: the import date
    assert [m.is_done for m in second.measures.all()] == [True, True]
    # Several departments in 责任部门: the first leads, the others co-operate.
    assert third.lead_department.name == "行政审批局"
    assert sorted(third.co_departments.values_list("name", flat=True)) == ["经济发展局", "财政局"]
    assert (third.kind, third.deadline, third.status) == (Kind.LONG_TERM, None, Status.ONGOING)
    assert sorted(plan.new_departments) == sorted(["经济发展局", "招商局", "行政审批局", "财政局"])
    assert sorted(plan.new_leaders) == ["张某", "李某", "王某"]
    assert Leader.objects.get(name="王某").position == ""


def test_other_layout_synonyms_in_another_order(make_xlsx):
    """Two title rows, synonym headers in a different order, a section heading merged across the
    table, an item merged over two rows (a measure per row), every status synonym."""
    header = [
        "编号",
        "整改任务",
        "问题类别",
        "牵头单位",
        "牵头领导",
        "整改举措",
        "整改时限",
        "是否完成",
        "完成情况",
        "配合单位",
        "经办人",
        "备注",
    ]
    rows = [
        ["某市关于省委第三巡视组反馈意见整改落实台账"],
        ["（2024年一季度）"],
        header,
        ["一、集中整改期内已完成的整改事项"],
        [
            1,
            "整改甲",
            "党建薄弱",
            "组织部",
            "书记",
            "1、完善制度",
            "2024.3.31",
            "已整改",
            "完成",
            "宣传部",
            "赵某",
            None,
        ],
        [None, None, None, None, None, "2、开展培训", None, None, None, None, None, None],
        [2, "整改乙", "党建薄弱", "组织部", "书记", "加强学习", "2024/3/31", "已销号", "", None, "", None],
        [3, "整改丙", "作风不实", "办公室", "副书记", "", "2024-06-30", "推进中", "", None, "", None],
        [4, "整改丁", "作风不实", "办公室", "副书记", "", "2024年6月底前", "正在整改", "", None, "", None],
        [5, "整改戊", "作风不实", "办公室", "副书记", "", "2024年6月底", "未完成", "", None, "", None],
        [6, "整改己", "作风不实", "办公室", "副书记", "", "长期坚持", "持续整改", "", None, "", None],
        [7, "整改庚", "作风不实", "办公室", "副书记", "", "长期坚持", "基本完成", "", None, "", None],
        [8, "整改辛", "作风不实", "办公室", "副书记", "", "2024年12月31日", "未开始", "", None, "", None],
        [9, "整改壬", "作风不实", "办公室", "副书记", "", "2024年12月31日", "未启动", "", None, "", None],
        [10, "整改癸", "作风不实", "办公室", "副书记", "", "2024年12月31日", "", "", None, "", None],
        [11, "整改子", "作风不实", "办公室", "副书记", "", "2024年12月31日", "完成", "", None, "", None],
        ["填表人：钱某"],
    ]
    path = make_xlsx(rows, merges=["A1:L1", "A4:L4", "A5:A6", "B5:B6", "C5:C7", "D5:D7", "E5:E7"])
    plan = import_ledger(source=path, title="某市巡视整改")
    inspection = plan.inspection
    assert inspection.inspecting_body == "省委第三巡视组" and inspection.inspected_unit == "某市"
    items = {item.number: item for item in inspection.items.all()}
    assert len(items) == 11
    assert [m.text for m in items[1].measures.order_by("sequence")] == ["完善制度", "开展培训"]
    assert (items[1].contact_person, items[1].summary) == ("赵某", "完成")
    assert [d.name for d in items[1].co_departments.all()] == ["宣传部"]
    assert items[2].lead_department.name == "组织部" and items[2].problem == items[1].problem
    statuses = [items[number].status for number in range(1, 12)]
    assert statuses == [
        Status.COMPLETED,
        Status.COMPLETED,
        Status.IN_PROGRESS,
        Status.IN_PROGRESS,
        Status.IN_PROGRESS,
        Status.ONGOING,
        Status.ONGOING,
        Status.NOT_STARTED,
        Status.NOT_STARTED,
        Status.NOT_STARTED,
        Status.COMPLETED,
    ]
    assert items[1].completed_on == datetime.date(2024, 3, 31)  # completed: the deadline
    assert [items[n].deadline for n in (3, 4, 5)] == [datetime.date(2024, 6, 30)] * 3
    assert items[6].kind == Kind.LONG_TERM and items[6].deadline is None
    assert [p.title for p in inspection.problems.order_by("sequence")] == ["党建薄弱", "作风不实"]
    assert "第17行没有填写「整改任务」，已跳过。" in plan.notes  # the 填表人 line


def test_header_found_on_a_later_sheet_and_number_optional(make_xlsx):
    path = make_xlsx(
        [["存在问题", "问题表现", "责任单位"], ["问题甲", "事项一", "甲局"], ["问题甲", "事项二", "甲局"]],
        extra_sheets=[("说明", [["本表为某单位整改台账"]])],
    )
    plan = import_ledger(source=path, title="无序号台账")
    assert item_titles(plan.inspection) == ["事项一", "事项二"]
    assert list(plan.inspection.items.values_list("number", flat=True)) == [1, 2]
    assert any("没有这些列" in note and "序号" in note for note in plan.notes)


def test_immediate_deadline_is_a_month_after_feedback(make_xlsx):
    inspection = make_inspection(feedback_date=datetime.date(2023, 7, 31))
    path = make_xlsx(official([[1, "问题", "事项", "", "", "", "", "立行立改", "", "整改中", "", ""]]))
    import_ledger(source=path, inspection=inspection)
    item = inspection.items.get()
    assert (item.kind, item.deadline) == (Kind.IMMEDIATE, datetime.date(2023, 8, 31))


def test_existing_departments_and_leaders_are_reused(make_xlsx):
    department = Department.objects.create(unit=the_unit(), name="经济发展局")
    leader = Leader.objects.create(unit=the_unit(), name="张某", position="党工委书记")
    path = make_xlsx(official([[1, "问题", "事项", "", "张某", "经济发展局", "", "", "", "", "", ""]]))
    plan = import_ledger(source=path, title="复用")
    item = plan.inspection.items.get()
    assert item.lead_department == department and list(item.leaders.all()) == [leader]
    assert plan.new_departments == [] and plan.new_leaders == []


# --- bad files: every error, nothing saved ------------------------------------------------


def test_all_errors_are_collected_and_nothing_is_saved(make_xlsx, ledger_counts):
    make_item(make_problem(), measures=["已有措施"])
    before = ledger_counts()
    path = make_xlsx(
        official(
            [
                [1, "问题", "事项一", "", "", "", "", "2024年6月30日", "", "整改中", "", ""],
                [2, "问题", "事项二", "", "", "", "", "2024年13月45日", "", "差不多", "", ""],
                [2, "问题", "事项三", "", "", "", "", "", "", "", "", ""],
                [None, "问题", "事项四", "", "", "", "", "", "", "", "", ""],
                ["第五", "问题", "事项五", "", "领导" * 30, "", "", "", "", "", "", ""],
            ]
        )
    )
    with pytest.raises(LedgerImportError) as raised:
        import_ledger(source=path, title="有错的台账")
    assert raised.value.messages == [
        "第5行「完成时限」无法识别的日期：2024年13月45日",
        "第5行「完成状态」无法识别的完成状态：差不多（可填：已完成、整改中、长期坚持、未启动、待销号）",
        "第6行「序号」与第5行重复：2",
        "第7行「序号」为空：每个整改事项都要有序号。",
        "第8行「序号」无法识别的序号：第五",
        "第8行「责任领导」名称过长（最多50字）：领导领导领导领导领导领导领导领导领导领导…",
    ]
    assert ledger_counts() == before


def test_the_brief_s_example_message(make_xlsx):
    path = make_xlsx(
        [["标题"], ["单位"], ["序号", "整改事项", "整改时限"], [1, "甲", "2024年6月30日"], [2, "乙", "2024年13月45日"]]
    )
    with pytest.raises(LedgerImportError) as raised:
        import_ledger(source=path, title="x")
    assert raised.value.messages == ["第5行「整改时限」无法识别的日期：2024年13月45日"]


def test_missing_item_column_is_named(make_xlsx, ledger_counts):
    before = ledger_counts()
    path = make_xlsx([["序号", "反馈问题", "责任部门"], [1, "问题", "甲局"]])
    with pytest.raises(
        LedgerImportError, match="没有找到表头行：前15行中没有「具体问题」列（可用的列名：具体问题、整改事项"
    ):
        import_ledger(source=path, title="x")
    assert ledger_counts() == before


def _docx_bytes() -> bytes:
    from docx import Document

    buffer = io.BytesIO()
    Document().save(buffer)
    return buffer.getvalue()


def _zip_bytes(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _broken_xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook>not really</workbook>")
        archive.writestr("[Content_Types].xml", "garbage")
    return buffer.getvalue()


BAD_FILES = {
    "empty": (b"", "文件为空"),
    "random bytes": (bytes(range(256)) * 20, "不是 Excel 工作簿（.xlsx）：文件内容无法识别"),
    "html renamed": ("<html><body><table><tr><td>序号</td></tr></table></body></html>".encode(), "看起来是网页"),
    "old xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "旧版 Excel（.xls）"),
    "docx renamed": (_docx_bytes(), "这是 Word 文档（.docx）"),
    "zip without workbook": (_zip_bytes({"readme.txt": "hello"}), "压缩包中没有工作簿内容"),
    "damaged xlsx": (_broken_xlsx_bytes(), "无法读取该 Excel 文件"),
}


@pytest.mark.parametrize("name", BAD_FILES)
def test_files_that_are_not_workbooks_are_refused(name, tmp_path, ledger_counts):
    content, message = BAD_FILES[name]
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(content)
    before = ledger_counts()
    with pytest.raises(LedgerImportError, match=message):
        import_ledger(source=path, title="x")
    with pytest.raises(CommandError, match=message):
        call_command("import_ledger", str(path), "--title", "x")
    assert ledger_counts() == before


def test_a_failure_while_writing_rolls_everything_back(make_xlsx, ledger_counts, monkeypatch):
    from rectify.reports.excel import importer

    before = ledger_counts()

    def explode(self, created, updated):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer._Writer, "_write_measures", explode)
    path = make_xlsx(official([[1, "问题", "事项", "1. 甲", "张某", "甲局", "", "", "", "", "", ""]]))
    with pytest.raises(RuntimeError):
        import_ledger(source=path, title="回滚")
    assert ledger_counts() == before


def test_a_concurrent_change_is_refused_cleanly(make_xlsx, ledger_counts, monkeypatch):
    """Someone adds item 1 to the inspection while the import writes it: the database refuses
    the import's row (a real unique-constraint error from the raw bulk insert), nothing is saved."""
    from rectify.reports.excel import importer

    create_items = importer._Writer._create_items

    def clash(self, rows):
        RectificationItem.objects.create(
            inspection=self.inspection, problem_id=rows[0].problem.pk, number=rows[0].number, title="他人录入"
        )
        create_items(self, rows)

    monkeypatch.setattr(importer._Writer, "_create_items", clash)
    before = ledger_counts()
    path = make_xlsx(official([[1, "问题", "事项", "", "", "", "", "", "", "", "", ""]]))
    with pytest.raises(LedgerImportError, match="被他人修改"):
        import_ledger(source=path, title="并发")
    assert ledger_counts() == before


# --- importing again, history -------------------------------------------------------------


def test_importing_again_updates_instead_of_duplicating(make_xlsx, office_user):
    rows = [
        [1, "（一）问题甲", "事项一", "1. 甲\n2. 乙\n3. 丙", "张某", "甲局", "", "2024年6月30日", "", "整改中", "", ""],
        [2, "（一）问题甲", "事项二", "1. 丁", "李某", "乙局", "", "2024年6月30日", "", "整改中", "", ""],
    ]
    first = import_ledger(source=make_xlsx(official(rows)), title="重复导入", user=office_user)
    inspection = first.inspection
    history_before = RectificationItem.history.count()

    again = import_ledger(source=make_xlsx(official(rows)), inspection=inspection)
    assert [row.action for row in again.rows] == ["无变化", "无变化"]
    assert RectificationItem.history.count() == history_before

    rows[0][3] = "1. 甲（修订）\n2. 乙"
    rows[0][9] = "已完成"
    rows[1][4] = "王某"
    rows.append([3, "（二）问题乙", "事项三", "", "", "", "", "", "", "", "", ""])
    changed = import_ledger(source=make_xlsx(official(rows)), inspection=inspection, user=office_user)
    assert [row.action for row in changed.rows] == ["更新", "更新", "新增"]
    # 已完成 in the file does not complete an existing item: it files a 销号 request for review.
    assert changed.rows[0].changes == ["整改措施", "申请销号（待纪工委审核）"]
    assert inspection.items.count() == 3 and inspection.problems.count() == 2
    one = inspection.items.get(number=1)
    assert [m.text for m in one.measures.order_by("sequence")] == ["甲（修订）", "乙"]
    assert (one.status, one.completed_on, one.version) == (Status.PENDING_SIGNOFF, None, 2)
    request = one.signoffs.get()
    assert (request.origin, request.decision, request.requested_by) == ("import", "pending", office_user)
    assert one.evidence.get().original_name == request.source_name
    assert list(inspection.items.get(number=2).leaders.values_list("name", flat=True)) == ["王某"]
    latest = one.history.order_by("-history_date", "-history_id").first()
    assert latest.history_type == "~" and latest.history_user == office_user
    assert Measure.history.filter(history_type="-", text="丙").exists()


def test_new_progress_text_becomes_a_progress_report(make_xlsx, office_user):
    item = make_item(make_problem(title="问题"), title="事项", summary="通报公布的整改情况")
    row = [1, "问题", "事项", "", "", "", "", "", "通报公布的整改情况", "", "", ""]
    assert import_ledger(source=make_xlsx(official([row])), inspection=item.inspection).rows[0].action == "无变化"
    row[8] = "本月新进展"
    plan = import_ledger(source=make_xlsx(official([row])), inspection=item.inspection, user=office_user)
    assert plan.rows[0].changes == ["整改进展情况"]
    item.refresh_from_db()
    assert item.summary == "通报公布的整改情况" and item.version == 1  # the item row itself is untouched
    report = item.progress_updates.get()
    assert (report.text, report.author, report.reported_on) == ("本月新进展", office_user, timezone.localdate())
    assert import_ledger(source=make_xlsx(official([row])), inspection=item.inspection).rows[0].action == "无变化"


def test_seed_export_imported_into_the_seed_changes_nothing(seed, tmp_path):
    path = tmp_path / "published.xlsx"
    call_command("export_ledger", "--as-of", "2023-12-18", "--output", str(path))
    plan = import_ledger(source=path, inspection=Inspection.objects.get(), dry_run=True)
    assert {row.action for row in plan.rows} == {"无变化"}


def test_rows_under_a_merged_item_cell_with_their_own_numbers_are_items(make_xlsx):
    rows = [["序号", "整改事项", "整改措施"], [1, "同一问题", "1. 甲"], [2, None, "1. 乙"], [3, "下一个", ""]]
    plan = import_ledger(source=make_xlsx(rows, merges=["B2:B3"]), title="x", dry_run=True)
    assert [(row.number, row.title, row.measures) for row in plan.rows] == [
        (1, "同一问题", ["甲"]),
        (2, "同一问题", ["乙"]),
        (3, "下一个", []),
    ]


def test_imported_ledger_can_be_rebuilt_for_a_later_day(make_xlsx):
    """The history written in bulk is complete: leaders and co-departments included."""
    path = make_xlsx(
        official([[1, "问题", "事项", "1. 甲\n2. 乙", "张某、李某", "甲局", "乙局", "", "", "整改中", "", ""]])
    )
    inspection = import_ledger(source=path, title="历史").inspection
    day = timezone.localdate() - datetime.timedelta(days=3)
    for model in (RectificationItem, Measure, FeedbackProblem):
        model.history.update(history_date=end_of_day(day) - datetime.timedelta(hours=1))
    [state] = ledger_as_of(inspection, day)
    assert (state.title, state.lead_department, state.co_departments) == ("事项", "甲局", ["乙局"])
    assert sorted(state.leaders) == ["张某", "李某"]
    assert [m.text for m in state.measures] == ["甲", "乙"]


def test_dry_run_saves_nothing(make_xlsx, ledger_counts):
    before = ledger_counts()
    path = make_xlsx(official([[1, "问题", "事项", "", "张某", "甲局", "", "", "", "", "", ""]]))
    plan = import_ledger(source=path, title="试运行", dry_run=True)
    assert [row.action for row in plan.rows] == ["新增"] and plan.new_leaders == ["张某"]
    assert ledger_counts() == before


# --- round trip ---------------------------------------------------------------------------


def _ledger_rows(path_or_bytes) -> list[tuple]:
    if isinstance(path_or_bytes, bytes):
        path_or_bytes = io.BytesIO(path_or_bytes)
    sheet = load_workbook(path_or_bytes)["整改台账"]
    rows = []
    for row in sheet.iter_rows(min_row=4, values_only=True):
        if all(value is None for value in row):
            break  # the blank row above the 填表人 line
        rows.append(row)
    return rows


def test_round_trip_of_the_seed(seed, tmp_path):
    """Export as published → import as a new inspection → export: the same cells. The warning
    light (预警) is left out: it depends on the as-of day (2023-12-18 against today)."""
    published, again = tmp_path / "published.xlsx", tmp_path / "again.xlsx"
    call_command("export_ledger", "--as-of", "2023-12-18", "--output", str(published))
    call_command("import_ledger", str(published), "--title", "往返", verbosity=0)
    inspection = Inspection.objects.get(name="往返")
    assert (inspection.items.count(), Measure.objects.filter(item__inspection=inspection).count()) == (21, 57)
    assert inspection.problems.count() == 11
    call_command("export_ledger", "--inspection", str(inspection.pk), "--output", str(again))
    without_light = [row[:10] + row[11:] for row in _ledger_rows(published)]
    assert [row[:10] + row[11:] for row in _ledger_rows(again)] == without_light
    title = load_workbook(again)["整改台账"]["A1"].value
    assert title == "怀化高新区落实省委第十二巡视组延伸巡视反馈问题整改台账"


def test_round_trip_of_todays_ledger_every_column(tmp_path, client, office_user):
    today = timezone.localdate()
    inspection = make_inspection(inspected_unit="甲单位", inspecting_body="省委第一巡视组")
    problem_a, problem_b = make_problem(inspection, title="问题甲。"), make_problem(inspection, title="问题乙。")
    leader = Leader.objects.create(unit=the_unit(), name="张某", position="书记")
    department, co = (
        Department.objects.create(unit=the_unit(), name="甲局"),
        Department.objects.create(unit=the_unit(), name="乙局"),
    )
    make_item(
        problem_a,
        leaders=[leader],
        lead_department=department,
        co_departments=[co],
        measures=["一", "二"],
        deadline=today + datetime.timedelta(days=3),
        status=Status.IN_PROGRESS,
        note="备注甲",
    )
    make_item(problem_a, measures=["三"], deadline=today - datetime.timedelta(days=3), status=Status.PENDING_SIGNOFF)
    make_item(problem_b, kind=Kind.LONG_TERM, status=Status.ONGOING, summary="长期推进中")
    make_item(problem_b, status=Status.COMPLETED, deadline=today - datetime.timedelta(days=30))
    make_item(problem_b, deadline=today + datetime.timedelta(days=60))
    client.force_login(office_user)
    exported = client.get(reverse("reports:ledger-xlsx") + f"?inspection={inspection.pk}").content
    path = tmp_path / "today.xlsx"
    path.write_bytes(exported)
    copy = import_ledger(source=path, title="副本").inspection
    again = client.get(reverse("reports:ledger-xlsx") + f"?inspection={copy.pk}").content
    assert _ledger_rows(again) == _ledger_rows(exported)
    assert {row[10] for row in _ledger_rows(again)} == {"黄灯", "红灯", "蓝灯", "灰灯", "绿灯"}


# --- the command ----------------------------------------------------------------------------


def test_command_dry_run_lists_rows(make_xlsx, capsys, ledger_counts):
    before = ledger_counts()
    path = make_xlsx(
        official([[1, "问题", "事项甲", "1. 一\n2. 二", "张某", "甲局", "", "2024年6月30日", "", "", "", ""]])
    )
    call_command("import_ledger", str(path), "--title", "x", "--dry-run")
    out = capsys.readouterr().out
    assert "第4行 [新增] 1. 事项甲" in out and "措施2条" in out and "2024年6月30日" in out
    assert "（试运行，未保存）将导入到「新建：x」：新增 1 项" in out
    assert ledger_counts() == before


def test_command_errors(make_xlsx, tmp_path):
    path = make_xlsx(official([[1, "问题", "事项", "", "", "", "", "2024年13月45日", "", "", "", ""]]))
    with pytest.raises(CommandError, match="导入失败，未保存任何内容：\n第4行「完成时限」无法识别的日期"):
        call_command("import_ledger", str(path), "--title", "x")
    with pytest.raises(CommandError, match="没有编号为 999 的巡视轮次"):
        call_command("import_ledger", str(path), "--inspection", "999")
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_ledger", str(tmp_path / "none.xlsx"), "--title", "x")
    with pytest.raises(CommandError):
        call_command("import_ledger", str(path))  # neither --inspection nor --title


def test_command_imports_into_an_existing_inspection(make_xlsx, capsys):
    inspection = make_inspection()
    make_item(make_problem(inspection, title="问题"), title="旧标题")
    path = make_xlsx(official([[1, "问题", "新标题", "", "", "", "", "", "", "", "", ""]]))
    call_command("import_ledger", str(path), "--inspection", str(inspection.pk))
    assert item_titles(inspection) == ["新标题"]
    assert "已导入到" in capsys.readouterr().out and inspection.problems.count() == 1


# --- the pages ------------------------------------------------------------------------------


def upload(path_or_bytes, name="台账.xlsx") -> SimpleUploadedFile:
    content = path_or_bytes if isinstance(path_or_bytes, bytes) else path_or_bytes.read_bytes()
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize("who", ["liaison", "leader_user", "sysadmin"])
def test_only_the_discipline_office_imports(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("reports:ledger-import")).status_code == 403
    assert client.post(reverse("reports:ledger-import"), {}).status_code == 403
    assert client.get(reverse("reports:ledger-import-preview")).status_code == 403
    assert client.post(reverse("reports:ledger-import-confirm"), {}).status_code == 403


def test_upload_preview_confirm(client, office_user, make_xlsx, settings):
    client.force_login(office_user)
    assert client.get(reverse("reports:ledger-import")).status_code == 200
    path = make_xlsx(
        official(
            [[1, "（一）问题甲", "事项甲", "1. 一\n2. 二", "张某", "甲局", "", "2024年6月30日", "", "整改中", "", ""]]
        )
    )
    response = client.post(reverse("reports:ledger-import"), {"file": upload(path), "title": "网页导入"})
    assert response.status_code == 302 and response["Location"] == reverse("reports:ledger-import-preview")
    key = client.session[uploads.SESSION_KEY]["key"]
    stored = settings.MEDIA_ROOT / "imports" / f"{key}.xlsx"
    assert stored.is_file()

    preview = client.get(reverse("reports:ledger-import-preview"))
    page = preview.content.decode()
    assert "事项甲" in page and "新建：网页导入" in page and "确认导入" in page and "<li>二</li>" in page
    assert not Inspection.objects.exists()

    response = client.post(reverse("reports:ledger-import-confirm"), {"key": key})
    inspection = Inspection.objects.get(name="网页导入")
    assert response.status_code == 302
    assert response["Location"] == reverse("ledger:item-list") + f"?inspection={inspection.pk}"
    item = inspection.items.get()
    assert item.history.get().history_user == office_user
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.IMPORT)
    assert event.user == office_user and "新增 1 项" in event.detail
    assert not stored.exists() and uploads.SESSION_KEY not in client.session


def test_preview_shows_every_error_and_no_confirm(client, office_user, make_xlsx, ledger_counts):
    client.force_login(office_user)
    before = ledger_counts()
    path = make_xlsx(official([[1, "问题", "事项", "", "", "", "", "2024年13月45日", "", "差不多", "", ""]]))
    client.post(reverse("reports:ledger-import"), {"file": upload(path), "title": "x"})
    page = client.get(reverse("reports:ledger-import-preview")).content.decode()
    assert "第4行「完成时限」无法识别的日期：2024年13月45日" in page
    assert "第4行「完成状态」无法识别的完成状态：差不多" in page
    assert "确认导入" not in page
    key = client.session[uploads.SESSION_KEY]["key"]
    response = client.post(reverse("reports:ledger-import-confirm"), {"key": key})
    assert "无法识别的日期" in response.content.decode()
    assert ledger_counts() == before


@pytest.mark.parametrize("name", ["empty", "old xls", "docx renamed", "html renamed"])
def test_bad_uploads_are_refused_on_the_form(client, office_user, name):
    client.force_login(office_user)
    content, message = BAD_FILES[name]
    response = client.post(reverse("reports:ledger-import"), {"file": upload(content), "title": "x"})
    assert response.status_code == 200
    page = response.content.decode()
    # Django itself refuses an empty upload (所提交的是空文件); the others are ours.
    assert message in page if name != "empty" else "空文件" in page
    assert uploads.SESSION_KEY not in client.session


def test_form_needs_exactly_one_target(client, office_user, make_xlsx):
    client.force_login(office_user)
    inspection = make_inspection()
    path = make_xlsx(official([[1, "问题", "事项", "", "", "", "", "", "", "", "", ""]]))
    for data in ({}, {"title": "x", "inspection": inspection.pk}):
        response = client.post(reverse("reports:ledger-import"), {"file": upload(path), **data})
        assert "二者选一" in response.content.decode()


def test_confirm_refuses_a_foreign_key_and_cancel_removes_the_file(client, office_user, make_xlsx, settings):
    client.force_login(office_user)
    path = make_xlsx(official([[1, "问题", "事项", "", "", "", "", "", "", "", "", ""]]))
    client.post(reverse("reports:ledger-import"), {"file": upload(path), "title": "x"})
    key = client.session[uploads.SESSION_KEY]["key"]
    response = client.post(reverse("reports:ledger-import-confirm"), {"key": "../../etc/passwd"}, follow=True)
    assert "该预览已失效" in response.content.decode() and not Inspection.objects.exists()
    client.post(reverse("reports:ledger-import-cancel"))
    assert not (settings.MEDIA_ROOT / "imports" / f"{key}.xlsx").exists()
    assert client.get(reverse("reports:ledger-import-preview"))["Location"] == reverse("reports:ledger-import")


def test_import_into_an_existing_inspection_from_the_page(client, office_user, make_xlsx):
    inspection = make_inspection()
    make_item(make_problem(inspection, title="问题"), title="旧")
    client.force_login(office_user)
    path = make_xlsx(official([[1, "问题", "新", "", "", "", "", "", "", "", "", ""]]))
    client.post(reverse("reports:ledger-import"), {"file": upload(path), "inspection": inspection.pk})
    page = client.get(reverse("reports:ledger-import-preview")).content.decode()
    assert "更新" in page and "整改事项" in page
    key = client.session[uploads.SESSION_KEY]["key"]
    client.post(reverse("reports:ledger-import-confirm"), {"key": key})
    assert item_titles(inspection) == ["新"]


def test_thousands_of_errors_are_summed_up_after_the_first_200(make_xlsx, ledger_counts, client, office_user):
    """A wrong file (here: every row numbered 1) lists 200 errors and says how many more there are,
    on the command line and on the preview page; nothing is saved."""
    before = ledger_counts()
    path = make_xlsx(official([[1, "问题", f"事项{n}", "", "", "", "", "", "", "整改中", "", ""] for n in range(300)]))
    with pytest.raises(LedgerImportError) as raised:
        import_ledger(source=path, title="重复的序号")
    assert len(raised.value.messages) == 299
    assert str(raised.value).splitlines()[-1] == "……另有 99 处错误未列出。"
    assert len(str(raised.value).splitlines()) == 201

    client.force_login(office_user)
    with open(path, "rb") as upload:
        response = client.post(reverse("reports:ledger-import"), {"file": upload, "title": "重复的序号"}, follow=True)
    body = response.content.decode()
    assert "发现 299 处错误" in body
    assert "……另有 99 处错误未列出。" in body
    assert ledger_counts() == before


# --- what the fast reader (calamine) does not see by itself ------------------------------------


def test_a_sheet_reaching_far_beyond_its_data_is_refused_before_it_is_read(tmp_path, ledger_counts):
    """One stray cell in XFD1048576 would make the reader build 17 billion empty cells."""
    workbook = Workbook()
    for row in official([[1, "问题", "事项", "", "", "", "", "", "", "", "", ""]]):
        workbook.active.append(row)
    workbook.active["XFD1048576"] = "x"
    path = tmp_path / "far.xlsx"
    workbook.save(path)
    before = ledger_counts()

    with pytest.raises(LedgerImportError) as raised:
        import_ledger(source=path, title="过大")

    assert raised.value.messages == [
        "工作表「Sheet」的已用区域过大（最远的单元格在 XFD1048576，约 17,179,869,184 个单元格），"
        "无法导入。请删除表格右侧和下方多余的单元格（或只保留台账工作表）后再试。"
    ]
    assert ledger_counts() == before


def test_error_cells_are_errors_not_empty_cells(make_xlsx, ledger_counts):
    """#REF! in a date, #N/A in a status, #VALUE! in a number: each named, nothing saved."""
    before = ledger_counts()
    path = make_xlsx(
        official(
            [
                [1, "问题", "事项一", "", "", "", "", "#REF!", "", "#N/A", "", ""],
                ["#VALUE!", "问题", "事项二", "", "", "", "", "", "", "", "", ""],
            ]
        )
    )
    with pytest.raises(LedgerImportError) as raised:
        import_ledger(source=path, title="错误值")
    assert raised.value.messages == [
        "第4行「完成时限」无法识别的日期：#REF!",
        "第4行「完成状态」无法识别的完成状态：#N/A（可填：已完成、整改中、长期坚持、未启动、待销号）",
        "第5行「序号」无法识别的序号：#VALUE!",
    ]
    assert ledger_counts() == before


def test_the_active_visible_sheet_is_read_before_a_hidden_one(tmp_path):
    workbook = Workbook()
    hidden = workbook.active
    hidden.title = "旧台账"
    for row in official([[1, "问题", "隐藏表中的事项", "", "", "", "", "", "", "", "", ""]]):
        hidden.append(row)
    hidden.sheet_state = "hidden"
    notes = workbook.create_sheet("说明")
    notes.append(["填表说明"])
    current = workbook.create_sheet("本月台账")
    for row in official([[1, "问题", "本月的事项", "", "", "", "", "", "", "", "", ""]]):
        current.append(row)
    workbook.active = 1  # Excel opens on 说明, which has no header: the next visible sheet is read
    path = tmp_path / "sheets.xlsx"
    workbook.save(path)

    plan = import_ledger(source=path, title="多个工作表", dry_run=True)

    assert [row.title for row in plan.rows] == ["本月的事项"]


@pytest.mark.parametrize(
    ("sheet", "extent"),
    [
        (b'<row r="1"><c r="A1"/><c r="C2"/></row>', (2, 3)),
        (b'<row r="1"><c s="1" r="XFD1048576"/></row>', (1048576, 16384)),  # r not first
        (b'<x:row r="1"><x:c r="B7"/></x:row>', (7, 2)),  # a namespace prefix
        (b"<row><c/><c/><c/></row><row><c/></row>", (2, 4)),  # no r at all: bounded from above
        (b'<row r="1">' + b"<c/>" * 5 + b'</row><row r="900"><c r="A900"/></row>', (900, 6)),
    ],
)
def test_the_extent_of_a_sheet_is_found_whatever_its_writer(sheet, extent):
    from rectify.reports.excel.sheet_xml import _extent

    assert _extent(sheet) == extent
