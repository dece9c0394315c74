"""The supervising office's home: units ranked by 综合评分, each figure a link to its items, the
unit selector into a unit's cockpit, bad ``?unit=``, constant queries; and one unit as before."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rectify.accounts.demo import DEMO_PASSWORD
from rectify.accounts.models import Department, Unit, User
from rectify.accounts.roles import Role
from rectify.ledger.models import Escalation, ProgressUpdate, RectificationItem
from tests.conftest import make_user
from tests.factories import force_status, make_inspection, make_item, make_problem, make_unit, the_unit

pytestmark = pytest.mark.django_db
Status = RectificationItem.Status


def home(client, user, **params):
    client.force_login(user)
    cache.clear()
    return client.get("/", params)


def _unit_with_items(name, *, parent=None, completed=0, late=(), returns=0, escalated=0, reported=None, today):
    """A unit with one round: ``completed`` items completed on time, one open item per entry of
    ``late`` that many days overdue, the first item returned ``returns`` times, ``escalated``
    open escalations, and a progress report on ``reported`` (a date)."""
    unit = make_unit(name, parent=parent, short_name=name)
    department = Department.objects.create(unit=unit, name=f"{name}办公室")
    problem = make_problem(make_inspection(unit=unit))
    items = []
    for _ in range(completed):
        item = make_item(problem, lead_department=department, deadline=today, completed_on=today)
        force_status(item, Status.COMPLETED)
        item.save()
        items.append(item)
    for days in late:
        item = make_item(problem, lead_department=department, deadline=today - datetime.timedelta(days=days))
        force_status(item, Status.IN_PROGRESS)
        item.save()
        items.append(item)
    if returns:
        RectificationItem.objects.filter(pk=items[0].pk).update(return_count=returns)
    for level in range(1, escalated + 1):
        Escalation.objects.create(item=items[-1], level=level, cycle="-", raised_on=today, reason="逾期")
    if reported:
        ProgressUpdate.objects.create(item=items[-1], reported_on=reported, text="推进中")
    return unit


@pytest.fixture
def three_units(db):
    today = timezone.localdate()
    a = _unit_with_items("甲单位", completed=3, late=[10], returns=1, reported=today, today=today)
    b = _unit_with_items("乙单位", completed=1, late=[20, 40], escalated=2, reported=today, today=today)
    c = _unit_with_items("丙单位", late=[5], today=today)
    return a, b, c


def test_ranks_the_units_by_score(client, office_user, three_units):
    a, b, c = three_units
    response = home(client, office_user)
    assert response.status_code == 200
    assert "dashboard/supervising.html" in [t.name for t in response.templates]
    rows = {row.pk: row for row, _ in response.context["ranking"]}
    # By hand (weights 1, 0.5, 10, 5): 甲 4 items, 3 on time, 10 days late, 1 return, reported today:
    # 75 - 0.5 * 10/4 - 10 * 1/4 = 71.25 -> 71.2 (half to even); 乙 3 items, 1 on time, 60 days
    # late, reported today: 33.33 - 10 = 23.3; 丙 1 item, none on time, 5 days late, no report
    # (12 months): below 0, kept at 0.
    assert [rows[u.pk].score for u in three_units] == [71.2, 23.3, 0.0]
    assert [row.pk for row, _ in response.context["ranking"]] == [a.pk, b.pk, c.pk]
    tally = rows[b.pk].tally
    assert (tally.total, tally.completed, tally.overdue, tally.overdue_days, tally.escalations) == (3, 1, 2, 60, 2)
    assert rows[a.pk].tally.returns == 1 and rows[a.pk].tally.last_progress == timezone.localdate()
    assert rows[c.pk].tally.last_progress is None
    totals = response.context["totals"]
    assert (totals.total, totals.overdue, totals.escalations) == (8, 4, 2)
    body = response.content.decode()
    assert "综合评分 = 按期完成率(%) × 1 − 平均逾期天数 × 0.5 − 平均退回次数 × 10 − 未报进展月数 × 5" in body
    assert 'aria-label="单位"' in body
    assert 'class="table-responsive"' in body


def test_weights_come_from_settings(client, office_user, three_units, settings):
    settings.RECTIFY_SCORE_WEIGHTS = {"on_time": 1, "overdue_days": 0, "returns": 0, "stale_months": 0}
    rows = {row.pk: row.score for row, _ in home(client, office_user).context["ranking"]}
    assert [rows[u.pk] for u in three_units] == [75.0, 33.3, 0.0]


def test_every_figure_links_to_its_items(client, office_user, three_units):
    a, b, c = three_units
    response = home(client, office_user)
    links = dict((row.pk, links) for row, links in response.context["ranking"])[b.pk]

    def listed(url):
        page = client.get(url)
        assert page.status_code == 200
        return {row.record.pk for row in page.context["table"].page.object_list}

    b_items = RectificationItem.objects.filter(inspection__unit=b)
    assert listed(links.items) == set(b_items.values_list("pk", flat=True))
    assert listed(links.completed) == set(b_items.filter(status=Status.COMPLETED).values_list("pk", flat=True))
    assert len(listed(links.overdue)) == 2
    assert listed(links.escalated) == set(b_items.filter(escalations__isnull=False).values_list("pk", flat=True))
    a_links = dict((row.pk, links) for row, links in response.context["ranking"])[a.pk]
    assert len(listed(a_links.returned)) == 1
    assert client.get(links.cockpit).context["unit"] == b


def test_unit_selector_drills_into_a_cockpit(client, office_user, three_units):
    a, b, c = three_units
    response = home(client, office_user, unit=b.pk)
    assert "dashboard/index.html" in [t.name for t in response.templates]
    assert response.context["figures"].total == 3
    assert response.context["unit"] == b
    body = response.content.decode()
    assert f'<option value="{b.pk}" selected>乙单位</option>' in body
    assert f'<input type="hidden" name="unit" value="{b.pk}">' in body
    assert [row.name for row in response.context["department_scores"]] == ["乙单位办公室"]
    # The cockpit's figures link within the unit.
    assert response.context["links"]["overdue"].startswith(f"/items/?unit={b.pk}&")


def test_subtree_rolls_up_and_a_parent_office_sees_its_children(client, three_units):
    a, b, c = three_units
    today = timezone.localdate()
    child = _unit_with_items("甲下属单位", parent=a, late=[2], today=today)
    office = make_user("a-office", Role.DISCIPLINE_OFFICE, unit=a)
    response = home(client, office)
    rows = {row.pk: row for row, _ in response.context["ranking"]}
    assert set(rows) == {a.pk, child.pk}
    assert rows[a.pk].tally.total == 5 and rows[child.pk].tally.total == 1
    assert response.context["totals"].total == 5
    listed = client.get(f"/items/?unit={a.pk}")
    assert listed.context["table"].paginator.count == 5
    # The child's own office: one unit, its own cockpit, no ranking, no unit filter.
    child_office = make_user("child-office", Role.DISCIPLINE_OFFICE, unit=child)
    response = home(client, child_office)
    assert "dashboard/index.html" in [t.name for t in response.templates]
    assert response.context["figures"].total == 1
    assert "units" not in response.context
    assert "unit" not in client.get("/items/").context["filter"].form.fields


@pytest.mark.parametrize("choice", ["999999", "abc", "-1", "1.5"])
def test_bad_unit_is_404(client, office_user, three_units, choice):
    assert home(client, office_user, unit=choice).status_code == 404


def test_another_units_cockpit_is_404_and_reveals_nothing(client, three_units):
    a, b, c = three_units
    office = make_user("a-office", Role.DISCIPLINE_OFFICE, unit=a)
    response = home(client, office, unit=b.pk)
    assert response.status_code == 404
    assert "乙单位" not in response.content.decode()
    listed = client.get(f"/items/?unit={b.pk}")
    assert "unit" not in listed.context["filter"].form.fields  # one unit in scope: no unit filter
    assert {row.record.inspection.unit_id for row in listed.context["table"].page.object_list} == {a.pk}


def test_item_list_unit_filter_offers_the_scope(client, office_user, three_units):
    a, b, c = three_units
    client.force_login(office_user)
    form = client.get("/items/").context["filter"].form
    assert form.fields["unit"].label == "单位"
    assert [choice for choice, _ in form.fields["unit"].choices if choice] == [a.pk, b.pk, c.pk]
    response = client.get("/items/", {"unit": "abc"})
    assert "unit" in response.context["filter"].form.errors


def _unit_queries(client, user, count, **params):
    today = timezone.localdate()
    for n in range(Unit.objects.count(), Unit.objects.count() + count):
        _unit_with_items(f"单位{n:03d}", completed=1, late=[n + 1], returns=1, reported=today, escalated=1, today=today)
    client.force_login(user)
    client.get("/", params)
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/", params)
    assert response.status_code == 200
    return len(queries), response


def test_supervising_home_query_count_is_constant(client, office_user, django_db_blocker):
    three, response = _unit_queries(client, office_user, 3)
    assert len(response.context["ranking"]) == 3
    thirty, response = _unit_queries(client, office_user, 27)
    assert len(response.context["ranking"]) == 30
    # session, user, groups; the rounds (with their units); the units; the items by unit, their open
    # escalations, their last reports; pending sign-offs and extensions; the unread-reminder count;
    # saving the session (savepoint, update, release).
    assert three == thirty == 14


def test_unit_cockpit_query_count_is_constant(client, office_user):
    three, response = _unit_queries(client, office_user, 3)
    unit_pk = response.context["ranking"][0][0].pk
    three, response = _unit_queries(client, office_user, 0, unit=unit_pk)
    assert response.context["figures"].total == 2
    thirty, response = _unit_queries(client, office_user, 27, unit=unit_pk)
    assert response.context["figures"].total == 2
    # The cockpit's 20 (test_dashboard.test_pinned_query_count) less the per-round problems chart
    # (no round chosen), plus the units of the scope and the department scores' three.
    assert three == thirty == 23


# --- One unit looks as today ----------------------------------------------------------------------

BLOCKS = re.compile(r'data-(?:section|figure|list|chart|select)="([^"]+)"|<div class="card-header">([^<]+)<')


def _blocks(body: str) -> list[str]:
    return [a or b for a, b in BLOCKS.findall(body)]


def test_the_seed_alone_looks_as_before(client, seed):
    call_command("create_demo_accounts", verbosity=0)
    ledger = [
        "total",
        "completed",
        "ongoing",
        "in_progress",
        "not_started",
        "pending_signoff",
        "overdue",
        "completion_rate",
        "closed_rate",
        "escalations",
    ]
    charts = [
        "完成状态", "status", "各责任部门整改情况", "departments", "各责任领导整改情况", "leaders",
        "各反馈问题整改情况", "problems", "销号进度（按月）", "trend", "未来八周到期事项", "deadlines",
        "overdue", "due-soon", "部门排名", "department-ranking",
    ]  # fmt: skip
    office = ["personal", "待我审核", "office-review", *ledger, "reconciliation", *charts]
    expected = {
        "office": office,
        "supervisor": office,
        "leader": [*ledger, "reconciliation", "personal", "我负责的事项（未完成）", "my-items", *charts],
        "liaison": ["personal", "本部门待办", "liaison-todo", *ledger, *charts],
    }
    for username in ("office", "supervisor", "leader", "liaison"):
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        client.force_login(user)
        cache.clear()
        response = client.get("/")
        assert response.status_code == 200
        body = response.content.decode()
        assert "dashboard/supervising.html" not in [t.name for t in response.templates]
        assert 'aria-label="单位"' not in body and "综合评分" not in body and "unit-ranking" not in body
        assert "unit" not in client.get("/items/").context["filter"].form.fields
        assert _blocks(body) == expected[username], username
        # The one unit's own cockpit is the home itself.
        cache.clear()
        assert _blocks(client.get("/", {"unit": the_unit().pk}).content.decode()) == expected[username]
    assert User.objects.get(username="office").unit_id is not None
    assert User.objects.get(username="supervisor").unit_id is None


def test_cached_figures_are_not_shared_between_units(client, three_units):
    """The dashboard's cached fragments are kept per scope: one unit's office never gets
    another's figures from the cache."""
    a, b, c = three_units
    office_a = make_user("a-office", Role.DISCIPLINE_OFFICE, unit=a)
    office_b = make_user("b-office", Role.DISCIPLINE_OFFICE, unit=b)
    cache.clear()
    client.force_login(office_a)
    assert 'data-figure="total">4<' in client.get("/", {"inspection": "all"}).content.decode()
    client.force_login(office_b)
    body = client.get("/", {"inspection": "all"}).content.decode()  # the cache is not cleared in between
    assert 'data-figure="total">3<' in body
    assert "甲单位办公室" not in body
