"""Database-side forms of the derived fields, so that lists can filter and count by them."""

import datetime

from django.db import models
from django.db.models import Case, Q, Value, When

from .status import CLOSED, Status
from .warning import Light, warning_days


class InspectionQuerySet(models.QuerySet):
    def active(self):
        """Rounds not deleted (a deleted round stays in the database, listed as deleted)."""
        return self.filter(deleted_at__isnull=True)


class RectificationItemQuerySet(models.QuerySet):
    def of_active_rounds(self):
        """Items of rounds not deleted; a subquery on the small rounds table, no join."""
        from .models import Inspection

        return self.exclude(inspection_id__in=Inspection.objects.filter(deleted_at__isnull=False).values("pk"))

    def overdue_q(self, today: datetime.date) -> Q:
        return Q(deadline__lt=today) & ~Q(status__in=CLOSED)

    def overdue(self, today: datetime.date):
        return self.filter(self.overdue_q(today))

    def light_q(self, light: str, today: datetime.date) -> Q:
        status = Status
        open_with_deadline = ~Q(status__in=CLOSED) & Q(deadline__isnull=False)
        horizon = today + datetime.timedelta(days=warning_days())
        return {
            Light.GREY: Q(status=status.COMPLETED),
            Light.BLUE: Q(status=status.ONGOING) | (~Q(status=status.COMPLETED) & Q(deadline__isnull=True)),
            Light.RED: open_with_deadline & Q(deadline__lt=today),
            Light.YELLOW: open_with_deadline & Q(deadline__gte=today, deadline__lte=horizon),
            Light.GREEN: open_with_deadline & Q(deadline__gt=horizon),
        }[Light(light)]

    def with_light(self, today: datetime.date):
        """Annotate ``light`` (a ``Light`` value) computed in the database."""
        return self.annotate(
            light=Case(
                *(When(self.light_q(light, today), then=Value(light.value)) for light in Light),
                output_field=models.CharField(),
            )
        )
