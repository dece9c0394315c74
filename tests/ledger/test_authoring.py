"""The office builds the ledger in the workspace: rounds, problems, items with their measures,
and their order; every write audited, atomic, and refused in Chinese when the input is wrong."""

import datetime

import pytest
from django.urls import reverse

from rectify.accounts.models import AuditEvent, Department, Leader
from rectify.accounts.roles import Role
from rectify.ledger import services
from rectify.ledger.models import FeedbackProblem, Inspection, Measure, RectificationItem
from rectify.ledger.services import WorkflowError
from tests.conftest import make_user
from tests.factories import force_status, make_inspection, make_item, make_problem, make_unit, the_unit

pytestmark = pytest.mark.django_db
Kind = AuditEvent.Kind
FEEDBACK = datetime.date(2024, 3, 1)


@pytest.fixture
def ledger(department):
    """A round with two problems: （一） holds items 1, 2; （二） holds item 3."""
    inspection = make_inspection(name="甲巡视", feedback_date=FEEDBACK)
    first = make_problem(inspection, title="产业规模小")
    second = make_problem(inspection, title="营商环境不优")
    items = [
        make_item(first, title="招商引资不足", lead_department=department, measures=["加大招商力度", "建立台账"]),
        make_item(first, title="龙头企业缺乏", lead_department=department, measures=["培育龙头"]),
        make_item(second, title="审批时限长", lead_department=department, measures=["压缩时限"]),
    ]
    return {"inspection": inspection, "first": first, "second": second, "items": items}


def layout(inspection) -> list[tuple[str, list[tuple[int, str]]]]:
    """The round as its page reads: each problem's label and title, with its items' numbers and titles."""
    return [
        (f"{problem.label}{problem.title}", [(item.number, item.title) for item in problem.items.order_by("number")])
        for problem in inspection.problems.order_by("sequence")
    ]


ROUND_FIELDS = {
    "name": "省委第三巡视组巡视某区",
    "kind": Inspection.Kind.INSPECTION,
    "inspecting_body": "省委第三巡视组",
    "inspected_unit": "某区",
    "onsite_start": datetime.date(2024, 1, 5),
    "onsite_end": datetime.date(2024, 2, 5),
    "feedback_date": FEEDBACK,
    "concentrated_period_end": datetime.date(2024, 6, 1),
    "plan_title": "某区落实巡视反馈问题整改工作方案",
    "planned_problem_count": 5,
    "planned_item_count": 12,
}


class TestRounds:
    def test_create_round_is_audited_with_history(self, office_user):
        inspection = services.create_inspection(user=office_user, fields=dict(ROUND_FIELDS))
        assert inspection.planned_item_count == 12
        assert inspection.history.get().history_user == office_user
        event = AuditEvent.objects.get(kind=Kind.INSPECTION_CREATED)
        assert event.user == office_user and "省委第三巡视组巡视某区" in event.detail

    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"name": "  "}, "请填写巡视轮次的名称。"),
            ({"onsite_end": datetime.date(2024, 1, 1)}, "「结束日期」不能早于「进驻日期」。"),
            ({"feedback_date": datetime.date(2024, 2, 1)}, "「反馈日期」不能早于巡视结束日期（2024年2月5日）。"),
            (
                {"concentrated_period_end": datetime.date(2024, 2, 1)},
                "「集中整改期截止日期」不能早于反馈日期（2024年3月1日）。",
            ),
        ],
    )
    def test_bad_round_refused_and_nothing_saved(self, office_user, changes, message):
        with pytest.raises(WorkflowError) as refused:
            services.create_inspection(user=office_user, fields={**ROUND_FIELDS, **changes})
        assert refused.value.messages == [message]
        assert not Inspection.objects.exists() and not AuditEvent.objects.exists()

    def test_duplicate_name_refused(self, office_user):
        make_inspection(name=ROUND_FIELDS["name"])
        with pytest.raises(WorkflowError, match="本单位已有名为「省委第三巡视组巡视某区」的巡视轮次"):
            services.create_inspection(user=office_user, fields=dict(ROUND_FIELDS))

    def test_create_round_page(self, client, office_user):
        client.force_login(office_user)
        assert "新建巡视轮次" in client.get(reverse("ledger:inspection-list")).content.decode()
        data = {key: str(value) for key, value in ROUND_FIELDS.items()}
        response = client.post(reverse("ledger:inspection-create"), data)
        inspection = Inspection.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("ledger:inspection-detail", args=[inspection.pk])
        page = client.get(response["Location"]).content.decode()
        assert "该轮次尚无反馈问题" in page and "方案载明 5 个、12 项" in page

    def test_create_round_page_shows_the_refusal(self, client, office_user):
        client.force_login(office_user)
        data = {key: str(value) for key, value in ROUND_FIELDS.items()}
        response = client.post(reverse("ledger:inspection-create"), {**data, "onsite_end": "2024-01-01"})
        assert response.status_code == 200
        assert "「结束日期」不能早于「进驻日期」。" in response.content.decode()
        assert not Inspection.objects.exists()

    def test_edit_round(self, client, office_user):
        inspection = services.create_inspection(user=office_user, fields=dict(ROUND_FIELDS))
        client.force_login(office_user)
        url = reverse("ledger:inspection-edit", args=[inspection.pk])
        assert url in client.get(reverse("ledger:inspection-detail", args=[inspection.pk])).content.decode()
        data = {key: str(value) for key, value in ROUND_FIELDS.items()}
        response = client.post(url, {**data, "kind": Inspection.Kind.EXTENDED, "planned_item_count": "13"})
        assert response.status_code == 302
        inspection.refresh_from_db()
        assert inspection.planned_item_count == 13
        event = AuditEvent.objects.get(kind=Kind.LEDGER_EDITED)
        assert event.changes == {"类型": ["巡视", "延伸巡视"], "方案整改事项数": ["12", "13"]}
        assert inspection.history.latest().history_change_reason == "修改巡视轮次"

    def test_edit_round_refused_names_the_field(self, client, office_user):
        inspection = services.create_inspection(user=office_user, fields=dict(ROUND_FIELDS))
        make_inspection(name="乙巡视")
        client.force_login(office_user)
        data = {key: str(value) for key, value in ROUND_FIELDS.items()}
        url = reverse("ledger:inspection-edit", args=[inspection.pk])
        page = client.post(url, {**data, "name": "乙巡视"}).content.decode()
        assert "本单位已有名为「乙巡视」的巡视轮次，请换一个名称。" in page
        page = client.post(url, {**data, "concentrated_period_end": "2024-02-01"}).content.decode()
        assert "「集中整改期截止日期」不能早于反馈日期（2024年3月1日）。" in page
        inspection.refresh_from_db()
        assert inspection.name == ROUND_FIELDS["name"] and inspection.concentrated_period_end == datetime.date(
            2024, 6, 1
        )
        assert not AuditEvent.objects.filter(kind=Kind.LEDGER_EDITED).exists()


class TestProblems:
    def test_add_problem_at_the_end(self, client, office_user, ledger):
        client.force_login(office_user)
        url = reverse("ledger:inspection-detail", args=[ledger["inspection"].pk])
        response = client.post(url, {"title": "作风建设不严", "description": "会风文风问题"})
        problem = FeedbackProblem.objects.get(title="作风建设不严")
        assert response.status_code == 302 and response["Location"].endswith(f"#problem-{problem.pk}")
        assert problem.sequence == 3 and problem.label == "（三）"
        assert AuditEvent.objects.get(kind=Kind.PROBLEM_CREATED).user == office_user
        assert problem.history.get().history_user == office_user

    def test_empty_problem_title_refused(self, client, office_user, ledger):
        client.force_login(office_user)
        url = reverse("ledger:inspection-detail", args=[ledger["inspection"].pk])
        response = client.post(url, {"title": "", "description": "x"})
        assert response.status_code == 200 and "这个字段是必填项" in response.content.decode()
        with pytest.raises(WorkflowError, match="请填写反馈问题的「问题」"):
            services.create_problem(inspection_id=ledger["inspection"].pk, user=office_user, title="  ")
        assert ledger["inspection"].problems.count() == 2

    def test_edit_problem(self, client, office_user, ledger):
        client.force_login(office_user)
        problem = ledger["first"]
        response = client.post(
            reverse("ledger:problem-edit", args=[problem.pk]), {"title": "产业发展不快", "description": ""}
        )
        assert response.status_code == 302
        problem.refresh_from_db()
        assert problem.title == "产业发展不快"
        event = AuditEvent.objects.get(kind=Kind.LEDGER_EDITED)
        assert event.changes == {"问题": ["产业规模小", "产业发展不快"]}

    def test_round_page_lists_problems_with_items(self, client, office_user, ledger, django_assert_num_queries):
        client.force_login(office_user)
        url = reverse("ledger:inspection-detail", args=[ledger["inspection"].pk])
        client.get(url)
        make_item(ledger["second"], title="又一项", measures=["措施"])
        with django_assert_num_queries(11):
            page = client.get(url).content.decode()
        assert page.index("（一）产业规模小") < page.index("1. 招商引资不足") < page.index("2. 龙头企业缺乏")
        assert page.index("（二）营商环境不优") < page.index("3. 审批时限长") < page.index("4. 又一项")
        assert reverse("ledger:item-create", args=[ledger["first"].pk]) in page


class TestReorder:
    def test_move_problem_renumbers_problems_and_items(self, client, office_user, ledger):
        client.force_login(office_user)
        response = client.post(reverse("ledger:problem-move", args=[ledger["second"].pk]), {"direction": "up"})
        assert response.status_code == 302
        assert layout(ledger["inspection"]) == [
            ("（一）营商环境不优", [(1, "审批时限长")]),
            ("（二）产业规模小", [(2, "招商引资不足"), (3, "龙头企业缺乏")]),
        ]
        event = AuditEvent.objects.get(kind=Kind.LEDGER_REORDERED)
        assert event.changes == {"序号": ["（二）", "（一）"]}
        assert "整改事项重新编号：3→1、1→2、2→3" in event.detail
        # History shows old → new, never the temporary numbers used on the way.
        first_item = ledger["items"][0]
        assert list(first_item.history.order_by("history_id").values_list("number", flat=True)) == [1, 2]
        assert first_item.history.latest().history_change_reason == "调整反馈问题顺序"

    def test_move_item_within_its_problem(self, office_user, ledger):
        services.move_item(item_id=ledger["items"][1].pk, user=office_user, direction="up")
        assert layout(ledger["inspection"]) == [
            ("（一）产业规模小", [(1, "龙头企业缺乏"), (2, "招商引资不足")]),
            ("（二）营商环境不优", [(3, "审批时限长")]),
        ]
        assert AuditEvent.objects.get(kind=Kind.LEDGER_REORDERED).changes == {"序号": ["2", "1"]}

    @pytest.mark.parametrize(
        ("which", "direction", "message"),
        [
            (0, "up", "第1项已是（一）下的第一项，不能上移。"),
            (1, "down", "第2项已是（一）下的最后一项，不能下移。"),
            (2, "up", "第3项已是（二）下的第一项，不能上移。"),
        ],
    )
    def test_item_stays_within_its_problem(self, office_user, ledger, which, direction, message):
        with pytest.raises(WorkflowError) as refused:
            services.move_item(item_id=ledger["items"][which].pk, user=office_user, direction=direction)
        assert refused.value.messages == [message]
        assert [number for _p, items in layout(ledger["inspection"]) for number, _t in items] == [1, 2, 3]

    def test_first_problem_cannot_move_up(self, client, office_user, ledger):
        client.force_login(office_user)
        response = client.post(
            reverse("ledger:problem-move", args=[ledger["first"].pk]), {"direction": "up"}, follow=True
        )
        assert "（一）已是第一个反馈问题，不能上移。" in response.content.decode()
        assert not AuditEvent.objects.filter(kind=Kind.LEDGER_REORDERED).exists()

    def test_reorder_bumps_the_version(self, office_user, ledger):
        """Someone with the item's edit form open is told it changed (optimistic lock)."""
        item = ledger["items"][0]
        services.move_item(item_id=item.pk, user=office_user, direction="down")
        item.refresh_from_db()
        assert item.version == 2


def item_fields(**changes):
    return {
        "title": "新事项",
        "kind": RectificationItem.Kind.TIME_BOUND,
        "deadline": datetime.date(2024, 6, 30),
        **changes,
    }


class TestCreateItem:
    def test_new_item_ends_its_problem_and_later_items_move_down(self, office_user, ledger, department):
        leader = Leader.objects.create(unit=the_unit(), name="张某", position="党工委书记")
        item = services.create_item(
            problem_id=ledger["first"].pk,
            user=office_user,
            fields=item_fields(lead_department=department),
            leaders=[leader],
            measures=["建立 工作台账", "每月调度"],
        )
        assert item.number == 3 and item.status == RectificationItem.Status.NOT_STARTED
        assert item.completed_on is None
        assert layout(ledger["inspection"]) == [
            ("（一）产业规模小", [(1, "招商引资不足"), (2, "龙头企业缺乏"), (3, "新事项")]),
            ("（二）营商环境不优", [(4, "审批时限长")]),
        ]
        assert [(m.label, m.text) for m in item.measures.all()] == [("一是", "建立 工作台账"), ("二是", "每月调度")]
        assert list(item.leaders.all()) == [leader]
        assert item.history.earliest().history_change_reason == "新建整改事项"
        assert ledger["items"][2].history.latest().history_change_reason == "新建整改事项，后续事项顺延"
        event = AuditEvent.objects.get(kind=Kind.ITEM_CREATED)
        assert event.user == office_user and "（一）下新建第3项「新事项」，整改措施 2 条" in event.detail

    @pytest.mark.parametrize(
        ("fields", "measures", "message"),
        [
            (item_fields(title=" "), ["措施"], "请填写「整改事项」（标题）。"),
            (
                item_fields(deadline=datetime.date(2024, 2, 1)),
                ["措施"],
                "「完成时限」不能早于巡视反馈日期（2024年3月1日）。",
            ),
            (item_fields(), [], "请至少填写一条整改措施。"),
            (item_fields(), ["建立台账", "每月调度", "建立  台账"], "第3条整改措施与第1条重复，请合并或删除其中一条。"),
            (item_fields(), ["建立台账", " "], "第2条整改措施没有填写内容；如不需要，请删除该行。"),
            (
                item_fields(status="completed"),
                ["措施"],
                "新建整改事项时不能填写完成状态、完成日期等由整改过程决定的内容。",
            ),
        ],
    )
    def test_bad_item_refused_and_nothing_saved(self, office_user, ledger, fields, measures, message):
        with pytest.raises(WorkflowError) as refused:
            services.create_item(problem_id=ledger["first"].pk, user=office_user, fields=fields, measures=measures)
        assert refused.value.messages == [message]
        assert RectificationItem.objects.count() == 3 and Measure.objects.count() == 4
        assert not AuditEvent.objects.exists()

    def test_inactive_leader_or_department_refused(self, office_user, ledger, department):
        retired = Leader.objects.create(unit=the_unit(), name="王某", position="原副主任", is_active=False)
        closed = Department.objects.create(unit=the_unit(), name="已撤销部门", is_active=False)
        cases = [
            ({"leaders": [retired]}, "「责任领导」中的「王某"),
            ({"fields": item_fields(lead_department=closed)}, "「责任部门」「已撤销部门」已停用"),
            ({"co_departments": [closed]}, "「配合部门」中的「已撤销部门」已停用"),
            (
                {"fields": item_fields(lead_department=department), "co_departments": [department]},
                "不能同时作为「配合部门」",
            ),
        ]
        for arguments, message in cases:
            arguments = {"fields": item_fields(), **arguments}
            with pytest.raises(WorkflowError, match=message):
                services.create_item(problem_id=ledger["first"].pk, user=office_user, measures=["措施"], **arguments)
        assert RectificationItem.objects.count() == 3

    def test_form_creates_item_with_measure_rows(self, client, office_user, ledger, department):
        client.force_login(office_user)
        url = reverse("ledger:item-create", args=[ledger["second"].pk])
        page = client.get(url).content.decode()
        assert "<select multiple" not in page and 'class="checkbox-list' in page
        assert 'name="status"' not in page and 'name="completed_on"' not in page
        assert 'name="measures-TOTAL_FORMS"' in page and "<script>" not in page
        data = {
            "title": "窗口服务不规范",
            "kind": "time_bound",
            "lead_department": department.pk,
            "deadline": "2024-09-30",
            "measures-TOTAL_FORMS": "3",
            "measures-INITIAL_FORMS": "1",
            "measures-0-text": "制定服务规范",
            "measures-1-text": "已删除的行",
            "measures-1-DELETE": "on",
            "measures-2-text": "开展明察暗访",
        }
        response = client.post(url, data)
        item = RectificationItem.objects.get(title="窗口服务不规范")
        assert response.status_code == 302 and response["Location"].endswith(f"#item-{item.pk}")
        assert item.number == 4 and item.problem == ledger["second"]
        assert list(item.measures.values_list("sequence", "text")) == [(1, "制定服务规范"), (2, "开展明察暗访")]

    def test_form_refusal_keeps_the_rows(self, client, office_user, ledger):
        client.force_login(office_user)
        data = {
            "title": "窗口服务不规范",
            "kind": "time_bound",
            "deadline": "2024-01-01",
            "measures-TOTAL_FORMS": "1",
            "measures-INITIAL_FORMS": "1",
            "measures-0-text": "制定服务规范",
        }
        response = client.post(reverse("ledger:item-create", args=[ledger["second"].pk]), data)
        page = response.content.decode()
        assert response.status_code == 200 and "「完成时限」不能早于巡视反馈日期" in page and "制定服务规范" in page
        assert RectificationItem.objects.count() == 3

    def test_form_offers_only_active_choices(self, client, office_user, ledger):
        retired = Leader.objects.create(unit=the_unit(), name="王某", position="原副主任", is_active=False)
        client.force_login(office_user)
        url = reverse("ledger:item-create", args=[ledger["second"].pk])
        assert "王某" not in client.get(url).content.decode()
        data = {
            "title": "x",
            "kind": "time_bound",
            "leaders": [retired.pk],
            "measures-TOTAL_FORMS": "1",
            "measures-INITIAL_FORMS": "0",
            "measures-0-text": "措施",
        }
        page = client.post(url, data).content.decode()
        assert "「责任领导」中所选的一项已停用或不存在，请重新选择。" in page
        assert RectificationItem.objects.count() == 3


class TestMeasures:
    def test_edit_remove_add_and_renumber(self, client, office_user, ledger):
        item = ledger["items"][0]
        kept, dropped = item.measures.order_by("sequence")
        services.set_measure_done(measure_id=dropped.pk, user=office_user, done=True)
        client.force_login(office_user)
        data = {
            "measures-TOTAL_FORMS": "3",
            "measures-INITIAL_FORMS": "2",
            "measures-0-measure": kept.pk,
            "measures-0-text": "加大招商力度，每季度一次",
            "measures-1-measure": dropped.pk,
            "measures-1-text": dropped.text,
            "measures-1-DELETE": "on",
            "measures-2-text": "引进龙头企业",
        }
        response = client.post(reverse("ledger:measures-edit", args=[item.pk]), data)
        assert response.status_code == 302
        assert list(item.measures.values_list("sequence", "text")) == [
            (1, "加大招商力度，每季度一次"),
            (2, "引进龙头企业"),
        ]
        event = AuditEvent.objects.get(kind=Kind.LEDGER_EDITED)
        assert event.changes == {
            "整改措施": ["一是加大招商力度\n二是建立台账", "一是加大招商力度，每季度一次\n二是引进龙头企业"]
        }

    def test_reorder_keeps_done_flags(self, office_user, ledger):
        item = ledger["items"][0]
        first, second = item.measures.order_by("sequence")
        services.set_measure_done(measure_id=second.pk, user=office_user, done=True)
        services.set_measures(
            item_id=item.pk,
            user=office_user,
            rows=[(None, "新增在前"), (second.pk, second.text), (first.pk, first.text)],
        )
        rows = list(item.measures.order_by("sequence").values_list("text", "is_done"))
        assert rows == [("新增在前", False), ("建立台账", True), ("加大招商力度", False)]

    def test_duplicate_rows_refused(self, client, office_user, ledger):
        item = ledger["items"][0]
        first, second = item.measures.order_by("sequence")
        client.force_login(office_user)
        data = {
            "measures-TOTAL_FORMS": "2",
            "measures-INITIAL_FORMS": "2",
            "measures-0-measure": first.pk,
            "measures-0-text": "建立台账",
            "measures-1-measure": second.pk,
            "measures-1-text": "建立台账",
        }
        response = client.post(reverse("ledger:measures-edit", args=[item.pk]), data)
        assert "第2条整改措施与第1条重复" in response.content.decode()
        assert list(item.measures.values_list("text", flat=True)) == ["加大招商力度", "建立台账"]

    def test_completed_item_refused(self, office_user, ledger):
        item = ledger["items"][0]
        force_status(item, RectificationItem.Status.COMPLETED)
        item.completed_on = datetime.date(2024, 4, 1)
        item.save()
        with pytest.raises(WorkflowError, match="该事项已销号，整改措施不能再修改"):
            services.set_measures(item_id=item.pk, user=office_user, rows=[(None, "x")])

    def test_measure_of_another_item_refused(self, office_user, ledger):
        other = ledger["items"][1].measures.get()
        with pytest.raises(WorkflowError, match="请刷新页面"):
            services.set_measures(item_id=ledger["items"][0].pk, user=office_user, rows=[(other.pk, "x")])
        assert other.item_id == ledger["items"][1].pk


class TestPermissions:
    def pages(self, ledger):
        item = ledger["items"][0]
        return [
            ("get", reverse("ledger:inspection-create")),
            ("get", reverse("ledger:inspection-detail", args=[ledger["inspection"].pk])),
            ("get", reverse("ledger:inspection-edit", args=[ledger["inspection"].pk])),
            ("get", reverse("ledger:problem-edit", args=[ledger["first"].pk])),
            ("post", reverse("ledger:problem-move", args=[ledger["second"].pk])),
            ("get", reverse("ledger:item-create", args=[ledger["first"].pk])),
            ("post", reverse("ledger:item-move", args=[item.pk])),
            ("get", reverse("ledger:measures-edit", args=[item.pk])),
        ]

    @pytest.mark.parametrize("who", ["liaison", "leader_user"])
    def test_liaison_and_leader_refused(self, client, request, ledger, who):
        client.force_login(request.getfixturevalue(who))
        for method, url in self.pages(ledger):
            response = getattr(client, method)(url, {"direction": "up"} if method == "post" else None)
            assert response.status_code == 403, url
        assert layout(ledger["inspection"])[0] == ("（一）产业规模小", [(1, "招商引资不足"), (2, "龙头企业缺乏")])

    def test_outsider_liaison_gets_404_for_an_item(self, client, other_liaison, ledger):
        client.force_login(other_liaison)
        item = ledger["items"][0]
        assert client.get(reverse("ledger:measures-edit", args=[item.pk])).status_code == 404
        assert client.post(reverse("ledger:item-move", args=[item.pk]), {"direction": "down"}).status_code == 404

    def test_office_gets_404_for_missing_or_deleted_rounds(self, client, office_user, ledger):
        client.force_login(office_user)
        services.delete_inspection(inspection_id=ledger["inspection"].pk, user=office_user, typed_name="甲巡视")
        for method, url in self.pages(ledger)[1:]:
            assert getattr(client, method)(url).status_code == 404, url

    def test_links_from_where_the_office_works(self, client, office_user, ledger):
        client.force_login(office_user)
        round_url = reverse("ledger:inspection-detail", args=[ledger["inspection"].pk])
        assert f'href="{round_url}"' in client.get(reverse("ledger:inspection-list")).content.decode()
        item_page = client.get(ledger["items"][0].get_absolute_url()).content.decode()
        assert reverse("ledger:measures-edit", args=[ledger["items"][0].pk]) in item_page and round_url in item_page
        assert reverse("ledger:inspection-create") in client.get(reverse("dashboard:index")).content.decode()


class TestUnits:
    """A round belongs to a unit: the create form asks which only when the user has several, and
    an item's leaders and departments come from its round's unit."""

    @pytest.fixture
    def units(self, db):
        top = the_unit()
        return {"top": top, "a": make_unit("甲区工委", parent=top), "b": make_unit("乙区工委", parent=top)}

    def post_round(self, client, **extra):
        data = {key: str(value) for key, value in ROUND_FIELDS.items()}
        return client.post(reverse("ledger:inspection-create"), {**data, **extra})

    def test_one_unit_is_used_silently(self, client, office_user):
        client.force_login(office_user)
        assert 'name="for_unit"' not in client.get(reverse("ledger:inspection-create")).content.decode()
        assert self.post_round(client).status_code == 302
        assert Inspection.objects.get().unit == the_unit()

    def test_supervising_office_chooses_among_its_units(self, client, office_user, units):
        client.force_login(office_user)
        page = client.get(reverse("ledger:inspection-create")).content.decode()
        assert 'name="for_unit"' in page and "甲区工委" in page and "乙区工委" in page
        assert "这个字段是必填项" in self.post_round(client).content.decode()
        assert self.post_round(client, for_unit=units["b"].pk).status_code == 302
        assert Inspection.objects.get().unit == units["b"]

    def test_unit_office_sees_only_its_unit(self, client, units):
        office_a = make_user("office_a", Role.DISCIPLINE_OFFICE, unit=units["a"])
        client.force_login(office_a)
        assert 'name="for_unit"' not in client.get(reverse("ledger:inspection-create")).content.decode()
        assert self.post_round(client, for_unit=units["b"].pk).status_code == 302
        assert Inspection.objects.get().unit == units["a"]  # a forged choice is not even read
        other = make_inspection(name="乙区巡察", unit=units["b"])
        problem = make_problem(other)
        for url in (
            reverse("ledger:inspection-detail", args=[other.pk]),
            reverse("ledger:inspection-edit", args=[other.pk]),
            reverse("ledger:problem-edit", args=[problem.pk]),
            reverse("ledger:item-create", args=[problem.pk]),
        ):
            assert client.get(url).status_code == 404, url

    def test_supervising_office_may_not_build_a_round_of_a_unit_with_its_own_office(self, client, office_user, units):
        make_user("office_a", Role.DISCIPLINE_OFFICE, unit=units["a"])
        inspection = make_inspection(name="甲区巡察", unit=units["a"])
        client.force_login(office_user)
        response = client.get(reverse("ledger:inspection-detail", args=[inspection.pk]))
        assert response.status_code == 403 and "该轮次由甲区工委的纪工委编制" in response.content.decode()
        page = client.get(reverse("ledger:inspection-create")).content.decode()
        assert "乙区工委" in page and "甲区工委" not in page
        listing = client.get(reverse("ledger:inspection-list")).content.decode()
        assert (
            "甲区巡察" in listing
            and f'href="{reverse("ledger:inspection-detail", args=[inspection.pk])}"' not in listing
        )

    def test_leaders_and_departments_of_the_rounds_unit(self, client, office_user, units):
        inspection = make_inspection(name="乙区巡察", unit=units["b"], feedback_date=FEEDBACK)
        problem = make_problem(inspection)
        own = Leader.objects.create(unit=units["b"], name="乙书记", position="书记")
        stranger = Leader.objects.create(unit=units["a"], name="甲书记", position="书记")
        own_department = Department.objects.create(unit=units["b"], name="乙区财政局")
        foreign_department = Department.objects.create(unit=units["a"], name="甲区财政局")
        client.force_login(office_user)
        page = client.get(reverse("ledger:item-create", args=[problem.pk])).content.decode()
        assert "乙书记" in page and "乙区财政局" in page
        assert "甲书记" not in page and "甲区财政局" not in page
        with pytest.raises(WorkflowError, match="「责任领导」中的「甲书记.*不属于本轮次的单位（乙区工委）"):
            services.create_item(
                problem_id=problem.pk, user=office_user, fields=item_fields(), leaders=[stranger], measures=["措施"]
            )
        with pytest.raises(WorkflowError, match="「责任部门」「甲区财政局」不属于本轮次的单位"):
            services.create_item(
                problem_id=problem.pk,
                user=office_user,
                fields=item_fields(lead_department=foreign_department),
                measures=["措施"],
            )
        item = services.create_item(
            problem_id=problem.pk,
            user=office_user,
            fields=item_fields(lead_department=own_department),
            leaders=[own],
            measures=["措施"],
        )
        assert item.lead_department == own_department and list(item.leaders.all()) == [own]
