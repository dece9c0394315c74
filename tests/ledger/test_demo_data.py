"""The demo-data generator: realistic, complete, consistent with its history, and deterministic."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, Max, Min
from django.utils import timezone

from rectify.accounts.models import Department, Leader
from rectify.demo.demo_data import generate_demo_data
from rectify.ledger.asof import ledger_as_of, live_states
from rectify.ledger.models import (
    FeedbackProblem,
    Inspection,
    Measure,
    ProgressUpdate,
    RectificationItem,
    SignOff,
)
from rectify.ledger.warning import Light
from tests.factories import make_item

pytestmark = pytest.mark.django_db
Status = RectificationItem.Status


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def generated(today):
    return generate_demo_data(items=300, inspections=3, seed=5, today=today)


def test_counts(generated):
    assert (generated.inspections, generated.items) == (3, 300)
    assert Inspection.objects.count() == 3
    assert RectificationItem.objects.count() == 300
    for inspection in Inspection.objects.all():
        numbers = list(inspection.items.order_by("number").values_list("number", flat=True))
        assert numbers == list(range(1, 101))
        assert 5 <= inspection.problems.count() <= 15
        assert inspection.problems.filter(items__isnull=True).count() == 0
        assert inspection.planned_item_count >= 100
        # Items of one problem are numbered consecutively (the export merges the problem cell).
        problems = list(inspection.items.order_by("number").values_list("problem__sequence", flat=True))
        assert problems == sorted(problems)
    assert generated.measures == Measure.objects.count()
    assert generated.progress_updates == ProgressUpdate.objects.count() > 0
    assert generated.signoffs == SignOff.objects.count()
    assert (
        SignOff.objects.filter(decision="approved").count()
        == RectificationItem.objects.filter(status="completed").count()
    )
    assert SignOff.objects.filter(decision="rejected").count() == sum(
        RectificationItem.objects.values_list("return_count", flat=True)
    )
    assert (
        SignOff.objects.filter(decision="pending").count()
        == RectificationItem.objects.filter(status="pending_signoff").count()
    )


def test_every_status_and_light(generated, today):
    assert set(RectificationItem.objects.values_list("status", flat=True)) == set(Status.values)
    lights = set(RectificationItem.objects.with_light(today).values_list("light", flat=True))
    assert lights == set(Light.values)
    assert set(RectificationItem.objects.values_list("kind", flat=True)) == set(RectificationItem.Kind.values)
    assert not RectificationItem.objects.filter(kind="long_term", deadline__isnull=False).exists()


def test_item_contents(generated):
    per_item = RectificationItem.objects.annotate(n=Count("measures")).aggregate(low=Min("n"), high=Max("n"))
    assert (per_item["low"], per_item["high"]) == (1, 5)
    assert not RectificationItem.objects.filter(leaders__isnull=True).exists()
    assert RectificationItem.objects.filter(co_departments__isnull=False).exists()
    assert not RectificationItem.objects.filter(lead_department__isnull=True).exists()
    assert not RectificationItem.objects.filter(status="completed", completed_on__isnull=True).exists()
    assert not RectificationItem.objects.exclude(status="completed").filter(completed_on__isnull=False).exists()
    assert not Measure.objects.filter(item__status="completed", is_done=False).exists()
    assert not ProgressUpdate.objects.filter(item__status="not_started").exists()
    completed = RectificationItem.objects.filter(status="completed").first()
    assert completed.summary.startswith("一是")
    assert all(ord(ch) > 0x2E80 for ch in completed.title[:2]), completed.title  # Chinese
    assert Department.objects.filter(is_sample=True).count() >= 20
    assert Leader.objects.filter(is_sample=True).count() >= 8


def test_constraints_hold(generated):
    connection.check_constraints()
    for item in RectificationItem.objects.select_related("problem")[:50]:
        item.full_clean()
    for measure in Measure.objects.all()[:50]:
        measure.full_clean()
    # Sequences were moved past the allocated keys: the ORM can add rows.
    make_item(FeedbackProblem.objects.first(), number=101)


def test_history_tells_the_same_story(generated, today):
    History = RectificationItem.history.model
    assert History.objects.filter(history_type="+").count() == 300
    assert not History.objects.filter(history_user__isnull=False).exists()
    assert not History.objects.filter(history_date__gte=timezone.now()).exists()
    for item in RectificationItem.objects.filter(status="completed"):
        last = item.history.first()
        assert (last.history_type, last.status) == ("~", "completed")
        assert timezone.localtime(last.history_date).date() == item.completed_on
    # Everything happened by yesterday: the ledger rebuilt from history is today's ledger.
    yesterday = today - datetime.timedelta(days=1)
    for inspection in Inspection.objects.all():
        past = ledger_as_of(inspection, yesterday)
        live = live_states(inspection.items.order_by("number"), yesterday)
        assert [_key(s) for s in past] == [_key(s) for s in live]
        assert [[(m.text, m.is_done) for m in s.measures] for s in past] == [
            [(m.text, m.is_done) for m in s.measures] for s in live
        ]
        assert [len(s.progress) for s in past] == [len(s.progress) for s in live]
        # Before the plan was entered there was nothing.
        assert ledger_as_of(inspection, inspection.feedback_date) == []


def _key(state) -> tuple:
    return (
        state.number,
        state.problem.pk,
        state.title,
        state.status,
        state.deadline,
        state.original_deadline,
        state.completed_on,
        state.lead_department,
        sorted(state.leaders),
        sorted(state.co_departments),
    )


def _snapshot():
    return [
        (
            item.inspection.name,
            item.number,
            item.problem.title,
            item.title,
            item.status,
            item.deadline,
            item.completed_on,
            item.lead_department.name,
            tuple(sorted(leader.name for leader in item.leaders.all())),
            tuple(measure.text for measure in item.measures.all()),
        )
        for item in RectificationItem.objects.select_related("inspection", "problem", "lead_department")
        .prefetch_related("leaders", "measures")
        .order_by("inspection_id", "number")
    ]


def test_deterministic_for_a_seed(today):
    generate_demo_data(items=60, inspections=2, seed=11, today=today)
    first = _snapshot()
    Inspection.objects.all().delete()
    generate_demo_data(items=60, inspections=2, seed=11, today=today)
    assert _snapshot() == first
    Inspection.objects.all().delete()
    generate_demo_data(items=60, inspections=2, seed=12, today=today)
    assert _snapshot() != first


def test_command_reports_in_chinese():
    out = io.StringIO()
    call_command("generate_demo_data", items=40, inspections=2, seed=3, stdout=out)
    text = out.getvalue()
    assert "正在生成 40 个整改事项（2 个巡视轮次，随机种子 3）" in text
    assert "已生成演示数据：巡视轮次 2 个" in text
    assert RectificationItem.objects.count() == 40
    with pytest.raises(CommandError, match="巡视轮次数量必须在 1 与整改事项数量之间"):
        call_command("generate_demo_data", items=2, inspections=3, stdout=io.StringIO())


def test_progress_every_ten_thousand(monkeypatch):
    from rectify.demo import demo_data

    monkeypatch.setattr(demo_data, "PROGRESS_EVERY", 25)
    calls = []
    generate_demo_data(items=60, inspections=1, seed=1, on_progress=lambda done, total, s: calls.append((done, total)))
    assert calls == [(25, 60), (50, 60)]


def test_check_ledger_is_clean_on_generated_data(generated, capsys):
    """Completed items have approved sign-offs, pending ones one request, moved deadlines an
    approved extension, returned items their rejected requests: check_ledger finds nothing."""
    from django.core.management import call_command

    call_command("check_ledger")
    assert "未发现问题" in capsys.readouterr().out
