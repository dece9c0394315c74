"""Chinese numerals both ways and Chinese dates (rectify/chinese.py)."""

import datetime

import pytest

from rectify.chinese import (
    ascii_digits,
    chinese_date,
    chinese_month,
    chinese_number,
    parse_chinese_date,
    parse_chinese_number,
)


def test_numerals_1_to_200_round_trip():
    texts = [chinese_number(n) for n in range(1, 201)]
    assert [parse_chinese_number(text) for text in texts] == list(range(1, 201))
    assert len(set(texts)) == 200


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "一"),
        (9, "九"),
        (10, "十"),
        (11, "十一"),
        (19, "十九"),
        (20, "二十"),
        (21, "二十一"),
        (23, "二十三"),
        (99, "九十九"),
        (100, "一百"),
        (101, "一百零一"),
        (105, "一百零五"),
        (110, "一百一十"),
        (111, "一百一十一"),
        (199, "一百九十九"),
        (200, "二百"),
        (1000, "一千"),
        (1001, "一千零一"),
        (1010, "一千零一十"),
        (2345, "二千三百四十五"),
        (9999, "九千九百九十九"),
    ],
)
def test_numerals_as_the_notices_write_them(n, text):
    assert chinese_number(n) == text
    assert parse_chinese_number(text) == n


@pytest.mark.parametrize(
    ("text", "n"),
    [("一十一", 11), ("两百", 200), ("二百〇五", 205), ("一百○一", 101), (" 十二 ", 12)],
)
def test_numeral_variants_are_read(text, n):
    assert parse_chinese_number(text) == n


@pytest.mark.parametrize("text", ["", "零", "十十", "一二", "百", "十百", "二十〇", "1", "一是", "壹", "一万"])
def test_text_that_is_no_numeral_is_refused(text):
    with pytest.raises(ValueError, match="无法识别的中文数字"):
        parse_chinese_number(text)


@pytest.mark.parametrize("n", [0, -1, 10000, True, 1.0, "1"])
def test_numbers_without_a_numeral_are_refused(n):
    with pytest.raises(ValueError, match="无法写成中文数字"):
        chinese_number(n)


def test_dates_are_written_without_zero_padding():
    assert chinese_date(datetime.date(2023, 12, 18)) == "2023年12月18日"
    assert chinese_date(datetime.date(2024, 1, 5)) == "2024年1月5日"
    assert chinese_month(datetime.date(2024, 3, 31)) == "2024年3月"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2023年12月18日", datetime.date(2023, 12, 18)),
        ("2024年1月5日", datetime.date(2024, 1, 5)),
        ("2024年01月05日", datetime.date(2024, 1, 5)),
        ("  2023 年 12 月 18 日 ", datetime.date(2023, 12, 18)),
        ("二〇二三年十二月十八日", datetime.date(2023, 12, 18)),
        ("二○二四年二月二十九日", datetime.date(2024, 2, 29)),
        ("二〇二四年 一月 一日", datetime.date(2024, 1, 1)),
    ],
)
def test_dates_are_read(text, day):
    assert parse_chinese_date(text) == day


def test_a_written_date_reads_back():
    day = datetime.date(2023, 7, 20)
    assert parse_chinese_date(chinese_date(day)) == day


@pytest.mark.parametrize("text", ["2023年2月30日", "2023年13月1日", "二〇二三年十三月一日", "二〇二三年二月三十日"])
def test_days_that_do_not_exist_are_refused(text):
    with pytest.raises(ValueError, match="日期不存在"):
        parse_chinese_date(text)


@pytest.mark.parametrize(
    "text",
    ["", "截至2023年12月18日", "2023年12月", "2023-12-18", "二〇二三年十二月", "二三年十二月十八日", "某年某月某日"],
)
def test_text_that_is_no_date_is_refused(text):
    with pytest.raises(ValueError, match="无法识别的日期"):
        parse_chinese_date(text)


def test_full_width_digits_are_made_ascii():
    assert ascii_digits("０７４５－２８３８１５９") == "0745－2838159"
    assert ascii_digits("第１２项") == "第12项"
    assert ascii_digits("一二三") == "一二三"
