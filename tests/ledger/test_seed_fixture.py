"""The 怀化高新区 seed fixture holds what the published notice says, word for word, and its history."""

import datetime
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from rectify.accounts.models import Department, Leader
from rectify.ledger.models import (
    FeedbackProblem,
    Inspection,
    Measure,
    Meeting,
    Notice,
    RectificationItem,
    WorkingGroupMember,
)

pytestmark = pytest.mark.django_db

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
MEASURES_PER_ITEM = [3, 3, 5, 4, 1, 3, 2, 1, 2, 5, 5, 2, 2, 3, 4, 1, 1, 3, 2, 4, 1]
Status = RectificationItem.Status


@pytest.fixture
def inspection(db):
    call_command("loaddata", "seed_huaihua_2023", verbosity=0)
    return Inspection.objects.get()


@pytest.fixture(scope="module")
def seed_text():
    return (FIXTURES / "seed_huaihua_2023.txt").read_text(encoding="utf-8")


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def test_counts(inspection):
    assert Inspection.objects.count() == 1
    assert FeedbackProblem.objects.count() == 11
    assert RectificationItem.objects.count() == 21
    assert Measure.objects.count() == 57
    items = RectificationItem.objects.order_by("number")
    assert [item.number for item in items] == list(range(1, 22))
    assert [item.measures.count() for item in items] == MEASURES_PER_ITEM
    assert list(inspection.problems.values_list("sequence", flat=True)) == list(range(1, 12))
    for item in items:
        assert list(item.measures.values_list("sequence", flat=True)) == list(range(1, item.measures.count() + 1))


def test_inspection(inspection):
    assert inspection.name == "省委第十二巡视组延伸巡视怀化高新区"
    assert inspection.kind == Inspection.Kind.EXTENDED
    assert inspection.deploying_body == "省委"
    assert inspection.inspecting_body == "省委第十二巡视组"
    assert inspection.inspected_unit == "怀化高新区"
    assert inspection.responsible_unit == "中共怀化高新技术产业开发区工作委员会"
    assert inspection.onsite_start == datetime.date(2023, 3, 9)
    assert inspection.onsite_end == datetime.date(2023, 6, 10)
    assert inspection.feedback_date == datetime.date(2023, 7, 20)
    assert inspection.plan_title == "怀化高新区落实省委第十二巡视组巡视怀化市及延伸巡视怀化高新区反馈问题整改工作方案"
    assert (inspection.planned_problem_count, inspection.planned_item_count) == (17, 32)
    assert inspection.planned_regulation_count == 17


def test_statuses_and_problems(inspection):
    items = list(RectificationItem.objects.order_by("number"))
    assert all(item.status == Status.COMPLETED and item.completed_on for item in items[:20])
    assert all(datetime.date(2023, 9, 1) <= item.completed_on <= datetime.date(2023, 12, 15) for item in items[:20])
    last = items[20]
    assert last.status == Status.IN_PROGRESS
    assert last.completed_on is None
    assert last.problem.sequence == 11
    assert last.deadline == datetime.date(2023, 12, 31)
    assert last.is_overdue(today=datetime.date(2024, 1, 1))
    assert all(item.inspection_id == item.problem.inspection_id == inspection.pk for item in items)
    assert all(
        item.measures.filter(is_done=True, done_on=item.completed_on).count() == item.measures.count()
        for item in items[:20]
    )
    assert not last.measures.filter(is_done=True).exists()


def test_working_groups_and_meetings(inspection):
    seats = list(inspection.group_members.values_list("group", "role", "holder"))
    group, role = WorkingGroupMember.Group, WorkingGroupMember.Role
    assert seats == [
        (group.LEADING, role.HEAD, "党工委书记"),
        (group.LEADING, role.FIRST_DEPUTY, "党工委副书记、管委会主任"),
        (group.LEADING, role.EXECUTIVE_DEPUTY, "党工委副书记"),
        (group.LEADING, role.DEPUTY, "其他党工委班子成员"),
        (group.LEADING, role.MEMBER, "各部门负责人"),
        (group.SUPERVISION, role.HEAD, "党工委委员、纪工委书记、监工委主任"),
    ]
    counts = {meeting.kind: meeting.count for meeting in inspection.meetings.all()}
    assert counts == {
        Meeting.Kind.PARTY_COMMITTEE: 7,
        Meeting.Kind.MOBILISATION: 1,
        Meeting.Kind.SCHEDULING: 3,
        Meeting.Kind.WEEKLY: 12,
    }
    assert not inspection.meetings.filter(held_on__isnull=False).exists()


def test_notice(inspection, seed_text):
    notice = Notice.objects.get()
    assert notice.inspection == inspection
    assert notice.attachment_label == "附件4"
    assert notice.title == "关于巡视整改进展情况的通报"
    assert notice.contact_phone == "07452838159"
    assert notice.contact_address == "湖南省怀化市中方县中方镇财富路怀化高新区纪工委"
    assert notice.contact_email == "hhgxqjgw@163.com"
    assert notice.publisher == "中共怀化高新技术产业开发区工作委员会"
    assert notice.published_on == datetime.date(2023, 12, 18)
    assert (
        notice.closing_text
        == "欢迎广大干部群众对巡视整改落实情况进行监督。如对公示的事项有任何意见建议，请及时向我们反映。"
    )
    assert notice.opening.startswith("根据省委统一部署,2023年3月9日至6月10日")
    assert notice.organisation_text.count("\n") == 1
    assert notice.next_steps.startswith("继续以严的标准")
    for text in [notice.opening, *notice.organisation_text.split("\n"), notice.next_steps, notice.closing_text]:
        assert f"{text}\n" in seed_text or f"{text}联系电话" in seed_text


def test_problem_six_and_eleven_share_a_title(inspection):
    six, eleven = (inspection.problems.get(sequence=n) for n in (6, 11))
    assert six.pk != eleven.pk
    assert six.title == eleven.title == "国有资产管理不善。"


def test_every_text_is_verbatim_from_the_notice(inspection, seed_text):
    for problem in FeedbackProblem.objects.all():
        assert f"{problem.label}反馈问题：{problem.title}\n" in seed_text
    for item in RectificationItem.objects.all():
        assert f"\n{item.number}.{item.title}\n" in seed_text
        assert f"整改情况：{item.summary}\n" in seed_text
        measures = list(item.measures.order_by("sequence"))
        if len(measures) == 1:
            assert measures[0].text == item.summary
        else:
            assert "".join(f"{measure.label}{measure.text}" for measure in measures) == item.summary
        for measure in measures:
            assert measure.text in seed_text
            assert measure.text.endswith("。")


def test_spot_checks(inspection):
    item_1 = RectificationItem.objects.get(number=1)
    assert (
        item_1.measures.get(sequence=1).text
        == "大力招引优质项目。今年新签约项目30个，合同引资153.4亿元，其中投资亿元以上项目22个。"
    )
    assert RectificationItem.objects.get(number=21).title == "经营权转让费长期未收回。"
    assert FeedbackProblem.objects.get(sequence=5).title == "安全生产问题突出。"
    assert RectificationItem.objects.get(number=9).title == "基础设施配套不够完善。公交站台较少。"
    assert RectificationItem.objects.get(number=13).title == "认识有偏差。有的领导接受监督意识不强。"
    assert FeedbackProblem.objects.get(sequence=1).title == "产业规模小，产业链薄弱。"
    assert (
        RectificationItem.objects.get(number=5)
        .measures.get()
        .text.startswith("制定出台《怀化高新区“三类”土地整改工作方案》")
    )


def test_sample_values_are_marked(inspection):
    assert Department.objects.count() >= 10
    assert not Department.objects.filter(is_sample=False).exists()
    assert Leader.objects.count() >= 6
    assert not Leader.objects.filter(is_sample=False).exists()
    for item in RectificationItem.objects.all():
        assert item.note == "责任领导、责任部门、责任人、完成时限、完成日期为示例数据（通报未载明）。"
        assert item.lead_department is not None
        assert 1 <= item.leaders.count() <= 2
        assert item.co_departments.count() <= 2
        assert item.contact_person
        assert item.deadline is not None
    assert RectificationItem.objects.get(number=7).lead_department.name == "行政审批局"
    immediate = RectificationItem.objects.filter(kind=RectificationItem.Kind.IMMEDIATE)
    assert sorted(immediate.values_list("number", flat=True)) == [8, 16, 17]


def test_item_history(inspection):
    for item in RectificationItem.objects.all():
        created = item.history.get(history_type="+")
        assert local_day(created.history_date) == datetime.date(2023, 7, 25)
        assert created.status == Status.NOT_STARTED
        started = item.history.filter(status=Status.IN_PROGRESS).earliest()
        assert local_day(started.history_date) == datetime.date(2023, 8, 10)
        completions = item.history.filter(status=Status.COMPLETED)
        if item.number <= 20:
            assert local_day(completions.earliest().history_date) == item.completed_on
        else:
            assert not completions.exists()


def test_m2m_history_matches_the_item(inspection):
    for item in RectificationItem.objects.all():
        latest = item.history.filter(history_date__lt=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)).latest()
        assert set(latest.leaders.values_list("leader_id", flat=True)) == set(item.leaders.values_list("pk", flat=True))
        assert set(latest.co_departments.values_list("department_id", flat=True)) == set(
            item.co_departments.values_list("pk", flat=True)
        )


def test_past_ledger_can_be_rebuilt(inspection):
    end_of_october = datetime.datetime(2023, 10, 31, 23, 59, tzinfo=datetime.UTC)
    as_of = {item.number: item.status for item in RectificationItem.history.as_of(end_of_october)}
    assert len(as_of) == 21
    completed_by_then = {
        item.number for item in RectificationItem.objects.filter(completed_on__lte=datetime.date(2023, 10, 31))
    }
    assert completed_by_then
    assert {number for number, status in as_of.items() if status == Status.COMPLETED} == completed_by_then
    before_start = datetime.datetime(2023, 8, 1, tzinfo=datetime.UTC)
    assert {item.status for item in RectificationItem.history.as_of(before_start)} == {Status.NOT_STARTED}
    assert Measure.history.as_of(before_start).count() == 57


def _fixture_row_count(model_label: str) -> int:
    rows = json.loads((FIXTURES / "seed_huaihua_2023.json").read_text(encoding="utf-8"))
    return sum(1 for row in rows if row["model"] == model_label)


def test_loaddata_adds_no_history_of_its_own(inspection):
    """Our loaddata switches history off: the fixture's m2m sets would otherwise be recorded as today's changes."""
    assert RectificationItem.history.count() == _fixture_row_count("ledger.historicalrectificationitem")
    assert max(record.history_date for record in RectificationItem.history.all()).year == 2023
    assert getattr(settings, "SIMPLE_HISTORY_ENABLED", True) is True  # switched back on afterwards
