"""Chinese ordinal numbering as the notices use it: （一）, 一是, 十一."""

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 21 → 二十一, 100 → 一百 (enough for ledgers)."""
    if n <= 0:
        raise ValueError("only positive numbers have a Chinese ordinal here")
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        head = "" if tens == 1 else _DIGITS[tens]
        return f"{head}十{_DIGITS[ones] if ones else ''}"
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        return f"{_DIGITS[hundreds]}百"
    middle = "零" if rest < 10 else ""
    tail = chinese_number(rest) if rest >= 20 or rest < 10 else f"一{chinese_number(rest)}"
    return f"{_DIGITS[hundreds]}百{middle}{tail}"


def problem_label(sequence: int) -> str:
    """（一） for problem 1."""
    return f"（{chinese_number(sequence)}）"


def measure_label(sequence: int) -> str:
    """一是 for measure 1."""
    return f"{chinese_number(sequence)}是"
