"""Delivery through apprise on the task queue: a local json:// webhook, refused connections
recorded and retried with back-off, each delivery sent once even with two workers."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rectify.ledger import services
from rectify.notifications import sending
from rectify.notifications.models import Delivery, Notification
from rectify.notifications.tasks import retry_deliveries
from tests.factories import make_item

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def pending(department, liaison, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    item = make_item(
        title="食堂账目不清", lead_department=department, deadline=timezone.localdate() + datetime.timedelta(days=9)
    )
    services.add_evidence(item_id=item.pk, user=liaison, upload=SimpleUploadedFile("a.pdf", PDF))
    signoff = services.submit_signoff(item_id=item.pk, user=liaison, note="完成")
    return item, signoff


def test_a_return_reaches_the_office_webhook(
    pending, office_user, settings, webhook, django_capture_on_commit_callbacks
):
    settings.RECTIFY_NOTIFY_URLS = [webhook.url]
    item, signoff = pending
    with django_capture_on_commit_callbacks(execute=True):
        services.return_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user, reason="缺少会议纪要")
    assert len(webhook.received) == 1
    posted = webhook.received[0]
    assert "销号申请被退回" in posted["title"] and "食堂账目不清" in posted["title"]
    assert "缺少会议纪要" in posted["message"] and f"/items/{item.pk}/" in posted["message"]
    assert Delivery.objects.get(channel="office").state == Delivery.State.SENT


def test_the_department_channel_gets_its_items_events(
    pending, department, office_user, webhook, django_capture_on_commit_callbacks
):
    department.notify_url = webhook.url
    department.save()
    item, signoff = pending
    with django_capture_on_commit_callbacks(execute=True):
        services.approve_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user)
    assert ["销号申请已批准" in body["title"] for body in webhook.received] == [True]


def test_a_refused_connection_is_a_recorded_failure_then_retried(
    pending, office_user, liaison, settings, closed_port_url, webhook, django_capture_on_commit_callbacks
):
    settings.RECTIFY_NOTIFY_URLS = [closed_port_url]
    item, signoff = pending
    with django_capture_on_commit_callbacks(execute=True):
        services.return_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user, reason="再补充")
    # The action stood and the liaison has the message in the app.
    item.refresh_from_db()
    assert item.status == "in_progress"
    assert Notification.objects.filter(recipient=liaison, kind="signoff_returned").exists()
    failed = Delivery.objects.get(channel="office")
    assert failed.state == Delivery.State.FAILED and failed.attempts == 1 and failed.last_error
    assert failed.next_attempt_at > timezone.now() + datetime.timedelta(seconds=50)
    # Not due yet: the sweep leaves it alone.
    retry_deliveries.enqueue()
    failed.refresh_from_db()
    assert failed.attempts == 1
    # The channel is back and the back-off has passed: the retry sends it.
    Delivery.objects.filter(pk=failed.pk).update(target=webhook.url, next_attempt_at=timezone.now())
    retry_deliveries.enqueue()
    failed.refresh_from_db()
    assert failed.state == Delivery.State.SENT and failed.attempts == 2
    assert len(webhook.received) == 1


def test_back_off_doubles(settings):
    settings.RECTIFY_NOTIFY_RETRY_SECONDS = 60
    assert [sending.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [60, 120, 240, 480]


def test_two_workers_send_a_delivery_once(pending, office_user, settings, webhook):
    settings.RECTIFY_NOTIFY_URLS = [webhook.url]
    item, signoff = pending
    services.return_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user, reason="x")
    delivery = Delivery.objects.get(channel="office")
    stale_copy = Delivery.objects.get(pk=delivery.pk)  # what the second worker read
    assert sending.send_one(delivery) is True
    assert sending.send_one(stale_copy) is None
    assert sending.send_due() == (0, 0, None)
    assert len(webhook.received) == 1


def test_email_goes_out_on_the_queue(pending, office_user, liaison, django_capture_on_commit_callbacks):
    liaison.email = "liaison@example.org"
    liaison.save()
    item, signoff = pending
    with django_capture_on_commit_callbacks(execute=True):
        services.return_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user, reason="材料不全")
    assert [message.to for message in mail.outbox] == [["liaison@example.org"]]
    assert "材料不全" in mail.outbox[0].body
    assert Notification.objects.get(recipient=liaison, kind="signoff_returned").emailed


def test_nothing_is_sent_inside_the_request(pending, office_user, settings, webhook):
    """Without the commit the queue is never told: the request itself sends nothing."""
    settings.RECTIFY_NOTIFY_URLS = [webhook.url]
    item, signoff = pending
    services.return_signoff(item_id=item.pk, signoff_id=signoff.pk, user=office_user, reason="x")
    assert webhook.received == [] and Delivery.objects.get(channel="office").state == Delivery.State.PENDING


# available_apps: the flush after this transactional test empties only this app's tables, not the
# role groups the data migration made, which the next tests in this worker need.
@pytest.mark.django_db(transaction=True, available_apps=["rectify.notifications"])
def test_two_workers_at_once_send_each_delivery_once(webhook):
    """Two worker threads sweep the same deliveries at the same moment: each goes out once."""
    import threading

    from django.db import connection

    Delivery.objects.bulk_create(
        Delivery(event_key=f"load:{n}", channel=Delivery.Channel.OFFICE, target=webhook.url, title=f"消息{n}", body="x")
        for n in range(20)
    )
    barrier = threading.Barrier(2)
    results = []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(sending.send_due())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(sent for sent, _failed, _retry in results) == 20
    assert sorted(body["title"] for body in webhook.received) == sorted(f"消息{n}" for n in range(20))
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.SENT}
