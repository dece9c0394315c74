"""The ledger's revision (``LedgerRevision``), raised after each commit that changed what the
ledger shows, for caches keyed on it (the dashboard's).

Raised *after* the commit (``transaction.on_commit``): a reader that sees the new number also
sees the data; one that read the old number before the commit cached the old data under the
old key. Saves of the tracked models reach ``changed`` through simple-history's signal (every
save, delete and change of an item's leaders or co-departments writes a history record); bulk
writes that bypass it (the Excel import, generated demo data, a restore) call it themselves.

Once per transaction, through public APIs only: ``changed`` remembers (weakly) the callback it
gave ``transaction.on_commit`` on this connection and schedules another only when that one has
run or is gone. Django drops the callbacks of a rolled-back savepoint or transaction and keeps
no other reference to them, so the weak reference dies with them and the next change in the
outer transaction schedules a new one (tests/ledger/test_revision.py pins this).
"""

import weakref

from django.db import connections, transaction
from django.db.models import F

from rectify.accounts.models import Department, Leader

from .models import FeedbackProblem, Inspection, LedgerRevision, RectificationItem

TRACKED = (Inspection, FeedbackProblem, RectificationItem, Department, Leader)


class _Raise:
    """One scheduled raise; ``ran`` once Django has called it."""

    __slots__ = ("ran", "__weakref__")

    def __init__(self):
        self.ran = False

    def __call__(self) -> None:
        self.ran = True
        _raise()


# Per connection object (one per thread and alias): the raise scheduled in its transaction.
_scheduled: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def changed(*, using: str = "default") -> None:
    """Raise the revision once the current transaction commits (at once outside one); once per
    transaction however many rows it writes."""
    connection = connections[using]
    reference = _scheduled.get(connection)
    pending = reference() if reference is not None else None
    if pending is not None and not pending.ran:
        return
    callback = _Raise()
    _scheduled[connection] = weakref.ref(callback)
    transaction.on_commit(callback, using=using, robust=True)  # a failed raise is logged, never a 500


def on_history_record(sender, instance, using=None, **kwargs) -> None:
    """Receiver of simple-history's ``post_create_historical_record``."""
    if isinstance(instance, TRACKED):
        changed(using=using or "default")


def _raise() -> None:
    if not LedgerRevision.objects.filter(pk=1).update(number=F("number") + 1):
        LedgerRevision.objects.get_or_create(pk=1, defaults={"number": 1})
