"""Median latency and query count of the main pages through Django's test client.

    DATABASE_URL=… python bench/pages.py [--repeat 7] [--budget 20] [--explain 6]

Logged in (``force_login``) as a discipline-office user. Django's cache is cleared before every
request (the uncached cost), except for ``dashboard_warm``. Prints one JSON line. With ``--explain N``
(PostgreSQL) it also runs EXPLAIN (ANALYZE, BUFFERS) on the N slowest queries of the dashboard and
the item lists.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_user, emit, median, setup_django, timed_runs


def page_urls() -> list[tuple[str, str]]:
    from rectify.ledger.models import Inspection, RectificationItem

    first = Inspection.objects.order_by("pk").first()
    # A completed item with measures, progress and two history records: a full detail page.
    detail = (
        RectificationItem.objects.filter(inspection=first, status=RectificationItem.Status.COMPLETED)
        .order_by("number")
        .values_list("pk", flat=True)
        .first()
    )
    return [
        ("dashboard", "/?inspection=all"),
        ("dashboard_warm", "/?inspection=all"),
        ("dashboard_one", f"/?inspection={first.pk}"),
        ("list", "/items/"),
        ("list_filtered", f"/items/?inspection={first.pk}&status=in_progress&overdue=true"),
        ("detail", f"/items/{detail}/"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per page before stopping early")
    parser.add_argument("--explain", type=int, default=0)
    args = parser.parse_args()

    setup_django()
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(bench_user())
    results, captured = {}, {}
    for name, url in page_urls():
        # Every page is measured uncached: Django's cache is cleared before each request. Only
        # ``dashboard_warm`` keeps it (it equals ``dashboard`` unless the app caches something).
        cold = name != "dashboard_warm"

        def get(url=url, cold=cold):
            if cold:
                cache.clear()
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url}: HTTP {response.status_code}")
            return response

        get()  # warm-up: connections, caches, template compilation
        with CaptureQueriesContext(connection) as context:
            response = get()
        # Read now: the log is cleared when the next request starts.
        queries = list(context.captured_queries)
        times = timed_runs(get, repeat=args.repeat, budget=args.budget)
        results[name] = {
            "url": url,
            "median_s": median(times),
            "min_s": min(times),
            "runs": len(times),
            "queries": len(queries),
            "bytes": len(response.content),
        }
        captured[name] = queries

    output = {"vendor": connection.vendor, "pages": results}
    if args.explain and connection.vendor == "postgresql":
        output["explain"] = explain_slowest(captured, args.explain)
    emit(output)


def explain_slowest(captured: dict[str, list[dict]], count: int) -> list[dict]:
    """EXPLAIN (ANALYZE, BUFFERS) of the slowest distinct queries of the dashboard and lists."""
    from django.db import connection

    candidates = []
    for page in ("dashboard", "dashboard_one", "list", "list_filtered"):
        for query in captured.get(page, []):
            sql = query["sql"]
            if sql.lstrip().upper().startswith("SELECT"):
                candidates.append((float(query["time"]), page, sql))
    candidates.sort(reverse=True)
    seen, plans = set(), []
    for seconds, page, sql in candidates:
        if sql in seen:
            continue
        seen.add(sql)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        plans.append({"page": page, "captured_s": seconds, "sql": sql, "plan": plan})
        if len(plans) == count:
            break
    return plans


if __name__ == "__main__":
    main()
