"""The demo round of ``make run``: dated around today, real work for every demo account."""

import pytest
from django.core.management import call_command

from rectify.accounts.demo import create_demo_accounts
from rectify.demo.current_round import DEMO_MARK, load_demo_round
from rectify.ledger.invariants import broken_invariants
from rectify.ledger.models import Decision, Extension, RectificationItem, SignOff
from rectify.ledger.status import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(seed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    create_demo_accounts()
    return load_demo_round()


def test_the_seed_stays_and_the_demo_round_has_every_state(demo):
    assert DEMO_MARK in demo.name and RectificationItem.objects.exclude(inspection=demo).count() == 21
    mine = demo.items.filter(lead_department__name="经济发展局")
    states = set(mine.values_list("status", flat=True))
    assert {Status.NOT_STARTED, Status.IN_PROGRESS, Status.PENDING_SIGNOFF} <= states
    assert any(item.is_overdue() for item in mine)
    assert any(item.light().value == "yellow" for item in mine)
    assert mine.filter(return_count=1).exists()
    assert SignOff.objects.filter(item__inspection=demo, decision=Decision.PENDING).exists()
    assert Extension.objects.filter(item__inspection=demo, decision=Decision.PENDING).exists()
    assert demo.items.filter(leaders__user__username="leader").exclude(status=Status.COMPLETED).exists()
    assert broken_invariants() == []


def test_loading_again_adds_nothing(demo):
    assert load_demo_round() is None
    call_command("load_demo_round")
    assert RectificationItem.objects.filter(inspection=demo).count() == 9


def test_the_liaison_can_report_on_the_demo_round(demo, client):
    from rectify.accounts.models import User

    client.force_login(User.objects.get(username="liaison"))
    item = demo.items.get(status=Status.NOT_STARTED, lead_department__name="经济发展局")
    assert "报告进展" in client.get(item.get_absolute_url()).content.decode()
