"""The totals a notice states in its prose (N个方面问题, M项整改任务, 已完成K项, 正在整改L项, 长期坚持J项),
and how they compare with what was parsed: a mismatch is shown, never silently accepted."""

import re
from dataclasses import dataclass

from rectify.chinese import NUMERAL, parse_chinese_number

_COUNT = rf"([0-9０-９]+|{NUMERAL})"
PROBLEMS_RE = re.compile(rf"{_COUNT}\s*(?:个|大)(?:方面|类)?的?(?:反馈|巡视|巡察)?问题")
ITEMS_RE = re.compile(rf"{_COUNT}\s*[项个条](?:具体)?(?:整改任务|整改事项|整改问题|具体问题|问题清单|任务)")
COMPLETED_RE = re.compile(
    rf"(?:已经|已)?(?:全部)?(?:完成整改|整改完成|完成|已整改|整改到位|办结|销号)(?:问题|事项|任务)?\s*{_COUNT}\s*[项个条]"
)
IN_PROGRESS_RE = re.compile(
    rf"(?:正在整改|正在推进|整改中|推进中|未完成|尚未完成|基本完成)(?:问题|事项|任务)?\s*{_COUNT}\s*[项个条]"
)
ONGOING_RE = re.compile(rf"(?:需长期坚持|长期坚持|持续整改|长期整改)(?:问题|事项|任务)?\s*{_COUNT}\s*[项个条]")


def _count(text: str) -> int | None:
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    if text.isdigit():
        return int(text)
    try:
        return parse_chinese_number(text)
    except ValueError:
        return None


def _first(pattern: re.Pattern, text: str) -> int | None:
    for match in pattern.finditer(text):
        # "完成" right after 未/尚未 belongs to the in-progress count, not the completed one.
        if pattern is COMPLETED_RE and text[max(0, match.start() - 2) : match.start()].endswith(("未", "基本")):
            continue
        if (count := _count(match.group(1))) is not None:
            return count
    return None


@dataclass(frozen=True)
class StatedTotals:
    problems: int | None = None
    items: int | None = None
    completed: int | None = None
    in_progress: int | None = None
    ongoing: int | None = None

    @property
    def any(self) -> bool:
        return any(v is not None for v in (self.problems, self.items, self.completed, self.in_progress, self.ongoing))


def stated_totals(text: str) -> StatedTotals:
    """The first count of each kind that ``text`` (the notice's prose outside the items) states."""
    return StatedTotals(
        problems=_first(PROBLEMS_RE, text),
        items=_first(ITEMS_RE, text),
        completed=_first(COMPLETED_RE, text),
        in_progress=_first(IN_PROGRESS_RE, text),
        ongoing=_first(ONGOING_RE, text),
    )


def mismatches(stated: StatedTotals, *, problems: int, items: int, completed: int, in_progress: int, ongoing: int):
    """One Chinese sentence per stated total that differs from the parsed count."""
    lines = []
    for label, said, found, unit in (
        ("反馈问题", stated.problems, problems, "个"),
        ("整改事项", stated.items, items, "项"),
        ("已完成", stated.completed, completed, "项"),
        ("正在整改", stated.in_progress, in_progress, "项"),
        ("长期坚持", stated.ongoing, ongoing, "项"),
    ):
        if said is not None and said != found:
            lines.append(f"通报文字称{label} {said} {unit}，而按标题识别出 {found} {unit}。")
    return lines
