"""Sending a stored delivery: e-mail through Django, everything else through apprise. A failure
is recorded with its error and retried with back-off; it never reaches the action that caused it."""

import datetime
import logging
from pathlib import Path

import apprise
from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.utils import timezone

from .models import Delivery, Notification

logger = logging.getLogger(__name__)


def backoff(attempts: int) -> datetime.timedelta:
    """Wait before attempt ``attempts + 1``: RECTIFY_NOTIFY_RETRY_SECONDS doubled each time."""
    return datetime.timedelta(seconds=settings.RECTIFY_NOTIFY_RETRY_SECONDS * 2 ** max(attempts - 1, 0))


def due(event_key: str | None = None):
    now = timezone.now()
    stale = now - datetime.timedelta(minutes=10)  # a worker that died while sending
    deliveries = Delivery.objects.filter(
        Q(state__in=[Delivery.State.PENDING, Delivery.State.FAILED], next_attempt_at__lte=now)
        | Q(state=Delivery.State.SENDING, next_attempt_at__lte=stale),
        attempts__lt=settings.RECTIFY_NOTIFY_MAX_ATTEMPTS,
    )
    return deliveries.filter(event_key=event_key) if event_key else deliveries


def send_due(event_key: str | None = None) -> tuple[int, int, datetime.datetime | None]:
    """Send what is due (of one event, or all); returns (sent, failed, earliest retry)."""
    sent = failed = 0
    retry_at = None
    for delivery in list(due(event_key).order_by("pk")[:500]):
        outcome = send_one(delivery)
        if outcome is None:
            continue
        if outcome:
            sent += 1
        else:
            failed += 1
            delivery.refresh_from_db()
            if delivery.attempts < settings.RECTIFY_NOTIFY_MAX_ATTEMPTS:
                retry_at = min(retry_at or delivery.next_attempt_at, delivery.next_attempt_at)
    return sent, failed, retry_at


def send_one(delivery: Delivery) -> bool | None:
    """Claim the delivery (one worker only: a conditional update), send it, record the outcome.
    None if another worker has it."""
    now = timezone.now()
    claimed = Delivery.objects.filter(pk=delivery.pk, state=delivery.state, attempts=delivery.attempts).update(
        state=Delivery.State.SENDING, attempts=delivery.attempts + 1, next_attempt_at=now
    )
    if not claimed:
        return None
    attempts = delivery.attempts + 1
    try:
        _send(delivery)
    except Exception as error:  # any channel error is the delivery's, never the caller's
        logger.warning("Delivery %s failed: %s", delivery.pk, error)
        Delivery.objects.filter(pk=delivery.pk).update(
            state=Delivery.State.FAILED,
            last_error=str(error)[:2000] or error.__class__.__name__,
            next_attempt_at=timezone.now() + backoff(attempts),
        )
        return False
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.SENT, sent_at=timezone.now(), last_error="")
    if delivery.notification_id and delivery.channel == Delivery.Channel.EMAIL:
        Notification.objects.filter(pk=delivery.notification_id).update(emailed=True)
    return True


def _attachment(delivery: Delivery) -> Path | None:
    return Path(settings.MEDIA_ROOT) / delivery.attachment if delivery.attachment else None


def _send(delivery: Delivery) -> None:
    attachment = _attachment(delivery)
    if delivery.channel == Delivery.Channel.EMAIL:
        message = EmailMessage(delivery.title, delivery.body, settings.DEFAULT_FROM_EMAIL, [delivery.target])
        if attachment is not None:
            message.attach_file(str(attachment))
        message.send()
        return
    notifier = apprise.Apprise()
    if not notifier.add(delivery.target):
        raise ValueError("无法识别的通知渠道地址")
    with apprise.LogCapture(level=logging.WARNING) as log:
        ok = notifier.notify(title=delivery.title, body=delivery.body)
    if not ok:
        raise ConnectionError(log.getvalue().strip() or "通知渠道未接受消息")
