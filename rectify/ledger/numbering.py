"""The ledger's labels as the notices write them: （一） for a problem, 一是 for a measure."""

from rectify.chinese import chinese_number


def problem_label(sequence: int) -> str:
    """（一） for problem 1."""
    return f"（{chinese_number(sequence)}）"


def measure_label(sequence: int) -> str:
    """一是 for measure 1."""
    return f"{chinese_number(sequence)}是"
