"""The item list and detail pages: who sees what, every filter, constant query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rectify.accounts.models import Leader
from rectify.ledger.models import ProgressUpdate, RectificationItem
from tests.factories import force_status, make_inspection, make_item, make_problem, the_unit

pytestmark = pytest.mark.django_db
Status = RectificationItem.Status


def listed_numbers(response) -> list[int]:
    return sorted(row.record.number for row in response.context["table"].page.object_list)


@pytest.fixture
def items(department, other_department):
    """Five items with distinct values for every filter."""
    today = timezone.localdate()
    inspection = make_inspection(name="甲巡视")
    problem_a = make_problem(inspection, title="产业规模小")
    problem_b = make_problem(inspection, title="营商环境不优")
    leader_a = Leader.objects.create(unit=the_unit(), name="张某", position="党工委书记")
    leader_b = Leader.objects.create(unit=the_unit(), name="李某", position="管委会主任")
    return {
        "inspection": inspection,
        "problem_b": problem_b,
        "leader_b": leader_b,
        1: make_item(
            problem_a,
            title="招商引资不足",
            lead_department=department,
            leaders=[leader_a],
            deadline=today - datetime.timedelta(days=3),
            status=Status.IN_PROGRESS,
            kind=RectificationItem.Kind.TIME_BOUND,
            measures=["加大招商力度"],
        ),
        2: make_item(
            problem_a,
            title="龙头企业缺乏",
            lead_department=department,
            leaders=[leader_a],
            deadline=today + datetime.timedelta(days=5),
            status=Status.NOT_STARTED,
            kind=RectificationItem.Kind.IMMEDIATE,
        ),
        3: make_item(
            problem_b,
            title="审批效率低",
            lead_department=other_department,
            leaders=[leader_b],
            co_departments=[department],
            deadline=today + datetime.timedelta(days=30),
            status=Status.PENDING_SIGNOFF,
            kind=RectificationItem.Kind.TIME_BOUND,
        ),
        4: make_item(
            problem_b,
            title="惠企资金",
            lead_department=other_department,
            leaders=[leader_b],
            deadline=today - datetime.timedelta(days=40),
            status=Status.COMPLETED,
            kind=RectificationItem.Kind.TIME_BOUND,
        ),
        5: make_item(
            problem_b,
            title="公交站台",
            lead_department=other_department,
            leaders=[leader_a, leader_b],
            deadline=None,
            status=Status.ONGOING,
            kind=RectificationItem.Kind.LONG_TERM,
        ),
    }


def get_list(client, user, **params):
    client.force_login(user)
    response = client.get("/items/", params)
    assert response.status_code == 200
    return response


class TestWhoSeesWhat:
    def test_discipline_office_and_leaders_see_every_item(self, client, items, office_user, leader_user):
        assert listed_numbers(get_list(client, office_user)) == [1, 2, 3, 4, 5]
        assert listed_numbers(get_list(client, leader_user)) == [1, 2, 3, 4, 5]

    def test_liaison_sees_the_items_their_department_leads_or_co_operates(self, client, items, liaison):
        assert listed_numbers(get_list(client, liaison)) == [1, 2, 3]

    def test_liaison_of_another_department(self, client, items, other_liaison):
        assert listed_numbers(get_list(client, other_liaison)) == [3, 4, 5]

    def test_system_administrator_reads_no_ledger(self, client, items, sysadmin):
        client.force_login(sysadmin)
        assert client.get("/items/").status_code == 403
        assert client.get(f"/items/{items[1].pk}/").status_code == 403

    def test_detail_for_owner_co_operating_and_outsider(self, client, items, liaison, other_liaison, leader_user):
        client.force_login(liaison)
        assert client.get(f"/items/{items[1].pk}/").status_code == 200
        assert client.get(f"/items/{items[3].pk}/").status_code == 200  # co-operating: read-only
        assert client.get(f"/items/{items[4].pk}/").status_code == 404
        client.force_login(other_liaison)
        assert client.get(f"/items/{items[1].pk}/").status_code == 404
        client.force_login(leader_user)
        assert client.get(f"/items/{items[1].pk}/").status_code == 200

    def test_missing_item_is_404(self, client, office_user):
        client.force_login(office_user)
        assert client.get("/items/999999/").status_code == 404


class TestFilters:
    def test_keyword_in_title(self, client, items, office_user):
        assert listed_numbers(get_list(client, office_user, q="审批")) == [3]

    def test_keyword_in_measures(self, client, items, office_user):
        assert listed_numbers(get_list(client, office_user, q="招商力度")) == [1]

    def test_keyword_in_progress(self, client, items, office_user):
        ProgressUpdate.objects.create(item=items[2], text="已召开专题会议研究")
        assert listed_numbers(get_list(client, office_user, q="专题会议")) == [2]

    def test_inspection(self, client, items, office_user):
        make_item(make_problem(make_inspection(name="乙巡视")))
        assert listed_numbers(get_list(client, office_user, inspection=items["inspection"].pk)) == [1, 2, 3, 4, 5]

    def test_problem(self, client, items, office_user):
        assert listed_numbers(get_list(client, office_user, problem=items["problem_b"].pk)) == [3, 4, 5]
        scoped = get_list(client, office_user, inspection=items["inspection"].pk, problem=items["problem_b"].pk)
        assert listed_numbers(scoped) == [3, 4, 5]

    def test_problem_choices_follow_the_inspection(self, client, items, office_user):
        other = make_problem(make_inspection(name="乙巡视"), title="别的问题")
        choices = (
            get_list(client, office_user, inspection=items["inspection"].pk).context["filter"].form.fields["problem"]
        )
        assert other not in choices.queryset and items["problem_b"] in choices.queryset
        unscoped = get_list(client, office_user).context["filter"].form.fields["problem"]
        assert not unscoped.queryset.exists()

    def test_status_one_and_several(self, client, items, office_user):
        assert listed_numbers(get_list(client, office_user, status="completed")) == [4]
        assert listed_numbers(get_list(client, office_user, status=["completed", "ongoing"])) == [4, 5]

    def test_lead_department(self, client, items, office_user, department):
        assert listed_numbers(get_list(client, office_user, lead_department=department.pk)) == [1, 2]

    def test_leader(self, client, items, office_user):
        assert listed_numbers(get_list(client, office_user, leader=items["leader_b"].pk)) == [3, 4, 5]

    def test_kind(self, client, items, office_user):
        assert listed_numbers(get_list(client, office_user, kind="immediate")) == [2]

    def test_deadline_range(self, client, items, office_user):
        today = timezone.localdate()
        params = {
            "deadline_after": today.isoformat(),
            "deadline_before": (today + datetime.timedelta(days=30)).isoformat(),
        }
        assert listed_numbers(get_list(client, office_user, **params)) == [2, 3]

    def test_overdue(self, client, items, office_user):
        assert listed_numbers(get_list(client, office_user, overdue="true")) == [1]
        assert listed_numbers(get_list(client, office_user, overdue="false")) == [2, 3, 4, 5]

    @pytest.mark.parametrize(
        ("light", "numbers"), [("red", [1]), ("yellow", [2]), ("green", [3]), ("grey", [4]), ("blue", [5])]
    )
    def test_light(self, client, items, office_user, light, numbers):
        assert listed_numbers(get_list(client, office_user, light=light)) == numbers

    def test_invalid_filter_value_shows_a_chinese_error_not_a_crash(self, client, items, office_user):
        response = get_list(client, office_user, light="purple", deadline_after="2024-13-45")
        body = response.content.decode()
        assert "选择一个有效的选项" in body
        assert "输入一个有效的日期" in body


class TestListPage:
    def test_shows_badges_and_chinese_headers(self, client, items, office_user):
        body = get_list(client, office_user).content.decode()
        for header in ("序号", "反馈问题", "整改事项", "责任部门", "责任领导", "完成时限", "完成状态", "预警"):
            assert header in body
        assert "status-completed" in body and "light-red" in body

    def test_sorting_by_deadline(self, client, items, office_user):
        response = get_list(client, office_user, sort="-deadline")
        numbers = [row.record.number for row in response.context["table"].page.object_list]
        assert numbers[:4] == [3, 2, 1, 4]

    def test_query_count_does_not_grow_with_rows(self, client, items, office_user, department):
        client.force_login(office_user)
        with CaptureQueriesContext(connection) as few:
            client.get("/items/")
        problem = items[1].problem
        leader = Leader.objects.first()
        for _ in range(30):
            make_item(problem, lead_department=department, leaders=[leader])
        with CaptureQueriesContext(connection) as many:
            response = client.get("/items/")
        assert len(response.context["table"].page.object_list) == 25
        assert len(many) == len(few)

    def test_pinned_query_count(self, client, items, office_user, django_assert_num_queries):
        client.force_login(office_user)
        client.get("/items/")  # warm the session
        # Expect 15 queries: session, user, the user's groups, the row count, the filter form's three
        # choice lists (inspection, department, leader; problems are offered only once an inspection
        # is chosen), the bulk-action form's two (department,
        # leader; staff only), the page of items, their leaders, the unread-reminder count in the
        # navigation, and saving the session (savepoint, update, release: idle sessions expire after
        # 30 minutes).
        with django_assert_num_queries(15):
            client.get("/items/")


class TestDetailPage:
    def test_shows_everything_about_the_item(self, client, items, office_user):
        item = items[1]
        force_status(item, Status.COMPLETED)
        item.completed_on = timezone.localdate()
        item.save()
        client.force_login(office_user)
        body = client.get(f"/items/{item.pk}/").content.decode()
        assert "招商引资不足" in body
        assert "一是" in body and "加大招商力度" in body
        assert "张某" in body and "测试部门甲" in body
        assert "变更记录" in body
        assert "整改中</del> → <ins>已完成（已销号）" in body

    def test_query_count_does_not_grow_with_history(self, client, items, office_user):
        item = items[1]
        client.force_login(office_user)
        client.get(f"/items/{item.pk}/")
        with CaptureQueriesContext(connection) as before:
            client.get(f"/items/{item.pk}/")
        for n in range(10):
            item.note = f"第{n}次修改"
            item.save()
            ProgressUpdate.objects.create(item=item, text=f"进展{n}")
        with CaptureQueriesContext(connection) as after:
            client.get(f"/items/{item.pk}/")
        assert len(after) == len(before)
