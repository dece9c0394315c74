"""The outline parser's rules, one at a time (no database): levels, roles, wrappers, statuses, totals."""

import pytest
from django.core.management import call_command

from rectify.ledger.status import Status
from rectify.reports.notice.errors import NoticeFormatError
from rectify.reports.notice.outline import OutlineBuilder, heading_of
from rectify.reports.notice.parse import SectionRole, item_title, parse_notice, problem_title, section_role
from rectify.reports.notice.totals import stated_totals


def parse(text: str):
    return parse_notice([line.strip() for line in text.strip().splitlines() if line.strip()])


class TestOutline:
    @pytest.mark.parametrize(
        ("paragraph", "style", "number"),
        [
            ("一、总体情况", "一、", 1),
            ("（十一）问题", "（一）", 11),
            ("(三)问题", "（一）", 3),
            ("12.事项", "1.", 12),
            ("3、事项", "1.", 3),
            ("４．事项", "1.", 4),
            ("（2）措施", "（1）", 2),
            ("(10)措施", "（1）", 10),
            ("③措施", "①", 3),
        ],
    )
    def test_headings(self, paragraph, style, number):
        heading = heading_of(paragraph)
        assert (heading.style, heading.number) == (style, number)

    def test_a_decimal_is_not_a_heading_unless_it_is_the_next_number(self):
        assert heading_of("1.5亿元已到位。") is not None  # could be heading 1
        assert heading_of("3.5亿元已到位。", last_numbers={"1.": 0}) is None
        assert heading_of("16.2019年重复发放工资。", last_numbers={"1.": 15}).number == 16
        assert heading_of("整改情况：一是……") is None and heading_of("一是压实责任。") is None

    def test_styles_nest_in_the_order_the_document_uses_them(self):
        builder = OutlineBuilder({})
        for paragraph in ["（一）甲", "1.乙", "（1）丙", "正文", "2.丁", "（二）戊"]:
            heading = heading_of(paragraph, last_numbers=builder.last_numbers)
            builder.add_heading(heading, paragraph) if heading else builder.add_text(paragraph)
        first, second = builder.roots
        assert [child.heading.text for child in first.children] == ["乙", "丁"]
        assert first.children[0].children[0].body == ["正文"] and second.children == []


class TestTitles:
    @pytest.mark.parametrize(
        ("text", "title"),
        [
            ("关于“政策宣传不到位”问题的整改", "政策宣传不到位"),
            ("关于低保对象动态管理不及时的问题", "低保对象动态管理不及时"),
            ("针对产业扶持资金使用效益不高问题", "产业扶持资金使用效益不高"),
            ("针对“三重一大”制度执行不严问题的整改", "“三重一大”制度执行不严"),
            ("关于“三会一课”制度落实不严格的问题。", "“三会一课”制度落实不严格"),
            ("惠民资金发放不及时。", "惠民资金发放不及时。"),
        ],
    )
    def test_item_wrappers(self, text, title):
        assert item_title(text) == title

    @pytest.mark.parametrize(
        ("text", "title", "description"),
        [
            ("在“党的建设”方面", "党的建设", ""),
            ("在落实惠民政策方面存在的问题", "落实惠民政策", ""),
            ("在政治意识不够强，党的领导弱化方面", "政治意识不够强，党的领导弱化", ""),
            ("反馈问题：产业规模小。", "产业规模小。", ""),
            ("在“作风建设”方面存在的问题：会议过多", "作风建设", "会议过多"),
        ],
    )
    def test_problem_wrappers(self, text, title, description):
        assert problem_title(text) == (title, description)

    @pytest.mark.parametrize(
        ("title", "role"),
        [
            ("组织整改落实情况", SectionRole.ORGANISATION),
            ("整改工作总体情况", SectionRole.ORGANISATION),
            ("集中整改期内已完成的整改事项", SectionRole.COMPLETED),
            ("集中整改期内未完成或长期整改的整改事项", SectionRole.IN_PROGRESS),
            ("未完成或需长期坚持的整改事项", SectionRole.IN_PROGRESS),
            ("需长期坚持的整改事项", SectionRole.ONGOING),
            ("巡察反馈问题整改落实情况", SectionRole.LISTING),
            ("下一步工作打算", SectionRole.NEXT_STEPS),
        ],
    )
    def test_section_roles(self, title, role):
        assert section_role(title) == role


class TestRoles:
    def test_measures_on_the_heading_line_without_a_label(self):
        parsed = parse("一、在甲方面\n（一）关于乙的问题。一是丙。二是丁。\n（二）关于戊的问题。己。")
        assert [(i.title, i.measures) for i in parsed.items] == [("乙", ["丙。", "丁。"]), ("戊", ["己。"])]

    def test_measures_on_the_next_line_without_a_label(self):
        parsed = parse("（一）甲\n1.乙\n已全部整改到位。\n2.丙\n一是丁。二是戊。")
        assert [i.measures for i in parsed.items] == [["已全部整改到位。"], ["丁。", "戊。"]]

    def test_sub_points_under_an_item_are_its_measures(self):
        parsed = parse(
            "（一）在甲方面\n1.关于乙问题的整改\n（1）关于丙的整改\n一是子。二是丑。\n（2）关于丁的整改\n寅。"
        )
        (item,) = parsed.items
        assert item.title == "乙" and len(item.measures) == 2 and item.measures[0].startswith("关于丙的整改")
        assert parsed.levels == ["“（一）”为反馈问题", "“1.”为整改事项", "“（1）”为整改措施"]

    def test_one_level_with_numbered_measure_lines(self):
        parsed = parse("（一）关于“甲”问题的整改\n1.乙。\n2.丙。\n（二）关于“丁”问题的整改\n①戊。②己。")
        assert [(p.title, len(parsed.items_of(p))) for p in parsed.problems] == [("甲", 1), ("丁", 1)]
        assert parsed.levels == ["“（一）”为反馈问题兼整改事项", "“1.”、“①”为整改措施"]
        assert [i.measures for i in parsed.items] == [["乙。", "丙。"], ["戊。", "己。"]]

    def test_organisational_paragraphs_numbered_like_items_are_not_items(self):
        parsed = parse(
            "一、整改工作总体情况\n1.提高政治站位。一是召开会议。二是成立小组。\n2.压实责任。\n"
            "二、已完成的整改事项\n（一）甲\n1.乙\n整改情况：丙。"
        )
        assert [i.title for i in parsed.items] == ["乙"]
        assert "提高政治站位" in parsed.organisation.text

    def test_items_directly_under_a_listing_section_take_it_as_their_problem(self):
        parsed = parse(
            "一、财政部门预算执行问题的整改情况\n1.部分项目资金未及时拨付。\n整改情况：已拨付到位。\n"
            "2.预算编制不细化。\n整改情况：一是细化编制。二是加强审核。\n"
            "二、部门预算执行审计问题的整改情况\n1.超范围支出。\n整改情况：已收回资金。"
        )
        assert [p.title for p in parsed.problems] == ["财政部门预算执行问题", "部门预算执行审计问题"]
        assert [(i.number, len(i.measures)) for i in parsed.items] == [(1, 1), (2, 2), (3, 1)]

    def test_numbered_paragraphs_with_clauses_in_a_prose_section_are_not_items(self):
        parsed = parse(
            "一、整改工作开展情况\n1.提高政治站位。一是召开党组会议。二是成立领导小组。\n"
            "二、已完成的整改事项\n（一）甲\n1.乙\n整改情况：丙。"
        )
        assert [i.title for i in parsed.items] == ["乙"]
        assert "提高政治站位" in parsed.organisation.text


class TestStatusesAndTotals:
    def test_stated_totals(self):
        totals = stated_totals("将巡察反馈的3个方面问题细化为7项整改任务，已完成整改5项，正在整改2项，需长期坚持1项。")
        assert (totals.problems, totals.items, totals.completed, totals.in_progress, totals.ongoing) == (3, 7, 5, 2, 1)
        totals = stated_totals("巡察反馈二十五个问题，已完成整改19个、正在整改6个。")
        assert (totals.problems, totals.completed, totals.in_progress) == (25, 19, 6)
        totals = stated_totals("巡察反馈的697个问题，完成整改688个，基本完成并持续整改问题4个，未完成5个。")
        assert (totals.problems, totals.completed, totals.ongoing, totals.in_progress) == (697, 688, 4, 5)

    def test_silent_headings_take_the_status_the_totals_give(self):
        parsed = parse(
            "截至目前，已完成整改1项，正在整改1项。\n（一）甲\n1.乙\n整改情况：丙。\n2.丁（正在整改）\n整改情况：戊。"
        )
        assert [(i.status, i.status_source) for i in parsed.items] == [
            (Status.COMPLETED, "通报所述完成数"),
            (Status.IN_PROGRESS, "事项标注"),
        ]
        assert parsed.mismatches == []

    def test_without_totals_silent_items_are_in_progress(self):
        parsed = parse("（一）甲\n1.乙\n整改情况：丙。")
        assert parsed.items[0].status == Status.IN_PROGRESS and parsed.items[0].status_source.startswith("未载明")

    def test_a_status_line_under_the_item(self):
        parsed = parse("（一）甲\n1.乙\n整改情况：丙。\n完成情况：已完成\n2.丁\n整改情况：戊。\n完成情况：长期坚持")
        assert [i.status for i in parsed.items] == [Status.COMPLETED, Status.ONGOING]
        assert [i.measures for i in parsed.items] == [["丙。"], ["戊。"]]

    def test_a_mismatch_is_reported_not_accepted_silently(self, tmp_path, capsys):
        text = "将反馈的2个问题细化为3项整改任务，已完成整改3项。\n（一）甲\n1.乙\n整改情况：丙。\n"
        parsed = parse(text)
        assert parsed.mismatches == [
            "通报文字称反馈问题 2 个，而按标题识别出 1 个。",
            "通报文字称整改事项 3 项，而按标题识别出 1 项。",
            "通报文字称已完成 3 项，而按标题识别出 0 项。",
        ]
        path = tmp_path / "通报.txt"
        path.write_text(text, encoding="utf-8")
        call_command("import_notice", str(path), "--dry-run")
        assert "对账：通报文字称整改事项 3 项，而按标题识别出 1 项。" in capsys.readouterr().out


class TestRefusals:
    def test_an_outline_without_items_says_what_it_found(self):
        with pytest.raises(NoticeFormatError) as caught:
            parse("一、基本情况\n（一）加强领导\n成立小组。\n二、主要做法\n三、下一步打算\n认真落实。")
        message = str(caught.value)
        assert "找到 3 个“一、”标题、1 个“（一）”标题、0 个可识别为整改事项的标题" in message

    def test_prose_only(self):
        with pytest.raises(NoticeFormatError, match="找到 0 个编号标题、0 个可识别为整改事项的标题"):
            parse("这是一份会议纪要。\n没有反馈问题。")
