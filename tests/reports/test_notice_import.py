"""Importing a published notice: the seed agrees with the seed fixture; bad files save nothing."""

import datetime
import io
from pathlib import Path

import docx
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from rectify.ledger.models import (
    FeedbackProblem,
    Inspection,
    Measure,
    Meeting,
    Notice,
    RectificationItem,
    WorkingGroupMember,
)
from rectify.reports.notice import importer
from rectify.reports.notice.errors import NoticeFormatError
from rectify.reports.notice.importer import import_notice, parse_notice_file

pytestmark = pytest.mark.django_db

SEED_PATH = Path(settings.BASE_DIR) / "fixtures" / "seed_huaihua_2023.txt"
Status = RectificationItem.Status

SMALL_NOTICE = """\
关于巡察整改进展情况的通报
二、集中整改期内已完成的整改事项
(一)落实党的路线方针政策不到位
1、关于"政策宣传不到位"问题的整改
整改措施：(1)开展政策宣讲5场。(2)印发宣传资料1000份。
三、集中整改期内未完成或长期整改的整改事项
(一)落实党的路线方针政策不到位
2、惠民资金发放不及时。
整改情况：正在发放。
"""


def ledger_rows(inspection: Inspection) -> dict:
    """What a notice says of an inspection's ledger, keyed by item number."""
    items = inspection.items.select_related("problem").prefetch_related("measures").order_by("number")
    return {
        item.number: {
            "problem": (item.problem.sequence, item.problem.title),
            "title": item.title,
            "summary": item.summary,
            "measures": [measure.text for measure in item.measures.all()],
            "status": item.status,
        }
        for item in items
    }


def import_text(text: str, filename: str = "通报.txt"):
    return import_notice(parsed=parse_notice_file(data=text.encode(), filename=filename))


def database_counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Inspection, FeedbackProblem, RectificationItem, Measure, Meeting, Notice, WorkingGroupMember)
    )


class TestTheSeed:
    def test_import_agrees_with_the_seed_fixture(self, seed):
        fixture_inspection = Inspection.objects.get()
        result = import_notice(parsed=parse_notice_file(data=SEED_PATH.read_bytes(), filename=SEED_PATH.name))
        imported = result.inspection
        assert Inspection.objects.count() == 2  # a second inspection beside the seed
        assert (result.problems, result.items, result.measures, result.completed) == (11, 21, 57, 20)
        assert imported.problems.count() == 11
        assert Measure.objects.filter(item__inspection=imported).count() == 57
        assert imported.items.filter(status=Status.COMPLETED).count() == 20
        expected, actual = ledger_rows(fixture_inspection), ledger_rows(imported)
        assert list(actual) == list(expected) == list(range(1, 22))
        for number, row in expected.items():
            assert actual[number] == row, number

    def test_inspection_notice_and_outcomes(self, seed):
        fixture_inspection = Inspection.objects.get()
        imported = import_notice(
            parsed=parse_notice_file(data=SEED_PATH.read_bytes(), filename=SEED_PATH.name)
        ).inspection
        fields = [
            "name",
            "kind",
            "deploying_body",
            "inspecting_body",
            "inspected_unit",
            "responsible_unit",
            "onsite_start",
            "onsite_end",
            "feedback_date",
            "plan_title",
            "planned_problem_count",
            "planned_item_count",
            "planned_regulation_count",
        ]
        for field in fields:
            assert getattr(imported, field) == getattr(fixture_inspection, field), field
        notice_fields = [
            "attachment_label",
            "title",
            "opening",
            "organisation_text",
            "next_steps",
            "closing_text",
            "contact_phone",
            "contact_address",
            "contact_email",
            "publisher",
            "published_on",
        ]
        expected_notice, notice = fixture_inspection.notices.get(), imported.notices.get()
        for field in notice_fields:
            assert getattr(notice, field) == getattr(expected_notice, field), field

        def meetings(inspection):
            return sorted(inspection.meetings.values_list("kind", "count"))

        def seats(inspection):
            return list(inspection.group_members.order_by("group", "sequence").values_list("group", "role", "holder"))

        assert meetings(imported) == meetings(fixture_inspection)
        assert seats(imported) == seats(fixture_inspection)

    def test_completed_items_take_the_notice_date(self, db):
        imported = import_notice(
            parsed=parse_notice_file(data=SEED_PATH.read_bytes(), filename=SEED_PATH.name)
        ).inspection
        completed = imported.items.filter(status=Status.COMPLETED)
        assert set(completed.values_list("completed_on", flat=True)) == {datetime.date(2023, 12, 18)}
        assert not Measure.objects.filter(item__in=completed, is_done=False).exists()
        item_21 = imported.items.get(number=21)
        assert item_21.status == Status.IN_PROGRESS and item_21.completed_on is None


class TestOtherNotices:
    def test_undated_notice_completes_on_the_given_day(self, db):
        today = datetime.date(2024, 9, 1)
        result = import_notice(parsed=parse_notice_file(data=SMALL_NOTICE.encode(), filename="a.txt"), today=today)
        rows = ledger_rows(result.inspection)
        assert rows[1]["title"] == "政策宣传不到位"
        assert rows[1]["measures"] == ["开展政策宣讲5场。", "印发宣传资料1000份。"]
        assert [rows[1]["status"], rows[2]["status"]] == [Status.COMPLETED, Status.IN_PROGRESS]
        assert result.inspection.items.get(number=1).completed_on == today
        # One problem, listed under both sections.
        assert result.inspection.problems.count() == 1
        assert result.inspection.name == "关于巡察整改进展情况的通报"

    def test_docx_made_with_python_docx(self, db):
        document = docx.Document()
        for line in SMALL_NOTICE.splitlines():
            document.add_paragraph(line)
        buffer = io.BytesIO()
        document.save(buffer)
        result = import_notice(parsed=parse_notice_file(data=buffer.getvalue(), filename="通报.DOCX"))
        assert (result.problems, result.items, result.measures, result.completed) == (1, 2, 3, 1)


class TestCommand:
    def test_import_and_report(self, db, capsys):
        call_command("import_notice", str(SEED_PATH))
        out = capsys.readouterr().out
        assert "反馈问题 11 个，整改事项 21 项（已完成 20 项），整改措施 57 条" in out
        assert Inspection.objects.count() == 1

    def test_dry_run_saves_nothing(self, db, capsys):
        call_command("import_notice", str(SEED_PATH), "--dry-run")
        out = capsys.readouterr().out
        assert "二、集中整改期内已完成的整改事项：反馈问题 10 个，整改事项 20 项（已完成），整改措施 56 条" in out
        assert "21. 经营权转让费长期未收回。（措施 1 条，整改中）" in out
        assert "未保存任何数据" in out
        assert database_counts() == (0,) * 7

    @pytest.mark.parametrize(
        ("content", "name", "message"),
        [
            (b"", "empty.txt", "文件为空"),
            ("会议纪要：无问题。".encode(), "memo.txt", "未在文件中识别出任何反馈问题或整改事项"),
            (bytes(range(256)) * 4, "junk.txt", "二进制"),
            (b"PK\x03\x04 not really", "fake.docx", "Word"),
            (b"x", "notice.xlsx", "不支持的文件类型 .xlsx"),
        ],
    )
    def test_bad_files_are_refused_and_nothing_is_saved(self, db, tmp_path, content, name, message):
        before = database_counts()
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(CommandError, match=message):
            call_command("import_notice", str(path))
        assert database_counts() == before

    def test_missing_file(self, db, tmp_path):
        with pytest.raises(CommandError, match="找不到文件"):
            call_command("import_notice", str(tmp_path / "nope.txt"))


class TestAtomicity:
    def test_a_failure_half_way_leaves_nothing(self, db, monkeypatch):
        def fail(**kwargs):
            raise RuntimeError("disk full")

        # The notice row is written last: everything before it must be rolled back.
        monkeypatch.setattr(importer.Notice.objects, "create", fail)
        with pytest.raises(RuntimeError):
            import_notice(parsed=parse_notice_file(data=SEED_PATH.read_bytes(), filename=SEED_PATH.name))
        assert database_counts() == (0,) * 7

    def test_a_title_longer_than_its_column_is_refused_in_chinese(self, db):
        text = SMALL_NOTICE.replace("惠民资金发放不及时。", "很长" * 300)
        with pytest.raises(NoticeFormatError, match="第2项整改事项的标题过长"):
            import_text(text)
        assert database_counts() == (0,) * 7
