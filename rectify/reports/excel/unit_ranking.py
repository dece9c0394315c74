"""Sheet 统计 of one workbook for several units (issue 15): the units ranked, each counted from
its own rows of sheet 整改台账, so that the figures agree with it for a past day too."""

import datetime
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from rectify.chinese import chinese_date
from rectify.ledger import scores
from rectify.ledger.asof import ItemState
from rectify.ledger.status import CLOSED, Status

from . import styles
from .statistics import STATISTICS_SHEET, Tally

HEADERS = [
    "排名",
    "单位",
    "事项数",
    "已完成",
    "长期坚持",
    "逾期",
    "逾期天数",
    "退回次数",
    "最近进展",
    "完成率",
    "综合评分",
]
_WIDTHS = [6, 22, 7, 7, 8, 6, 8, 8, 14, 8, 8]


def ranking_rule(weights: scores.Weights) -> str:
    """What the sheet ranks by: the 综合评分 the supervising office's home shows (ledger/scores.py)."""
    return f"排名依据：{scores.formula(weights)}；得分相同时逾期事项少者在前，再按逾期天数少者在前。"


@dataclass
class UnitFigures:
    name: str
    tally: Tally
    overdue_days: int = 0
    returns: int = 0
    last_progress: datetime.date | None = None
    on_time: int = 0  # completed no later than the deadline (or without one)
    open: int = 0
    score: float | None = None

    def score_tally(self) -> scores.Tally:
        return scores.Tally(
            total=self.tally.total,
            completed=self.tally.completed,
            on_time=self.on_time,
            open=self.open,
            overdue=self.tally.overdue,
            overdue_days=self.overdue_days,
            returns=self.returns,
            last_progress=self.last_progress,
        )

    @property
    def rank_key(self) -> tuple:
        score = self.score if self.score is not None else -1
        return (-score, self.tally.overdue, self.overdue_days, self.name)


def unit_figures(name: str, states: list[ItemState]) -> UnitFigures:
    figures = UnitFigures(name=name, tally=Tally())
    for state in states:
        overdue = state.is_overdue
        figures.tally.count(state, overdue)
        if overdue:
            figures.overdue_days += (state.as_of - state.deadline).days
        figures.returns += state.return_count
        if state.status == Status.COMPLETED and (state.deadline is None or state.completed_on <= state.deadline):
            figures.on_time += 1
        if state.status not in CLOSED:
            figures.open += 1
        if state.progress:
            day = state.progress[-1].reported_on
            figures.last_progress = max(figures.last_progress or day, day)
    return figures


def ranked_units(
    groups: list[tuple[str, list[ItemState]]], *, weights: scores.Weights, as_of: datetime.date
) -> list[UnitFigures]:
    """The units of ``groups`` (name, its rows), best first (``ranking_rule``)."""
    ranking = [unit_figures(name, states) for name, states in groups]
    for figures in ranking:
        figures.score = scores.score(figures.score_tally(), weights, as_of)
    return sorted(ranking, key=lambda figures: figures.rank_key)


def write_unit_ranking_sheet(
    workbook: Workbook, groups: list[tuple[str, list[ItemState]]], as_of: datetime.date
) -> None:
    weights = scores.Weights.from_settings()
    ranking = ranked_units(groups, weights=weights, as_of=as_of)
    sheet = workbook.create_sheet(STATISTICS_SHEET)
    styles.print_setup(sheet, landscape=False)
    for index, width in enumerate(_WIDTHS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    writer = styles.RowWriter(sheet, buffered=True)
    writer.append([(styles.TITLE, f"各单位巡视整改统计（截至{chinese_date(as_of)}）")])
    sheet.merged_cells.add(f"A1:{get_column_letter(len(_WIDTHS))}1")
    writer.append([(styles.SUBTITLE, ranking_rule(weights))])
    sheet.merged_cells.add(f"A2:{get_column_letter(len(_WIDTHS))}2")
    writer.append([(styles.HEADER, header) for header in HEADERS])
    total = UnitFigures(name="合计", tally=Tally())
    for rank, figures in enumerate(ranking, start=1):
        writer.append([(styles.CENTRED, rank), *_figure_cells(figures)])
        for name in ("total", "completed", "ongoing", "overdue"):
            setattr(total.tally, name, getattr(total.tally, name) + getattr(figures.tally, name))
        total.overdue_days += figures.overdue_days
        total.returns += figures.returns
        total.on_time += figures.on_time
        total.open += figures.open
        if figures.last_progress is not None:
            total.last_progress = max(total.last_progress or figures.last_progress, figures.last_progress)
    total.score = scores.score(total.score_tally(), weights, as_of)
    writer.append([(styles.CENTRED, None), *_figure_cells(total)])
    writer.close()


def _figure_cells(figures: UnitFigures) -> list:
    tally = figures.tally
    return [
        (styles.TEXT, figures.name),
        (styles.CENTRED, tally.total),
        (styles.CENTRED, tally.completed),
        (styles.CENTRED, tally.ongoing),
        (styles.CENTRED, tally.overdue),
        (styles.CENTRED, figures.overdue_days),
        (styles.CENTRED, figures.returns),
        (styles.DATE, figures.last_progress) if figures.last_progress else (styles.CENTRED, "—"),
        (styles.PERCENT, tally.completion_rate),
        (styles.CENTRED, figures.score if figures.score is not None else "—"),
    ]
