"""What every page's navigation says of the user's home page."""

from rectify.accounts.roles import Role


def home(request) -> dict:
    """The home is called by what it is for the user: a liaison's or the office's 工作台 (what needs
    them first, then the ledger), a leader's 领导驾驶舱."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if user.has_role(Role.LIAISON) or user.has_role(Role.DISCIPLINE_OFFICE):
        return {"home_name": "工作台", "work_first": True}
    return {"home_name": "领导驾驶舱", "work_first": False}
