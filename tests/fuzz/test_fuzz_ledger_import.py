"""Random and malformed ledgers never raise past the importer and never save half a ledger."""

import io
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from rectify.ledger.models import FeedbackProblem, Inspection, Measure, RectificationItem
from rectify.reports.excel.importer import LedgerImportError, import_ledger

pytestmark = pytest.mark.django_db

HEADERS = [
    "序号",
    "反馈问题",
    "具体问题",
    "整改事项",
    "整改措施",
    "责任领导",
    "责任部门",
    "配合部门",
    "完成时限",
    "整改进展",
    "完成状态",
    "备注",
    "问题类别",
    "",
]
VALUES = [
    "1",
    "2",
    "一",
    "（一）问题",
    "1.措施一\n2.措施二",
    "一是甲。二是乙。",
    "张某、李某",
    "经济发展局；财政局",
    "2024年6月30日",
    "2024.13.45",
    "2024年6月底前",
    "立行立改",
    "长期坚持",
    "已完成",
    "整改中",
    "未知状态",
    "=1+1",
    "",
    None,
    3.5,
    -1,
    10**12,
]
PRINTABLE = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=15)
cell = st.one_of(st.sampled_from(VALUES), PRINTABLE, st.integers(min_value=-5, max_value=10**6), st.none())


def counts():
    return tuple(m.objects.count() for m in (Inspection, FeedbackProblem, RectificationItem, Measure))


def _import(data: bytes):
    before = counts()
    try:
        plan = import_ledger(source=io.BytesIO(data), title="模糊测试")
    except LedgerImportError as error:
        assert error.messages and all(any("\u4e00" <= ch <= "\u9fff" for ch in m) for m in error.messages)
        assert counts() == before
        return
    assert counts()[0] == before[0] + 1
    assert counts()[2] - before[2] == len(plan.rows)


fuzz = settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@fuzz
@given(
    title_rows=st.integers(min_value=0, max_value=3),
    header=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=8),
    rows=st.lists(st.lists(cell, max_size=8), max_size=8),
)
def test_random_workbooks(title_rows, header, rows):
    workbook = Workbook()
    sheet = workbook.active
    for n in range(title_rows):
        sheet.append([f"标题{n}"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    _import(buffer.getvalue())


@fuzz
@given(data=st.binary(max_size=500))
def test_random_bytes(data):
    _import(data)


@fuzz
@given(
    members=st.dictionaries(
        st.sampled_from(["xl/workbook.xml", "[Content_Types].xml", "xl/worksheets/sheet1.xml"]),
        st.binary(max_size=200),
        max_size=3,
    )
)
def test_malformed_xlsx(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    _import(buffer.getvalue())
