"""Chinese ordinal numbering as the notices use it: （一）, 一是, 十一."""

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 11 → 十一, 21 → 二十一, 105 → 一百零五, 1010 → 一千零一十 (up to 9999)."""
    if not 0 < n < 10000:
        raise ValueError(f"no Chinese ordinal for {n} here (1 to 9999)")
    if n < 20:
        return ("" if n < 10 else "十") + (_DIGITS[n % 10] if n % 10 or n < 10 else "")
    units = [(1000, "千"), (100, "百"), (10, "十"), (1, "")]
    parts, gap = [], False
    for size, name in units:
        digit = n // size % 10
        if digit:
            if gap and parts:
                parts.append("零")
            parts.append(_DIGITS[digit] + name)
            gap = False
        else:
            gap = True
    return "".join(parts)


def problem_label(sequence: int) -> str:
    """（一） for problem 1."""
    return f"（{chinese_number(sequence)}）"


def measure_label(sequence: int) -> str:
    """一是 for measure 1."""
    return f"{chinese_number(sequence)}是"
