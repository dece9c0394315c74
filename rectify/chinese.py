"""Chinese-language helpers every app shares: numerals both ways and dates written the Chinese way.

Numerals are the ordinal numerals the notices use: 一, 十, 十一, 二十三, 一百零五 (1 to 9999). Dates are
written the way official documents write them, without zero padding: 2023年12月18日 (a month: 2023年12月).
"""

import datetime
import re

_DIGITS = "零一二三四五六七八九"
_UNITS = {"十": 10, "百": 100, "千": 1000}
# Variants a reader accepts for the canonical characters: 〇/○ for 零, 两 for 二.
_VARIANTS = str.maketrans({"〇": "零", "○": "零", "两": "二"})
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_YEAR_DIGITS = dict(zip("〇○零一二三四五六七八九", "000123456789", strict=True))

# Circled numbers ① to ⑳, the third level of numbering some notices use.
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
# Any run of characters a Chinese numeral may be written in, for regular expressions: [一二…十百千零〇○两]+.
NUMERAL = "[一二三四五六七八九十百千零〇○两]+"
# 2023年12月18日, spaces allowed around the parts; groups: year, month, day.
DATE = r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"
_DATE_RE = re.compile(DATE)
_NUMERAL_DATE_RE = re.compile(r"([〇○零一二三四五六七八九]{4})年(" + NUMERAL + r")月(" + NUMERAL + r")日")


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 21 → 二十一, 105 → 一百零五, 1010 → 一千零一十 (1 to 9999)."""
    if isinstance(n, bool) or not isinstance(n, int) or not 0 < n < 10000:
        raise ValueError(f"无法写成中文数字：{n!r}（只支持 1 至 9999 的整数）")
    if n < 20:
        return ("" if n < 10 else "十") + (_DIGITS[n % 10] if n % 10 or n < 10 else "")
    parts, gap = [], False
    for size, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // size % 10
        if digit:
            if gap and parts:
                parts.append("零")
            parts.append(_DIGITS[digit] + name)
            gap = False
        else:
            gap = True
    return "".join(parts)


def parse_chinese_number(text: str) -> int:
    """一 → 1, 十 → 10, 十一 → 11, 二十三 → 23, 一百零五 → 105; 一十一, 两百 and 一百〇五 are read too.

    Other text (十十, 一二, 零, 1) raises ValueError with the reason in Chinese.
    """
    canonical = text.strip().translate(_VARIANTS)
    if canonical.startswith("一十"):
        canonical = canonical[1:]
    total, digit = 0, None
    for char in canonical:
        if char in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[char]
            digit = None
        elif char in _DIGITS:
            digit = _DIGITS.index(char)
        else:
            raise ValueError(f"无法识别的中文数字：“{text}”")
    total += digit or 0
    if not 0 < total < 10000 or chinese_number(total) != canonical:
        raise ValueError(f"无法识别的中文数字：“{text}”")
    return total


def ascii_digits(text: str) -> str:
    """Full-width digits made ASCII: ２０２３ → 2023 (other characters unchanged)."""
    return text.translate(_FULLWIDTH_DIGITS)


def chinese_date(day: datetime.date) -> str:
    """2023年12月18日 (no zero padding, as official documents write it)."""
    return f"{day.year}年{day.month}月{day.day}日"


def chinese_month(day: datetime.date) -> str:
    """2023年12月: the month ``day`` falls in."""
    return f"{day.year}年{day.month}月"


def parse_chinese_date(text: str) -> datetime.date:
    """A date written the Chinese way and nothing else: 2023年12月18日 (spaces allowed) or 二〇二三年十二月十八日.

    Raises ValueError, with the reason in Chinese, for other text or a day that does not exist (2023年2月30日).
    """
    try:
        if match := _DATE_RE.fullmatch(text.strip()):
            return datetime.date(*(int(part) for part in match.groups()))
        if match := _NUMERAL_DATE_RE.fullmatch(re.sub(r"\s+", "", text)):
            year = int("".join(_YEAR_DIGITS[char] for char in match[1]))
            return datetime.date(year, parse_chinese_number(match[2]), parse_chinese_number(match[3]))
    except ValueError:
        raise ValueError(f"日期不存在：{text.strip()}") from None
    raise ValueError(f"无法识别的日期：{text.strip()}（应写作“2023年12月18日”或“二〇二三年十二月十八日”）")
