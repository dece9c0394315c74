"""Role predicates and the model-level permissions that follow from roles.

Object-level rules about ledger items live in ``rectify/ledger/rules.py``; both files are
discovered by ``rules.apps.AutodiscoverRulesConfig``.
"""

import rules

from .roles import Role


def _role_predicate(role: Role):
    @rules.predicate(name=f"has_role_{role.name.lower()}")
    def predicate(user) -> bool:
        return bool(user and user.is_authenticated and user.has_role(role))

    return predicate


is_discipline_office = _role_predicate(Role.DISCIPLINE_OFFICE)
is_liaison = _role_predicate(Role.LIAISON)
is_leader = _role_predicate(Role.LEADER)
is_sysadmin = _role_predicate(Role.SYSADMIN)
is_auditor = _role_predicate(Role.AUDITOR)

# The system administrator manages accounts; departments and leaders are kept by the system
# administrator and by the discipline office (a ledger import may name new ones). Neither the
# system administrator nor the auditor edits ledger content (separation of duties).
for action in ("view", "add", "change", "delete"):
    rules.add_perm(f"accounts.{action}_user", is_sysadmin)
    rules.add_perm(f"accounts.{action}_department", is_sysadmin | is_discipline_office)
    rules.add_perm(f"accounts.{action}_leader", is_sysadmin | is_discipline_office)
rules.add_perm("auth.view_group", is_sysadmin)

# The auditor reads the audit log; nobody edits or deletes it through the app.
rules.add_perm("accounts.view_auditevent", is_auditor)

# Two-factor login (settings.RECTIFY_2FA): who holds a privileged role, and who resets another
# person's second factor (the system administrator, e.g. for a lost phone).
is_privileged = is_discipline_office | is_sysadmin | is_auditor | rules.is_superuser
rules.add_perm("accounts.reset_two_factor", is_sysadmin)
