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


@rules.predicate
def is_self(user, account) -> bool:
    return account is not None and user.pk == account.pk


@rules.predicate
def is_superuser_account(user, account) -> bool:
    return account is not None and account.is_superuser


@rules.predicate
def is_unreferenced(user, obj) -> bool:
    """Nothing (no item, no account) points at this department or leader. Unknown (no object): no."""
    from .selectors import is_referenced

    return obj is not None and not is_referenced(obj)


# Separation of duties (三员分立). The system administrator manages accounts, but not superusers
# (made only by `createsuperuser`), and never their own roles, staff flag or active flag. Accounts
# are deactivated, never deleted: the audit log keeps naming them. These rules bind superusers too
# where the admin asks `rules.has_perm` (rectify/accounts/admin.py).
rules.add_perm("accounts.view_user", is_sysadmin)
rules.add_perm("accounts.add_user", is_sysadmin)
rules.add_perm("accounts.change_user", is_sysadmin & ~is_superuser_account)
rules.add_perm("accounts.change_user_access", (is_sysadmin | rules.is_superuser) & ~is_self)
rules.add_perm("accounts.delete_user", rules.always_deny)
# Departments and leaders are kept by the system administrator and by the discipline office (a
# ledger import may name new ones); those that items or accounts refer to are deactivated, not deleted.
can_keep_reference_data = is_sysadmin | is_discipline_office
for model in ("unit", "department", "leader"):
    for action in ("view", "add", "change"):
        rules.add_perm(f"accounts.{action}_{model}", can_keep_reference_data)
    rules.add_perm(f"accounts.delete_{model}", (can_keep_reference_data | rules.is_superuser) & is_unreferenced)

# The auditor reads the audit log; nobody edits or deletes it through the app.
rules.add_perm("accounts.view_auditevent", is_auditor)

# The admin index lists an app to those with its module permission (Django asks has_module_perms).
rules.add_perm("accounts", is_sysadmin | is_discipline_office | is_auditor)
# Two-factor login (settings.RECTIFY_2FA): who holds a privileged role, and who resets another
# person's second factor (the system administrator, e.g. for a lost phone).
is_privileged = is_discipline_office | is_sysadmin | is_auditor | rules.is_superuser
rules.add_perm("accounts.reset_two_factor", is_sysadmin)
