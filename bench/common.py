"""Shared by the bench scripts: the environment the app runs in, Django setup, the bench user,
and the output protocol (each measuring script prints one JSON object on its last line)."""

import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_USERNAME = "bench-office"

PAGE_LABELS = {
    "dashboard": "`/`（全部巡视轮次）",
    "dashboard_warm": "`/`（全部巡视轮次，不清缓存）",
    "dashboard_one": "`/?inspection=…`（一个巡视轮次）",
    "list": "`/items/`",
    "list_filtered": "`/items/?inspection=…&status=in_progress&overdue=true`",
    "detail": "`/items/<pk>/`",
}
BACKEND_LABELS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def size_label(size: int) -> str:
    return f"{size // 1000}k" if size % 1000 == 0 else str(size)


def app_env(database_url: str, workdir: Path) -> dict[str, str]:
    """Production-like settings (DEBUG off) for a throw-away database."""
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DEBUG": "false",
            "SECRET_KEY": "rectify-bench-only-not-a-secret-0123456789abcdef",
            "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            # Production requires these; the bench signs no backups and measures pages after the
            # password (a second factor is a page of its own, measured by nobody here).
            "BACKUP_KEY": "rectify-bench-only-backup-key-0123456789abcdef",
            "RECTIFY_2FA": "optional",
            "STATIC_ROOT": str(workdir / "static"),
            "MEDIA_ROOT": str(workdir / "media"),
            "LOG_LEVEL": "ERROR",
            "PYTHONPATH": str(ROOT),
            "PYTHONHASHSEED": "0",
        }
    )
    return env


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rectify.settings")
    import django

    django.setup()


def bench_user():
    """A discipline-office user (sees the whole ledger, may export and import)."""
    from django.contrib.auth.models import Group

    from rectify.accounts.models import User
    from rectify.accounts.roles import Role

    user, created = User.objects.get_or_create(
        username=BENCH_USERNAME, defaults={"full_name": "压测用户", "is_staff": True}
    )
    if created:
        user.set_unusable_password()
        user.save()
        user.groups.add(Group.objects.get_or_create(name=Role.DISCIPLINE_OFFICE.value)[0])
    return user


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_runs(function, *, repeat: int, budget: float, minimum: int = 3) -> list[float]:
    """Seconds of up to ``repeat`` calls, stopping early (after ``minimum``) once ``budget`` s are spent."""
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < repeat:
        t0 = time.perf_counter()
        function()
        times.append(time.perf_counter() - t0)
        if len(times) >= minimum and time.perf_counter() - started > budget:
            break
    return times


def median(values: list[float]) -> float:
    return statistics.median(values)


def emit(result: dict) -> None:
    """The measuring scripts' answer to ``run.py``: one JSON line, last on stdout."""
    print(json.dumps(result, ensure_ascii=False, default=str))
