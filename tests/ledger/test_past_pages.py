"""The past on screen: the item list as it stood on a day (``/items/?as_of=``) and the changes
between two days (``/items/changes/``), both rebuilt from history, read-only, as visible as the list."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rectify.accounts.models import Department
from rectify.accounts.roles import Role
from rectify.ledger.asof import end_of_day
from rectify.ledger.models import Decision, FeedbackProblem, Measure, RectificationItem, SignOff
from tests.conftest import make_user
from tests.factories import force_status, make_inspection, make_item, make_problem, make_unit, the_unit

pytestmark = pytest.mark.django_db
Status = RectificationItem.Status
TODAY = timezone.localdate()


def days_ago(n: int) -> datetime.date:
    return TODAY - datetime.timedelta(days=n)


HISTORIES = (RectificationItem.history, FeedbackProblem.history, Measure.history)


def _marks() -> list[int]:
    return [history.order_by("-history_id").values_list("history_id", flat=True).first() or 0 for history in HISTORIES]


def back_date(marks: list[int], day: datetime.date) -> None:
    """Records written since ``marks`` (``_marks()``) are moved to ``day``, an hour before its end."""
    for history, mark in zip(HISTORIES, marks, strict=True):
        history.filter(history_id__gt=mark).update(history_date=end_of_day(day) - datetime.timedelta(hours=1))


@pytest.fixture
def story(department, other_department):
    """A round fed back 90 days ago. Items made 60 days ago, all in progress; 20 days ago:
    a completed, c extended, d's 销号 request returned, e (another department's) completed, f moved
    from the other department to ours. b's deadline passed 30 days ago; a's 50 days ago."""
    inspection = make_inspection(name="往日巡视", feedback_date=days_ago(90))
    problem = make_problem(inspection)
    marks = _marks()
    items = {}
    for key, lead, deadline in [
        ("a", department, days_ago(50)),
        ("b", department, days_ago(30)),
        ("c", department, TODAY + datetime.timedelta(days=10)),
        ("d", department, TODAY + datetime.timedelta(days=60)),
        ("e", other_department, TODAY + datetime.timedelta(days=60)),
        ("f", other_department, TODAY + datetime.timedelta(days=60)),
    ]:
        item = make_item(problem, title=f"事项{key}", lead_department=lead, deadline=deadline, measures=["措施"])
        force_status(item, Status.IN_PROGRESS)
        item.save()
        items[key] = item
    back_date(marks, days_ago(60))

    marks = _marks()
    for key in ("a", "e"):
        force_status(items[key], Status.COMPLETED)
        items[key].completed_on = days_ago(20)
        items[key].save()
    items["c"].original_deadline = items["c"].deadline
    items["c"].deadline = TODAY + datetime.timedelta(days=40)
    items["c"].save()
    items["d"].return_count = 1
    items["d"].save()
    SignOff.objects.create(
        item=items["d"],
        note="已完成",
        decision=Decision.REJECTED,
        review_note="佐证材料不全",
        requested_at=end_of_day(days_ago(22)),
        reviewed_at=end_of_day(days_ago(21)) - datetime.timedelta(hours=2),
    )
    items["f"].lead_department = department
    items["f"].save()
    back_date(marks, days_ago(20))
    return inspection, items


def _list(client, user, **params):
    client.force_login(user)
    return client.get(reverse("ledger:item-list"), params)


def _numbers(response) -> list[int]:
    return [row.record.number for row in response.context["table"].paginated_rows]


def test_the_list_as_of_a_day_is_rebuilt_from_history_and_read_only(client, story, office_user):
    inspection, items = story
    response = _list(client, office_user, as_of=days_ago(45).isoformat(), inspection=inspection.pk)
    assert response.status_code == 200
    states = {row.record.title: row.record for row in response.context["table"].paginated_rows}
    assert set(states) == {f"事项{key}" for key in "abcdef"}
    assert states["事项a"].status == Status.IN_PROGRESS  # completed only 20 days ago
    assert states["事项c"].deadline == TODAY + datetime.timedelta(days=10)  # before the extension
    body = response.content.decode()
    day = days_ago(45)
    assert f"{day.year}年{day.month}月{day.day}日" in body and 'data-banner="as-of"' in body
    assert "只读" in body and "返回今天的台账" in body
    # Read-only: no bulk bar, no selection boxes, no edit or transition links.
    assert 'id="bulk-form"' not in body and 'name="items"' not in body
    assert reverse("ledger:bulk-action") not in body and "/edit/" not in body
    # The titles open the item as it is today, with a note naming the day.
    link = f"{items['a'].get_absolute_url()}?as_of={day.isoformat()}"
    assert link in body
    page = client.get(link).content.decode()
    assert 'data-banner="opened-from-past"' in page and f"{day.month}月{day.day}日" in page
    assert f"?as_of={day.isoformat()}&amp;inspection={inspection.pk}" in page


def test_the_filters_are_judged_as_of_that_day(client, story, office_user, department, other_department):
    inspection, items = story
    day = days_ago(45).isoformat()
    params = {"as_of": day, "inspection": inspection.pk}

    in_progress = _list(client, office_user, **params, status=Status.IN_PROGRESS)
    assert _numbers(in_progress) == [items[key].number for key in "abcdef"]
    assert _numbers(_list(client, office_user, **params, status=Status.COMPLETED)) == []
    # f was the other department's then (it is ours today).
    then_other = _list(client, office_user, **params, lead_department=other_department.pk)
    assert _numbers(then_other) == [items["e"].number, items["f"].number]
    now_other = _list(client, office_user, inspection=inspection.pk, lead_department=other_department.pk)
    assert [row.record.number for row in now_other.context["table"].paginated_rows] == [items["e"].number]
    # Overdue on that day: a (deadline 50 days ago), not b (due 30 days ago); today a is completed.
    assert _numbers(_list(client, office_user, **params, overdue="true")) == [items["a"].number]
    later = {"as_of": days_ago(25).isoformat(), "inspection": inspection.pk}
    assert _numbers(_list(client, office_user, **later, overdue="true")) == [items["a"].number, items["b"].number]
    assert _numbers(_list(client, office_user, **params, overdue="false")) == [items[key].number for key in "bcdef"]
    assert _numbers(_list(client, office_user, **params, q="事项c")) == [items["c"].number]
    # Completed within a range: none by 45 days ago; a and e by 10 days ago.
    completed = {"completed_after": days_ago(25).isoformat(), "completed_before": days_ago(15).isoformat()}
    assert _numbers(_list(client, office_user, **params, **completed)) == []
    recent = {"as_of": days_ago(10).isoformat(), "inspection": inspection.pk, **completed}
    assert _numbers(_list(client, office_user, **recent)) == [items["a"].number, items["e"].number]
    # Filters that read today's tables are not offered on a past day.
    form = _list(client, office_user, **params).context["filter_form"]
    assert "status" in form.fields and "leader" not in form.fields and "escalation" not in form.fields


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2024-13-01", "无法识别的截至日期：2024-13-01（应为 YYYY-MM-DD，如 2023-12-18）"),
        ("昨天", "无法识别的截至日期：昨天"),
        ("future", "晚于今天"),
        ("before", "早于“往日巡视”的反馈日期"),
    ],
)
def test_bad_days_are_refused_with_a_chinese_message(client, story, office_user, as_of, message):
    inspection, _items = story
    as_of = {
        "future": (TODAY + datetime.timedelta(days=1)).isoformat(),
        "before": days_ago(91).isoformat(),
    }.get(as_of, as_of)
    response = _list(client, office_user, as_of=as_of, inspection=inspection.pk)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "table" not in response.context  # not silently today's list
    assert "返回今天的台账" in response.content.decode()


def test_an_empty_day_offers_days_to_pick(client, story, office_user):
    """The list's 历史台账 button opens ``?as_of=`` without a day: the picker and a few days."""
    inspection, _items = story
    response = _list(client, office_user, as_of="", inspection=inspection.pk)
    assert response.status_code == 200 and "table" not in response.context
    body = response.content.decode()
    assert "请选择要查看哪一天的台账" in body
    assert f"?as_of={days_ago(90).isoformat()}&amp;inspection={inspection.pk}" in body  # the feedback date


def test_a_liaison_sees_their_own_department_s_past(client, story, liaison, other_liaison):
    inspection, items = story
    params = {"as_of": days_ago(45).isoformat(), "inspection": inspection.pk}
    # Visibility is today's: f is ours today, e is not.
    assert _numbers(_list(client, liaison, **params)) == [items[key].number for key in "abcdf"]
    assert _numbers(_list(client, other_liaison, **params)) == [items["e"].number]
    assert "导出当日台账" not in _list(client, liaison, **params).content.decode()


def _changes(client, user, **params):
    client.force_login(user)
    return client.get(reverse("ledger:changes"), params)


def _by_kind(response) -> dict[str, list[str]]:
    return {
        kind: [change.state.title for change, _href, _returned in rows] for kind, rows in response.context["sections"]
    }


def test_the_changes_between_two_days(client, story, office_user):
    inspection, items = story
    response = _changes(
        client,
        office_user,
        inspection=inspection.pk,
        **{"from": days_ago(45).isoformat(), "to": days_ago(10).isoformat()},
    )
    assert response.status_code == 200
    assert _by_kind(response) == {
        "新完成": ["事项a", "事项e"],
        "新逾期": ["事项b"],
        "延期": ["事项c"],
        "退回": ["事项d"],
        "新增事项": [],
    }
    body = response.content.decode()
    assert f"{items['a'].get_absolute_url()}?as_of={days_ago(10).isoformat()}" in body
    assert f"完成日期 {days_ago(20).isoformat()}" in body
    assert f"完成时限 {days_ago(30).isoformat()}" in body and "逾期20天" in body
    extended = TODAY + datetime.timedelta(days=40)
    assert f"→ {extended.year}年{extended.month}月{extended.day}日" in body
    assert f"{days_ago(21).isoformat()} 销号申请被退回：佐证材料不全" in body and "退回0次 → 退回1次" in body
    # Before the window nothing had changed yet: from the feedback date to 50 days ago.
    early = _changes(
        client,
        office_user,
        inspection=inspection.pk,
        **{"from": days_ago(70).isoformat(), "to": days_ago(50).isoformat()},
    )
    assert _by_kind(early)["新增事项"] == [f"事项{key}" for key in "abcdef"]
    assert _by_kind(early)["新完成"] == []


def test_the_changes_default_to_the_last_month(client, story, office_user):
    inspection, _items = story
    response = _changes(client, office_user, inspection=inspection.pk)
    changes = response.context["changes"]
    assert changes.end == TODAY
    assert changes.start == (TODAY.replace(day=1) - datetime.timedelta(days=1)).replace(
        day=min(TODAY.day, (TODAY.replace(day=1) - datetime.timedelta(days=1)).day)
    )
    assert _by_kind(response)["新完成"] == ["事项a", "事项e"]


def test_changes_are_as_visible_as_the_list(client, story, liaison, other_liaison):
    inspection, _items = story
    window = {"inspection": inspection.pk, "from": days_ago(45).isoformat(), "to": days_ago(10).isoformat()}
    mine = _by_kind(_changes(client, liaison, **window))
    assert mine["新完成"] == ["事项a"] and mine["退回"] == ["事项d"]
    theirs = _by_kind(_changes(client, other_liaison, **window))
    assert theirs == {"新完成": ["事项e"], "新逾期": [], "延期": [], "退回": [], "新增事项": []}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2024-02-30"}, "无法识别的起始日期：2024-02-30"),
        ({"to": "x"}, "无法识别的截止日期：x"),
        ({"from": "future"}, "起始日期"),
        ({"to": "future"}, "晚于今天"),
        ({"from": "before"}, "早于“往日巡视”的反馈日期"),
        ({"from": "late", "to": "early"}, "应早于截止日期"),
    ],
)
def test_bad_windows_are_refused(client, story, office_user, params, message):
    inspection, _items = story
    days = {
        "future": (TODAY + datetime.timedelta(days=1)).isoformat(),
        "before": days_ago(91).isoformat(),
        "late": days_ago(10).isoformat(),
        "early": days_ago(40).isoformat(),
    }
    response = _changes(client, office_user, inspection=inspection.pk, **{k: days.get(v, v) for k, v in params.items()})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert "changes" not in response.context


def test_a_round_the_user_may_not_see_is_refused(client, story, liaison):
    inspection, _items = story
    hidden = make_inspection(name="别处巡视")
    make_item(make_problem(hidden), lead_department=Department.objects.create(unit=the_unit(), name="别的部门"))
    response = _changes(client, liaison, inspection=hidden.pk)
    assert response.status_code == 400
    assert f"没有编号为 {hidden.pk} 的巡视轮次，或您无权查看" in response.content.decode()
    assert _changes(client, liaison, inspection="abc").status_code == 400


def test_both_pages_are_linked_from_the_list_and_the_dashboard(client, story, office_user):
    inspection, _items = story
    client.force_login(office_user)
    listed = client.get(reverse("ledger:item-list"), {"inspection": inspection.pk}).content.decode()
    assert f'href="/items/?as_of=&amp;inspection={inspection.pk}">历史台账' in listed
    assert f'href="/items/changes/?inspection={inspection.pk}">变化情况' in listed
    home = client.get("/", {"inspection": inspection.pk}).content.decode()
    assert f'href="/items/?as_of=&amp;inspection={inspection.pk}">历史台账' in home
    assert f'href="/items/changes/?inspection={inspection.pk}">变化情况' in home


# --- query counts ----------------------------------------------------------------------------


def _round_of(n: int, department: Department):
    inspection = make_inspection(feedback_date=days_ago(90))
    problem = make_problem(inspection)
    marks = _marks()
    for i in range(n):
        make_item(problem, lead_department=department, deadline=days_ago(30 - i % 3), measures=["一", "二"])
    back_date(marks, days_ago(60))
    marks = _marks()
    for item in inspection.items.all()[: n // 2]:
        force_status(item, Status.COMPLETED)
        item.completed_on = days_ago(20)
        item.save()
    back_date(marks, days_ago(20))
    return inspection


def _count(client, url, params) -> int:
    client.get(url, params)  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("user_fixture", ["office_user", "liaison"])
def test_query_counts_do_not_grow_with_the_items(client, request, department, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    small, large = _round_of(3, department), _round_of(40, department)
    for url, params in [
        (reverse("ledger:item-list"), {"as_of": days_ago(30).isoformat()}),
        (reverse("ledger:item-list"), {"as_of": days_ago(30).isoformat(), "status": Status.NOT_STARTED}),
        (reverse("ledger:changes"), {"from": days_ago(40).isoformat(), "to": days_ago(10).isoformat()}),
    ]:
        counts = [_count(client, url, {**params, "inspection": inspection.pk}) for inspection in (small, large)]
        assert counts[0] == counts[1], (url, params, counts)


def test_pinned_query_counts(client, office_user, department, django_assert_num_queries):
    inspection = _round_of(30, department)
    client.force_login(office_user)
    as_of = {"as_of": days_ago(30).isoformat(), "inspection": inspection.pk}
    client.get(reverse("ledger:item-list"), as_of)
    # 21: session, user, groups; the round chosen (the filter form); the visible ids; the past
    # ledger (items, problems and their fallback, departments, leaders, leader and co-department
    # links, measures, progress: 9); the unread-reminder count; the filter form's choices
    # (rounds, problems, departments); saving the session (savepoint, update, release).
    with django_assert_num_queries(21):
        response = client.get(reverse("ledger:item-list"), as_of)
    assert response.context["table"].paginator.count == 30
    window = {"inspection": inspection.pk, "from": days_ago(40).isoformat(), "to": days_ago(10).isoformat()}
    client.get(reverse("ledger:changes"), window)
    # 19: session, user, groups; the rounds; the visible ids; the earlier day's outline (1); the
    # later day's ledger (9, as above); the unread-reminder count; saving the session (3). No 销号
    # request was returned in the window: no query for the returns.
    with django_assert_num_queries(19):
        response = client.get(reverse("ledger:changes"), window)
    assert re.search(r'data-count="新完成">15<', response.content.decode())


def test_those_who_do_not_read_the_ledger_are_refused(client, story, sysadmin):
    inspection, _items = story
    client.force_login(sysadmin)
    as_of = {"as_of": days_ago(45).isoformat(), "inspection": inspection.pk}
    assert client.get(reverse("ledger:item-list"), as_of).status_code == 403
    assert client.get(reverse("ledger:changes"), {"inspection": inspection.pk}).status_code == 403
    client.logout()
    assert client.get(reverse("ledger:changes")).status_code in (302, 403)


def test_both_pages_keep_to_the_user_s_units(client, story):
    """An office of another unit sees neither the past nor the changes of this unit's round; its
    own round it sees as this unit's office sees theirs."""
    inspection, _items = story
    elsewhere = make_unit("另一单位")
    other_round = make_inspection(name="另一单位的巡视", unit=elsewhere, feedback_date=days_ago(90))
    marks = _marks()
    make_item(
        make_problem(other_round),
        title="另一单位的事项",
        lead_department=Department.objects.create(unit=elsewhere, name="另一单位的部门"),
    )
    back_date(marks, days_ago(60))
    theirs = make_user("office_b", Role.DISCIPLINE_OFFICE, unit=elsewhere)
    ours = make_user("office_a", Role.DISCIPLINE_OFFICE, unit=the_unit())
    day = days_ago(45).isoformat()

    # Asked for this unit's round, the other unit's office gets its own round, not ours.
    client.force_login(theirs)
    response = client.get(reverse("ledger:item-list"), {"as_of": day, "inspection": inspection.pk})
    assert response.context["inspection"] == other_round
    assert [row.record.title for row in response.context["table"].paginated_rows] == ["另一单位的事项"]
    assert "往日巡视" not in response.content.decode()
    refused = client.get(reverse("ledger:changes"), {"inspection": inspection.pk})
    assert refused.status_code == 400 and "事项a" not in refused.content.decode()
    window = {"from": days_ago(70).isoformat(), "to": days_ago(10).isoformat()}
    assert _by_kind(client.get(reverse("ledger:changes"), window))["新增事项"] == ["另一单位的事项"]

    client.force_login(ours)
    listed = client.get(reverse("ledger:item-list"), {"as_of": day, "inspection": inspection.pk})
    assert sorted(row.record.title for row in listed.context["table"].paginated_rows) == [
        f"事项{key}" for key in "abcdef"
    ]
    assert client.get(reverse("ledger:changes"), {"inspection": other_round.pk}).status_code == 400
    mine = client.get(reverse("ledger:changes"), {"inspection": inspection.pk, **window})
    assert "另一单位的事项" not in mine.content.decode()
