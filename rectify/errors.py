"""Chinese error pages; refusals are written to the audit log."""

from django.views import defaults

from rectify.accounts import audit
from rectify.accounts.models import AuditEvent


def permission_denied(request, exception=None):
    audit.record(AuditEvent.Kind.PERMISSION_DENIED, request=request, detail=str(exception or "")[:500])
    return defaults.permission_denied(request, exception)
