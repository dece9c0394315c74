"""Pins the openpyxl internals the export's ``RowWriter`` relies on (see
rectify/reports/excel/styles.py): the write-only sheet's ``_values_to_row``, the writer reading
``Cell.style_id``, ``Cell._value`` / ``data_type`` and a row's attributes from ``row_dimensions``. An openpyxl upgrade that renames or stops
using them fails here, not silently in the export."""

import inspect
import io
from pathlib import Path

import openpyxl
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from rectify.reports.excel import styles
from rectify.reports.excel.export import new_workbook, workbook_bytes

REQUIREMENTS = Path(__file__).resolve().parents[2] / "requirements.txt"


def test_openpyxl_is_the_version_the_row_writer_was_checked_against():
    assert openpyxl.__version__ == styles.OPENPYXL_VERSION
    assert f"openpyxl=={styles.OPENPYXL_VERSION}" in REQUIREMENTS.read_text().split()


def test_the_write_only_sheet_turns_rows_into_cells_with_values_to_row():
    assert list(inspect.signature(WriteOnlyWorksheet._values_to_row).parameters) == ["self", "values", "row_idx"]


def test_append_writes_the_cells_values_to_row_yields():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("甲")
    calls = []

    def cells_to_row(values, row_idx):
        calls.append((list(values), row_idx))
        for column, value in enumerate(values, 1):
            cell = WriteOnlyCell(sheet, f"{value}!")
            cell.column, cell.row = column, row_idx
            yield cell

    sheet._values_to_row = cells_to_row
    sheet.append(["a", "b"])
    sheet.append(["c"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert calls == [(["a", "b"], 1), (["c"], 2)]
    rows = list(load_workbook(buffer)["甲"].iter_rows(values_only=True))
    assert rows == [("a!", "b!"), ("c!", None)]


def test_the_writer_takes_a_cells_style_from_style_id_and_its_text_from_value_and_data_type():
    workbook = Workbook(write_only=True)
    workbook.add_named_style(openpyxl.styles.NamedStyle("甲样式", font=openpyxl.styles.Font(bold=True)))
    sheet = workbook.create_sheet("丙")
    styled = Cell(sheet, row=1, column=1)
    styled.style = "甲样式"
    index = styled.style_id

    class Fixed(Cell):
        __slots__ = ()

        @property
        def style_id(self):
            return index

    workbook.add_named_style(openpyxl.styles.NamedStyle("乙样式"))
    cell = Fixed(sheet, row=1, column=1)
    cell.style = "乙样式"  # the writer goes by style_id, not by this
    cell._value, cell.data_type = "=1+1", "s"
    sheet.append([cell])
    buffer = io.BytesIO()
    workbook.save(buffer)
    written = load_workbook(buffer)["丙"]["A1"]
    assert (written.value, written.data_type, written.style, written.font.b) == ("=1+1", "s", "甲样式", True)


def test_the_writer_takes_a_rows_attributes_from_row_dimensions_as_a_mapping():
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("丁")
    sheet.row_dimensions[1] = {"ht": "42", "customHeight": "1"}
    sheet.append(["高"])
    del sheet.row_dimensions[1]
    sheet.append(["矮"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    written = load_workbook(buffer)["丁"]
    assert (written.row_dimensions[1].height, written.row_dimensions[1].customHeight) == (42, True)
    assert written.row_dimensions[2].height is None


def test_the_row_writer_reuses_its_styled_cells_row_after_row():
    workbook = new_workbook()
    writer = styles.RowWriter(workbook.create_sheet("乙"))
    for number in range(3):
        writer.append([(styles.CENTRED, number), (styles.TEXT, f"第{number}行"), (None, "裸值")], height=30)
    sheet = load_workbook(io.BytesIO(workbook_bytes(workbook)))["乙"]
    assert list(sheet.iter_rows(values_only=True)) == [(n, f"第{n}行", "裸值") for n in range(3)]
    assert [sheet.cell(row, 1).style for row in (1, 2, 3)] == [styles.CENTRED] * 3
    assert sheet.cell(1, 3).style == "Normal"
    assert [sheet.row_dimensions[row].height for row in (1, 2, 3)] == [30, 30, 30]
