"""The ledger's labels; the numerals themselves are tested in tests/test_chinese.py."""

from rectify.ledger.numbering import item_numbers, measure_label, problem_label


def test_labels():
    assert problem_label(11) == "（十一）"
    assert measure_label(3) == "三是"


def test_item_numbers_run_straight_through_the_problems():
    assert item_numbers([["a", "b"], [], ["c"]]) == [("a", 1), ("b", 2), ("c", 3)]
    assert item_numbers([]) == []
