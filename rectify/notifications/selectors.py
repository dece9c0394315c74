"""Reads for the office's channel page: the channels, and what failed to go out."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from rectify.accounts.channels import masked_channel_url
from rectify.accounts.models import Department

from .models import Delivery


@dataclass(frozen=True)
class Channel:
    ident: str  # "office-0", "department-12": what the test button posts
    label: str
    url: str

    @property
    def shown(self) -> str:
        return masked_channel_url(self.url)


def channels(user) -> list[Channel]:
    """The channels ``user`` keeps: the installation's office channels for the office tied to no
    unit, and the departments' channels of the user's units (accounts/units.py)."""
    path = user.scope_path
    office = (
        [] if path else [Channel(f"office-{n}", "整改办", url) for n, url in enumerate(settings.RECTIFY_NOTIFY_URLS)]
    )
    departments = Department.objects.exclude(notify_url="").filter(unit__path__startswith=path)
    departments = departments.order_by("sort_order", "name")
    return office + [Channel(f"department-{d.pk}", d.name, d.notify_url) for d in departments]


def channel(user, ident: str) -> Channel | None:
    return next((c for c in channels(user) if c.ident == ident), None)


def failed_deliveries(user, limit: int = 200) -> QuerySet[Delivery]:
    """Failed messages: all of them for the office tied to no unit; for a unit's office, those
    to its departments' channels and to the people of its units."""
    failed = Delivery.objects.filter(state=Delivery.State.FAILED)
    path = user.scope_path
    if path:
        failed = failed.filter(
            Q(target__in=[c.url for c in channels(user)])
            | Q(notification__recipient__unit__path__startswith=path)
            | Q(notification__recipient__department__unit__path__startswith=path)
        )
    return failed.order_by("-next_attempt_at", "-pk")[:limit]


def shown_target(delivery: Delivery) -> str:
    return delivery.target if delivery.channel == Delivery.Channel.EMAIL else masked_channel_url(delivery.target)
