"""Finding 9: oversized request bodies are refused by Django itself, before anything reads them."""

import pytest
from django.urls import reverse

from rectify.ledger.models import ProgressUpdate
from tests.factories import make_item

pytestmark = pytest.mark.django_db


def test_a_body_above_the_limit_gets_a_chinese_413_and_saves_nothing(client, liaison, department, settings):
    settings.RECTIFY_MAX_REQUEST_BYTES = 1024
    item = make_item(lead_department=department)
    client.force_login(liaison)
    response = client.post(
        reverse("ledger:add-progress", args=[item.pk]),
        {"text": "很长的进展" * 500, "reported_on": "2024-01-10"},
    )
    assert response.status_code == 413
    assert "提交的内容过大" in response.content.decode()
    assert not ProgressUpdate.objects.exists()


def test_a_body_within_the_limit_is_accepted(client, liaison, department, settings):
    settings.RECTIFY_MAX_REQUEST_BYTES = 1024 * 1024
    item = make_item(lead_department=department)
    client.force_login(liaison)
    response = client.post(
        reverse("ledger:add-progress", args=[item.pk]), {"text": "进展正常", "reported_on": "2024-01-10"}
    )
    assert response.status_code == 302
    assert ProgressUpdate.objects.filter(item=item).count() == 1


def test_the_default_limit_matches_nginx():
    from pathlib import Path

    from django.conf import settings

    nginx = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf").read_text()
    assert "client_max_body_size 25m;" in nginx
    assert settings.RECTIFY_MAX_REQUEST_BYTES == 25 * 1024 * 1024
