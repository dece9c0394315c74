"""The Excel export and import, measured in a process of their own (for a clean peak memory).

    python bench/excel.py export --kind items|monthly --save PATH
    python bench/excel.py import --file PATH

``export`` downloads /reports/items.xlsx (every item: the filtered-list export with no filter) or
/reports/ledger.xlsx (the monthly ledger of the first inspection, compared with the end of the
previous month from history) through the test client, then writes the very same cell values
with bare openpyxl (write-only workbook, no styles, no merges) for the ratio; exports of up to
``REPEAT_ROWS`` rows are timed three times, and so is bare openpyxl, and the fastest of each
counts. ``import`` imports
a saved ledger into a new inspection and commits (the time includes the checks at commit).
Each prints one JSON line; ``{"missing": "…"}`` when the feature is not there (yet).
"""

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_user, emit, peak_rss_mb, setup_django

REPEAT_ROWS = 20_000


def export(kind: str, save: Path) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from rectify.ledger.models import Inspection, RectificationItem

    try:
        path = reverse("reports:items-xlsx" if kind == "items" else "reports:ledger-xlsx")
    except NoReverseMatch as error:
        return {"missing": f"export URL: {error}"}
    inspection = Inspection.objects.order_by("pk").first()
    if kind == "monthly":
        path += f"?inspection={inspection.pk}&as_of={timezone.localdate():%Y-%m-%d}"
        rows = inspection.items.count()
    else:
        rows = RectificationItem.objects.count()
    client = Client()
    client.force_login(bench_user())
    client.get("/items/")  # warm-up of the session and the connection, not of the export
    rss_before = peak_rss_mb()
    with CaptureQueriesContext(connection) as context:
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(path)
        content = response.content
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    queries = len(context.captured_queries)
    peak = peak_rss_mb()
    if response.status_code != 200:
        return {"missing": f"{path}: HTTP {response.status_code}"}
    save.write_bytes(content)
    bare, bare_cpu = bare_openpyxl(content)
    # Exports of up to REPEAT_ROWS rows run twice more, and so does bare openpyxl; the fastest of
    # each counts (as timeit does): on a shared machine the noise only ever adds time.
    runs = 1 if rows > REPEAT_ROWS else 3
    for _ in range(runs - 1):
        started, cpu_started = time.perf_counter(), time.process_time()
        client.get(path).content  # noqa: B018
        seconds = min(seconds, time.perf_counter() - started)
        cpu_seconds = min(cpu_seconds, time.process_time() - cpu_started)
        again, again_cpu = bare_openpyxl(content)
        bare, bare_cpu = min(bare, again), min(bare_cpu, again_cpu)
    return {
        "runs": runs,
        "kind": kind,
        "url": path,
        "rows": rows,
        "seconds": seconds,
        "queries": queries,
        "bytes": len(content),
        "peak_rss_mb": peak,
        "rss_before_mb": rss_before,
        "bare_seconds": bare,
        "ratio": seconds / bare if bare else None,
        # CPU time of this process: steadier than wall time on a busy machine (but without the
        # database server's share on PostgreSQL).
        "cpu_seconds": cpu_seconds,
        "bare_cpu_seconds": bare_cpu,
        "cpu_ratio": cpu_seconds / bare_cpu if bare_cpu else None,
    }


def bare_openpyxl(content: bytes) -> tuple[float, float]:
    """Seconds (wall, CPU) bare openpyxl takes to write the same cell values (read back from ``content``)."""
    from openpyxl import Workbook, load_workbook

    source = load_workbook(io.BytesIO(content), read_only=True)
    sheets = [(sheet.title, list(sheet.iter_rows(values_only=True))) for sheet in source.worksheets]
    source.close()
    started, cpu_started = time.perf_counter(), time.process_time()
    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(io.BytesIO())
    return time.perf_counter() - started, time.process_time() - cpu_started


def import_file(path: Path) -> dict:
    """Imports ``path`` as a new inspection and commits, so that the time includes what the
    database checks at commit (deferred foreign keys). ``run.py`` measures it last: the database
    is thrown away afterwards."""
    try:
        from rectify.reports.excel.importer import import_ledger
    except ImportError as error:
        return {"missing": f"importer: {error}"}

    user = bench_user()
    started, cpu_started = time.perf_counter(), time.process_time()
    plan = import_ledger(source=path, title="压测导入", user=user)  # atomic: commits on return
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    rows = len(plan.rows)
    return {
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
        "cpu_seconds": cpu_seconds,
        "peak_rss_mb": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    exporting = sub.add_parser("export")
    exporting.add_argument("--kind", choices=["items", "monthly"], required=True)
    exporting.add_argument("--save", type=Path, required=True)
    importing = sub.add_parser("import")
    importing.add_argument("--file", type=Path, required=True)
    args = parser.parse_args()
    setup_django()
    if args.command == "export":
        emit(export(args.kind, args.save))
    else:
        emit(import_file(args.file))


if __name__ == "__main__":
    main()
