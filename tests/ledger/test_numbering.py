"""The ledger's labels; the numerals themselves are tested in tests/test_chinese.py."""

from rectify.ledger.numbering import measure_label, problem_label


def test_labels():
    assert problem_label(11) == "（十一）"
    assert measure_label(3) == "三是"
