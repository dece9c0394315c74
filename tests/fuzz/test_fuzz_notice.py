"""Random and malformed notices never raise past the importer and never save half a notice."""

import io
import zipfile
from xml.sax.saxutils import escape

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rectify.chinese import chinese_number
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


# --- the outline parser: generated notices of any numbering must be read exactly ----------------------------

PROBLEM_STYLES = {
    "（一）": lambda n: f"（{chinese_number(n)}）",
    "(一)": lambda n: f"({chinese_number(n)})",
    "一、": lambda n: f"{chinese_number(n)}、",
}
ITEM_STYLES = {
    "1.": lambda n: f"{n}.",
    "1、": lambda n: f"{n}、",
    "1．": lambda n: f"{n}．",
    "（1）": lambda n: f"（{n}）",
}
LABELS = ["整改情况：", "整改落实情况：", "整改措施：", "整改进展：", "落实情况："]
words = st.text(alphabet="党建工作责任落实监督管理资金项目制度服务群众基层", min_size=2, max_size=10)


@st.composite
def generated_notices(draw):
    """(text, [[measures per item] per problem]) of a notice in one of the shapes units publish."""
    problem_style = draw(st.sampled_from(sorted(PROBLEM_STYLES)))
    item_style = draw(st.sampled_from([s for s in sorted(ITEM_STYLES) if s != "（1）" or problem_style != "(一)"]))
    sections = draw(st.booleans()) and problem_style != "一、"
    shape = draw(st.sampled_from(["labelled", "inline", "one-level"]))
    problems = draw(st.lists(st.lists(st.integers(1, 4), min_size=1, max_size=3), min_size=1, max_size=4))
    lines = ["关于巡察整改进展情况的通报", "根据县委统一部署，县委巡察组对某单位进行了巡察。"]
    if sections:
        lines += ["一、组织整改落实情况", "召开专题会议3次。", "二、集中整改期内已完成的整改事项"]
    item_number = 0
    for p, items in enumerate(problems, start=1):
        title = draw(words)
        if shape == "one-level":
            items[:] = items[:1]
            measures = "".join(f"{chinese_number(k)}是{draw(words)}。" for k in range(1, items[0] + 1))
            lines += [f"{PROBLEM_STYLES[problem_style](p)}关于“{title}”问题的整改", measures]
            continue
        lines.append(f"{PROBLEM_STYLES[problem_style](p)}在“{title}”方面")
        for count in items:
            item_number += 1
            measures = "".join(f"{chinese_number(k)}是{draw(words)}。" for k in range(1, count + 1))
            heading = f"{ITEM_STYLES[item_style](item_number)}{draw(words)}。"
            if shape == "inline":
                lines.append(heading + measures)
            else:
                lines += [heading, draw(st.sampled_from(LABELS)) + measures]
    if sections:
        lines += ["三、下一步整改工作安排", "持续抓好整改。"]
    lines.append("2024年8月1日")
    return "\n".join(lines), problems, sections


@fuzz
@given(notice=generated_notices())
def test_generated_outlines_are_read_exactly(notice):
    text, problems, sections = notice
    parsed = parse_notice_file(data=text.encode("utf-8"), filename="通报.txt")
    assert len(parsed.problems) == len(problems)
    assert [len(parsed.items_of(problem)) for problem in parsed.problems] == [len(items) for items in problems]
    assert [len(item.measures) for item in parsed.items] == [count for items in problems for count in items]
    assert all(item.completed == sections for item in parsed.items)
    assert [item.number for item in parsed.items] == list(range(1, len(parsed.items) + 1))


@fuzz
@given(
    lines=st.lists(
        st.tuples(
            st.sampled_from(["", "一、", "（一）", "(二)", "1.", "2、", "（1）", "①", "整改情况：", "一是", "关于“"]),
            st.text(alphabet="问题整改落实情况已完成方面。是：“”1一", max_size=12),
        ),
        max_size=30,
    )
)
def test_random_outlines_parse_or_refuse_in_chinese(lines):
    text = "\n".join(prefix + rest for prefix, rest in lines)
    try:
        parsed = parse_notice_file(data=text.encode("utf-8"), filename="通报.txt")
    except NoticeFormatError as error:
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(error))
        return
    assert parsed.items
    listed = {id(problem) for problem in parsed.problems}
    assert all(id(item.problem) in listed for item in parsed.items)
    assert len({item.number for item in parsed.items}) == len(parsed.items)
    assert len({problem.sequence for problem in parsed.problems}) == len(parsed.problems)


@fuzz
@given(
    levels=st.lists(
        st.tuples(
            st.integers(-1, 9),
            st.sampled_from(["decimal", "chineseCounting", "decimalEnclosedCircle", "bullet", "upperLetter", "x"]),
            st.text(alphabet="%123（）、.x", max_size=6),
            st.text(alphabet="0123456789-", max_size=3),
        ),
        max_size=4,
    ),
    paragraphs=st.lists(
        st.tuples(st.sampled_from(["0", "1", "3", "x"]), st.integers(-1, 9), st.sampled_from(FRAGMENTS)), max_size=12
    ),
)
def test_word_numbering_of_any_shape(levels, paragraphs):
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    lvls = "".join(
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for ilvl, fmt, text, start in levels
    )
    numbering = f'<w:numbering xmlns:w="{w}"><w:abstractNum w:abstractNumId="1">{lvls}</w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num></w:numbering>'
    body = "".join(
        f'<w:p><w:pPr><w:numPr><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num}"/></w:numPr></w:pPr>'
        f"<w:r><w:t>{escape(text)}</w:t></w:r></w:p>"
        for num, ilvl, text in paragraphs
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", f'<w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>')
        archive.writestr("word/numbering.xml", numbering)
    _import(buffer.getvalue(), "通报.docx")
