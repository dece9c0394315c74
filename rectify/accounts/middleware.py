from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .audit import current_request
from .selectors import second_factor_required

STATIC_PREFIX = "/static/"


def _two_factor_paths() -> set[str]:
    return {reverse("accounts:two-factor-enrol"), reverse("accounts:two-factor-verify"), reverse("accounts:logout")}


class TwoFactorRequiredMiddleware:
    """Whoever must use a second factor (rectify.accounts.selectors.second_factor_required) sees
    no page but enrolment, verification and logout until this session verified one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and request.path not in _two_factor_paths()
            and not request.path.startswith(STATIC_PREFIX)
            and second_factor_required(user)
        ):
            target = "accounts:two-factor-verify" if user.two_factor_enabled else "accounts:two-factor-enrol"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class AuditContextMiddleware:
    """Makes the request known to audit events written deeper down (services, commands see none)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class PasswordChangeRequiredMiddleware:
    """Accounts an administrator created must set their own password before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            # The second factor comes first (TwoFactorRequiredMiddleware), then the password.
            allowed = {reverse("accounts:password-change"), *_two_factor_paths()}
            if request.path not in allowed and not request.path.startswith(STATIC_PREFIX):
                return redirect("accounts:password-change")
        return self.get_response(request)
