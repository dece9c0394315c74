"""Who may do what to the ledger: the one place the views and the templates ask.

- The discipline office (纪工委) reads and edits everything and reviews 销号 and extension requests.
- Leaders read everything and edit nothing.
- A department liaison reads the items their department leads or co-operates on, and works
  (progress, evidence, measures, 销号 and extension requests) only on those their department leads.
- The system administrator and the auditor do not read the ledger (separation of duties).

Units (rectify/accounts/units.py): everyone reads only the units in their scope. A unit's own
office decides for it (edits, 销号 and extensions, long-term designation); office staff above it
(the supervising office) read it, run 回头看 and stand in only where the unit has no office.
"""

import rules
from django.conf import settings

from rectify.accounts import units
from rectify.accounts.rules import is_discipline_office, is_leader, is_liaison

LEDGER_MODELS = (
    "inspection",
    "workinggroupmember",
    "feedbackproblem",
    "rectificationitem",
    "measure",
    "progressupdate",
    "evidence",
    "signoff",
    "extension",
    "escalation",
    "meeting",
    "regulation",
    "fundrecovery",
    "accountability",
    "notice",
)


@rules.predicate
def is_lead_department_liaison(user, item) -> bool:
    """The user belongs to the item's lead department (not merely a co-operating one)."""
    return item is not None and user.department_id is not None and item.lead_department_id == user.department_id


@rules.predicate
def is_co_department_liaison(user, item) -> bool:
    if item is None or user.department_id is None:
        return False
    return any(department.pk == user.department_id for department in item.co_departments.all())


def _unit_of(obj):
    """The unit an item, a 销号/extension request or a round belongs to."""
    item = getattr(obj, "item", obj)
    inspection = getattr(item, "inspection", item)
    return getattr(inspection, "unit", None)


@rules.predicate
def is_in_users_units(user, obj) -> bool:
    unit = _unit_of(obj)
    return unit is not None and units.in_scope(user, unit)


@rules.predicate
def decides_for_unit(user, obj) -> bool:
    """The unit is the user's own, or one in their scope with no office of its own (the
    supervising office stands in). At most one query per request (``units_with_own_office``)."""
    unit = _unit_of(obj)
    if unit is None:
        return False
    if user.unit_id == unit.pk:
        return True
    return units.in_scope(user, unit) and unit.pk not in user.units_with_own_office


@rules.predicate
def item_is_open(user, item) -> bool:
    """Completed items take no more work until the discipline office reopens them."""
    return item is not None and not item.is_completed


@rules.predicate
def is_not_own_request(user, request) -> bool:
    """Four eyes: a 销号 or extension request is decided by someone other than who filed it,
    unless RECTIFY_FOUR_EYES=0 (an office of one person)."""
    if request is None:
        return False
    return not settings.RECTIFY_FOUR_EYES or request.requested_by_id != user.pk


@rules.predicate
def request_is_pending(user, request) -> bool:
    return request is not None and request.is_pending


can_read_ledger = is_discipline_office | is_leader | is_liaison
can_view_item = is_in_users_units & (
    is_discipline_office | is_leader | (is_liaison & (is_lead_department_liaison | is_co_department_liaison))
)
is_units_office = is_discipline_office & decides_for_unit
can_work_on_item = (is_units_office | (is_liaison & is_lead_department_liaison)) & item_is_open

rules.add_perm("ledger.view_ledger", can_read_ledger)
rules.add_perm("ledger.view_item", can_view_item)
rules.add_perm("ledger.manage_ledger", is_discipline_office)
# Draft notices cover every department's items: for those who see the whole ledger.
rules.add_perm("ledger.read_notice_drafts", is_discipline_office | is_leader)
rules.add_perm("ledger.edit_item", is_units_office)
rules.add_perm("ledger.work_on_item", can_work_on_item)
rules.add_perm("ledger.review_item", is_units_office)
# 回头看: the supervising office may reopen any item of its units, too.
rules.add_perm("ledger.reopen_item", is_discipline_office & is_in_users_units)
# Asked with a SignOff or Extension: may the user decide it?
rules.add_perm("ledger.decide_request", is_units_office & request_is_pending & is_not_own_request)
# Asked with a round: may the user keep it (its notice records, its deletion)?
rules.add_perm("ledger.manage_round", is_units_office)

# The admin index shows the ledger app to the discipline office only (module permission).
rules.add_perm("ledger", is_discipline_office)
# The admin site asks for Django's model permissions; only the discipline office edits the ledger there.
for model in LEDGER_MODELS:
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"ledger.{action}_{model}", is_discipline_office)
