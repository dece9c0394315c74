"""The ledger's revision (``LedgerRevision``), raised after each commit that changed what the
ledger shows, for caches keyed on it (the dashboard's).

Raised *after* the commit (``transaction.on_commit``): a reader that sees the new number also
sees the data; one that read the old number before the commit cached the old data under the
old key. Saves of the tracked models reach ``changed`` through simple-history's signal (every
save, delete and change of an item's leaders or co-departments writes a history record); bulk
writes that bypass it (the Excel import, generated demo data, a restore) call it themselves.
"""

from django.db import connections, transaction
from django.db.models import F

from rectify.accounts.models import Department, Leader

from .models import FeedbackProblem, Inspection, LedgerRevision, RectificationItem

TRACKED = (Inspection, FeedbackProblem, RectificationItem, Department, Leader)


def changed(*, using: str = "default") -> None:
    """Raise the revision once the current transaction commits (at once outside one); once per
    transaction however many rows it writes."""
    if any(callback is _raise for _savepoints, callback, _robust in connections[using].run_on_commit):
        return
    transaction.on_commit(_raise, using=using, robust=True)  # a failed raise is logged, never a 500


def on_history_record(sender, instance, using=None, **kwargs) -> None:
    """Receiver of simple-history's ``post_create_historical_record``."""
    if isinstance(instance, TRACKED):
        changed(using=using or "default")


def _raise() -> None:
    if not LedgerRevision.objects.filter(pk=1).update(number=F("number") + 1):
        LedgerRevision.objects.get_or_create(pk=1, defaults={"number": 1})
