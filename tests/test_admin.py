"""The admin, in Chinese, for every model; changelists with constant query counts."""

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rectify.accounts.models import Department, Leader
from rectify.ledger.models import Measure, RectificationItem
from tests.factories import make_item, make_problem, the_unit

pytestmark = pytest.mark.django_db

LEDGER_MODELS = [m for m in admin.site._registry if m._meta.app_label == "ledger"]


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def ledger_rows(department):
    leader = Leader.objects.create(unit=the_unit(), name="张某", position="党工委书记")
    problem = make_problem()
    for _ in range(3):
        make_item(problem, lead_department=department, leaders=[leader], measures=["措施一", "措施二"])
    return problem


def test_every_model_is_registered():
    from django.apps import apps

    for app in ("accounts", "ledger"):
        for model in apps.get_app_config(app).get_models():
            if model.__name__.startswith("Historical") or model.__name__ == "LedgerRevision":
                continue  # history is shown on its object's page; the revision is a cache key, not data
            assert model in admin.site._registry, model


def test_discipline_office_opens_every_ledger_changelist(client, office_user, ledger_rows):
    client.force_login(office_user)
    for model in LEDGER_MODELS:
        response = client.get(changelist(model))
        assert response.status_code == 200, model
        assert "巡视整改台账管理系统" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["", "?status__exact=completed", "?overdue=yes", "?overdue=no", "?kind__exact=immediate", "?q=措施"],
)
def test_item_changelist_filters_and_search(client, office_user, ledger_rows, query):
    client.force_login(office_user)
    response = client.get(changelist(RectificationItem) + query)
    assert response.status_code == 200


def test_item_changelist_shows_badges_and_chinese_filters(client, office_user, ledger_rows):
    make_item()  # a second inspection, so that the inspection filter has a choice to offer
    client.force_login(office_user)
    body = client.get(changelist(RectificationItem)).content.decode()
    assert 'class="badge status-not_started"' in body
    for title in ("巡视轮次", "完成状态", "整改类型", "是否逾期", "责任部门", "责任领导"):
        assert title in body


def test_change_form_with_measure_inline_and_history(client, office_user, ledger_rows):
    client.force_login(office_user)
    item = RectificationItem.objects.first()
    response = client.get(reverse("admin:ledger_rectificationitem_change", args=[item.pk]))
    assert response.status_code == 200
    assert "措施一" in response.content.decode()
    history = client.get(reverse("admin:ledger_rectificationitem_history", args=[item.pk]))
    assert history.status_code == 200
    problem = client.get(reverse("admin:ledger_feedbackproblem_change", args=[ledger_rows.pk]))
    assert item.title in problem.content.decode()


@pytest.mark.parametrize("model", [RectificationItem, Measure, Department])
def test_changelist_query_count_does_not_grow(client, office_user, ledger_rows, department, model):
    client.force_login(office_user)
    client.get(changelist(model))
    with CaptureQueriesContext(connection) as few:
        client.get(changelist(model))
    leader = Leader.objects.first()
    for n in range(20):
        make_item(
            ledger_rows,
            lead_department=Department.objects.create(unit=the_unit(), name=f"部门{n}"),
            leaders=[leader],
            measures=["措施"],
        )
    with CaptureQueriesContext(connection) as many:
        client.get(changelist(model))
    assert len(many) == len(few)


def test_item_changelist_pinned_query_count(client, office_user, ledger_rows, django_assert_num_queries):
    client.force_login(office_user)
    url = changelist(RectificationItem)
    client.get(url)
    # Expect 13 queries: session, user, groups (all permissions come from rules and the groups);
    # filter choices (inspections, departments, leaders); the filtered and unfiltered counts; the
    # page with its problems and departments; the leaders of the page; and the session save
    # (savepoint, update, release).
    with django_assert_num_queries(13):
        client.get(url)


def test_sysadmin_manages_users_but_not_the_ledger(client, sysadmin, ledger_rows):
    client.force_login(sysadmin)
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_department_changelist")).status_code == 200
    assert client.get(changelist(RectificationItem)).status_code == 403
    item = RectificationItem.objects.first()
    response = client.post(reverse("admin:ledger_rectificationitem_delete", args=[item.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert RectificationItem.objects.filter(pk=item.pk).exists()


def test_liaison_cannot_enter_the_admin(client, liaison):
    client.force_login(liaison)
    response = client.get("/admin/")
    assert response.status_code == 302


def test_an_office_tied_to_a_unit_sees_only_its_units_in_the_admin(client):
    """Units: the ledger admin lists and opens only the rows of the office's units."""
    from rectify.accounts.roles import Role
    from tests.conftest import make_user
    from tests.factories import make_inspection, make_item, make_problem, make_unit

    mine, theirs = make_unit("本单位"), make_unit("外单位")
    own = make_item(make_problem(make_inspection(unit=mine)), title="本单位的事项")
    other = make_item(make_problem(make_inspection(unit=theirs)), title="外单位的事项")
    Department.objects.create(unit=theirs, name="外单位财政局")
    client.force_login(make_user("unit_office", Role.DISCIPLINE_OFFICE, unit=mine, is_staff=True))
    listing = client.get(reverse("admin:ledger_rectificationitem_changelist")).content.decode()
    assert "本单位的事项" in listing and "外单位的事项" not in listing
    assert client.get(reverse("admin:ledger_rectificationitem_change", args=[own.pk])).status_code == 200
    assert client.get(reverse("admin:ledger_rectificationitem_change", args=[other.pk])).status_code == 302
    assert "外单位财政局" not in client.get(reverse("admin:accounts_department_changelist")).content.decode()
    form = client.get(reverse("admin:ledger_inspection_add")).content.decode()
    assert "本单位" in form and "外单位" not in form
