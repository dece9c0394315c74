"""Where each dashboard figure and chart element leads: the item list with the matching filter."""

from urllib.parse import urlencode

from django.urls import reverse

from rectify.accounts.models import Unit
from rectify.ledger.models import Inspection, RectificationItem
from rectify.ledger.warning import Light

Status = RectificationItem.Status


class ItemLinks:
    """Builds /items/ links within the chosen inspection (or all of them), and within the chosen
    unit's subtree when the user drilled into one."""

    def __init__(self, inspection: Inspection | None, unit: Unit | None = None):
        self.base = reverse("ledger:item-list")
        self.scope = {"unit": unit.pk} if unit else {}
        if inspection:
            self.scope["inspection"] = inspection.pk

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


class UnitLinks(ItemLinks):
    """Where a unit's row in the supervising office's ranking leads: its items, and its cockpit."""

    def __init__(self, unit: Unit):
        super().__init__(None, unit)
        self.cockpit = f"{reverse('dashboard:index')}?{urlencode({'unit': unit.pk})}"
        self.completed = self(status=Status.COMPLETED)
        self.overdue = self(overdue="true")
        self.returned = self(returned="true")
        self.escalated = self(escalated="true")
        self.items = self()
