"""Drafting the notice from the ledger: the seed's shape, the as-of day, the records, the official .docx."""

import datetime
import io
from decimal import Decimal
from pathlib import Path

import docx
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from rectify.ledger.models import Accountability, FundRecovery, Inspection, Meeting, Notice, Regulation
from rectify.reports.notice.docx import render_docx
from rectify.reports.notice.draft import (
    COMPLETED_HEADING,
    OPEN_HEADING,
    Block,
    BlockKind,
    NoticeDraft,
    build_notice_draft,
)
from rectify.reports.notice.importer import import_notice, parse_notice_file
from tests.factories import make_inspection, make_item, make_problem

pytestmark = pytest.mark.django_db

SEED_PATH = Path(settings.BASE_DIR) / "fixtures" / "seed_huaihua_2023.txt"
PUBLISHED = datetime.date(2023, 12, 18)


def texts(draft, kind: BlockKind) -> list[str]:
    return [block.text for block in draft.blocks if block.kind == kind]


def section_of(draft, number: int) -> str:
    """二 or 三: the section item ``number`` stands in."""
    section = ""
    for block in draft.blocks:
        if block.kind == BlockKind.HEADING1:
            section = block.text[0]
        elif block.kind == BlockKind.ITEM and block.text.startswith(f"{number}."):
            return section
    raise AssertionError(f"item {number} is not in the draft")


def docx_text(data: bytes) -> str:
    return "\n".join(paragraph.text for paragraph in docx.Document(io.BytesIO(data)).paragraphs)


class TestTheSeed:
    def test_imported_seed_renders_every_title_and_measure(self, seed):
        fixture_inspection = Inspection.objects.get()
        expected_titles = list(fixture_inspection.items.order_by("number").values_list("title", flat=True))
        expected_measures = list(
            fixture_inspection.items.order_by("number", "measures__sequence").values_list("measures__text", flat=True)
        )
        imported = import_notice(
            parsed=parse_notice_file(data=SEED_PATH.read_bytes(), filename=SEED_PATH.name)
        ).inspection
        draft = build_notice_draft(inspection=imported, as_of=datetime.date.today())
        html = render_to_string("reports/notice/standalone.html", {"draft": draft})
        word = docx_text(render_docx(draft))
        assert len(expected_titles) == 21 and len(expected_measures) == 57
        for number, title in enumerate(expected_titles, start=1):
            assert f"{number}.{title}" in html, title
            assert f"{number}.{title}" in word, title
        for text in expected_measures:
            assert text in html, text
            assert text in word, text

    def test_the_drafted_docx_reads_back_through_the_importers_parser(self, seed):
        inspection = Inspection.objects.get()
        data = render_docx(build_notice_draft(inspection=inspection, as_of=PUBLISHED))
        parsed = parse_notice_file(data=data, filename="draft.docx")
        assert (len(parsed.problems), len(parsed.items), parsed.measure_count) == (11, 21, 57)
        assert [item.title for item in parsed.items] == list(
            inspection.items.order_by("number").values_list("title", flat=True)
        )
        assert sum(item.completed for item in parsed.items) == 20 and parsed.published_on == PUBLISHED

    def test_as_published_it_has_the_seeds_shape(self, seed):
        draft = build_notice_draft(inspection=Inspection.objects.get(), as_of=PUBLISHED)
        seed_text = SEED_PATH.read_text(encoding="utf-8")
        assert texts(draft, BlockKind.ATTACHMENT) == ["附件4"]
        assert texts(draft, BlockKind.MASTHEAD) == ["中共怀化高新技术产业开发区工作委员会"]
        assert texts(draft, BlockKind.TITLE) == ["关于巡视整改进展情况的通报"]
        assert texts(draft, BlockKind.HEADING1) == [
            "一、组织整改落实情况",
            COMPLETED_HEADING,
            OPEN_HEADING,
            "四、下一步整改工作安排",
        ]
        # Problems numbered across the sections as the seed numbers them, headings word for word.
        for heading in texts(draft, BlockKind.HEADING2):
            assert heading in seed_text
        assert len(texts(draft, BlockKind.HEADING2)) == 11
        assert [section_of(draft, n) for n in (1, 20, 21)] == ["二", "二", "三"]
        # The opening is composed from the inspection in the seed's words (the seed mixes in half-width commas).
        opening = draft.blocks[3].text
        assert opening == seed_text.splitlines()[6].replace(",", "，")
        assert texts(draft, BlockKind.SIGNATURE) == ["中共怀化高新技术产业开发区工作委员会"]
        assert texts(draft, BlockKind.DATE) == ["2023年12月18日"]

    def test_section_one_is_composed_from_the_records(self, seed):
        draft = build_notice_draft(inspection=Inspection.objects.get(), as_of=PUBLISHED)
        first, second = draft.blocks[5].text, draft.blocks[6].text
        assert (
            "成立由党工委书记任组长，党工委副书记、管委会主任任第一副组长，党工委副书记任常务副组长，"
            "其他党工委班子成员为副组长，各部门负责人为成员的巡视整改工作领导小组。" in first
        )
        assert "将省委第十二巡视组延伸巡视怀化高新区反馈的17个问题细化分解为32个具体整改事项" in first
        assert "共制定规章制度17项" in first  # the declared count: no regulation is recorded yet
        assert (
            "先后召开党工委会议7次、巡视整改工作动员大会1次、专题调度会3次、周例会12次，研究部署巡视整改工作。"
            in second
        )

    def test_next_steps_and_contact_come_from_the_last_notice(self, seed):
        draft = build_notice_draft(inspection=Inspection.objects.get(), as_of=PUBLISHED)
        closing = [b.text for b in draft.blocks if b.text.startswith("欢迎")][0]
        assert "联系电话：07452838159" in closing and "电子邮箱：hhgxqjgw@163.com" in closing
        assert any(b.text.startswith("继续以严的标准") for b in draft.blocks)


class TestAsOf:
    def test_an_item_completed_after_the_day_stands_under_three(self, seed):
        # Items 3, 5, 9 and 11 were completed between 11 and 14 December.
        draft = build_notice_draft(inspection=Inspection.objects.get(), as_of=datetime.date(2023, 12, 10))
        assert [section_of(draft, n) for n in (1, 3, 5, 9, 11, 12, 21)] == ["二", "三", "三", "三", "三", "二", "三"]
        assert (draft.completed_count, draft.open_count) == (16, 5)
        # Numbering runs on across the sections: problem 二 heads section 三 as （十一）.
        headings = texts(draft, BlockKind.HEADING2)
        assert headings[10] == "（十一）反馈问题：亩均效益低，高新技术企业发展慢。"
        assert len(headings) == 15

    def test_before_any_item_existed(self, seed):
        draft = build_notice_draft(inspection=Inspection.objects.get(), as_of=datetime.date(2023, 7, 1))
        assert (draft.completed_count, draft.open_count) == (0, 0)
        assert texts(draft, BlockKind.PARAGRAPH).count("无。") == 2


class TestComposition:
    @pytest.fixture
    def inspection(self):
        inspection = make_inspection(
            name="甲巡察",
            kind=Inspection.Kind.PATROL,
            deploying_body="县委",
            inspecting_body="县委第一巡察组",
            inspected_unit="某某镇",
            responsible_unit="中共某某镇委员会",
            onsite_start=datetime.date(2023, 12, 1),
            onsite_end=datetime.date(2024, 1, 15),
            feedback_date=datetime.date(2024, 3, 1),
        )
        problem = make_problem(inspection, title="作风不实。")
        make_item(problem, title="会议多。", measures=["精简会议", "合并同类会议。"])
        make_item(problem, title="文件多<b>。", summary="已压减文件三成。")
        make_item(problem, title="没有措施。")
        return inspection

    def test_opening_across_years_and_default_texts(self, inspection):
        draft = build_notice_draft(inspection=inspection, as_of=datetime.date(2099, 1, 1))
        assert draft.blocks[2].text == (
            "根据县委统一部署，2023年12月1日至2024年1月15日，县委第一巡察组对某某镇进行了巡察。"
            "2024年3月1日，县委第一巡察组反馈了巡察意见。按照巡察工作有关要求，现将巡察整改进展情况予以公布。"
        )
        assert texts(draft, BlockKind.TITLE) == ["关于巡视整改进展情况的通报"]
        assert texts(draft, BlockKind.SIGNATURE) == ["中共某某镇委员会"]
        assert any(b.text.startswith("欢迎广大干部群众对巡察整改落实情况进行监督") for b in draft.blocks)

    def test_summary_published_or_composed_from_measures(self, inspection):
        paragraphs = texts(
            build_notice_draft(inspection=inspection, as_of=datetime.date(2099, 1, 1)), BlockKind.PARAGRAPH
        )
        assert "整改情况：一是精简会议。二是合并同类会议。" in paragraphs
        assert "整改情况：已压减文件三成。" in paragraphs
        assert "整改情况：（待补充）" in paragraphs

    def test_outcome_records_up_to_the_day(self, inspection):
        day = datetime.date(2024, 6, 30)
        later = day + datetime.timedelta(days=1)
        Regulation.objects.create(inspection=inspection, title="制度甲", issued_on=day)
        Regulation.objects.create(inspection=inspection, title="制度乙")
        Regulation.objects.create(inspection=inspection, title="制度丙", issued_on=later)
        FundRecovery.objects.create(inspection=inspection, amount=Decimal("12.50"), recovered_on=day)
        FundRecovery.objects.create(inspection=inspection, amount=Decimal("100"), recovered_on=later)
        Accountability.objects.create(inspection=inspection, kind=Accountability.Kind.ADMONITION, people=1)
        Accountability.objects.create(inspection=inspection, kind=Accountability.Kind.PARTY_DISCIPLINE, people=2)
        Meeting.objects.create(inspection=inspection, kind=Meeting.Kind.WEEKLY, count=3, held_on=day)
        Meeting.objects.create(inspection=inspection, kind=Meeting.Kind.OTHER, title="专题民主生活会", count=1)
        Meeting.objects.create(inspection=inspection, kind=Meeting.Kind.PARTY_COMMITTEE, count=2)
        text = "".join(texts(build_notice_draft(inspection=inspection, as_of=day), BlockKind.PARAGRAPH))
        assert "共制定规章制度2项" in text
        assert "挽回（追缴）资金12.5万元" in text
        assert "严肃追责问责3人，其中党纪处分2人、诫勉谈话1人。" in text
        assert "先后召开党工委会议2次、周例会3次、专题民主生活会1次，研究部署巡察整改工作。" in text

    def test_html_is_escaped(self, inspection):
        draft = build_notice_draft(inspection=inspection, as_of=datetime.date(2099, 1, 1))
        html = render_to_string("reports/notice/standalone.html", {"draft": draft})
        assert "文件多&lt;b&gt;。" in html and "文件多<b>" not in html


def every_kind_of_block() -> NoticeDraft:
    """A hand-made draft with one block of each kind: the .docx tests need no database."""
    blocks = [
        Block(BlockKind.ATTACHMENT, "附件4"),
        Block(BlockKind.MASTHEAD, "中共某某委员会"),
        Block(BlockKind.TITLE, "关于巡视整改进展情况的通报"),
        Block(BlockKind.PARAGRAPH, "根据省委统一部署，……现将巡视整改进展情况予以公布。"),
        Block(BlockKind.HEADING1, "一、组织整改落实情况"),
        Block(BlockKind.HEADING2, "（一）反馈问题：产业规模小。"),
        Block(BlockKind.ITEM, "1.高新区生产型企业少。"),
        Block(BlockKind.PARAGRAPH, "整改情况：一是大力招引优质项目。"),
        Block(BlockKind.SIGNATURE, "中共某某委员会"),
        Block(BlockKind.DATE, "2023年12月18日"),
    ]
    return NoticeDraft(
        inspection=Inspection(responsible_unit="中共某某委员会"),
        as_of=PUBLISHED,
        title="关于巡视整改进展情况的通报",
        blocks=blocks,
        completed_count=0,
        open_count=0,
    )


@pytest.fixture(scope="module")
def document():
    return docx.Document(io.BytesIO(render_docx(every_kind_of_block())))


class TestOfficialFormat:
    def test_a4_and_margins(self, document):
        section = document.sections[0]
        measured = [section.page_width, section.page_height, section.top_margin, section.bottom_margin]
        measured += [section.left_margin, section.right_margin]
        expected = [Mm(210), Mm(297), Mm(37), Mm(35), Mm(28), Mm(26)]
        # Word stores lengths in twentieths of a point: allow for the rounding.
        assert all(abs(m - e) < Mm(0.1) for m, e in zip(measured, expected, strict=True)), measured

    def test_every_run_names_its_east_asian_font(self, document):
        runs = [run for paragraph in document.paragraphs for run in paragraph.runs]
        runs += [run for paragraph in document.sections[0].footer.paragraphs for run in paragraph.runs]
        assert len(runs) > 10
        for run in runs:
            fonts = run._element.rPr.rFonts
            assert fonts.get(qn("w:eastAsia")) == fonts.get(qn("w:ascii")) == run.font.name, run.text

    def test_fonts_sizes_and_spacing_by_kind(self, document):
        def style_of(text: str) -> tuple:
            paragraph = next(p for p in document.paragraphs if p.text.startswith(text))
            run = paragraph.runs[0]
            return run._element.rPr.rFonts.get(qn("w:eastAsia")), run.font.size, paragraph.alignment

        assert style_of("关于巡视整改进展情况的通报") == ("方正小标宋简体", Pt(22), WD_ALIGN_PARAGRAPH.CENTER)
        assert style_of("一、组织整改落实情况")[:2] == ("黑体", Pt(16))
        assert style_of("（一）反馈问题：")[:2] == ("楷体_GB2312", Pt(16))
        assert style_of("1.高新区生产型企业少")[:2] == ("仿宋_GB2312", Pt(16))
        assert style_of("整改情况：一是大力招引优质项目")[:2] == ("仿宋_GB2312", Pt(16))
        body = next(p for p in document.paragraphs if p.text.startswith("整改情况："))
        assert body.paragraph_format.line_spacing_rule == WD_LINE_SPACING.EXACTLY
        assert body.paragraph_format.line_spacing == Pt(28)
        assert body.paragraph_format.first_line_indent == Pt(32)  # two characters of 三号

    def test_page_number_field_in_the_footer(self, document):
        footer = document.sections[0].footer.paragraphs[0]
        assert footer._p.xpath(".//w:instrText")[0].text.strip() == "PAGE"
        assert footer.text.startswith("— ") and footer.text.endswith(" —")


class TestRenderCommand:
    def test_docx_and_html(self, seed, tmp_path, capsys):
        call_command("render_notice", "--as-of", "2023-12-18", "--output", str(tmp_path / "n.docx"))
        call_command("render_notice", "--output", str(tmp_path / "n.html"))
        assert "21.经营权转让费长期未收回。" in docx_text((tmp_path / "n.docx").read_bytes())
        assert "经营权转让费长期未收回" in (tmp_path / "n.html").read_text(encoding="utf-8")
        assert "已完成 20 项，未完成或长期整改 1 项" in capsys.readouterr().out

    def test_unsupported_extension(self, seed, tmp_path):
        with pytest.raises(CommandError, match="扩展名应为 .docx 或 .html"):
            call_command("render_notice", "--output", str(tmp_path / "n.pdf"))
        assert not (tmp_path / "n.pdf").exists()

    def test_several_inspections_need_choosing(self, seed, tmp_path):
        other = make_inspection(name="另一轮巡察")
        with pytest.raises(CommandError, match="有多个巡视轮次") as caught:
            call_command("render_notice", "--output", str(tmp_path / "n.html"))
        assert f"{other.pk}  另一轮巡察" in str(caught.value)
        call_command("render_notice", "--inspection", str(other.pk), "--output", str(tmp_path / "n.html"))
        assert (tmp_path / "n.html").exists()

    @pytest.mark.parametrize(
        ("args", "message"),
        [(["--as-of", "2023-02-30"], "格式不正确"), (["--inspection", "999999"], "没有编号为 999999 的巡视轮次")],
    )
    def test_bad_arguments(self, seed, tmp_path, args, message):
        with pytest.raises(CommandError, match=message):
            call_command("render_notice", *args, "--output", str(tmp_path / "n.docx"))

    def test_no_inspection_yet(self, db, tmp_path):
        with pytest.raises(CommandError, match="还没有巡视轮次"):
            call_command("render_notice", "--output", str(tmp_path / "n.docx"))

    def test_latest_notice_wins(self, seed, tmp_path):
        inspection = Inspection.objects.get()
        Notice.objects.create(
            inspection=inspection,
            publisher="新的发布单位",
            published_on=datetime.date(2024, 6, 1),
            next_steps="新安排。",
        )
        Notice.objects.create(inspection=inspection, publisher="未注明日期的草稿", next_steps="旧安排。")
        draft = build_notice_draft(inspection=inspection, as_of=PUBLISHED)
        assert texts(draft, BlockKind.SIGNATURE) == ["新的发布单位"]
        assert "新安排。" in texts(draft, BlockKind.PARAGRAPH)
