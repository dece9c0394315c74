"""Hostile files: the peak memory of the process that imports them (``make bench`` runs it).

    python bench/bombs.py [--record]           build the files, measure each in a child process
    python bench/bombs.py --case NAME --file PATH   (the child: one measurement, one JSON line)

The cases are the security findings: a workbook whose ``sharedStrings.xml`` is declared as 1 KB
and really inflates to 2 GB; a .docx notice whose ``document.xml`` lies the same way (2.1 GB); a
workbook of 1,000,000 two-column rows; a sub-MB workbook inflating to ~290 MB. And what the
limits still accept: 20,000 rows of 12 columns near the text limit, and one long shared string
copied into many cells. Workbooks go through the upload form and the preview page (the test
client: the same code as over HTTP); the notice through ``parse_notice_file`` (the command's
path). Each child runs under a 2 GiB address-space limit, so that a failed guard cannot take
the machine down; it reports its own peak RSS (``ru_maxrss``, Django included).

``--record`` puts the figures into bench/results.json (key ``hostile``) and re-renders
bench/RESULTS.md from it, leaving the other measurements as they are.
"""

import argparse
import io
import json
import re
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, app_env, bench_user, emit, peak_rss_mb, setup_django

BENCH_DIR = ROOT / "bench"
PYTHON = sys.executable
CHILD_ADDRESS_SPACE = 2 * 1024**3
MB = 1024 * 1024

CASES = {
    "xlsx_shared_strings_bomb": "xlsx：sharedStrings.xml 登记 1 KB，实际解压 2 GB（2×10⁹ 字节）",
    "docx_bomb": "docx：document.xml 登记 1 KB，实际解压 2.1 GB（2.1×10⁹ 字节）",
    "million_rows": "xlsx：1,000,000 行 × 2 列",
    "inflates_to_290mb": "xlsx：不足 1 MB，工作表如实登记、解压 290 MB",
    "rows_at_limit": "xlsx：19,990 行 × 12 列、约 600 万汉字（openpyxl 写出，XML 文字约 50 MB，在上限内）",
    "ascii_text_at_limit": "xlsx：19,990 行 × 12 列、约 6,200 万个 ASCII 字符（XML 文字约 60 MB，在上限内）",
    "shared_copies_at_limit": "xlsx：一个 32,000 字的共享字符串被 600 个单元格引用（约 5,500 万字节，在上限内）",
    "docx_at_limit": "docx：document.xml 如实登记、约 7 MB 的文字段落（在上限内）",
    "docx_dense_at_limit": "docx：document.xml 如实登记、约 7 MB 的空段落 `<w:p/>`（最密的 XML，在上限内）",
}


# --- building the files ---------------------------------------------------------------------


def _base_workbook(rows) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _with_member(archive: bytes, name: str, blocks, path: Path, *, level: int = 9) -> int:
    """``archive`` written to ``path`` with member ``name`` replaced by the streamed ``blocks``;
    returns the bytes the archive really inflates to."""
    total = 0
    with (
        zipfile.ZipFile(io.BytesIO(archive)) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target,
    ):
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info.filename, source.read(info))
                total += info.file_size
        with target.open(name, "w") as member:
            for block in blocks:
                total += member.write(block)
    return total


def _lie_about(path: Path, name: str, declared: int = 1024) -> None:
    """Declare ``name`` as ``declared`` bytes in its local header and the central directory."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        struct.pack_into("<I", data, archive.getinfo(name).header_offset + 22, declared)
    central = data.rindex(name.encode()) - 46
    assert data[central : central + 4] == b"PK\x01\x02"
    struct.pack_into("<I", data, central + 24, declared)
    path.write_bytes(bytes(data))


def _repeated(block: bytes, total: int, head: bytes = b"", tail: bytes = b""):
    yield head
    for _ in range(total // len(block)):
        yield block
    yield tail


def _million_rows():
    yield b"<worksheet><sheetData>"
    for start in range(1, 1_000_001, 10_000):
        yield b"".join(
            b'<row r="%d" spans="1:2"><c r="A%d"><v>%d</v></c><c r="B%d"><v>%d</v></c></row>' % (n, n, n, n, n * 7)
            for n in range(start, start + 10_000)
        )
    yield b"</sheetData></worksheet>"


HEADER = ["序号", "反馈问题", "具体问题（整改事项）", "整改措施", "责任领导", "责任部门", "配合部门"]
HEADER += ["完成时限", "整改进展情况", "完成状态", "预警", "备注"]


def _rows_at_limit(path: Path) -> None:
    """19,990 items of 12 columns, about 300 characters each, under a title and a header row: just
    inside the row limit (20,000); openpyxl writes each Chinese character as an 8-byte entity, so
    the text is some 50 MB of XML, near the text limit (64 MB)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("整改台账")
    sheet.append(["某单位落实省委巡视组反馈问题整改台账"])
    sheet.append(HEADER)
    for n in range(1, 19_991):
        sheet.append(
            [n, f"（{n % 17 + 1}）反馈问题{n % 17 + 1}", f"第{n}号整改事项。" + "落实整改要求" * 8]
            + ["一是健全制度；二是加强监督；三是建立长效机制。" * 4, "张某", "甲局", "乙局", "2025年6月30日"]
            + ["已按计划推进整改工作，阶段性成果明显。" * 6, "整改中", "", f"备注{n}"]
        )
    book.save(path)


def _ascii_rows():
    """The densest text in memory: plain ASCII (one byte a character), 12 columns of ~260 each."""
    columns = [chr(ord("A") + index) for index in range(12)]

    def cell(column: str, row: int, text: str) -> bytes:
        return f'<c r="{column}{row}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()

    yield (
        b'<worksheet><sheetData><row r="1">'
        + b"".join(cell(column, 1, header) for column, header in zip(columns, HEADER, strict=True))
        + b"</row>"
    )
    filler = "rectification progress " * 11
    for row in range(2, 19_992):
        body = cell("A", row, str(row)) + b"".join(cell(column, row, filler) for column in columns[1:])
        yield f'<row r="{row}">'.encode() + body + b"</row>"
    yield b"</sheetData></worksheet>"


def build(case: str, folder: Path) -> tuple[Path, int]:
    """The file of ``case`` in ``folder``, and the bytes it really inflates to."""
    path = folder / (f"{case}.docx" if case.startswith("docx") else f"{case}.xlsx")
    header_only = _base_workbook([HEADER])
    if case == "xlsx_shared_strings_bomb":
        block = b"<si><t>x</t></si>" * 4096
        inflated = _with_member(
            header_only, "xl/sharedStrings.xml", _repeated(block, 2_000_000_000, b"<sst>", b"</sst>"), path
        )
        _lie_about(path, "xl/sharedStrings.xml")
    elif case == "docx_bomb":
        import docx

        buffer = io.BytesIO()
        docx.Document().save(buffer)
        body = _repeated(
            b"<w:p/>" * 10_000, 2_100_000_000, b'<w:document xmlns:w="x"><w:body>', b"</w:body></w:document>"
        )
        inflated = _with_member(buffer.getvalue(), "word/document.xml", body, path)
        _lie_about(path, "word/document.xml")
    elif case == "million_rows":
        inflated = _with_member(header_only, "xl/worksheets/sheet1.xml", _million_rows(), path)
    elif case == "inflates_to_290mb":
        rows = _repeated(b"<row/>" * 10_000, 290 * MB, b"<worksheet><sheetData>", b"</sheetData></worksheet>")
        inflated = _with_member(header_only, "xl/worksheets/sheet1.xml", rows, path)
    elif case == "ascii_text_at_limit":
        inflated = _with_member(_base_workbook([]), "xl/worksheets/sheet1.xml", _ascii_rows(), path)
    elif case == "rows_at_limit":
        _rows_at_limit(path)
        inflated = _declared(path)
    elif case == "shared_copies_at_limit":
        # Header 具体问题 | 整改进展情况; 600 items, each with the same 32,000-character progress text.
        header = b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        cells = b"".join(
            b'<row r="%d"><c r="A%d" t="s"><v>2</v></c><c r="B%d" t="s"><v>3</v></c></row>' % (n, n, n)
            for n in range(2, 602)
        )
        sheet = b"<worksheet><sheetData>" + header + cells + b"</sheetData></worksheet>"
        with_sheet = folder / "with_sheet.xlsx"
        _with_member(header_only, "xl/worksheets/sheet1.xml", [sheet], with_sheet)
        strings = ["具体问题", "整改进展情况", "整改事项", "进展" * 16_000]
        shared = "<sst>" + "".join(f"<si><t>{text}</t></si>" for text in strings) + "</sst>"
        inflated = _with_member(with_sheet.read_bytes(), "xl/sharedStrings.xml", [shared.encode()], path)
        with_sheet.unlink()
    elif case in ("docx_at_limit", "docx_dense_at_limit"):
        import docx

        buffer = io.BytesIO()
        docx.Document().save(buffer)
        if case == "docx_at_limit":
            block, size = "<w:p><w:r><w:t>一、关于整改工作的情况说明。</w:t></w:r></w:p>".encode() * 1000, 7.0 * MB
        else:
            block, size = b"<w:p/>" * 10_000, 7.0 * MB
        namespace = b'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        head, tail = b"<w:document " + namespace + b"><w:body>", b"</w:body></w:document>"
        inflated = _with_member(buffer.getvalue(), "word/document.xml", _repeated(block, int(size), head, tail), path)
    else:
        raise SystemExit(f"unknown case {case}")
    return path, inflated


def _declared(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(info.file_size for info in archive.infolist())


# --- measuring (the child) ------------------------------------------------------------------


# The form's field error, or the first error of the preview's alert.
_MESSAGES = (
    re.compile(r'<div class="text-danger small">(.*?)</div>', re.S),
    re.compile(r'<div class="alert alert-danger"[^>]*>.*?<li>(.*?)</li>', re.S),
)


def measure(case: str, path: Path) -> dict:
    started = time.perf_counter()
    if path.suffix == ".docx":
        from rectify.reports.notice.errors import NoticeFormatError
        from rectify.reports.notice.importer import parse_notice_file

        try:
            parse_notice_file(data=path.read_bytes(), filename=path.name)
            outcome, message = "accepted", ""
        except NoticeFormatError as error:
            outcome, message = "refused", str(error)
    else:
        outcome, message = _through_the_pages(path)
    return {
        "case": case,
        "outcome": outcome,
        "message": message,
        "seconds": time.perf_counter() - started,
        "peak_rss_mb": peak_rss_mb(),
    }


def _through_the_pages(path: Path) -> tuple[str, str]:
    """Upload (the form checks the file), then the preview (the dry run), as a browser would."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(bench_user())
    upload = SimpleUploadedFile(path.name, path.read_bytes())
    response = client.post(reverse("reports:ledger-import"), {"file": upload, "title": "恶意文件"})
    del upload
    if response.status_code != 302:
        return "refused at upload", _first_message(response)
    preview = client.get(reverse("reports:ledger-import-preview"))
    page = preview.content.decode()
    if preview.status_code != 200:
        return f"HTTP {preview.status_code}", ""
    if "确认导入" in page:
        return "accepted (preview)", re.sub(r"<[^>]+>", "", re.search(r"共 [\d,]+ 项：[^<]*", page)[0])
    return "refused at preview", _first_message(preview)


def _first_message(response) -> str:
    page = response.content.decode()
    for pattern in _MESSAGES:
        if match := pattern.search(page):
            return re.sub(r"<[^>]+>", "", match[1]).strip()
    return ""


# --- the parent -----------------------------------------------------------------------------


def _limit_child() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_ADDRESS_SPACE, CHILD_ADDRESS_SPACE))


def run_all(workdir: Path, say=print, cases=tuple(CASES)) -> dict:
    """Every case built in ``workdir`` and measured in a child process of its own."""
    env = app_env(f"sqlite:///{workdir / 'hostile.sqlite3'}", workdir)
    subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    if not (workdir / "static" / "staticfiles.json").exists():  # DEBUG off: pages need the manifest
        subprocess.run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    results = {}
    for case in cases:
        label = CASES[case]
        say(f"恶意文件：{label}……")
        path, inflated = build(case, workdir)
        entry = {"label": label, "file_bytes": path.stat().st_size, "inflated_bytes": inflated}
        child = subprocess.run(
            [PYTHON, str(BENCH_DIR / "bombs.py"), "--case", case, "--file", str(path)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            preexec_fn=_limit_child,
        )
        if child.returncode == 0:
            entry.update(json.loads(child.stdout.strip().splitlines()[-1]))
        else:
            entry.update(outcome=f"进程异常退出（{child.returncode}）", message=child.stderr.strip()[-300:])
        say(f"  {entry.get('outcome')}，峰值内存 {entry.get('peak_rss_mb', 0):.0f} MB：{entry.get('message', '')[:80]}")
        results[case] = entry
        path.unlink()
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--case", choices=CASES)
    parser.add_argument("--file", type=Path)
    parser.add_argument("--record", action="store_true", help="write bench/results.json and RESULTS.md")
    parser.add_argument("--only", help="comma-separated cases (default: all)")
    args = parser.parse_args()
    if args.case:
        setup_django()
        emit(measure(args.case, args.file))
        return
    with tempfile.TemporaryDirectory(prefix="rectify-hostile-") as folder:
        results = run_all(Path(folder), cases=args.only.split(",") if args.only else tuple(CASES))
    if args.record:
        from bench.report import render

        data = json.loads((BENCH_DIR / "results.json").read_text())
        data["hostile"] = {**data.get("hostile", {}), **results} if args.only else results
        (BENCH_DIR / "results.json").write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")
        (BENCH_DIR / "RESULTS.md").write_text(render(data))
    else:
        print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
