"""Units: the subtree on a three-level tree, scoped reads, who decides for a unit, moves refused."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rectify.accounts import services, units
from rectify.accounts.models import Department, Leader, Unit, User
from rectify.accounts.roles import Role
from rectify.ledger import selectors
from rectify.ledger.models import Decision, SignOff
from tests.conftest import make_user
from tests.factories import make_inspection, make_item, make_problem, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    """省 → 市 → 县, and a second 市 beside the first."""
    province = make_unit("省委", short_name="省")
    city = make_unit("市委", parent=province, short_name="市")
    county = make_unit("县委", parent=city, short_name="县")
    other_city = make_unit("另一市委", parent=province, short_name="另一市")
    return {"province": province, "city": city, "county": county, "other_city": other_city}


def item_in(unit, **fields):
    return make_item(make_problem(make_inspection(unit=unit)), **fields)


def test_a_subtree_is_one_query_on_the_path(tree):
    with CaptureQueriesContext(connection) as queries:
        names = [unit.name for unit in units.subtree(tree["province"])]
    assert len(queries) == 1 and "LIKE" in queries[0]["sql"].upper()
    assert names == ["省委", "市委", "县委", "另一市委"]  # tree order
    assert [u.name for u in units.subtree(tree["city"])] == ["市委", "县委"]
    assert [u.name for u in units.subtree(tree["county"])] == ["县委"]
    assert tree["county"].depth == 3


def test_moving_a_unit_moves_its_subtree_and_refuses_a_cycle(tree):
    services.set_unit_parent(unit=tree["city"], parent=tree["other_city"])
    assert [u.name for u in units.subtree(Unit.objects.get(name="另一市委"))] == ["另一市委", "市委", "县委"]
    assert Unit.objects.get(name="县委").path.startswith(Unit.objects.get(name="另一市委").path)
    with pytest.raises(ValidationError, match="下级单位"):
        services.set_unit_parent(unit=Unit.objects.get(name="另一市委"), parent=Unit.objects.get(name="县委"))


def test_each_account_sees_its_subtree_only(tree):
    city_item, county_item, other_item = item_in(tree["city"]), item_in(tree["county"]), item_in(tree["other_city"])
    city_office = make_user("city", Role.DISCIPLINE_OFFICE, unit=tree["city"])
    county_office = make_user("county", Role.DISCIPLINE_OFFICE, unit=tree["county"])
    supervisor = make_user("supervisor", Role.DISCIPLINE_OFFICE)
    county_leader = make_user("county_leader", Role.LEADER)
    Leader.objects.create(unit=tree["county"], name="县某", position="书记", user=county_leader)
    seen = {user.username: set(selectors.items_visible_to(user)) for user in (city_office, county_office, supervisor)}
    assert seen["city"] == {city_item, county_item}
    assert seen["county"] == {county_item}
    assert seen["supervisor"] == {city_item, county_item, other_item}
    assert set(selectors.items_visible_to(county_leader)) == {county_item}
    assert set(selectors.inspections_visible_to(county_office)) == {county_item.inspection}


def test_a_units_decisions_stay_with_its_own_office(client, tree, tmp_path, settings):
    """The county has an office: the city office reads the item and may reopen, but not decide.
    The other city has none: the supervising office stands in."""
    settings.MEDIA_ROOT = tmp_path
    county_office = make_user("county", Role.DISCIPLINE_OFFICE, unit=tree["county"])
    city_office = make_user("city", Role.DISCIPLINE_OFFICE, unit=tree["city"])
    supervisor = make_user("supervisor", Role.DISCIPLINE_OFFICE)
    county_item = item_in(tree["county"])
    orphan_item = item_in(tree["other_city"])
    assert county_office.has_perm("ledger.review_item", county_item)
    assert not city_office.has_perm("ledger.review_item", county_item)
    assert not city_office.has_perm("ledger.edit_item", county_item)
    assert city_office.has_perm("ledger.reopen_item", county_item)
    assert supervisor.has_perm("ledger.review_item", orphan_item)
    assert not county_office.has_perm("ledger.reopen_item", orphan_item)
    signoff = SignOff(item=county_item, requested_by=county_office, decision=Decision.PENDING)
    assert not User.objects.get(pk=city_office.pk).has_perm("ledger.decide_request", signoff)
    # The city office's edit page of the county's item: refused with a reason, not hidden.
    client.force_login(city_office)
    assert client.get(reverse("ledger:item-detail", args=[county_item.pk])).status_code == 200
    assert client.get(reverse("ledger:item-edit", args=[county_item.pk])).status_code == 403
    assert client.get(reverse("ledger:item-detail", args=[orphan_item.pk])).status_code == 404


def test_department_names_are_unique_within_a_unit_only(tree):
    Department.objects.create(unit=tree["city"], name="财政局")
    Department.objects.create(unit=tree["county"], name="财政局")
    with pytest.raises(IntegrityError), transaction.atomic():
        Department.objects.create(unit=tree["city"], name="财政局")


def test_moving_a_referenced_department_to_another_unit_is_refused(tree):
    department = Department.objects.create(unit=tree["city"], name="财政局")
    services.check_unit_move(department, tree["county"])  # nothing refers to it yet
    item_in(tree["city"], lead_department=department)
    with pytest.raises(ValidationError, match="不能移到其他单位"):
        services.check_unit_move(department, tree["county"])


def test_the_admin_refuses_the_move_in_chinese(admin_client, tree):
    department = Department.objects.create(unit=tree["city"], name="财政局")
    item_in(tree["city"], lead_department=department)
    url = reverse("admin:accounts_department_change", args=[department.pk])
    response = admin_client.post(url, {"unit": tree["county"].pk, "name": "财政局", "sort_order": 0, "is_active": "on"})
    assert response.status_code == 200 and "不能移到其他单位" in response.content.decode()
    assert Department.objects.get(pk=department.pk).unit == tree["city"]


def test_create_account_ties_an_account_to_a_unit(tree, monkeypatch):
    monkeypatch.setenv("RECTIFY_ACCOUNT_PASSWORD", "Very-long-passw0rd!")
    Department.objects.create(unit=tree["county"], name="财政局")
    Department.objects.create(unit=tree["city"], name="财政局")
    call_command("create_account", "county_office", "--role", "discipline_office", "--unit", "县")
    assert User.objects.get(username="county_office").unit == tree["county"]
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="多个单位都有部门"):
        call_command("create_account", "someone", "--role", "liaison", "--department", "财政局")
    call_command("create_account", "fin", "--role", "liaison", "--department", "财政局", "--unit", "县委")
    assert User.objects.get(username="fin").department.unit == tree["county"]
    with pytest.raises(CommandError, match="单位“乡”不存在"):
        call_command("create_account", "x", "--role", "leader", "--unit", "乡")
    assert not User.objects.filter(username__in=["someone", "x"]).exists()


def test_a_department_or_leader_of_another_unit_cannot_be_assigned(tree):
    from rectify.ledger import services as ledger_services
    from rectify.ledger.services import WorkflowError

    office = make_user("city", Role.DISCIPLINE_OFFICE, unit=tree["city"])
    item = item_in(tree["city"], deadline=datetime.date(2030, 1, 1))
    stranger = Department.objects.create(unit=tree["county"], name="县财政局")
    with pytest.raises(WorkflowError, match="不属于本事项所在单位"):
        ledger_services.bulk_apply(item_ids=[item.pk], user=office, action="lead_department", lead_department=stranger)
    item.refresh_from_db()
    assert item.lead_department_id is None


def test_the_admin_creates_and_moves_units_with_their_paths(admin_client, tree):
    add = reverse("admin:accounts_unit_add")
    response = admin_client.post(
        add,
        {"name": "乡党委", "short_name": "乡", "kind": "party_committee", "parent": tree["county"].pk, "sort_order": 3},
    )
    assert response.status_code == 302
    village = Unit.objects.get(name="乡党委")
    assert village.path.startswith(tree["county"].path) and village.depth == 4 and village.sort_order == 3
    change = reverse("admin:accounts_unit_change", args=[tree["city"].pk])
    fields = {
        "name": "市委",
        "short_name": "市",
        "kind": "party_committee",
        "parent": tree["other_city"].pk,
        "sort_order": 0,
    }
    assert admin_client.post(change, fields).status_code == 302
    assert Unit.objects.get(name="乡党委").path.startswith(Unit.objects.get(name="另一市委").path)
    fields["parent"] = Unit.objects.get(name="乡党委").pk
    response = admin_client.post(change, fields)
    assert response.status_code == 200 and "下级单位" in response.content.decode()
    from rectify.accounts.models import AuditEvent

    created = AuditEvent.objects.get(kind=AuditEvent.Kind.UNIT_CREATED)
    assert created.object_repr == "乡党委" and created.changes["上级单位"] == ["（空）", "县委"]
    moved = AuditEvent.objects.get(kind=AuditEvent.Kind.UNIT_MOVED)
    assert moved.changes == {"上级单位": ["省委", "另一市委"]} and "下级单位 2 个" in moved.detail


def test_the_supervising_office_reopens_an_item_of_a_unit_with_its_own_office(client, tree):
    """回头看 belongs to the supervising office too (ledger.reopen_item), not only to the unit's office."""
    from rectify.ledger.models import RectificationItem
    from tests.factories import force_status

    make_user("county", Role.DISCIPLINE_OFFICE, unit=tree["county"])
    item = item_in(tree["county"], completed_on=datetime.date(2024, 1, 1))
    force_status(item, RectificationItem.Status.COMPLETED)
    item.save()
    client.force_login(make_user("city", Role.DISCIPLINE_OFFICE, unit=tree["city"]))
    url = reverse("ledger:reopen", args=[item.pk])
    response = client.post(url, {"reason": "回头看发现反弹", "deadline": "2031-01-01"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == RectificationItem.Status.IN_PROGRESS


def test_a_unit_office_neither_lists_nor_confirms_another_units_items(client, tree):
    """The bulk page and the problem filter offer only the office's own units' rows."""
    mine, theirs = (
        item_in(tree["county"], title="县里的事项"),
        make_item(make_problem(make_inspection(unit=tree["other_city"]), title="另一市的问题"), title="另一市的事项"),
    )
    client.force_login(make_user("county", Role.DISCIPLINE_OFFICE, unit=tree["county"]))
    response = client.post(reverse("ledger:bulk-action"), {"items": [theirs.pk], "action": "lead_department"})
    assert response.status_code == 302 and theirs.title not in client.get(response.url).content.decode()
    listing = client.get(reverse("ledger:item-list"), {"inspection": theirs.inspection_id}).content.decode()
    assert theirs.problem.title not in listing
    assert (
        mine.problem.title
        in client.get(reverse("ledger:item-list"), {"inspection": mine.inspection_id}).content.decode()
    )
