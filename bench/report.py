"""Renders bench/RESULTS.md from the numbers ``run.py`` collected, and appends the hand-written
review notes of ``bench/REVIEW.md`` (measurements that justify a design choice) unchanged."""

from pathlib import Path

from bench.common import BACKEND_LABELS, PAGE_LABELS, size_label

MET, NOT_MET, UNMEASURED = "**met**（达成）", "**not met**（未达成）", "not measured（未测）"
RATIO_LIMIT = 3.0
PG_LIMIT_S = 1.0
EXPORT_RATIO_LIMIT = 2.0
EXPORT_MEMORY_MB = 500
IMPORT_ROWS_PER_S = 2000
HOSTILE_MEMORY_MB = 500
LOAD_FRACTION = 0.2
REVIEW_NOTES = Path(__file__).resolve().parent / "REVIEW.md"


def _ms(seconds) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.0f}"


def _get(data, *keys):
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def render(data: dict) -> str:
    machine, sizes = data["machine"], data["sizes"]
    backends = {name: result for name, result in data["backends"].items() if "sizes" in result}
    out = [
        "# 性能基准（`make bench`）",
        "",
        "由 `bench/run.py` 生成，请勿手工编辑；原始数据见 `bench/results.json`，方法见 `bench/README.md`。",
        "",
        "## 机器与版本",
        "",
        "| 项 | 值 |",
        "|---|---|",
        f"| 日期 | {machine['date']} |",
        f"| CPU | {machine['cpu']}，{machine['cores']} 核 |",
        f"| 内存 | {machine['memory']} |",
        f"| 系统 | {machine['os']} |",
        f"| Python / Django | {machine['python']} / {machine['django']} |",
        f"| openpyxl / gunicorn | {machine['openpyxl']} / {machine['gunicorn']} |",
    ]
    for name, result in data["backends"].items():
        version = result.get("version") or result.get("skipped", "")
        out.append(f"| {BACKEND_LABELS[name]} | {version} |")
    load_before = ", ".join(f"{x:.2f}" for x in machine["load_before"])
    load_after = ", ".join(f"{x:.2f}" for x in machine.get("load_after", ()))
    out += [
        f"| 代码版本 | `{machine['commit']}`{'（加上未提交的改动）' if machine.get('dirty') else ''} |",
        f"| 负载（开始 / 结束，1/5/15 分钟） | {load_before} / {load_after} |",
        f"| 总用时 | {machine.get('total_minutes', 0):.1f} 分钟 |",
        "",
        f"数据：`generate_demo_data --items N --inspections {data['inspections']} --seed {data['seed']}`，"
        "每个规模、每种数据库生成一次。应用以 DEBUG=false 运行（与生产相同）；PostgreSQL 为默认配置"
        "（仅 max_wal_size 调大），生成数据后 ANALYZE。",
        "",
    ]
    out += _pages(backends, sizes)
    out += _units(backends, data.get("units_machine"))
    out += _exports(backends, sizes)
    out += _imports(backends, sizes)
    out += _hostile(data.get("hostile"))
    out += _load(backends)
    out += _generation(backends, sizes)
    out += _goals(backends, sizes, data.get("hostile"))
    out += _shortfalls(backends, sizes)
    out += _explain(backends)
    if REVIEW_NOTES.exists():
        out += ["", REVIEW_NOTES.read_text(encoding="utf-8").rstrip()]
    return "\n".join(out) + "\n"


UNIT_PAGES = {"supervising": "`/`（巡察办：单位排名）", "unit_cockpit": "`/?unit=…`（一个单位的驾驶舱）"}


def _units(backends, machine: dict | None) -> list[str]:
    """The supervising office's home and a unit's cockpit at a few units and at many."""
    runs = {name: result["units"] for name, result in backends.items() if result.get("units")}
    if not runs:
        return []
    when = ""
    if machine:
        # Measured on its own (run.py --units-only), after the rest of this report.
        load = ", ".join(f"{x:.2f}" for x in machine["load_before"])
        when = f"单独测量（`bench/run.py --units-only`）于 {machine['date']}，代码版本 `{machine['commit']}`，开始时负载 {load}。"
    out = [
        "## 多单位：巡察办首页与单位驾驶舱",
        "",
        when + "数据：`generate_demo_data --items K×1000 --units K --seed 7`（每个单位 1,000 个事项）；"
        "以不属于任何单位的纪工委用户（巡察办）登录，每次请求前清空缓存。目标：查询数不随单位数变化，"
        "最大规模下每页不超过 1 秒。",
        "",
    ]
    for name, by_count in runs.items():
        counts = sorted(by_count, key=int)
        out += [
            "| 页面 | 数据库 | " + " | ".join(f"{c} 个单位 中位数 ms（查询数）" for c in counts) + " | 达标 |",
            "|---|---|" + "---:|" * len(counts) + "---|",
        ]
        for page, label in UNIT_PAGES.items():
            cells, queries = [], set()
            for count in counts:
                numbers = _get(by_count, count, "pages", page)
                if numbers is None:
                    cells.append("出错")
                    continue
                queries.add(numbers["queries"])
                cells.append(f"{numbers['median_s'] * 1000:.0f}（{numbers['queries']}）")
            largest = _get(by_count, counts[-1], "pages", page, "median_s")
            ok = largest is not None and largest < 1 and len(queries) == 1
            out.append(f"| {label} | {BACKEND_LABELS[name]} | " + " | ".join(cells) + f" | {'是' if ok else '否'} |")
        out.append("")
    return out


def _pages(backends, sizes) -> list[str]:
    head = "| 页面 | 数据库 | " + " | ".join(f"{size_label(s)} 中位数 ms（查询数）" for s in sizes) + " |"
    extra = " 10k/1k |" if 1000 in sizes and 10000 in sizes else ""
    out = [
        "## 页面：延迟中位数与查询数",
        "",
        "Django 测试客户端，已登录（纪工委工作人员，`force_login`），每页先预热一次，再计时最多 7 次取中位数；"
        "每次请求前清空 Django 缓存（即不计缓存的开销），只有“不清缓存”一行保留缓存。"
        "查询数包括会话、用户、权限组与会话保存。",
        "",
        head + extra,
        "|---|---|" + "---|" * len(sizes) + ("---|" if extra else ""),
    ]
    for page, label in PAGE_LABELS.items():
        for backend, result in backends.items():
            cells = []
            for size in sizes:
                numbers = _get(result, "sizes", str(size), "pages", "pages", page)
                cells.append(f"{_ms(numbers['median_s'])}（{numbers['queries']}）" if numbers else "—")
            row = f"| {label} | {BACKEND_LABELS[backend]} | " + " | ".join(cells) + " |"
            if extra:
                ratio = _ratio(result, page, 10000, 1000)
                row += f" {ratio:.1f}× |" if ratio is not None else " — |"
            out.append(row)
    return [*out, ""]


def _ratio(result, page, big, small):
    a = _get(result, "sizes", str(big), "pages", "pages", page, "median_s")
    b = _get(result, "sizes", str(small), "pages", "pages", page, "median_s")
    return a / b if a is not None and b else None


def _exports(backends, sizes) -> list[str]:
    out = [
        "## Excel 导出",
        "",
        "通过测试客户端下载（含查询、组装、样式、保存）。`items`：`/reports/items.xlsx`，即不加筛选的事项列表导出"
        "（全部 N 个事项）；`monthly`：`/reports/ledger.xlsx`，第一个巡视轮次（N/10 个事项）截至今天的月度台账，"
        "其“本月变化”表与按历史记录取得的上月末状态比较。“裸 openpyxl”：用 write-only 工作簿写入同样的单元格值"
        "（从导出文件读回，不含样式与合并）。不超过 2 万行的导出与裸 openpyxl 各计时 3 次、各取最快一次（机器上的其他负载只会增加耗时）。“CPU 倍数”按本进程 CPU 时间计算，受机器上其他负载的影响较小"
        "（PostgreSQL 时不含数据库服务器的 CPU）。峰值内存为导出进程的最大常驻内存（含 Django 本身约 80 MB）。",
        "",
        "| 导出 | 数据库 | 规模 | 行数 | 导出 s | 裸 openpyxl s | 倍数 | CPU 倍数 | 峰值内存 MB | 查询数 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for kind in ("items", "monthly"):
        for backend, result in backends.items():
            for size in sizes:
                numbers = _get(result, "sizes", str(size), f"export_{kind}")
                if not numbers:
                    continue
                if "seconds" not in numbers:
                    reason = numbers.get("missing") or numbers.get("error", "")[:120]
                    out.append(f"| {kind} | {BACKEND_LABELS[backend]} | {size_label(size)} | 未测：{reason} |||||||")
                    continue
                out.append(
                    f"| {kind} | {BACKEND_LABELS[backend]} | {size_label(size)} | {numbers['rows']} | "
                    f"{numbers['seconds']:.2f} | {numbers['bare_seconds']:.2f} | {numbers['ratio']:.1f}× | "
                    f"{_cpu_ratio(numbers)} | {numbers['peak_rss_mb']:.0f} | {numbers['queries']} |"
                )
    return [*out, ""]


def _seconds(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def _cpu_ratio(numbers) -> str:
    ratio = numbers.get("cpu_ratio")
    return "—" if ratio is None else f"{ratio:.1f}×"


def _imports(backends, sizes) -> list[str]:
    out = [
        "## Excel 导入",
        "",
        "把上面的 monthly 导出文件导入为一个新巡视轮次（`import_ledger`，含读取、解析、校验、写入与历史记录），"
        "并提交（计入提交时的外键检查）；它是每个数据库上最后一项测量。“CPU 秒”是导入进程本身的 CPU 时间，"
        "其余时间在数据库。",
        "",
        "| 数据库 | 规模 | 行数 | 秒 | CPU 秒 | 行/秒 |",
        "|---|---|---|---|---|---|",
    ]
    for backend, result in backends.items():
        for size in sizes:
            numbers = _get(result, "sizes", str(size), "import")
            if not numbers:
                continue
            if "rows_per_s" not in numbers:
                reason = numbers.get("missing") or numbers.get("error", "")[:120]
                out.append(f"| {BACKEND_LABELS[backend]} | {size_label(size)} | 未测：{reason} ||||")
                continue
            out.append(
                f"| {BACKEND_LABELS[backend]} | {size_label(size)} | {numbers['rows']} | "
                f"{numbers['seconds']:.2f} | {numbers.get('cpu_seconds', 0):.2f} | {numbers['rows_per_s']:,.0f} |"
            )
    return [*out, ""]


def _hostile(results: dict | None) -> list[str]:
    """Peak memory of the import of each hostile file (``bench/bombs.py``)."""
    out = [
        "## 恶意文件：峰值内存（Hostile files: peak memory）",
        "",
        "`bench/bombs.py`：每个文件在单独的子进程中处理（地址空间上限 2 GiB），峰值内存为该进程的最大常驻内存"
        "（含 Django 本身约 80 MB）。工作簿经上传表单与导入预览页（测试客户端，与 HTTP 下相同的代码），"
        "通报经 `parse_notice_file`（导入命令的路径）。“解压后”为各成员实际解压的字节数之和（不是压缩包登记的大小）。"
        f"目标：任何不超过上传上限的文件，无论接受还是拒绝，导入进程峰值内存都低于 {HOSTILE_MEMORY_MB} MB。",
        "",
    ]
    if not results:
        return [*out, "未测（`python bench/bombs.py --record`）。", ""]
    out += ["| 文件 | 大小 | 解压后 | 结果 | 秒 | 峰值内存 MB | 说明 |", "|---|---|---|---|---|---|---|"]
    for entry in results.values():
        peak = entry.get("peak_rss_mb")
        verdict = "" if peak is None else ("（达标）" if peak < HOSTILE_MEMORY_MB else "（超标）")
        out.append(
            f"| {entry['label']} | {_size(entry['file_bytes'])} | {_size(entry['inflated_bytes'])} | "
            f"{_OUTCOMES.get(entry.get('outcome'), entry.get('outcome'))} | "
            f"{entry.get('seconds', 0):.1f} | {'—' if peak is None else f'{peak:.0f}'}{verdict} | "
            f"{entry.get('message', '').replace('|', '｜')} |"
        )
    return [*out, ""]


def _size(size: int) -> str:
    """Bytes as KB / MB (1024-based, as the limits are)."""
    return f"{size / 1024:,.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:,.1f} MB"


_OUTCOMES = {
    "refused at upload": "上传时拒绝",
    "refused at preview": "预览时拒绝",
    "refused": "拒绝",
    "accepted (preview)": "接受（预览）",
    "accepted": "接受",
}


def _load(backends) -> list[str]:
    out = [
        "## gunicorn 吞吐（10k 个事项）",
        "",
        "`gunicorn rectify.wsgi` 2 个同步 worker，回环地址；4 个客户端进程（`http.client`，每个请求新连接）"
        "各跑 8 秒；带登录会话的 cookie（`/healthz` 不带）。`CONN_MAX_AGE=0` 是项目默认（每个请求新建数据库连接），"
        "`60` 为持久连接（环境变量即可开启）。注意：客户端与服务器共用这台机器的 CPU。",
        "",
        "| 数据库 | CONN_MAX_AGE | `/healthz` 次/秒 | `/` 次/秒（占比） | `/items/` 次/秒（占比） | 错误 |",
        "|---|---|---|---|---|---|",
    ]
    for backend, result in backends.items():
        for age in ("0", "60"):
            numbers = _get(result, "sizes", "10000", f"load_conn_max_age_{age}", "results")
            if not numbers:
                continue
            errors = sum(n["errors"] for n in numbers.values())
            out.append(
                f"| {BACKEND_LABELS[backend]} | {age} | {numbers['healthz']['rps']:.1f} | "
                f"{numbers['dashboard']['rps']:.1f}（{numbers['dashboard']['fraction_of_healthz']:.1%}） | "
                f"{numbers['list']['rps']:.1f}（{numbers['list']['fraction_of_healthz']:.1%}） | {errors} |"
            )
    return [*out, ""]


def _generation(backends, sizes) -> list[str]:
    out = ["## 生成演示数据", "", "| 数据库 | 规模 | 秒 | 输出 |", "|---|---|---|---|"]
    for backend, result in backends.items():
        for size in sizes:
            entry = _get(result, "sizes", str(size))
            if entry and "generate_s" in entry:
                out.append(
                    f"| {BACKEND_LABELS[backend]} | {size_label(size)} | {entry['generate_s']:.1f} | "
                    f"{entry['generate_output']} |"
                )
            elif entry and "error" in entry:
                out.append(f"| {BACKEND_LABELS[backend]} | {size_label(size)} | 出错 | {entry['error'][:200]} |")
    return [*out, ""]


def _goals(backends, sizes, hostile: dict | None = None) -> list[str]:
    out = ["## 目标", "", "| 目标 | 结果 | 依据 |", "|---|---|---|"]

    # 1. Query counts independent of the data size.
    verdicts, notes = [], []
    for backend, result in backends.items():
        for page in PAGE_LABELS:
            counts = [_get(result, "sizes", str(s), "pages", "pages", page, "queries") for s in sizes]
            verdicts.append(None if None in counts else len(set(counts)) == 1)
            notes.append(f"{BACKEND_LABELS[backend]} {page}: {'/'.join(str(c) for c in counts)}")
        for kind in ("items", "monthly"):
            counts = [_get(result, "sizes", str(s), f"export_{kind}", "queries") for s in sizes]
            verdicts.append(None if None in counts else len(set(counts)) == 1)
            notes.append(f"{BACKEND_LABELS[backend]} export {kind}: {'/'.join(str(c) for c in counts)}")
    out.append(_goal_row("`/`、`/items/`、`/items/<pk>/` 与导出的查询数不随数据量变化", verdicts, "；".join(notes)))

    # 2. Scaling 1k → 10k, and 100k on PostgreSQL.
    verdicts, notes = [], []
    for backend, result in backends.items():
        for page in ("dashboard", "list"):
            ratio = _ratio(result, page, 10000, 1000)
            verdicts.append(None if ratio is None else ratio <= RATIO_LIMIT)
            notes.append(f"{BACKEND_LABELS[backend]} {page} 10k/1k = {'—' if ratio is None else f'{ratio:.1f}×'}")
    out.append(_goal_row(f"`/` 与 `/items/` 在 10k 时不超过 1k 时的 {RATIO_LIMIT:.0f} 倍", verdicts, "；".join(notes)))
    verdicts, notes = [], []
    pg = backends.get("postgresql")
    for page in ("dashboard", "list"):
        seconds = _get(pg, "sizes", "100000", "pages", "pages", page, "median_s") if pg else None
        verdicts.append(None if seconds is None else seconds < PG_LIMIT_S)
        notes.append(f"{page} {_ms(seconds)} ms")
    out.append(_goal_row("`/` 与 `/items/` 在 PostgreSQL 100k 时低于 1 秒", verdicts, "；".join(notes)))

    # 3. Export: time ratio and memory.
    verdicts, notes = [], []
    for backend, result in backends.items():
        for kind in ("items", "monthly"):
            numbers = _get(result, "sizes", str(max(sizes)), f"export_{kind}")
            ratio = numbers.get("ratio") if numbers else None
            verdicts.append(None if ratio is None else ratio <= EXPORT_RATIO_LIMIT)
            notes.append(
                f"{BACKEND_LABELS[backend]} {kind} {size_label(max(sizes))}: "
                + ("—" if ratio is None else f"{ratio:.1f}×（CPU {_cpu_ratio(numbers)}）")
            )
    out.append(_goal_row(f"导出耗时不超过裸 openpyxl 的 {EXPORT_RATIO_LIMIT:.0f} 倍", verdicts, "；".join(notes)))
    verdicts, notes = [], []
    for backend, result in backends.items():
        peak = _get(result, "sizes", "100000", "export_items", "peak_rss_mb")
        verdicts.append(None if peak is None else peak < EXPORT_MEMORY_MB)
        notes.append(f"{BACKEND_LABELS[backend]} items 100k: {'—' if peak is None else f'{peak:.0f} MB'}")
    out.append(_goal_row(f"100k 个事项导出内存低于 {EXPORT_MEMORY_MB} MB", verdicts, "；".join(notes)))

    # 4. Import speed (the largest import measured).
    verdicts, notes = [], []
    for backend, result in backends.items():
        measured = [_get(result, "sizes", str(s), "import") for s in sizes]
        measured = [m for m in measured if m and "rows_per_s" in m]
        if not measured:
            verdicts.append(None)
            continue
        largest = max(measured, key=lambda m: m["rows"])
        verdicts.append(largest["rows_per_s"] >= IMPORT_ROWS_PER_S)
        notes.append(f"{BACKEND_LABELS[backend]} {largest['rows']} 行: {largest['rows_per_s']:,.0f} 行/秒")
    out.append(_goal_row(f"导入不低于每秒 {IMPORT_ROWS_PER_S:,} 行", verdicts, "；".join(notes)))

    # 5. gunicorn.
    verdicts, notes = [], []
    for backend, result in backends.items():
        fraction = _get(result, "sizes", "10000", "load_conn_max_age_0", "results", "dashboard", "fraction_of_healthz")
        verdicts.append(None if fraction is None else fraction >= LOAD_FRACTION)
        notes.append(f"{BACKEND_LABELS[backend]}: {'—' if fraction is None else f'{fraction:.1%}'}（默认配置）")
    out.append(
        _goal_row(f"gunicorn 下 `/` 的吞吐不低于 `/healthz` 的 {LOAD_FRACTION:.0%}（10k）", verdicts, "；".join(notes))
    )

    # 6. Hostile files.
    verdicts, notes = [], []
    for entry in (hostile or {}).values():
        peak = entry.get("peak_rss_mb")
        verdicts.append(None if peak is None else peak < HOSTILE_MEMORY_MB)
        notes.append(f"{entry['label']}: {'—' if peak is None else f'{peak:.0f} MB'}")
    out.append(
        _goal_row(f"恶意文件（接受或拒绝）导入进程峰值内存低于 {HOSTILE_MEMORY_MB} MB", verdicts, "；".join(notes))
    )
    return [*out, ""]


def _shortfalls(backends, sizes) -> list[str]:
    """Why each goal missed in this run was missed, from this run's own numbers."""
    out = ["## 未达成的目标及原因", ""]
    largest = str(max(sizes))
    for backend, result in backends.items():
        label = BACKEND_LABELS[backend]
        for kind in ("items", "monthly"):
            numbers = _get(result, "sizes", largest, f"export_{kind}")
            if not numbers or numbers.get("ratio") is None or numbers["ratio"] <= EXPORT_RATIO_LIMIT:
                continue
            extra = (
                "；monthly 还要从历史记录取上月末各事项的状态与时限（每个事项取截至当天的最后一条记录），"
                "并多写“统计”“本月变化”两张表"
                if kind == "monthly"
                else ""
            )
            out.append(
                f"- 导出倍数，{label} {kind} {size_label(max(sizes))}：{numbers['ratio']:.1f}×（CPU {_cpu_ratio(numbers)}）。"
                f"导出 {numbers['seconds']:.1f} 秒，其中本进程 CPU {_seconds(numbers.get('cpu_seconds'))} 秒，"
                f"裸 openpyxl {numbers['bare_seconds']:.1f} 秒。多出的是取数与组装（查询、状态与预警灯、措施与进展拼接）、"
                f"行高估算与合并单元格，以及 openpyxl 为带样式的单元格多写的样式属性{extra}。"
                "裸 openpyxl 的基准不写样式，所以倍数也包含了样式本身的代价。"
            )
        measured = [_get(result, "sizes", str(s), "import") for s in sizes]
        measured = [m for m in measured if m and "rows_per_s" in m]
        if measured:
            numbers = max(measured, key=lambda m: m["rows"])
            if numbers["rows_per_s"] < IMPORT_ROWS_PER_S and numbers.get("cpu_seconds"):
                database = numbers["seconds"] - numbers["cpu_seconds"]
                out.append(
                    f"- 导入速度，{label}：{numbers['rows']} 行 {numbers['seconds']:.1f} 秒（{numbers['rows_per_s']:,.0f} 行/秒）。"
                    f"导入进程本身的 CPU 只用了 {numbers['cpu_seconds']:.1f} 秒（合 {numbers['rows'] / numbers['cpu_seconds']:,.0f} 行/秒），"
                    f"其余约 {database:.1f} 秒在数据库：每个事项连同措施、责任领导与协办单位及它们的历史记录，"
                    "共约十一二行写入八张表（COPY）并维护其索引，提交时检查外键、写 WAL 落盘。"
                )
        for age in ("0", "60"):
            numbers = _get(result, "sizes", "10000", f"load_conn_max_age_{age}", "results")
            if not numbers or numbers["dashboard"]["fraction_of_healthz"] >= LOAD_FRACTION:
                continue
            workers = _get(result, "sizes", "10000", f"load_conn_max_age_{age}", "workers") or 2
            healthz_ms = 1000 * workers / numbers["healthz"]["rps"]
            dashboard_ms = 1000 * workers / numbers["dashboard"]["rps"]
            warm = _get(result, "sizes", "10000", "pages", "pages", "dashboard_warm", "median_s")
            out.append(
                f"- gunicorn 吞吐，{label}，CONN_MAX_AGE={age}：`/` 为 `/healthz` 的 "
                f"{numbers['dashboard']['fraction_of_healthz']:.1%}。`/healthz` 每次只占 worker 约 {healthz_ms:.1f} ms"
                f"（一条 `SELECT 1`），而 `/` 约 {dashboard_ms:.0f} ms（测试客户端中缓存命中时 {_ms(warm)} ms）："
                "每个登录后的请求都要读会话、用户与权限组，查未读提醒，渲染个人待办与整页模板，再保存会话；"
                f"达到 {LOAD_FRACTION:.0%} 需要 `/` 不超过 {healthz_ms / LOAD_FRACTION:.0f} ms。"
                "看板的台账部分已按台账版本缓存（不清缓存一行），再缓存就要连同个人部分按用户缓存整页。"
            )
    if len(out) == 2:
        out.append("无：所有目标均已达成。")
    return [*out, ""]


def _goal_row(goal: str, verdicts: list, notes: str) -> str:
    known = [v for v in verdicts if v is not None]
    if not known:
        verdict = UNMEASURED
    elif all(known):
        verdict = MET if len(known) == len(verdicts) else f"{MET}（部分未测）"
    else:
        verdict = NOT_MET
    return f"| {goal} | {verdict} | {notes} |"


def _explain(backends) -> list[str]:
    pg = backends.get("postgresql")
    plans = None
    if pg:
        for size in sorted(pg["sizes"], key=int, reverse=True):
            plans = _get(pg, "sizes", size, "pages", "explain")
            if plans:
                break
    out = ["## PostgreSQL：最慢查询的 EXPLAIN (ANALYZE, BUFFERS)", ""]
    if not plans:
        return [*out, "未测（没有 PostgreSQL 结果）。", ""]
    out.append(
        "用 `CaptureQueriesContext` 记录仪表盘与事项列表（最大规模）的全部查询，按耗时取最慢的几条，"
        "再执行 EXPLAIN (ANALYZE, BUFFERS)。"
    )
    out.append("")
    for number, plan in enumerate(plans, start=1):
        out += [
            f"### {number}. {plan['page']}（捕获时 {float(plan['captured_s']) * 1000:.0f} ms）",
            "",
            "```sql",
            plan["sql"],
            "```",
            "",
            "```",
            plan["plan"],
            "```",
            "",
        ]
    return out
