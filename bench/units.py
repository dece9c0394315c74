"""Median latency and query count of the supervising office's home and of one unit's cockpit.

    DATABASE_URL=… python bench/units.py [--repeat 7] [--budget 20]

The database holds ``generate_demo_data --units K`` (K units of the same size). Logged in as the
bench's discipline-office user tied to no unit: the supervising office of every unit. Django's
cache is cleared before every request (the uncached cost). Prints one JSON line.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_user, emit, median, setup_django, timed_runs


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per page before stopping early")
    args = parser.parse_args()

    setup_django()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from rectify.accounts.models import Unit
    from rectify.ledger.models import RectificationItem

    # The unit with the most items (the cockpit's worst case among equals).
    unit = Unit.objects.get(
        pk=RectificationItem.objects.values_list("inspection__unit").order_by("inspection__unit")[0][0]
    )
    client = Client()
    client.force_login(bench_user())
    results = {}
    for name, url in (("supervising", "/"), ("unit_cockpit", f"/?unit={unit.pk}")):

        def get(url=url):
            cache.clear()
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
            return response

        get()  # warm-up: connections, template compilation
        with CaptureQueriesContext(connection) as context:
            response = get()
        queries = len(context.captured_queries)
        times = timed_runs(get, repeat=args.repeat, budget=args.budget)
        results[name] = {
            "url": url,
            "median_s": median(times),
            "min_s": min(times),
            "runs": len(times),
            "queries": queries,
            "bytes": len(response.content),
        }
    emit(
        {
            "vendor": connection.vendor,
            "units": Unit.objects.filter(inspections__isnull=False).distinct().count(),
            "items": RectificationItem.objects.count(),
            "pages": results,
        }
    )


if __name__ == "__main__":
    main()
