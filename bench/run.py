"""``make bench``: generate 1k, 10k and 100k items on SQLite and PostgreSQL, measure, and write
bench/RESULTS.md (and the raw numbers in bench/results.json).

    python bench/run.py [--sizes 1000,10000,100000] [--backends sqlite,postgresql] [--quick]

PostgreSQL is measured when BENCH_PG_URL names a server (``bench/pg.sh`` starts a throw-away one).
Each measurement runs in its own process (``pages.py``, ``excel.py``, ``load.py``) against a
database made for one size: migrated once per backend, copied, filled by ``generate_demo_data``.
The project's own db.sqlite3 is never touched.
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bombs import run_all
from bench.common import BACKEND_LABELS, ROOT, app_env, size_label

BENCH_DIR = ROOT / "bench"
PYTHON = sys.executable
SEED = 7
INSPECTIONS = 10
LOAD_SIZE = 10_000
# The supervising office's home and a unit's cockpit (PostgreSQL): this many items per unit, at a
# few units and at the largest size's worth of units (100 × 1,000 = 100,000 items).
UNIT_ITEMS = 1000
FEW_UNITS = 3
SUBPROCESS_TIMEOUT = 1800


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- Databases ------------------------------------------------------------------------------


class SQLiteDatabases:
    vendor = "sqlite"

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.template = workdir / "template.sqlite3"

    def url(self, path: Path) -> str:
        return f"sqlite:///{path}"

    def prepare_template(self, env_for) -> None:
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env_for(self.url(self.template)))

    def create(self, name: str) -> str:
        path = self.workdir / f"{name}.sqlite3"
        shutil.copyfile(self.template, path)
        return self.url(path)

    def drop(self, name: str) -> None:
        (self.workdir / f"{name}.sqlite3").unlink(missing_ok=True)

    def version(self) -> str:
        import sqlite3

        return sqlite3.sqlite_version

    def close(self) -> None:
        self.template.unlink(missing_ok=True)


class PostgresDatabases:
    vendor = "postgresql"
    template_name = "rectify_bench_template"

    def __init__(self, server_url: str):
        self.server_url = server_url

    def url(self, name: str) -> str:
        parts = urlsplit(self.server_url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def _admin(self, sql: str) -> list:
        import psycopg2

        connection = psycopg2.connect(self.server_url.replace("postgres://", "postgresql://", 1))
        connection.autocommit = True
        try:
            with connection.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall() if cursor.description else []
        finally:
            connection.close()

    def prepare_template(self, env_for) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {self.template_name}")
        self._admin(f"CREATE DATABASE {self.template_name}")
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env_for(self.url(self.template_name)))

    def create(self, name: str) -> str:
        self._admin(f"DROP DATABASE IF EXISTS {name}")
        self._admin(f"CREATE DATABASE {name} TEMPLATE {self.template_name}")
        return self.url(name)

    def drop(self, name: str) -> None:
        self._admin(f"DROP DATABASE IF EXISTS {name}")

    def version(self) -> str:
        return self._admin("SHOW server_version")[0][0]

    def close(self) -> None:
        self.drop(self.template_name)


# --- Subprocesses ---------------------------------------------------------------------------


def run(command: list[str], env: dict, *, timeout: float = SUBPROCESS_TIMEOUT) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} 失败（{result.returncode}）：\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        )
    return result


def run_json(command: list[str], env: dict) -> dict:
    """The last stdout line of a measuring script, or {"error": …}."""
    try:
        result = run(command, env)
        return json.loads(result.stdout.strip().splitlines()[-1])
    except (RuntimeError, subprocess.TimeoutExpired, ValueError, IndexError) as error:
        say(f"  出错：{str(error)[:800]}")
        return {"error": str(error)[-2000:]}


# --- One backend ----------------------------------------------------------------------------


def measure_backend(databases, sizes: list[int], workdir: Path, quick: bool) -> dict:
    def env_for(url: str) -> dict:
        return app_env(url, workdir)

    label = BACKEND_LABELS[databases.vendor]
    say(f"{label}：迁移模板数据库……")
    databases.prepare_template(env_for)
    results = {"version": databases.version(), "sizes": {}}
    repeat, budget = ("3", "8") if quick else ("7", "20")
    for size in sizes:
        name = f"rectify_bench_{size}"
        url = databases.create(name)
        env = env_for(url)
        entry = results["sizes"][str(size)] = {}
        try:
            say(f"{label} {size_label(size)}：生成 {size} 个整改事项……")
            started = time.perf_counter()
            output = run(
                [PYTHON, "manage.py", "generate_demo_data", "--items", str(size)]
                + ["--inspections", str(INSPECTIONS), "--seed", str(SEED)],
                env,
            )
            entry["generate_s"] = time.perf_counter() - started
            entry["generate_output"] = output.stdout.strip().splitlines()[-1]
            say(f"  {entry['generate_output']}")

            say(f"{label} {size_label(size)}：页面（测试客户端）……")
            explain = ["--explain", "6"] if databases.vendor == "postgresql" and size == max(sizes) else []
            entry["pages"] = run_json(
                [PYTHON, str(BENCH_DIR / "pages.py"), "--repeat", repeat, "--budget", budget, *explain], env
            )
            for page, numbers in entry["pages"].get("pages", {}).items():
                say(f"  {page}: {numbers['median_s'] * 1000:.0f} ms, {numbers['queries']} 个查询")

            for kind in ("items", "monthly"):
                say(f"{label} {size_label(size)}：导出 Excel（{kind}）……")
                saved = workdir / f"{databases.vendor}-{size}-{kind}.xlsx"
                entry[f"export_{kind}"] = run_json(
                    [PYTHON, str(BENCH_DIR / "excel.py"), "export", "--kind", kind, "--save", str(saved)], env
                )
                _say_export(entry[f"export_{kind}"])

            if size == LOAD_SIZE:
                seconds = "4" if quick else "8"
                for conn_max_age in ("0", "60"):
                    say(f"{label} {size_label(size)}：gunicorn 吞吐（CONN_MAX_AGE={conn_max_age}）……")
                    entry[f"load_conn_max_age_{conn_max_age}"] = run_json(
                        [PYTHON, str(BENCH_DIR / "load.py"), "--seconds", seconds],
                        {**env, "CONN_MAX_AGE": conn_max_age},
                    )
                    for page, numbers in entry[f"load_conn_max_age_{conn_max_age}"].get("results", {}).items():
                        say(f"  {page}: {numbers['rps']:.1f} 次/秒（{numbers['fraction_of_healthz']:.1%}）")
            # Last: the import commits a new inspection of the same size.
            monthly_file = workdir / f"{databases.vendor}-{size}-monthly.xlsx"
            if monthly_file.exists():
                say(f"{label} {size_label(size)}：导入 Excel……")
                entry["import"] = run_json(
                    [PYTHON, str(BENCH_DIR / "excel.py"), "import", "--file", str(monthly_file)], env
                )
                if "rows_per_s" in entry["import"]:
                    say(f"  {entry['import']['rows']} 行，{entry['import']['rows_per_s']:.0f} 行/秒")
            else:
                entry["import"] = {"missing": "没有可导入的导出文件"}

        except (RuntimeError, subprocess.TimeoutExpired) as error:
            say(f"  出错：{str(error)[:800]}")
            entry["error"] = str(error)[-2000:]
        finally:
            databases.drop(name)
    if databases.vendor == "postgresql" and max(sizes) // UNIT_ITEMS > FEW_UNITS:
        results["units"] = measure_units(databases, env_for, [FEW_UNITS, max(sizes) // UNIT_ITEMS], repeat, budget)
    databases.close()
    return results


def measure_units(databases, env_for, unit_counts: list[int], repeat: str, budget: str) -> dict:
    """The supervising home and a unit's cockpit at ``UNIT_ITEMS`` items per unit, for each count
    of units: the same query count at each, and the time at the largest."""
    label = BACKEND_LABELS[databases.vendor]
    results = {}
    for count in unit_counts:
        name = f"rectify_bench_units_{count}"
        url = databases.create(name)
        env = env_for(url)
        try:
            items = count * UNIT_ITEMS
            say(f"{label} {count} 个单位 × {UNIT_ITEMS} 个事项：生成……")
            started = time.perf_counter()
            run(
                [PYTHON, "manage.py", "generate_demo_data", "--items", str(items), "--units", str(count)]
                + ["--seed", str(SEED)],
                env,
            )
            entry = run_json([PYTHON, str(BENCH_DIR / "units.py"), "--repeat", repeat, "--budget", budget], env)
            entry["generate_s"] = time.perf_counter() - started
            for page, numbers in entry.get("pages", {}).items():
                say(f"  {page}: {numbers['median_s'] * 1000:.0f} ms, {numbers['queries']} 个查询")
            results[str(count)] = entry
        finally:
            databases.drop(name)
    return results


def _say_export(result: dict) -> None:
    if "seconds" in result:
        say(
            f"  {result['rows']} 行：{result['seconds']:.1f} 秒，裸 openpyxl {result['bare_seconds']:.1f} 秒"
            f"（{result['ratio']:.1f} 倍），峰值内存 {result['peak_rss_mb']:.0f} MB，{result['queries']} 个查询"
        )
    elif "missing" in result:
        say(f"  未测：{result['missing']}")


# --- Machine --------------------------------------------------------------------------------


def machine_info() -> dict:
    import django
    import openpyxl

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = bool(
            subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no"],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
        )
    except (OSError, subprocess.CalledProcessError):
        commit, dirty = "?", None
    try:
        from importlib.metadata import version

        gunicorn = version("gunicorn")
    except Exception:
        gunicorn = "?"
    return {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "openpyxl": openpyxl.__version__,
        "gunicorn": gunicorn,
        "commit": commit,
        "dirty": dirty,
        "load_before": os.getloadavg(),
    }


# --- Main -----------------------------------------------------------------------------------


def units_only(args) -> None:
    """Re-measure the multi-unit pages alone and render RESULTS.md again from results.json (the
    other figures stay those of the last full run; the section says when it was measured)."""
    server = os.environ.get("BENCH_PG_URL")
    if not server:
        raise SystemExit("没有 BENCH_PG_URL：请用 bash bench/pg.sh .venv/bin/python bench/run.py --units-only")
    data = json.loads((BENCH_DIR / "results.json").read_text())
    sizes = sorted(int(size) for size in args.sizes.split(","))
    workdir = Path(tempfile.mkdtemp(prefix="rectify-bench-"))
    machine = machine_info()
    try:
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], app_env("sqlite://:memory:", workdir))
        databases = PostgresDatabases(server)
        databases.prepare_template(lambda url: app_env(url, workdir))
        repeat, budget = ("3", "8") if args.quick else ("7", "20")
        units = measure_units(
            databases, lambda url: app_env(url, workdir), [FEW_UNITS, max(sizes) // UNIT_ITEMS], repeat, budget
        )
        databases.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    machine["load_after"] = os.getloadavg()
    data["backends"]["postgresql"]["units"] = units
    data["units_machine"] = machine

    from bench.report import render

    (BENCH_DIR / "results.json").write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")
    args.output.write_text(render(data))
    say(f"完成：结果见 {args.output}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "RESULTS.md")
    parser.add_argument(
        "--units-only",
        action="store_true",
        help="measure only the supervising home and a unit's cockpit (PostgreSQL) into the existing results.json",
    )
    args = parser.parse_args()
    if args.units_only:
        units_only(args)
        return
    sizes = sorted(int(size) for size in args.sizes.split(","))
    backends = [backend.strip() for backend in args.backends.split(",") if backend.strip()]

    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="rectify-bench-"))
    machine = machine_info()
    data = {"machine": machine, "sizes": sizes, "inspections": INSPECTIONS, "seed": SEED, "backends": {}}
    try:
        say(f"工作目录 {workdir}；收集静态文件（DEBUG 关闭时需要）……")
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], app_env("sqlite://:memory:", workdir))
        for backend in backends:
            if backend == "sqlite":
                databases = SQLiteDatabases(workdir)
            elif backend == "postgresql":
                server = os.environ.get("BENCH_PG_URL")
                if not server:
                    say("没有 BENCH_PG_URL：跳过 PostgreSQL（请用 make bench，它会启动临时 PostgreSQL）。")
                    data["backends"]["postgresql"] = {"skipped": "没有 PostgreSQL 服务器（BENCH_PG_URL 未设置）"}
                    continue
                databases = PostgresDatabases(server)
            else:
                raise SystemExit(f"未知的数据库：{backend}")
            data["backends"][backend] = measure_backend(databases, sizes, workdir, args.quick)
        data["hostile"] = run_all(workdir, say=say)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    machine["load_after"] = os.getloadavg()
    machine["total_minutes"] = (time.perf_counter() - started) / 60

    from bench.report import render

    (BENCH_DIR / "results.json").write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")
    args.output.write_text(render(data))
    say(f"完成，用时 {machine['total_minutes']:.1f} 分钟：结果见 {args.output}")


if __name__ == "__main__":
    main()
