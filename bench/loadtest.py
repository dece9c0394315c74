"""Bounded load test: concurrent clients reading and writing the same items under gunicorn + PostgreSQL.

    .venv/bin/python bench/loadtest.py [--database postgres|sqlite] [--clients 50] [--seconds 30] [--workers 4]

Starts a throw-away PostgreSQL 15 (initdb into a temp dir, as the ``postgres`` user when run as
root), or with ``--database sqlite`` an SQLite file in a temp dir (the embedded default, with the
project's own SQLite settings), migrates it, loads the seed, creates the users, starts gunicorn on loopback, and lets
the clients loose: liaisons report progress and tick measures on their department's items,
discipline-office staff edit the same items with the version they read (so conflicts happen),
everyone reads the dashboard, the list and the detail pages. At the end it checks, from the
database, that no write was lost: every accepted progress report is there exactly once, and each
item's version grew by exactly the number of accepted edits. Writes that database's section of
bench/LOADTEST.md (the other database's section is kept).
"""

import argparse
import collections
import datetime
import html
import http.client
import json
import os
import platform
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
PASSWORD = "Load#Test-2024pw"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """A temporary PostgreSQL cluster on a loopback port."""

    def __init__(self):
        self.root = Path(tempfile.mkdtemp(prefix="rectify-load-pg-"))
        self.port = free_port()
        self.as_root = os.geteuid() == 0

    def _run(self, *args):
        command = [str(a) for a in args]
        if self.as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, cwd=self.root, stdout=subprocess.DEVNULL)

    def __enter__(self):
        if self.as_root:
            shutil.chown(self.root, "postgres")
        self._run(
            PG_BIN / "initdb",
            "-D",
            self.root / "data",
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run(PG_BIN / "pg_ctl", "-D", self.root / "data", "-l", self.root / "log", "-w", "-o", options, "start")
        self._run(PG_BIN / "createdb", "-h", "127.0.0.1", "-p", self.port, "-U", "postgres", "rectify")
        return self

    def __exit__(self, *exc):
        try:
            self._run(PG_BIN / "pg_ctl", "-D", self.root / "data", "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/rectify"


class Sqlite:
    """A temporary SQLite database file (WAL, busy timeout and BEGIN IMMEDIATE come from settings.py)."""

    def __enter__(self):
        self.root = Path(tempfile.mkdtemp(prefix="rectify-load-sqlite-"))
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.root, ignore_errors=True)

    @property
    def url(self) -> str:
        return f"sqlite:///{self.root / 'rectify.sqlite3'}"


DATABASES = {"postgres": ("PostgreSQL 15 on loopback", Postgres), "sqlite": ("SQLite (embedded file)", Sqlite)}

SETUP = """
import json
from django.contrib.auth.models import Group
from rectify.accounts.models import User
from rectify.ledger.models import RectificationItem
items = list(RectificationItem.objects.order_by("number")[:6])
RectificationItem.objects.filter(pk__in=[i.pk for i in items]).update(status="in_progress", completed_on=None)
office = Group.objects.get(name="纪工委工作人员")
liaison = Group.objects.get(name="部门联络员")
for n in range(5):
    u = User.objects.create_user(f"office{n}", password=PASSWORD, full_name=f"纪工委{n}")
    u.groups.add(office)
for item in items:
    u, _ = User.objects.get_or_create(username=f"liaison{item.lead_department_id}", defaults={"department_id": item.lead_department_id})
    u.set_password(PASSWORD)
    u.save()
    u.groups.add(liaison)
print(json.dumps({str(i.pk): {"department": i.lead_department_id, "version": i.version} for i in items}))
"""

CHECK = """
import json
from rectify.ledger.models import ProgressUpdate, RectificationItem
print(json.dumps({{
    "progress": list(ProgressUpdate.objects.filter(text__startswith="LOAD-").values_list("text", flat=True)),
    "versions": {{str(i.pk): i.version for i in RectificationItem.objects.filter(pk__in=[{pks}])}},
}}))
"""


class Client:
    """A logged-in browser-like client on one keep-alive connection."""

    def __init__(self, port: int, username: str):
        self.port, self.username, self.cookies = port, username, {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, str]:
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Referer": f"http://127.0.0.1:{self.port}/",
        }
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    def log_in(self):
        _, page = self.request("GET", "/accounts/login/")
        token = CSRF.search(page).group(1)
        status, _ = self.request(
            "POST", "/accounts/login/", {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        if status != 302:
            raise RuntimeError(f"{self.username} could not log in ({status})")

    def token(self) -> str:
        return self.cookies.get("csrftoken", "")


def run(clients: int, seconds: int, workers: int, database: str = "postgres") -> dict:
    with DATABASES[database][1]() as db:
        env = {**os.environ, "DATABASE_URL": db.url, "DEBUG": "1", "AXES_ENABLED": "0"}
        manage = [PYTHON, "manage.py"]
        subprocess.run([*manage, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        subprocess.run([*manage, "loaddata", "seed_huaihua_2023", "-v0"], cwd=ROOT, env=env, check=True)
        out = subprocess.run(
            [*manage, "shell", "-v0", "-c", f"PASSWORD = {PASSWORD!r}\n" + SETUP],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        items = {int(pk): facts for pk, facts in json.loads(out.stdout.strip().splitlines()[-1]).items()}
        port = free_port()
        server = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "rectify.wsgi",
                "-b",
                f"127.0.0.1:{port}",
                "-w",
                str(workers),
                "--threads",
                "4",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env={**env, "CONN_MAX_AGE": "0"},
        )
        try:
            for _ in range(100):
                try:
                    http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                    break
                except OSError:
                    time.sleep(0.2)
            result = _hammer(port, clients, seconds, items)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        check = subprocess.run(
            [*manage, "shell", "-v0", "-c", CHECK.format(pks=",".join(map(str, items)))],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        stored = json.loads(check.stdout.strip().splitlines()[-1])
        result["stored_progress"] = collections.Counter(stored["progress"])
        result["versions"] = {int(k): v for k, v in stored["versions"].items()}
        result["initial_versions"] = {pk: facts["version"] for pk, facts in items.items()}
        return result


def _hammer(port, clients, seconds, items: dict) -> dict:
    item_ids = sorted(items)
    lock = threading.Lock()
    statuses = collections.Counter()
    latencies = []
    accepted_progress, accepted_edits, conflicts = [], collections.Counter(), collections.Counter()
    ready = threading.Barrier(clients + 1)
    clock = {}

    def worker(n: int):
        rng = random.Random(n)
        office = n % 3 == 0
        item = item_ids[n % len(item_ids)]
        username = f"office{n % 5}" if office else f"liaison{items[item]['department']}"
        client = Client(port, username)
        client.log_in()
        ready.wait()
        count = 0
        while time.monotonic() < clock["deadline"]:
            count += 1
            choice = rng.random()
            started = time.perf_counter()
            if choice < 0.45:
                path = rng.choice(["/", "/items/", f"/items/{item}/", "/items/?status=in_progress"])
                status, _ = client.request("GET", path)
            elif office:
                status, page = client.request("GET", f"/items/{item}/edit/")
                version = int(VERSION.search(page).group(1)) if status == 200 else None
                form = _edit_form(page)
                form.update(
                    {"note": f"LOAD note {n}-{count}", "version": version, "csrfmiddlewaretoken": client.token()}
                )
                status, _ = client.request("POST", f"/items/{item}/edit/", form)
                with lock:
                    if status == 302:
                        accepted_edits[item] += 1
                    elif status == 200:
                        conflicts[item] += 1
            else:
                token = f"LOAD-{n}-{count}"
                status, _ = client.request(
                    "POST",
                    f"/items/{item}/progress/",
                    {
                        "text": token,
                        "reported_on": datetime.date.today().isoformat(),
                        "csrfmiddlewaretoken": client.token(),
                    },
                )
                if status == 302:
                    with lock:
                        accepted_progress.append(token)
            with lock:
                statuses[status] += 1
                latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    clock["deadline"] = time.monotonic() + seconds + 0.0
    ready.wait(timeout=120)  # every client logged in: start the clock
    started = time.monotonic()
    clock["deadline"] = started + seconds
    for thread in threads:
        thread.join()
    return {
        "elapsed": time.monotonic() - started,
        "statuses": statuses,
        "latencies": sorted(latencies),
        "accepted_progress": accepted_progress,
        "accepted_edits": accepted_edits,
        "conflicts": conflicts,
    }


def _edit_form(page: str) -> dict:
    """The edit form's current values, enough to post it back unchanged."""
    form = {}
    for match in re.finditer(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page):
        form[match.group(1)] = match.group(2)
    for match in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        selected = re.findall(r'<option value="([^"]*)"[^>]*selected', match.group(2))
        form[match.group(1)] = selected if "multiple" in match.group(0) else (selected[0] if selected else "")
    for match in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        form[match.group(1)] = html.unescape(match.group(2).strip("\n"))
    form.pop("csrfmiddlewaretoken", None)
    return form


def report(result: dict, clients: int, seconds: int, workers: int, database: str = "postgres") -> tuple[str, bool]:
    statuses = result["statuses"]
    total = sum(statuses.values())
    errors = sum(n for status, n in statuses.items() if status >= 500)
    latencies = result["latencies"]
    stored = result["stored_progress"]
    lost_progress = [t for t in result["accepted_progress"] if stored.get(t, 0) != 1]
    extra_progress = [t for t, n in stored.items() if n != 1 or t not in set(result["accepted_progress"])]
    # Progress on an item already in progress does not bump its version; only accepted edits do.
    growth = {
        item: (result["versions"][item] - result["initial_versions"][item], result["accepted_edits"][item])
        for item in result["versions"]
    }
    lost_update = any(grew != accepted for grew, accepted in growth.values())
    lines = [
        f"## {database}",
        "",
        f"- date: {datetime.datetime.now():%Y-%m-%d %H:%M}",
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        f"- setup: gunicorn {workers} workers × 4 threads + {DATABASES[database][0]}; {clients} concurrent clients for {seconds} s",
        "- mix: 45% page reads (/, /items/, /items/<pk>/, a filtered list), the rest writes to the same 6 items:",
        "  liaisons report progress, discipline-office staff post the edit form with the version they read",
        "",
        "| figure | value |",
        "|---|---|",
        f"| requests | {total} ({total / result['elapsed']:.0f}/s) |",
        f"| responses by status | {', '.join(f'{k}: {v}' for k, v in sorted(statuses.items()))} |",
        f"| 5xx responses | **{errors}** |",
        f"| latency median / p95 / max | {latencies[len(latencies) // 2] * 1000:.0f} / {latencies[int(len(latencies) * 0.95)] * 1000:.0f} / {latencies[-1] * 1000:.0f} ms |",
        f"| progress reports accepted / stored | {len(result['accepted_progress'])} / {sum(stored.values())} |",
        f"| progress reports lost or duplicated | **{len(lost_progress) + len(extra_progress)}** |",
        f"| edits accepted / refused as conflicts | {sum(result['accepted_edits'].values())} / {sum(result['conflicts'].values())} |",
        f"| lost updates (version grew less than accepted edits) | **{'yes' if lost_update else 'none'}** |",
        "",
        "Per item: how much its version grew vs accepted edits (each accepted edit adds exactly 1):",
        "",
        *[
            f"- item {item}: version +{grew}, accepted edits {accepted}, refused {result['conflicts'][item]}"
            for item, (grew, accepted) in sorted(growth.items())
        ],
    ]
    ok = errors == 0 and not lost_progress and not extra_progress and not lost_update
    lines += ["", f"Result: **{'PASS' if ok else 'FAIL'}** (zero 5xx, no lost or duplicated write, no lost update)."]
    return "\n".join(lines) + "\n", ok


TITLE = "# Load test (bench/loadtest.py)"


def with_section(document: str, section: str) -> str:
    """``document`` (LOADTEST.md) with the section of ``section``'s database replaced or added."""
    sections = {}
    for part in document.split("\n## ")[1:]:
        sections[part.split("\n", 1)[0].strip()] = "## " + part.rstrip("\n") + "\n"
    sections[section.split("\n", 1)[0].removeprefix("## ").strip()] = section
    ordered = [sections[name] for name in sorted(sections, key=lambda name: (name not in DATABASES, name))]
    return TITLE + "\n\n" + "\n".join(ordered)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=sorted(DATABASES), default="postgres")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    result = run(args.clients, args.seconds, args.workers, args.database)
    text, ok = report(result, args.clients, args.seconds, args.workers, args.database)
    path = ROOT / "bench" / "LOADTEST.md"
    path.write_text(with_section(path.read_text(encoding="utf-8") if path.exists() else "", text), encoding="utf-8")
    print(text)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
