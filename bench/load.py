"""Throughput under gunicorn: requests/s of /healthz, / and /items/ on loopback.

    DATABASE_URL=… python bench/load.py [--workers 2] [--clients 4] [--seconds 8]

Starts ``gunicorn rectify.wsgi`` (sync workers), logs the bench user in by creating a session in
the database (what the login page does), and drives each URL with ``--clients`` processes that
each send requests one after another (``http.client``, a new connection per request: gunicorn's
sync workers close it anyway). Prints one JSON line.
"""

import argparse
import http.client
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, bench_user, emit, setup_django


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def session_cookie() -> str:
    """``sessionid=…`` for the bench user, as if they had logged in."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(bench_user())
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _client(port: int, path: str, cookie: str | None, until: float, results) -> None:
    ok = errors = 0
    headers = {"Host": "127.0.0.1", "Cookie": cookie} if cookie else {"Host": "127.0.0.1"}
    while time.perf_counter() < until:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                ok += 1
            else:
                errors += 1
        except OSError:
            errors += 1
    results.put((ok, errors))


def drive(port: int, path: str, cookie: str | None, *, clients: int, seconds: float) -> dict:
    results = multiprocessing.Queue()
    start = time.perf_counter() + 0.2
    until = start + seconds
    processes = [
        multiprocessing.Process(target=_client, args=(port, path, cookie, until, results)) for _ in range(clients)
    ]
    for process in processes:
        process.start()
    totals = [results.get() for _ in processes]
    for process in processes:
        process.join()
    ok = sum(t[0] for t in totals)
    errors = sum(t[1] for t in totals)
    return {"path": path, "ok": ok, "errors": errors, "seconds": seconds, "rps": ok / seconds}


def wait_until_up(port: int, server: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not answer /healthz")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    setup_django()
    cookie = session_cookie()
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "rectify.wsgi:application", "--workers", str(args.workers), "--bind", f"127.0.0.1:{port}"]
        + ["--access-logfile", "/dev/null", "--error-logfile", "-", "--log-level", "warning", "--timeout", "120"],
        cwd=ROOT,
        env=os.environ.copy(),
        start_new_session=True,
    )
    try:
        wait_until_up(port, server)
        paths = [("healthz", "/healthz", None), ("dashboard", "/?inspection=all", cookie), ("list", "/items/", cookie)]
        for _name, path, with_cookie in paths:  # warm every worker up
            drive(port, path, with_cookie, clients=args.workers, seconds=1.0)
        results = {
            name: drive(port, path, with_cookie, clients=args.clients, seconds=args.seconds)
            for name, path, with_cookie in paths
        }
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    healthz = results["healthz"]["rps"]
    for result in results.values():
        result["fraction_of_healthz"] = result["rps"] / healthz if healthz else None
    emit({"workers": args.workers, "clients": args.clients, "results": results})


if __name__ == "__main__":
    main()
