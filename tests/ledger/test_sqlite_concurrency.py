"""Finding 6: simultaneous saves of one item on the embedded SQLite never answer 500."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
THREADS = 6


def test_concurrent_saves_of_one_item_on_sqlite_all_succeed(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'concurrent.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "rectify.settings",
        "PYTHONPATH": str(ROOT),
        "AXES_ENABLED": "0",
        "CONCURRENT_SAVES": str(THREADS),
        "DEBUG": "1",
        "ALLOWED_HOSTS": "testserver",
    }
    run = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("concurrent_saves.py"))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "database is locked" not in run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    # Each liaison reports progress and ticks one measure: every save is accepted (a redirect).
    assert result["statuses"] == [302] * (2 * THREADS), result
    assert result["progress_stored"] == THREADS
    assert result["measures_done"] == THREADS
