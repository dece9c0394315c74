"""The ledger's numbering as the notices write it: （一） for a problem, 1. for an item (straight
through the round), 一是 for a measure."""

import itertools
from collections.abc import Iterable, Sequence
from typing import TypeVar

from rectify.chinese import chinese_number

T = TypeVar("T")


def problem_label(sequence: int) -> str:
    """（一） for problem 1."""
    return f"（{chinese_number(sequence)}）"


def measure_label(sequence: int) -> str:
    """一是 for measure 1."""
    return f"{chinese_number(sequence)}是"


def item_numbers(groups: Iterable[Sequence[T]]) -> list[tuple[T, int]]:
    """A round's item numbers: 1, 2, … straight through its problems in their order (（一）'s items
    first), never restarting at a new problem, as the published ledgers number them.
    ``groups``: each problem's items in their order, the problems in theirs."""
    return list(zip((item for group in groups for item in group), itertools.count(1), strict=False))
