"""The security audit log: who did what, from where, when (等保三级 application audit).

``record`` is the one way entries are written. The auth and django-axes signals below log
logins, logouts, failures and lock-outs; views log exports, imports, downloads and refusals.
"""

import contextvars

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .client_address import client_ip
from .models import AuditEvent

# The request being served, so that events written by services (which take no request) still
# record the address and path; set by ``middleware.AuditContextMiddleware``.
current_request: contextvars.ContextVar = contextvars.ContextVar("audit_request", default=None)


def record(
    kind: str,
    *,
    request=None,
    user=None,
    username: str = "",
    detail: str = "",
    obj=None,
    changes: dict | None = None,
) -> AuditEvent:
    """Write one audit event. ``obj`` is the model instance the event is about; ``changes`` maps a
    Chinese field label to ``[old, new]`` as text a reader understands."""
    request = request if request is not None else current_request.get()
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        kind=kind,
        user=user,
        username=username or (user.get_username() if user else ""),
        ip_address=client_ip(request),
        path=request.get_full_path()[:500] if request is not None else "",
        detail=detail,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:300] if obj is not None else "",
        changes=changes or {},
    )


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    record(AuditEvent.Kind.LOGIN, request=request, user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(AuditEvent.Kind.LOGOUT, request=request, user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    record(AuditEvent.Kind.LOGIN_FAILED, request=request, username=str(credentials.get("username", ""))[:150])


@receiver(user_locked_out)
def _locked_out(sender, request, username, ip_address, **kwargs):
    record(
        AuditEvent.Kind.LOCKED_OUT,
        request=request,
        username=str(username or "")[:150],
        detail="连续登录失败，账户锁定30分钟",
    )
