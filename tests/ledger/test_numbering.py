import pytest

from rectify.chinese import chinese_number
from rectify.ledger.numbering import measure_label, problem_label


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (10, "十"),
        (11, "十一"),
        (20, "二十"),
        (21, "二十一"),
        (99, "九十九"),
        (100, "一百"),
        (105, "一百零五"),
        (110, "一百一十"),
        (1000, "一千"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
        (2345, "二千三百四十五"),
    ],
)
def test_chinese_numbers(n, text):
    assert chinese_number(n) == text


def test_labels():
    assert problem_label(11) == "（十一）"
    assert measure_label(3) == "三是"


@pytest.mark.parametrize("n", [0, -1, 10000])
def test_out_of_range(n):
    with pytest.raises(ValueError):
        chinese_number(n)
