from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .selectors import has_second_factor, second_factor_required

STATIC_PREFIX = "/static/"
# Whether the session's user has a second factor, looked up once per session (a reset elsewhere
# then leads to verification, which finds no device and offers enrolment).
ENROLLED_SESSION_KEY = "rectify_two_factor_enrolled"


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
            and second_factor_required(user, enrolled=self.enrolled(request))
        ):
            target = "accounts:two-factor-verify" if self.enrolled(request) else "accounts:two-factor-enrol"
            return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def enrolled(request) -> bool:
        if ENROLLED_SESSION_KEY not in request.session:
            request.session[ENROLLED_SESSION_KEY] = has_second_factor(request.user)
        return request.session[ENROLLED_SESSION_KEY]


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
