"""Reads about accounts."""

from django.conf import settings
from django_otp.plugins.otp_static.models import StaticToken

from .models import User
from .rules import is_privileged


def second_factor_required(user) -> bool:
    """Whether ``user`` must verify a second factor in this session: whoever has enrolled, and
    with RECTIFY_2FA=required every privileged role even before enrolling."""
    if not user.is_authenticated:
        return False
    return user.two_factor_enabled or (settings.RECTIFY_2FA == "required" and is_privileged(user))


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def two_factor_overview() -> list[dict]:
    """Every active user with whether a second factor is set up and how many recovery codes remain."""
    codes: dict[int, int] = {}
    for user_id in StaticToken.objects.filter(device__confirmed=True).values_list("device__user_id", flat=True):
        codes[user_id] = codes.get(user_id, 0) + 1
    users = User.objects.filter(is_active=True).prefetch_related("groups").order_by("username")
    return [
        {
            "user": user,
            "enrolled": user.two_factor_enabled,
            "recovery_codes": codes.get(user.pk, 0),
            "privileged": is_privileged(user),
        }
        for user in users
    ]
