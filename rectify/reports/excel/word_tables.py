"""The tables of a Word (.docx) document as grids, the way a worksheet is read.

Each table's cells in the columns of the table's grid: a cell spanning columns (``w:gridSpan``)
and a cell merged down over rows (``w:vMerge``) become merged ranges, filled with their top-left
text like merged Excel cells (``grid.fill_merges``). The paragraphs between the previous table
and this one are kept as its preamble (the title, 填报单位). The XML was bounded by
``rectify.safezip`` before; the grids are bounded here like a worksheet (``sheet_xml``).
"""

from dataclasses import dataclass, field
from xml.etree import ElementTree

from rectify.reports.notice.word_text import Numbering, W, block_lines, paragraph_line

from .errors import LedgerImportError
from .grid import Grid, fill_merges
from .sheet_xml import MAX_CELLS, MAX_COLUMNS, MAX_ROWS


@dataclass
class WordTable:
    number: int  # 1-based, in document order
    grid: Grid
    preamble: list[str] = field(default_factory=list)  # non-blank paragraphs before the table

    @property
    def name(self) -> str:
        return f"表格{self.number}"


def word_tables(body: ElementTree.Element | None, numbering: Numbering) -> list[WordTable]:
    """Every top-level table of the body (tables inside content controls included), in order."""
    tables: list[WordTable] = []
    preamble: list[str] = []
    cells = 0

    def walk(element: ElementTree.Element) -> None:
        nonlocal preamble, cells
        for child in element:
            if child.tag == f"{W}p":
                preamble.extend(line.strip() for line in paragraph_line(child, numbering).split("\n") if line.strip())
            elif child.tag == f"{W}tbl":
                table = WordTable(len(tables) + 1, _grid(child, numbering, len(tables) + 1), preamble)
                cells += sum(len(row) for row in table.grid.values)
                if cells > MAX_CELLS:
                    raise LedgerImportError(
                        [f"无法导入该 Word 文档：表格中的单元格超过 {MAX_CELLS:,} 个，不像是正常的台账，已拒绝读取。"]
                    )
                tables.append(table)
                preamble = []
            elif child.tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml"):
                walk(child)

    if body is not None:
        walk(body)
    return tables


def _int(element: ElementTree.Element | None, default: int) -> int:
    value = element.get(f"{W}val", "") if element is not None else ""
    return int(value) if value.isdigit() else default


def _grid(table: ElementTree.Element, numbering: Numbering, number: int) -> Grid:
    values: list[list] = []
    merges: list[tuple[int, int, int, int]] = []
    open_merges: dict[int, list[int]] = {}  # column → [top, left, bottom, right] of a vertical merge

    def close(column: int) -> None:
        top, left, bottom, right = open_merges.pop(column)
        if bottom > top or right > left:
            merges.append((top, left, bottom, right))

    for index, row in enumerate(table.findall(f"{W}tr")):
        if index >= MAX_ROWS:
            raise LedgerImportError([f"无法导入该 Word 文档：表格{number}超过 {MAX_ROWS:,} 行，已拒绝读取。"])
        column = _int(row.find(f"{W}trPr/{W}gridBefore"), 0)
        cells: list = [None] * column
        for cell in row.findall(f"{W}tc"):
            properties = cell.find(f"{W}tcPr")
            span = max(1, _int(properties.find(f"{W}gridSpan") if properties is not None else None, 1))
            if column + span > MAX_COLUMNS:
                raise LedgerImportError(
                    [f"无法导入该 Word 文档：表格{number}第{index + 1}行超过 {MAX_COLUMNS:,} 列，已拒绝读取。"]
                )
            for covered in [start for start in open_merges if column < start < column + span]:
                close(covered)
            merge = properties.find(f"{W}vMerge") if properties is not None else None
            continues = merge is not None and merge.get(f"{W}val", "continue") == "continue"
            if continues and column in open_merges:
                open_merges[column][2] = index
                cells.extend([None] * span)
            else:
                if column in open_merges:
                    close(column)
                lines: list[str] = []
                block_lines(cell, numbering, lines)
                text = "\n".join(line.strip() for line in lines if line.strip())
                cells.extend([text or None] + [None] * (span - 1))
                if merge is not None:
                    open_merges[column] = [index, column, index, column + span - 1]
                elif span > 1:
                    merges.append((index, column, index, column + span - 1))
            column += span
        for started in [start for start in open_merges if start >= column]:
            close(started)  # a shorter row ends the merges beyond it
        values.append(cells)
    for column in list(open_merges):
        close(column)
    fill_merges(values, merges)
    return Grid(values, merges)
