"""Reads of the ledger export and import: the rounds a unit's export holds, the round a file names."""

from django.db.models import Q, QuerySet

from rectify.accounts.models import Unit
from rectify.ledger.models import Inspection

from .guessed_inspection import exported_title_fields
from .rows import ParsedLedger


def round_named_by(parsed: ParsedLedger, *, rounds=None) -> Inspection | None:
    """The round (of ``rounds``, default every active one) whose ledger the file's title names:
    the export's title of that round (…落实…反馈问题整改台账), or the round's own name. The latest
    by feedback date when several fit; None when none does."""
    title = parsed.title.strip()
    if not title:
        return None
    rounds = Inspection.objects.active() if rounds is None else rounds
    named = Q(name=title)
    if fields := exported_title_fields(title):
        named |= Q(**fields)
    return rounds.filter(named).order_by("-feedback_date", "-pk").first()


def rounds_of_units(rounds: QuerySet[Inspection], unit: Unit | None) -> list[Inspection]:
    """The rounds (of ``rounds``: the user's) of ``unit`` and the units below it (None: all of
    ``rounds``), unit by unit in tree order, each unit's latest round first."""
    if unit is not None:
        rounds = rounds.filter(unit__path__startswith=unit.path)
    return list(rounds.select_related("unit").order_by("unit__path", "-feedback_date", "-pk"))
