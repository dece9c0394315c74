"""Where each dashboard figure and chart element leads: the item list with the matching filter."""

from urllib.parse import urlencode

from django.urls import reverse

from rectify.ledger.models import Inspection, RectificationItem
from rectify.ledger.warning import Light

Status = RectificationItem.Status


class ItemLinks:
    """Builds /items/ links within the chosen inspection (or all of them)."""

    def __init__(self, inspection: Inspection | None):
        self.base = reverse("ledger:item-list")
        self.scope = {"inspection": inspection.pk} if inspection else {}

    def __call__(self, **params) -> str:
        params = {key: value for key, value in params.items() if value is not None}
        return f"{self.base}?{urlencode({**self.scope, **params}, doseq=True)}"

    def figures(self) -> dict[str, str]:
        return {
            "total": self(),
            "completed": self(status=Status.COMPLETED),
            "closed": self(status=[Status.COMPLETED, Status.ONGOING]),
            "ongoing": self(status=Status.ONGOING),
            "in_progress": self(status=Status.IN_PROGRESS),
            "not_started": self(status=Status.NOT_STARTED),
            "pending_signoff": self(status=Status.PENDING_SIGNOFF),
            "overdue": self(overdue="true"),
            "due_soon": self(light=Light.YELLOW),
        }

    def department(self, pk: int) -> dict[str, str]:
        """The figures of one row of the department ranking."""
        return {
            "total": self(lead_department=pk),
            "completed": self(lead_department=pk, status=Status.COMPLETED),
            "overdue": self(lead_department=pk, overdue="true"),
        }
