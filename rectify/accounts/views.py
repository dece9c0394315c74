from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import content_disposition_header

from . import audit
from .audit_export import XLSX, audit_workbook
from .filters import AuditEventFilter
from .forms import PasswordChangeForm
from .models import AuditEvent


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("dashboard:index")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        audit.record(AuditEvent.Kind.PASSWORD_CHANGED, request=self.request, user=user)
        messages.success(self.request, "密码已修改。")
        return response


@permission_required("accounts.view_auditevent", raise_exception=True)
def audit_xlsx(request):
    """The filtered audit log as a workbook; the download is itself audited."""
    events = AuditEventFilter(request.GET, queryset=AuditEvent.objects.select_related("user")).qs
    response = HttpResponse(audit_workbook(events), content_type=XLSX)
    filename = f"审计日志_{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    audit.record(AuditEvent.Kind.AUDIT_EXPORTED, request=request, detail=f"筛选条件：{request.GET.urlencode() or '无'}")
    return response


@permission_required("accounts.view_auditevent", raise_exception=True)
def audit_log(request):
    events = AuditEventFilter(request.GET, queryset=AuditEvent.objects.select_related("user"))
    page = Paginator(events.qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/audit_log.html", {"filter": events, "page": page, "query": query.urlencode()})
