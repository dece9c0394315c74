"""The 综合评分 (rectify/dashboard/scores.py) on hand-made figures, and the unit ranking built on it."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured

from rectify.ledger.scores import STALE_CAP_MONTHS, Tally, Weights, formula, months_without_progress, score

TODAY = datetime.date(2024, 6, 30)
WEIGHTS = Weights(on_time=1.0, overdue_days=0.5, returns=10.0, stale_months=5.0)


def test_three_units_scored_by_hand():
    # 甲: 10 items, 9 on time, none overdue, 1 return, last report 10 days ago (0 months):
    #     90 - 0 - 10 * 1/10 - 0 = 89.0
    a = Tally(total=10, completed=9, on_time=9, open=1, returns=1, last_progress=TODAY - datetime.timedelta(days=10))
    # 乙: 4 items, 2 on time, 1 overdue by 20 days, no return, last report 65 days ago (2 months):
    #     50 - 0.5 * 20/4 - 0 - 5 * 2 = 37.5
    b = Tally(
        total=4,
        completed=2,
        on_time=2,
        open=2,
        overdue=1,
        overdue_days=20,
        last_progress=TODAY - datetime.timedelta(65),
    )
    # 丙: 5 items, none on time, 3 overdue by 300 days in all, 2 returns, never a report:
    #     0 - 0.5 * 300/5 - 10 * 2/5 - 5 * 12 < 0, kept at 0.
    c = Tally(total=5, open=5, overdue=3, overdue_days=300, returns=2)
    assert [score(t, WEIGHTS, TODAY) for t in (a, b, c)] == [89.0, 37.5, 0.0]


def test_no_items_no_score_and_full_marks_capped():
    assert score(Tally(), WEIGHTS, TODAY) is None
    done = Tally(total=3, completed=3, on_time=3)
    assert score(done, Weights(on_time=2.0, overdue_days=0, returns=0, stale_months=0), TODAY) == 100.0


def test_months_without_progress():
    closed = Tally(total=2, completed=2, on_time=2)
    assert months_without_progress(closed, TODAY) == 0  # nothing open: nothing to report
    assert months_without_progress(Tally(total=1, open=1), TODAY) == STALE_CAP_MONTHS
    old = Tally(total=1, open=1, last_progress=datetime.date(2020, 1, 1))
    assert months_without_progress(old, TODAY) == STALE_CAP_MONTHS
    recent = Tally(total=1, open=1, last_progress=TODAY - datetime.timedelta(days=59))
    assert months_without_progress(recent, TODAY) == 1


def test_tallies_add_up():
    a = Tally(total=2, completed=1, on_time=1, returns=1, escalations=1, last_progress=datetime.date(2024, 1, 1))
    b = Tally(total=3, overdue=2, overdue_days=7, last_progress=datetime.date(2024, 3, 1))
    total = a + b
    assert (total.total, total.completed, total.overdue_days, total.returns, total.escalations) == (5, 1, 7, 1, 1)
    assert total.last_progress == datetime.date(2024, 3, 1)
    assert (Tally() + Tally()).last_progress is None


def test_weights_from_settings(settings):
    settings.RECTIFY_SCORE_WEIGHTS = {"on_time": "2", "overdue_days": 1, "returns": 0, "stale_months": 3}
    weights = Weights.from_settings()
    assert weights == Weights(on_time=2.0, overdue_days=1.0, returns=0.0, stale_months=3.0)
    assert formula(weights) == (
        "综合评分 = 按期完成率(%) × 2 − 平均逾期天数 × 1 − 平均退回次数 × 0 − 未报进展月数 × 3，取 0–100 分"
    )
    settings.RECTIFY_SCORE_WEIGHTS = {**settings.RECTIFY_SCORE_WEIGHTS, "speed": 1}
    with pytest.raises(ImproperlyConfigured, match="未知的权重：speed"):
        Weights.from_settings()
    settings.RECTIFY_SCORE_WEIGHTS = {"on_time": "高", "overdue_days": 1, "returns": 0, "stale_months": 3}
    with pytest.raises(ImproperlyConfigured, match="须为数字"):
        Weights.from_settings()
