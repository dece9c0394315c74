"""Fixtures for the Excel export and import tests: workbooks built in the test, uploads in a temp dir."""

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from rectify.accounts.models import Department, Leader
from rectify.ledger import models as ledger_models


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads kept between preview and confirmation go to a temp dir, not the project's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def make_xlsx(tmp_path):
    """Write rows (lists of cell values) to an .xlsx; ``merges`` like "B5:B7"; returns its path."""
    counter = iter(range(1000))

    def build(rows, *, merges=(), sheet_title="Sheet1", extra_sheets=()) -> Path:
        workbook = Workbook()
        for title, extra_rows in extra_sheets:
            extra = workbook.create_sheet(title, 0)
            for row in extra_rows:
                extra.append(row)
        sheet = workbook.worksheets[-1] if extra_sheets else workbook.active
        sheet.title = sheet_title
        for row in rows:
            sheet.append(row)
        for merged in merges:
            sheet.merge_cells(merged)
        workbook.active = 0
        path = tmp_path / f"ledger{next(counter)}.xlsx"
        workbook.save(path)
        return path

    return build


@pytest.fixture
def read_workbook():
    """An exported workbook (a path or the bytes of a response) read back with openpyxl."""

    def read(path_or_bytes):
        if isinstance(path_or_bytes, bytes):
            path_or_bytes = io.BytesIO(path_or_bytes)
        return load_workbook(path_or_bytes)

    return read


@pytest.fixture
def ledger_counts():
    return _ledger_counts


def _ledger_counts() -> dict[str, int]:
    """Rows in every ledger table (and their history), to prove a failed import saved nothing."""
    models = [
        ledger_models.Inspection,
        ledger_models.FeedbackProblem,
        ledger_models.RectificationItem,
        ledger_models.Measure,
        ledger_models.ProgressUpdate,
        Department,
        Leader,
    ]
    counts = {}
    for model in models:
        counts[model.__name__] = model.objects.count()
        counts[f"history of {model.__name__}"] = model.history.count()
    counts["leaders links"] = ledger_models.RectificationItem.leaders.through.objects.count()
    counts["co-department links"] = ledger_models.RectificationItem.co_departments.through.objects.count()
    return counts
