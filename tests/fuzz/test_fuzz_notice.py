"""Random and malformed notices never raise past the importer and never save half a notice."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rectify.ledger.models import FeedbackProblem, Inspection, Measure, RectificationItem
from rectify.reports.notice.errors import NoticeFormatError
from rectify.reports.notice.importer import import_notice, parse_notice_file

pytestmark = pytest.mark.django_db

FRAGMENTS = [
    "一、",
    "二、集中整改期内已完成的整改事项",
    "三、集中整改期内未完成或长期整改的整改事项",
    "四、下一步整改工作安排",
    "（一）",
    "(二)",
    "反馈问题：",
    "在“党建工作”方面",
    "1.",
    "2、",
    "3．",
    "（1）",
    "(2)",
    "关于“",
    "”问题的整改",
    "整改情况：",
    "整改落实情况：",
    "一是",
    "二是",
    "三是",
    "。",
    "，",
    "\n",
    "\n\n",
    "2023年12月18日",
    "中共某某工作委员会",
    "省委第一巡视组",
    "对某单位进行了巡视",
    "\x00",
    "\ufeff",
    "\r\n",
    " ",
    "　",
]
notice_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=60).map("".join)


def counts():
    return tuple(m.objects.count() for m in (Inspection, FeedbackProblem, RectificationItem, Measure))


def _import(data: bytes, filename: str):
    before = counts()
    try:
        parsed = parse_notice_file(data=data, filename=filename)
        result = import_notice(parsed=parsed)
    except NoticeFormatError as error:
        assert str(error) and any("\u4e00" <= ch <= "\u9fff" for ch in str(error))
        assert counts() == before
        return None
    after = counts()
    assert after[0] == before[0] + 1
    assert after[2] - before[2] == result.items
    return result


fuzz = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@fuzz
@given(text=notice_text, encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
def test_random_text_notices(text, encoding):
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8", "replace")
    _import(data, "通报.txt")


@fuzz
@given(data=st.binary(max_size=400), name=st.sampled_from(["a.txt", "a.docx", "a.pdf", "a"]))
def test_random_bytes(data, name):
    _import(data, name)


@fuzz
@given(
    members=st.dictionaries(
        st.sampled_from(["word/document.xml", "[Content_Types].xml", "x.xml"]), st.binary(max_size=200), max_size=3
    )
)
def test_malformed_docx(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    _import(buffer.getvalue(), "通报.docx")


def test_the_command_turns_errors_into_chinese_command_errors(tmp_path):
    path = tmp_path / "空.txt"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(CommandError, match="无法导入"):
        call_command("import_notice", str(path))
    assert counts() == (0, 0, 0, 0)
