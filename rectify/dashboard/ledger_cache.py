"""The ledger-wide part of the dashboard (figures, charts, lists, ranking), rendered once per
change of the ledger and kept.

Rendering it costs most of a dashboard request at 10,000 items (about 130 ms of queries and
templates); it is the same for every user with the same view of the ledger. The cache key holds
the ledger's *revision* (``ledger_revision``), which every committed change of an inspection,
problem, item (its leaders and co-departments included), department or leader raises, so the
key changes with the data and no entry needs invalidating; the day is part of the key too
(warning lights change at midnight). Entries expire after ``LEDGER_CACHE_SECONDS`` so that
superseded ones do not pile up.
"""

from collections.abc import Callable

from django.core.cache import cache
from django.db import connection

from rectify.ledger.models import LedgerRevision
from rectify.ledger.revision import TRACKED

LEDGER_CACHE_SECONDS = 600


def ledger_revision() -> tuple[int, ...]:
    """The ledger's revision (raised after each commit that changed it, see ledger/revision.py)
    and, should a write ever bypass it, the last history id of each model the dashboard shows:
    one query, each part a look at one row or at the end of a primary-key index."""
    quote = connection.ops.quote_name
    parts = [f"(SELECT {quote('number')} FROM {quote(LedgerRevision._meta.db_table)} WHERE {quote('id')} = 1)"]
    parts += [
        f"(SELECT MAX({quote('history_id')}) FROM {quote(model.history.model._meta.db_table)})" for model in TRACKED
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts))
        return tuple(value or 0 for value in cursor.fetchone())


def cached_fragments(scope: str, render: Callable[[], dict[str, str]]) -> dict[str, str]:
    """``render()``'s HTML fragments for ``scope`` (who sees what, which inspection, which day) at
    the ledger's current revision, from the cache when they were rendered before."""
    key = "dashboard-ledger:{}:{}".format(scope, ".".join(map(str, ledger_revision())))
    fragments = cache.get(key)
    if fragments is None:
        fragments = render()
        cache.set(key, fragments, LEDGER_CACHE_SECONDS)
    return fragments
