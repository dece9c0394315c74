from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import permission_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse_lazy

from . import audit
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
def audit_log(request):
    events = AuditEventFilter(request.GET, queryset=AuditEvent.objects.select_related("user"))
    page = Paginator(events.qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/audit_log.html", {"filter": events, "page": page, "query": query.urlencode()})
