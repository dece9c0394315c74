"""Reading a ledger workbook someone else made into rows, before anything touches the database.

The jobs, each in its module: ``workbook`` refuses what is not an .xlsx we can read (a zip bomb
included), ``sheet_xml`` checks the shared strings and each sheet's XML before calamine reads
them, ``grid`` picks the sheets and reads them, ``header`` finds the header row
and maps the columns by name, ``rows`` parses the rows under it.
"""

from .errors import LedgerImportError
from .grid import read_grid, reading_order, scan, shared_strings
from .header import HEADER_SEARCH_ROWS, find_header
from .parsing import FIELD_HEADERS
from .rows import ParsedLedger, SheetReader
from .sheet_xml import WorkbookLayout
from .workbook import Source, check_workbook, open_archive, open_workbook


def read_ledger(source: Source) -> ParsedLedger:
    """Every row of the first worksheet that has a header row: the sheet Excel opens on first,
    then the other visible ones, then hidden ones, each in the workbook's order."""
    check_workbook(source)
    with open_archive(source) as archive:
        layout = WorkbookLayout.read(archive)
        shared = shared_strings(archive, layout)
        workbook = open_workbook(source)
        try:
            for name in reading_order(workbook, layout):
                grid = read_grid(workbook, name, scan(archive, layout, name, shared))
                header = find_header(grid.values)
                if header is not None:
                    return SheetReader(name, grid, *header).read()
        finally:
            workbook.close()
    accepted = "、".join(FIELD_HEADERS["item"])
    raise LedgerImportError(
        [f"没有找到表头行：前{HEADER_SEARCH_ROWS}行中没有「具体问题」列（可用的列名：{accepted}）。"]
    )
