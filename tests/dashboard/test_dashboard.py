"""The dashboard's figures, lists, personal views, links and its constant query count."""

import datetime
import json
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rectify.accounts.models import Department, Leader, User
from rectify.accounts.roles import Role
from rectify.ledger import services
from rectify.ledger.models import Extension, Inspection, RectificationItem, SignOff
from tests.factories import make_inspection, make_item, make_problem, the_unit

pytestmark = pytest.mark.django_db
Status = RectificationItem.Status


def dashboard(client, user, **params):
    """The dashboard rendered afresh (uncached), so that its context holds the figures."""
    client.force_login(user)
    cache.clear()
    response = client.get("/", params)
    assert response.status_code == 200
    return response


def test_seed_figures(client, seed, leader_user):
    response = dashboard(client, leader_user)
    figures = response.context["figures"]
    assert (figures.total, figures.completed, figures.in_progress, figures.overdue) == (21, 20, 1, 1)
    body = response.content.decode()
    assert 'data-figure="completion_rate">95.2%' in body
    assert "32 个整改事项，台账中现有 21 项，另有 11 项未列入台账" in body
    assert [item.number for item in response.context["overdue_items"]] == [21]
    charts = json.loads(response.context["charts"] and json.dumps(response.context["charts"]))
    assert sum(s["value"] for s in charts["status"]) == 21
    assert charts["trend"]["cumulative"][-1] == 20
    assert len(charts["problems"]["categories"]) == 11


def test_every_figure_links_to_its_items(client, seed, office_user):
    response = dashboard(client, office_user)
    links = response.context["links"]
    for key, expected in [("overdue", [21]), ("completed", list(range(1, 21))), ("in_progress", [21]), ("ongoing", [])]:
        listed = client.get(links[key])
        numbers = sorted(row.record.number for row in listed.context["table"].page.object_list)
        assert numbers == expected[:25], key


def test_chart_segments_link_to_their_items(client, seed, office_user):
    charts = dashboard(client, office_user).context["charts"]
    departments = charts["departments"]
    in_progress = next(s for s in departments["series"] if s["name"] == "整改中")
    index = next(i for i, n in enumerate(in_progress["data"]) if n)
    listed = client.get(in_progress["urls"][index])
    assert [row.record.number for row in listed.context["table"].page.object_list] == [21]


def test_inspection_choice_is_remembered(client, seed, office_user):
    other = make_inspection(name="另一轮巡察")
    make_item(make_problem(other))
    assert dashboard(client, office_user).context["inspection"] is None  # two inspections: all by default
    assert dashboard(client, office_user, inspection=other.pk).context["inspection"] == other
    assert dashboard(client, office_user).context["inspection"] == other
    assert dashboard(client, office_user, inspection="all").context["inspection"] is None
    assert dashboard(client, office_user).context["figures"].total == 22


def test_due_soon_and_overdue_boundaries(client, office_user):
    today = timezone.localdate()
    problem = make_problem()
    for days in (-1, 0, 1, 10, 11):
        make_item(problem, title=f"{days}天", deadline=today + datetime.timedelta(days=days), status=Status.IN_PROGRESS)
    response = dashboard(client, office_user)
    assert [i.title for i in response.context["overdue_items"]] == ["-1天"]
    assert [i.title for i in response.context["due_soon_items"]] == ["0天", "1天", "10天"]


def test_department_ranking(client, office_user):
    good, bad = (
        Department.objects.create(unit=the_unit(), name="甲局"),
        Department.objects.create(unit=the_unit(), name="乙局"),
    )
    problem = make_problem()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    make_item(problem, lead_department=good, status=Status.COMPLETED)
    make_item(problem, lead_department=bad, status=Status.COMPLETED)
    make_item(problem, lead_department=bad, deadline=yesterday, status=Status.IN_PROGRESS)
    rows = dashboard(client, office_user).context["departments"]
    assert [(r.name, r.total, round(r.completion_rate, 1), r.overdue) for r in rows] == [
        ("甲局", 1, 100.0, 0),
        ("乙局", 2, 50.0, 1),
    ]


class TestPersonal:
    def test_leader_sees_their_own_items(self, client, leader_user):
        me = Leader.objects.create(unit=the_unit(), name="张某", position="书记", user=leader_user)
        problem = make_problem()
        make_item(problem, title="我的", leaders=[me])
        make_item(problem, title="别人的")
        make_item(problem, title="我的已完成", leaders=[me], status=Status.COMPLETED)
        response = dashboard(client, leader_user)
        assert [i.title for i in response.context["my_items"]] == ["我的"]

    def test_liaison_todo(self, client, liaison, department, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        problem = make_problem()
        stale = make_item(problem, title="久未更新", lead_department=department, status=Status.IN_PROGRESS)
        fresh = make_item(problem, title="刚更新", lead_department=department)
        services.add_progress(item_id=fresh.pk, user=liaison, text="本月进展")
        make_item(problem, title="别的部门")
        returned = make_item(
            problem, title="被退回", lead_department=department, status=Status.IN_PROGRESS, return_count=1
        )
        services.add_progress(item_id=returned.pk, user=liaison, text="进展")
        response = dashboard(client, liaison)
        assert [i.title for i in response.context["stale_items"]] == ["久未更新"]
        assert [i.title for i in response.context["returned_items"]] == ["被退回"]
        assert stale.title in response.content.decode()

    def test_office_sees_requests_waiting(self, client, office_user, liaison, department):
        item = make_item(lead_department=department, deadline=timezone.localdate() + datetime.timedelta(days=5))
        services.request_extension(
            item_id=item.pk, user=liaison, new_deadline=item.deadline + datetime.timedelta(days=30), reason="资金"
        )
        response = dashboard(client, office_user)
        assert [e.item for e in response.context["review_extensions"]] == [item]
        assert "待我审核" in response.content.decode()

    def test_the_supervising_office_reviews_only_for_units_without_an_office(
        self, client, office_user, liaison, department
    ):
        """Units: once the item's unit has an office of its own, its requests wait for that office,
        not for the supervising office (tied to no unit)."""
        from tests.conftest import make_user

        item = make_item(lead_department=department, deadline=timezone.localdate() + datetime.timedelta(days=5))
        services.request_extension(
            item_id=item.pk, user=liaison, new_deadline=item.deadline + datetime.timedelta(days=30), reason="资金"
        )
        unit_office = make_user("unit_office", Role.DISCIPLINE_OFFICE, unit=the_unit())
        assert [e.item for e in dashboard(client, unit_office).context["review_extensions"]] == [item]
        assert list(dashboard(client, office_user).context["review_extensions"]) == []


def test_those_who_do_not_read_the_ledger_start_elsewhere(client, sysadmin):
    from tests.conftest import make_user

    client.force_login(sysadmin)
    assert client.get("/")["Location"] == "/admin/"
    client.force_login(make_user("auditor", Role.AUDITOR))
    assert client.get("/")["Location"] == "/accounts/audit/"
    client.force_login(make_user("nobody", None))
    assert client.get("/").status_code == 403


def _many_items(n: int, tag: str = "") -> Inspection:
    """n items spread over departments, leaders, statuses and deadlines (bulk, no history)."""
    inspection = make_inspection()
    problems = [make_problem(inspection) for _ in range(5)]
    departments = [Department.objects.create(unit=the_unit(), name=f"{tag}部门{i}") for i in range(8)]
    leaders = [Leader.objects.create(unit=the_unit(), name=f"{tag}领导{i}", position="副主任") for i in range(4)]
    today = timezone.localdate()
    statuses = list(Status)
    items = RectificationItem.objects.bulk_create(
        RectificationItem(
            inspection=inspection,
            problem=problems[i % 5],
            number=i + 1,
            title=f"事项{i}",
            lead_department=departments[i % 8],
            status=statuses[i % 5],
            completed_on=today if statuses[i % 5] == Status.COMPLETED else None,
            deadline=today + datetime.timedelta(days=(-5, 5, 30)[i % 3]),
        )
        for i in range(n)
    )
    Through = RectificationItem.leaders.through
    Through.objects.bulk_create(Through(rectificationitem=item, leader=leaders[i % 4]) for i, item in enumerate(items))
    return inspection


def test_query_count_is_the_same_for_10_and_1000_items(client, office_user):
    small = _many_items(10)
    client.force_login(office_user)
    client.get("/", {"inspection": small.pk})
    cache.clear()
    with CaptureQueriesContext(connection) as ten:
        client.get("/", {"inspection": small.pk})
    large = _many_items(1000, tag="大")
    client.get("/", {"inspection": large.pk})
    cache.clear()
    with CaptureQueriesContext(connection) as thousand:
        response = client.get("/", {"inspection": large.pk})
    assert response.context["figures"].total == 1000
    assert len(thousand) == len(ten)


def test_pinned_query_count(client, office_user, django_assert_num_queries):
    inspection = _many_items(50)
    client.force_login(office_user)
    client.get("/", {"inspection": inspection.pk})
    cache.clear()
    # Expect 20 queries: session, user, groups; the inspections; the ledger revision (last history
    # ids, one query); by department (the status figures are its totals), by leader, by problem; the overdue
    # list and its leaders; the due-soon list and its leaders; completions by month; deadlines
    # ahead (per day over eight weeks); pending sign-offs and extensions (the staff's view); the
    # unread-reminder count in the navigation; and saving the session (savepoint, update, release).
    with django_assert_num_queries(20):
        client.get("/")
    # Cached: the 11 ledger queries are skipped.
    with django_assert_num_queries(11):
        client.get("/")


def _rename_department(item, user):
    item.lead_department.name = "改名后的部门"
    item.lead_department.save()
    return "改名后的部门"


def _rename_leader(item, user):
    leader = item.leaders.get()
    leader.name = "改名后的领导"
    leader.save()
    return "改名后的领导"


def _retitle_problem(item, user):
    item.problem.title = "改写后的问题"
    item.problem.save()
    return "改写后的问题"


def _replan_inspection(item, user):
    item.inspection.planned_item_count = 7
    item.inspection.save()
    return "台账中现有 1 项，另有 6 项未列入台账"


def _add_leader(item, user):
    item.leaders.add(Leader.objects.create(unit=the_unit(), name="新增的领导", position="副主任"))
    return "新增的领导"


def _close_item(item, user):
    later = timezone.localdate() + datetime.timedelta(days=90)
    services.designate_long_term(item_id=item.pk, user=user, reason="转入长期坚持", next_review_on=later)
    return "没有逾期事项。"


@pytest.mark.parametrize(
    "change", [_rename_department, _rename_leader, _retitle_problem, _replan_inspection, _add_leader, _close_item]
)
def test_cached_ledger_part_follows_every_change(client, office_user, department, change):
    """The ledger part is cached (the second request runs fewer queries) until any of what it
    shows changes: then the next request shows the change."""
    leader = Leader.objects.create(unit=the_unit(), name="原来的领导", position="主任")
    item = make_item(
        deadline=timezone.localdate() - datetime.timedelta(days=1),
        status=Status.IN_PROGRESS,
        lead_department=department,
        leaders=[leader],
    )
    client.force_login(office_user)
    inspection = {"inspection": item.inspection_id}
    with CaptureQueriesContext(connection) as rendered:
        client.get("/", inspection)
    with CaptureQueriesContext(connection) as cached:
        first = client.get("/", inspection).content.decode()
    assert len(cached) < len(rendered)

    shown = change(item, office_user)

    second = client.get("/", inspection).content.decode()
    assert not _shows(first, shown)
    assert _shows(second, shown)


def _shows(html: str, text: str) -> bool:
    """In the page or in the charts' data (JSON, where Chinese is escaped)."""
    return text in html or json.dumps(text)[1:-1] in html


def test_cached_ledger_part_is_not_shared_between_scopes(client, office_user, liaison, other_liaison, department):
    """The office's cached figures (every item) never reach a liaison, who sees their own department's."""
    make_item(lead_department=department)
    make_item()
    client.force_login(office_user)
    assert dashboard(client, office_user).context["figures"].total == 2
    client.get("/")  # now cached for the whole-ledger scope
    client.force_login(liaison)
    assert 'data-figure="total">1<' in client.get("/").content.decode().replace("\n", "")
    client.force_login(other_liaison)
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["figures"].total == 0


def test_cached_ledger_part_is_not_shared_between_units(client, office_user):
    """The supervising office's cached figures (every unit) never reach a unit's own office."""
    from rectify.accounts.roles import Role
    from tests.conftest import make_user
    from tests.factories import make_inspection, make_problem, make_unit, the_unit

    make_item(make_problem(make_inspection(unit=the_unit())))
    make_item(make_problem(make_inspection(unit=the_unit())))  # two rounds: the home shows all of them
    elsewhere = make_unit("另一单位")
    unit_office = make_user("office_elsewhere", Role.DISCIPLINE_OFFICE, unit=elsewhere)
    other_client = Client()
    client.force_login(office_user)
    other_client.force_login(unit_office)  # signing in saves the account: before the cache fills
    client.get("/")  # cached for the supervising office's scope
    body = other_client.get("/").content.decode().replace("\n", "")
    assert 'data-figure="total">0<' in body


@pytest.mark.parametrize("user_fixture", ["office_user", "liaison"])
def test_review_lists_run_a_fixed_number_of_queries(client, request, department, user_fixture):
    """The staff's 待我审核 and the liaison's 待办 list pending requests with their items and
    requesters: as many queries for 2 requests as for 25."""
    user = request.getfixturevalue(user_fixture)
    submitter = User.objects.create(username="submitter", full_name="申请人甲")
    counts = []
    for n in (2, 25):
        inspection = make_inspection()
        problem = make_problem(inspection)
        for number in range(1, n + 1):
            item = make_item(problem, number=number, lead_department=department)
            SignOff.objects.create(item=item, note="已完成", requested_by=submitter)
            Extension.objects.create(
                item=item, requested_deadline=datetime.date(2030, 1, 1), reason="需要时间", requested_by=submitter
            )
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/", {"inspection": inspection.pk})
        body = response.content.decode()
        listed = min(n, 20)  # the oldest 20 of each kind, and a link to the rest
        assert body.count("申请人甲") == (2 * listed if user_fixture == "office_user" else 0)
        assert ("查看全部待销号事项" in body) == (n > 20 and user_fixture == "office_user")
        assert body.count(f"{listed}. 整改事项{listed}") >= 2
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_review_list_links_to_every_item_waiting_for_sign_off(client, office_user, department):
    submitter = User.objects.create(username="submitter", full_name="申请人甲")
    inspection = make_inspection()
    problem = make_problem(inspection)
    for number in range(1, 23):
        item = make_item(problem, number=number, status=Status.PENDING_SIGNOFF)
        SignOff.objects.create(item=item, note="已完成", requested_by=submitter)
    client.force_login(office_user)
    body = client.get("/", {"inspection": inspection.pk}).content.decode()
    link = re.search(r'href="([^"]+)">查看全部待销号事项', body)[1].replace("&amp;", "&")
    listed = client.get(link)
    assert listed.status_code == 200
    assert listed.context["table"].paginator.count == 22


def test_each_role_s_home_is_called_by_what_it_is(client, seed, office_user, liaison, leader_user):
    """A liaison's and the office's home is a 工作台 with what needs them above the figures; a
    leader's is the 领导驾驶舱, figures first."""
    for user, name in ((office_user, "工作台"), (liaison, "工作台"), (leader_user, "领导驾驶舱")):
        client.force_login(user)
        page = client.get("/").content.decode()
        assert f"<title>{name} · " in page, user
        figures = page.find('data-figure="completion_rate"')
        personal = page.find('data-section="personal"')
        assert figures != -1
        if personal != -1:
            assert (personal < figures) == (name == "工作台"), user
