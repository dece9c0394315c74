"""Splitting a text into its numbered measures (整改措施): 一是/二是…, 1. 2. …, （1）（2）…, 一、二、…, （一）（二）…, ①②….

One grammar for the notices' 整改情况 paragraphs and the measures cells of imported ledgers.
"""

import re
import unicodedata

from rectify.chinese import CIRCLED, NUMERAL, parse_chinese_number

_BOUNDARY = r"(?:^|(?<=[\s；;。：:，,！!？?]))"  # a marker opens the text, a sentence or a clause
# Each numbering style: a pattern whose group 1 is the ordinal.
_MARKERS = [
    re.compile(_BOUNDARY + r"([0-9０-９]{1,2})\s*[.．、](?![0-9０-９])\s*"),  # 1. 1、 1．
    re.compile(r"[(（]\s*([0-9０-９]{1,2})\s*[)）]\s*"),  # (1) （1）
    re.compile(_BOUNDARY + rf"({NUMERAL})是\s*[，,：:]?\s*"),  # 一是 二是
    re.compile(_BOUNDARY + rf"({NUMERAL})\s*[、.．]\s*"),  # 一、 二、
    re.compile(rf"[(（]\s*({NUMERAL})\s*[)）]\s*"),  # （一）
    re.compile(rf"([{CIRCLED}])\s*"),  # ① ②
]


def _ordinal(text: str) -> int | None:
    if len(text) == 1 and text in CIRCLED:
        return CIRCLED.index(text) + 1
    text = unicodedata.normalize("NFKC", text)
    try:
        return int(text) if text.isdigit() else parse_chinese_number(text)
    except ValueError:
        return None


def _numbered_chain(pattern: re.Pattern, text: str, start: int) -> list[re.Match]:
    """Markers numbered start, start + 1, … in order; other matches (e.g. "153.4", "第2、3条", "其二是") are text."""
    chain: list[re.Match] = []
    for match in pattern.finditer(text):
        if _ordinal(match[1]) == start + len(chain):
            chain.append(match)
    return chain


def split_measures(text: str, *, start: int = 1, published: bool = False) -> list[str]:
    """Split ``text`` on its numbering: 一是 二是 / 1. 2. / 1、 / (1) (2) / （1） / 一、 二、 / （一）.

    A marker counts at the start of the text or after a stop, comma, colon or space, and only as the
    next number in turn, so "其二是" or a stray "三是" does not split. Of the styles that run start,
    start + 1, … (two markers at least) the one that begins first wins, so 一是…（1）（2）（3）…二是 splits
    on 一是/二是; a single marker is just stripped when it opens the text. ``start`` is the first number expected (a cell continuing an item's measures from the row
    above starts at 2, say). Without numbering the text is one measure; empty text has none.

    A ledger cell is tidied: a lead-in ending in a colon ("整改措施：") is dropped, other text before the
    first marker becomes a measure of its own, and a trailing ；is dropped from each measure. A
    ``published`` text (a notice's 整改情况) keeps its clauses as written, and its lead-in is not a
    measure (it stays in the item's summary).
    """
    text = text.strip()
    if not text:
        return []
    chains = [chain for pattern in _MARKERS if (chain := _numbered_chain(pattern, text, start))]
    runs = [chain for chain in chains if len(chain) > 1]
    if runs:
        best = min(runs, key=lambda chain: (chain[0].start(), -len(chain)))
    else:
        best = next((chain for chain in chains if chain[0].start() == 0), [])
    if not best:
        return [text]
    measures = []
    lead_in = text[: best[0].start()].strip()
    if not published and lead_in and not lead_in.endswith(("：", ":")):
        measures.append(lead_in)
    for index, match in enumerate(best):
        end = best[index + 1].start() if index + 1 < len(best) else len(text)
        part = text[match.end() : end].strip()
        if not published:
            part = part.rstrip("；;").strip()
        if part:
            measures.append(part)
    return measures
