"""Reads for the office's channel page: the channels, and what failed to go out."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

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


def channels() -> list[Channel]:
    office = [Channel(f"office-{n}", "整改办", url) for n, url in enumerate(settings.RECTIFY_NOTIFY_URLS)]
    departments = Department.objects.exclude(notify_url="").order_by("sort_order", "name")
    return office + [Channel(f"department-{d.pk}", d.name, d.notify_url) for d in departments]


def channel(ident: str) -> Channel | None:
    return next((c for c in channels() if c.ident == ident), None)


def failed_deliveries(limit: int = 200) -> QuerySet[Delivery]:
    return Delivery.objects.filter(state=Delivery.State.FAILED).order_by("-next_attempt_at", "-pk")[:limit]


def shown_target(delivery: Delivery) -> str:
    return delivery.target if delivery.channel == Delivery.Channel.EMAIL else masked_channel_url(delivery.target)
