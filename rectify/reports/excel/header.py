"""Finding the header row in the first rows of a sheet and mapping its columns by name (any order)."""

from .parsing import field_for_header, normalise_header

HEADER_SEARCH_ROWS = 15

Columns = dict[str, tuple[int, str]]  # field → (column index, header text)


def find_header(values: list[list]) -> tuple[int, Columns] | None:
    """(row index, columns) of the best header row among the first ``HEADER_SEARCH_ROWS``, or None."""
    best = None
    for index, row in enumerate(values[:HEADER_SEARCH_ROWS]):
        columns: Columns = {}
        for column, value in enumerate(row):
            name = field_for_header(value)
            if name and name not in columns:
                columns[name] = (column, normalise_header(value))
        # ">=": of two equally good rows the lower one is the header (a two-row header, filled down).
        if "item" in columns and (best is None or len(columns) >= len(best[1])):
            best = (index, columns)
    return best
