#!/usr/bin/env bash
# Run a command with BENCH_PG_URL pointing at a throw-away PostgreSQL 15 on loopback, started the
# way .ci/run starts one (initdb into a temp dir, as the postgres user when run as root), and
# stopped and deleted afterwards whatever happens.
#
#   bash bench/pg.sh .venv/bin/python bench/run.py
#
# Without PostgreSQL binaries: as root, installs postgresql-15 (like .ci/run); otherwise runs the
# command without BENCH_PG_URL, and the bench measures SQLite only (and says so).
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}

is_root() { [ "$(id -u)" -eq 0 ]; }

if [ ! -x "$PG_BIN/initdb" ]; then
    if is_root; then
        echo "bench: 正在安装 postgresql-15 ……"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends postgresql-15
    else
        echo "bench: 警告：没有找到 $PG_BIN/initdb，且不是 root，无法安装 PostgreSQL 15：只测 SQLite。" >&2
        "$@"
        exit $?
    fi
fi

# A free loopback port unless one is given.
PG_PORT=${BENCH_PG_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
PG_ROOT=$(mktemp -d /tmp/rectify-bench-pg.XXXXXX)
PG_DATA=$PG_ROOT/data
PG_LOG=$PG_ROOT/server.log

if is_root; then
    if ! id -u postgres >/dev/null 2>&1; then
        useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
            --shell /usr/sbin/nologin postgres
    fi
    chown postgres: "$PG_ROOT"
    # PostgreSQL refuses to run as root.
    as_pg() { (cd "$PG_ROOT" && runuser -u postgres -- "$@"); }
else
    as_pg() { (cd "$PG_ROOT" && "$@"); }
fi

pg_started=0
cleanup() {
    local rc=$?
    if [ "$pg_started" -eq 1 ]; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null || true
    fi
    rm -rf "$PG_ROOT"
    exit "$rc"
}
trap cleanup EXIT INT TERM

as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
pg_started=1
# Default settings but for a larger WAL (the 100,000-item load is one transaction).
if ! as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w \
        -o "-p $PG_PORT -k $PG_ROOT -c listen_addresses=127.0.0.1 -c max_wal_size=4GB" start >/dev/null; then
    echo "bench: PostgreSQL 没有启动，日志如下：" >&2
    cat "$PG_LOG" >&2 || true
    exit 1
fi
echo "bench: PostgreSQL 15 已在 127.0.0.1:$PG_PORT 启动（临时目录 $PG_ROOT）"

export BENCH_PG_URL="postgres://postgres@127.0.0.1:$PG_PORT/postgres"
"$@"
