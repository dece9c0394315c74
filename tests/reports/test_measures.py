"""One grammar for numbered measures: a ledger cell is tidied, a notice's 整改情况 kept as published."""

import pytest

from rectify.reports.measures import split_measures


@pytest.mark.parametrize(
    ("text", "cell", "published"),
    [
        ("总体推进。一是甲；二是乙。", ["总体推进。", "甲", "乙。"], ["甲；", "乙。"]),
        ("整改措施：一是甲；二是乙。", ["甲", "乙。"], ["甲；", "乙。"]),
        ("一是甲，二是乙。", ["甲，", "乙。"], ["甲，", "乙。"]),
        ("一是甲，其二是乙。二是丙。", ["甲，其二是乙。", "丙。"], ["甲，其二是乙。", "丙。"]),
        (
            "一是甲：（1）子项；（2）子项；（3）子项。二是乙。",
            ["甲：（1）子项；（2）子项；（3）子项。", "乙。"],
            ["甲：（1）子项；（2）子项；（3）子项。", "乙。"],
        ),
    ],
)
def test_cells_and_published_text(text, cell, published):
    assert split_measures(text) == cell
    assert split_measures(text, published=True) == published


def test_a_cell_continuing_the_row_above_starts_at_its_number():
    assert split_measures("2. 丙\n3. 丁", start=2) == ["丙", "丁"]
    assert split_measures("2. 丙\n3. 丁") == ["2. 丙\n3. 丁"]
