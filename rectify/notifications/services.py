"""Recording events: one in-app message per recipient at once, and the deliveries for the task queue.

Called inside the service that made the decision (the same transaction): if the decision rolls
back, so do its messages; the queue is told only once it commits. Sending never happens here.
"""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from rectify.accounts.models import Department, User

from .models import Delivery, Notification


@dataclass(frozen=True)
class Event:
    kind: str
    key: str
    title: str
    body: str
    link: str = ""
    department: Department | None = None
    attachment: str = ""
    broadcast: bool = True  # also to RECTIFY_NOTIFY_URLS and the department's channel


def absolute(path: str) -> str:
    """A link as the recipient opens it, outside the app (RECTIFY_BASE_URL)."""
    return settings.RECTIFY_BASE_URL.rstrip("/") + path if path.startswith("/") else path


def notify(
    *, event: Event, recipients: Iterable[User], actor: User | None = None, day: datetime.date | None = None
) -> list[Notification]:
    """Tell ``recipients`` (never ``actor``) about ``event``; returns the messages new this time.
    A rerun, or a second worker, adds nothing: the event key is unique per recipient and channel."""
    people = {user.pk: user for user in recipients if user.is_active and (actor is None or user.pk != actor.pk)}
    already = set(
        Notification.objects.filter(event_key=event.key, recipient_id__in=people).values_list("recipient_id", flat=True)
    )
    link = absolute(event.link) if event.link else ""
    body = event.body + (f"\n\n查看：{link}" if link and link not in event.body else "")
    fresh = [
        Notification(
            recipient=user,
            kind=event.kind,
            event_key=event.key,
            day=day or timezone.localdate(),
            title=event.title[:200],
            body=body,
            link=event.link,
        )
        for pk, user in people.items()
        if pk not in already
    ]
    Notification.objects.bulk_create(fresh, ignore_conflicts=True)
    created = {
        n.recipient_id: n
        for n in Notification.objects.filter(event_key=event.key, recipient_id__in=[n.recipient_id for n in fresh])
    }
    deliveries = [
        Delivery(
            event_key=event.key,
            channel=Delivery.Channel.EMAIL,
            target=user.email,
            notification=created.get(user.pk),
            title=event.title[:200],
            body=body,
            attachment=event.attachment,
        )
        for user in (n.recipient for n in fresh)
        if user.email and user.notify_channel == User.NotifyChannel.EMAIL and user.pk in created
    ]
    channels = [(Delivery.Channel.OFFICE, url) for url in settings.RECTIFY_NOTIFY_URLS] if event.broadcast else []
    if event.broadcast and event.department is not None and event.department.notify_url:
        channels.append((Delivery.Channel.DEPARTMENT, event.department.notify_url))
    deliveries += [
        Delivery(event_key=event.key, channel=channel, target=url, title=event.title[:200], body=body)
        for channel, url in channels
    ]
    queue(deliveries)
    return [created[n.recipient_id] for n in fresh if n.recipient_id in created]


def queue(deliveries: list[Delivery]) -> None:
    """Store the deliveries (skipping any already stored) and, after commit, queue their sending."""
    if not deliveries:
        return
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    keys = sorted({delivery.event_key for delivery in deliveries})
    from .tasks import deliver_event  # the task module imports the sender, which imports this one

    for key in keys:
        transaction.on_commit(lambda key=key: deliver_event.enqueue(key))


def send_test(*, user: User, url: str, label: str) -> Delivery:
    """The office's 发送测试消息 for one channel. Sent at once, in the request, so that the office
    sees whether the channel works; a failure is recorded and retried like any other."""
    from .sending import send_one

    delivery = Delivery.objects.create(
        event_key=f"test:{user.pk}:{timezone.now().isoformat()}",
        channel=Delivery.Channel.DEPARTMENT if label != "整改办" else Delivery.Channel.OFFICE,
        target=url,
        title="巡视整改台账管理系统测试消息",
        body=f"这是{user}从巡视整改台账管理系统发往「{label}」通知渠道的测试消息。收到即表示该渠道可用。",
    )
    send_one(delivery)
    delivery.refresh_from_db()
    return delivery
