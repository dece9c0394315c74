"""Where each dashboard figure leads: the item list with the matching filter."""

from urllib.parse import urlencode

from django.urls import reverse

from rectify.ledger.models import Inspection, RectificationItem

Status = RectificationItem.Status


def figure_links(inspection: Inspection | None) -> dict[str, str]:
    base = reverse("ledger:item-list")
    scope = {"inspection": inspection.pk} if inspection else {}

    def link(**params) -> str:
        return f"{base}?{urlencode({**scope, **params}, doseq=True)}"

    return {
        "total": link(),
        "completed": link(status=Status.COMPLETED),
        "ongoing": link(status=Status.ONGOING),
        "in_progress": link(status=Status.IN_PROGRESS),
        "not_started": link(status=Status.NOT_STARTED),
        "pending_signoff": link(status=Status.PENDING_SIGNOFF),
        "overdue": link(overdue="true"),
    }
