"""The notice corpus under ``notices/``: its files, their expected outlines, and Word documents built from them."""

import io
import json
from pathlib import Path

import docx

CORPUS = Path(__file__).parent / "notices"
NOTICES = sorted(path.stem for path in CORPUS.glob("*.txt"))


def expected_of(name: str) -> dict:
    return json.loads((CORPUS / f"{name}.json").read_text(encoding="utf-8"))


def docx_of(text: str) -> bytes:
    """A Word document of ``text``: paragraphs, and a table for each run of ``|`` lines."""
    document = docx.Document()
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        if not lines[index].startswith("|"):
            document.add_paragraph(lines[index])
            index += 1
            continue
        rows = []
        while index < len(lines) and lines[index].startswith("|"):
            rows.append(lines[index][1:].split("|"))
            index += 1
        width = max(len(row) for row in rows)
        table = document.add_table(rows=len(rows), cols=width)
        for r, row in enumerate(rows):
            for c in range(width):
                value = row[c] if c < len(row) else ""
                cell = table.cell(r, c)
                if value:
                    cell.text = value
                elif r:
                    table.cell(r - 1, c).merge(cell)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def file_of(name: str) -> tuple[bytes, str]:
    text = (CORPUS / f"{name}.txt").read_text(encoding="utf-8")
    if expected_of(name).get("docx"):
        return docx_of(text), f"{name}.docx"
    return text.encode("utf-8"), f"{name}.txt"
