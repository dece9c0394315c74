"""Who may do what to the ledger: the one place the templates and views ask."""

import rules

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
    "meeting",
    "regulation",
    "fundrecovery",
    "accountability",
    "notice",
)


@rules.predicate
def is_item_lead_liaison(user, item) -> bool:
    """A liaison of the item's lead department (not a co-operating one)."""
    return item is not None and user.department_id is not None and item.lead_department_id == user.department_id


# Reading the ledger: the discipline office, leaders and liaisons (liaisons read every item;
# they may only write their own department's).
can_read_ledger = is_discipline_office | is_leader | is_liaison
can_work_on_item = is_discipline_office | (is_liaison & is_item_lead_liaison)

rules.add_perm("ledger.view_ledger", can_read_ledger)
rules.add_perm("ledger.manage_ledger", is_discipline_office)
rules.add_perm("ledger.work_on_item", can_work_on_item)
rules.add_perm("ledger.review_item", is_discipline_office)

# The admin site asks for Django's model permissions; only the discipline office edits the ledger there.
for model in LEDGER_MODELS:
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"ledger.{action}_{model}", is_discipline_office)
