"""Reading notices of several shapes and encodings, and refusing files that are not notices (no database)."""

import codecs
import datetime
import io
import re
import zipfile
from pathlib import Path

import docx
import pytest
from django.conf import settings

from rectify.ledger.models import Inspection, Meeting, WorkingGroupMember
from rectify.reports.measures import split_measures
from rectify.reports.notice.errors import NoticeFormatError
from rectify.reports.notice.importer import parse_notice_file
from rectify.reports.notice.parse import parse_notice
from rectify.reports.notice.sources import read_paragraphs

SEED_PATH = Path(settings.BASE_DIR) / "fixtures" / "seed_huaihua_2023.txt"
CHINESE = re.compile(r"[\u4e00-\u9fff]")

# Half-width parentheses, 1、 numbering, 关于"…"问题的整改, (1)(2) measures, no 反馈问题： prefix,
# a problem heading repeated under two sections, 整改落实情况： and 整改措施： labels.
COUNTY_NOTICE = """\
中共某某县委员会
关于巡察整改进展情况的通报

根据县委统一部署，2024年3月1日至4月30日，县委第二巡察组对某某镇党委进行了常规巡察。2024年5月20日，县委第二巡察组向某某镇党委反馈了巡察意见。

一、组织整改落实情况
成立由镇党委书记任组长，镇长任副组长的巡察整改工作领导小组。制定《某某镇落实县委第二巡察组反馈意见整改方案》，将县委第二巡察组反馈的3个问题细化分解为5个具体整改事项。坚持标本兼治，共制定规章制度4项。召开党工委会议2次、专题调度会5次。

二、集中整改期内已完成的整改事项
(一)落实党的路线方针政策不到位
1、关于"政策宣传不到位"问题的整改
整改措施：(1)开展政策宣讲5场。(2)印发宣传资料1000份。
2、惠民资金发放不及时。
整改落实情况：已全部发放到位。
(二)基层党组织建设薄弱
3、党员发展不规范。
整改情况：一是开展专项检查；二是规范发展程序。三是建立发展台账。
三、集中整改期内未完成或长期整改的整改事项
(二)基层党组织建设薄弱
4、村级活动场所建设滞后。
整改情况：正在推进。
(三)作风建设有差距
5、文山会海问题仍然存在。
整改情况：一是精简会议。二是精简文件。
四、下一步整改工作安排
持续推进整改，巩固整改成果。
欢迎广大干部群众监督。联系电话：0731-1234567；通信地址：某某县某某镇人民路1号；电子邮箱：zgb@example.com。
中共某某县委员会
2024年8月1日
"""

# No level-1 sections; problems 一、 wrapped as 在"…"方面; items （1）; measures on lines of their own.
AREA_NOTICE = """\
关于巡视整改进展情况的通报
一、在“党的建设”方面
（1）党建责任落实不到位。
整改情况：
一是压实主体责任。
二是加强考核问责。
二、在“作风建设”方面存在的问题：会议过多
（2）文山会海问题突出。
整改情况：精简会议文件。
二〇二四年六月一日
"""

# Sections and problems both numbered 一、: a problem is told by its prefix or by the item that follows it.
NESTED_NOTICE = """\
一、组织整改落实情况
召开巡视整改工作动员大会1次。
二、集中整改期内已完成的整改事项
一、产业发展不足
1.招商引资不力。
整改情况：一是引进项目3个。二是设立招商专班。
二、反馈问题：营商环境不优
2．审批慢。
整改情况：压缩审批时限。
三、集中整改期内未完成或长期整改的整改事项
三、反馈问题：安全生产隐患多
3.隐患整改未闭环。
整改情况：（1）建立台账。（2）逐项销号。
"""


def parse_text(text: str):
    return parse_notice_file(data=text.encode("utf-8"), filename="通报.txt")


@pytest.fixture(scope="module")
def parsed():
    """The seed notice, parsed."""
    return parse_notice_file(data=SEED_PATH.read_bytes(), filename=SEED_PATH.name)


class TestTheSeed:
    def test_counts(self, parsed):
        assert len(parsed.problems) == 11
        assert len(parsed.items) == 21
        assert parsed.measure_count == 57
        assert sum(item.completed for item in parsed.items) == 20
        assert [item.number for item in parsed.items] == list(range(1, 22))

    def test_problems_six_and_eleven_share_a_title_but_stay_distinct(self, parsed):
        six, eleven = parsed.problems[5], parsed.problems[10]
        assert (six.sequence, eleven.sequence) == (6, 11)
        assert six.title == eleven.title == "国有资产管理不善。"
        assert parsed.items[20].problem is eleven and not parsed.items[20].completed

    def test_header_opening_and_signature(self, parsed):
        assert parsed.attachment_label == "附件4"
        assert parsed.publisher == "中共怀化高新技术产业开发区工作委员会"
        assert parsed.title == "关于巡视整改进展情况的通报"
        assert parsed.published_on == datetime.date(2023, 12, 18)
        opening = parsed.opening
        assert (opening.deploying_body, opening.inspecting_body, opening.inspected_unit) == (
            "省委",
            "省委第十二巡视组",
            "怀化高新区",
        )
        assert opening.kind == Inspection.Kind.EXTENDED
        assert (opening.onsite_start, opening.onsite_end, opening.feedback_date) == (
            datetime.date(2023, 3, 9),
            datetime.date(2023, 6, 10),
            datetime.date(2023, 7, 20),
        )

    def test_section_one(self, parsed):
        organisation = parsed.organisation
        assert organisation.plan_title.startswith("怀化高新区落实省委第十二巡视组")
        assert (organisation.planned_problem_count, organisation.planned_item_count) == (17, 32)
        assert organisation.planned_regulation_count == 17
        assert organisation.meetings == {"party_committee": 7, "mobilisation": 1, "scheduling": 3, "weekly": 12}
        leading = [s for s in organisation.seats if s.group == WorkingGroupMember.Group.LEADING]
        assert [(s.role, s.holder) for s in leading][:2] == [
            ("head", "党工委书记"),
            ("first_deputy", "党工委副书记、管委会主任"),
        ]
        assert len(organisation.seats) == 6

    def test_next_steps_and_contact(self, parsed):
        assert parsed.next_steps.startswith("继续以严的标准") and parsed.next_steps.endswith("检验巡视整改成果。")
        assert parsed.contact.phone == "07452838159"
        assert parsed.contact.address == "湖南省怀化市中方县中方镇财富路怀化高新区纪工委"
        assert parsed.contact.email == "hhgxqjgw@163.com"
        assert parsed.contact.closing_text.startswith("欢迎广大干部群众")

    @pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "utf-16"])
    def test_other_encodings_read_the_same(self, parsed, encoding):
        data = SEED_PATH.read_text(encoding="utf-8").encode(encoding)
        again = parse_notice_file(data=data, filename="seed.TXT")
        assert [(i.title, i.summary, i.measures) for i in again.items] == [
            (i.title, i.summary, i.measures) for i in parsed.items
        ]


class TestOtherShapes:
    def test_county_notice(self):
        parsed = parse_text(COUNTY_NOTICE)
        assert [(p.sequence, p.title) for p in parsed.problems] == [
            (1, "落实党的路线方针政策不到位"),
            (2, "基层党组织建设薄弱"),
            (3, "作风建设有差距"),
        ]
        titles = [item.title for item in parsed.items]
        assert titles == [
            "政策宣传不到位",
            "惠民资金发放不及时。",
            "党员发展不规范。",
            "村级活动场所建设滞后。",
            "文山会海问题仍然存在。",
        ]
        assert [item.completed for item in parsed.items] == [True, True, True, False, False]
        # The heading (二) repeated under 三 is the same problem.
        assert parsed.items[2].problem is parsed.items[3].problem
        assert parsed.items[0].measures == ["开展政策宣讲5场。", "印发宣传资料1000份。"]
        assert parsed.items[1].measures == ["已全部发放到位。"]
        # 二是 after a semicolon splits too.
        assert parsed.items[2].measures == ["开展专项检查；", "规范发展程序。", "建立发展台账。"]
        assert parsed.items[0].summary == "(1)开展政策宣讲5场。(2)印发宣传资料1000份。"
        assert parsed.opening.kind == Inspection.Kind.PATROL
        assert parsed.opening.inspected_unit == "某某镇党委"
        assert parsed.opening.feedback_date == datetime.date(2024, 5, 20)
        assert parsed.organisation.meetings == {Meeting.Kind.PARTY_COMMITTEE: 2, Meeting.Kind.SCHEDULING: 5}
        assert (parsed.organisation.planned_problem_count, parsed.organisation.planned_item_count) == (3, 5)
        assert parsed.contact.phone == "0731-1234567"
        assert parsed.contact.address == "某某县某某镇人民路1号"
        assert parsed.contact.email == "zgb@example.com"
        assert parsed.publisher == "中共某某县委员会" and parsed.published_on == datetime.date(2024, 8, 1)

    def test_area_headings_paren_items_and_measures_on_their_own_lines(self):
        parsed = parse_text(AREA_NOTICE)
        assert [p.title for p in parsed.problems] == ["党的建设", "作风建设"]
        assert parsed.problems[1].description == "会议过多"
        assert [(i.number, i.title) for i in parsed.items] == [(1, "党建责任落实不到位。"), (2, "文山会海问题突出。")]
        assert parsed.items[0].measures == ["压实主体责任。", "加强考核问责。"]
        assert parsed.items[0].summary == "一是压实主体责任。\n二是加强考核问责。"
        assert not any(item.completed for item in parsed.items)  # no 已完成 section
        assert parsed.published_on == datetime.date(2024, 6, 1)

    def test_sections_and_problems_both_numbered_like_one(self):
        parsed = parse_text(NESTED_NOTICE)
        assert [p.title for p in parsed.problems] == ["产业发展不足", "营商环境不优", "安全生产隐患多"]
        assert [i.completed for i in parsed.items] == [True, True, False]
        assert parsed.items[2].measures == ["建立台账。", "逐项销号。"]
        assert parsed.organisation.meetings == {Meeting.Kind.MOBILISATION: 1}

    def test_item_numbers_restarting_per_problem_are_renumbered(self):
        text = "（一）问题甲\n1.事项甲\n整改情况：措施甲。\n（二）问题乙\n1.事项乙\n整改情况：措施乙。\n"
        parsed = parse_text(text)
        assert [(i.number, i.title) for i in parsed.items] == [(1, "事项甲"), (2, "事项乙")]
        assert any("重新编号" in warning for warning in parsed.warnings)

    def test_section_three_restarting_at_one_gets_new_numbers(self):
        text = (
            "二、集中整改期内已完成的整改事项\n（一）问题甲\n1.事项甲\n整改情况：措施甲。\n"
            "三、集中整改期内未完成或长期整改的整改事项\n（一）问题乙\n2.事项乙\n整改情况：措施乙。\n"
        )
        parsed = parse_text(text)
        assert [(p.sequence, p.title) for p in parsed.problems] == [(1, "问题甲"), (2, "问题乙")]
        assert parsed.items[1].problem.title == "问题乙" and not parsed.items[1].completed

    def test_sub_headings_of_an_unnamed_first_section_stay_its_text(self):
        text = (
            "一、整改工作开展情况\n（一）加强组织领导\n成立整改工作领导小组。召开周例会4次。\n"
            "二、集中整改期内已完成的整改事项\n（一）问题甲\n1.事项甲\n整改情况：措施甲。\n"
        )
        parsed = parse_text(text)
        assert [p.title for p in parsed.problems] == ["问题甲"]
        assert parsed.organisation.text == "（一）加强组织领导\n成立整改工作领导小组。召开周例会4次。"
        assert parsed.organisation.meetings == {Meeting.Kind.WEEKLY: 4}
        assert any("加强组织领导" in warning for warning in parsed.warnings)

    def test_a_docx_written_with_python_docx(self):
        document = docx.Document()
        for line in COUNTY_NOTICE.splitlines():
            document.add_paragraph(line)
        buffer = io.BytesIO()
        document.save(buffer)
        from_docx = parse_notice_file(data=buffer.getvalue(), filename="通报.docx")
        from_text = parse_text(COUNTY_NOTICE)
        assert [(i.title, i.measures, i.completed) for i in from_docx.items] == [
            (i.title, i.measures, i.completed) for i in from_text.items
        ]


class TestMeasures:
    @pytest.mark.parametrize(
        ("text", "measures"),
        [
            ("一是甲。二是乙。", ["甲。", "乙。"]),
            ("没有分条的措施。", ["没有分条的措施。"]),
            ("（1）甲。（2）乙。", ["甲。", "乙。"]),
            ("一是甲，其二是乙。二是丙。", ["甲，其二是乙。", "丙。"]),  # 二是 mid-sentence does not split
            ("总体推进。一是甲。二是乙。", ["甲。", "乙。"]),  # the lead-in stays in the summary only
            ("一是甲。三是乙。", ["甲。三是乙。"]),  # only the next number in turn splits
            ("", []),
        ],
    )
    def test_split(self, text, measures):
        assert split_measures(text, published=True) == measures


def zip_of(**files: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


class TestBadFiles:
    @pytest.mark.parametrize(
        ("data", "filename", "message"),
        [
            (b"", "empty.txt", "文件为空"),
            (b"  \r\n\n ", "blank.txt", "文件为空"),
            (
                "这是一份会议纪要。\n没有反馈问题，也没有整改事项。".encode(),
                "memo.txt",
                "未在文件中识别出任何反馈问题或整改事项",
            ),
            (bytes(range(256)) * 8, "junk.txt", "二进制"),
            (bytes(range(1, 256)) * 8, "junk.txt", "编码"),
            (zip_of(**{"hello.txt": b"hello"}), "fake.docx", "没有 Word 正文"),
            (zip_of(**{"[Content_Types].xml": b"<x/>", "word/document.xml": b"not xml"}), "broken.docx", "无法读取"),
            (b"plain text renamed", "renamed.docx", "不是有效的 Word"),
            (b"%PDF-1.7", "notice.pdf", "不支持的文件类型 .pdf"),
            (b"\xd0\xcf\x11\xe0", "notice.doc", "另存为 .docx"),
            (b"abc", "notice", "不支持的文件类型"),
        ],
    )
    def test_refused_with_a_chinese_message(self, data, filename, message):
        with pytest.raises(NoticeFormatError) as caught:
            parse_notice_file(data=data, filename=filename)
        assert message in str(caught.value)
        assert CHINESE.search(str(caught.value))

    def test_an_item_before_any_problem(self):
        with pytest.raises(NoticeFormatError, match="没有反馈问题标题"):
            parse_text("二、集中整改期内已完成的整改事项\n1.事项甲\n整改情况：措施。\n")

    def test_paragraphs_are_stripped_of_full_width_spaces_and_boms(self):
        data = codecs.BOM_UTF8 + "\u3000\u3000（一）问题\n\n 1.事项\xa0\n".encode()
        assert read_paragraphs(data=data, filename="a.txt") == ["（一）问题", "1.事项"]

    def test_parse_notice_takes_paragraphs(self):
        parsed = parse_notice(["（一）问题", "1.事项", "整改情况：一是甲。二是乙。"])
        assert parsed.items[0].measures == ["甲。", "乙。"]
