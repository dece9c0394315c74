from base64 import b32encode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import audit, selectors, services
from .audit_export import XLSX, audit_workbook
from .filters import AuditEventFilter
from .forms import MessageSettingsForm, PasswordChangeForm, TokenForm
from .models import AuditEvent, User
from .qr import qr_svg


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


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return settings.LOGIN_REDIRECT_URL


@never_cache
def two_factor_enrol(request):
    """Set up the authenticator app: scan the QR code, confirm one code, receive recovery codes."""
    if request.user.two_factor_enabled:
        if not request.user.is_verified():
            return redirect(f"{reverse('accounts:two-factor-verify')}?{urlencode({'next': _next_url(request)})}")
        context = {"codes_left": selectors.recovery_codes_left(request.user)}
        return render(request, "registration/two_factor_status.html", context)
    device = services.start_enrolment(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = services.confirm_enrolment(
                user=request.user, token=form.cleaned_data["token"], request=request
            )
        except ValidationError as error:
            form.add_error("token", error)
        else:
            django_otp.login(request, device)
            return render(
                request, "registration/two_factor_recovery_codes.html", {"codes": codes, "next": _next_url(request)}
            )
    context = {
        "form": form,
        "qr": qr_svg(device.config_url),
        "secret": _grouped_secret(device),
        "next": _next_url(request),
        "required": selectors.second_factor_required(request.user),
    }
    return render(request, "registration/two_factor_enrol.html", context)


def _grouped_secret(device) -> str:
    """The key as people type it into an authenticator app by hand: base32 in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
def two_factor_verify(request):
    """The second step of login: a code from the authenticator app or one recovery code."""
    if request.user.is_verified():
        return redirect(_next_url(request))
    if not request.user.two_factor_enabled:
        return redirect(f"{reverse('accounts:two-factor-enrol')}?{urlencode({'next': _next_url(request)})}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_second_factor(user=request.user, token=form.cleaned_data["token"], request=request)
        except ValidationError as error:
            form.add_error("token", error)
        else:
            django_otp.login(request, device)
            return redirect(_next_url(request))
    return render(request, "registration/two_factor_verify.html", {"form": form, "next": _next_url(request)})


@never_cache
@require_POST
def recovery_codes_renew(request):
    """Ten new recovery codes, for a session that has verified its second factor."""
    if not request.user.is_verified():
        return redirect(
            f"{reverse('accounts:two-factor-verify')}?{urlencode({'next': reverse('accounts:two-factor-enrol')})}"
        )
    try:
        codes = services.renew_recovery_codes(user=request.user, request=request)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("accounts:two-factor-enrol")
    return render(
        request, "registration/two_factor_recovery_codes.html", {"codes": codes, "next": reverse("dashboard:index")}
    )


@permission_required("accounts.reset_two_factor", raise_exception=True)
def two_factor_users(request):
    """The system administrator's view of who has a second factor, with a reset for each."""
    return render(request, "accounts/two_factor_users.html", {"rows": selectors.two_factor_overview()})


@require_POST
@permission_required("accounts.reset_two_factor", raise_exception=True)
def two_factor_reset(request, pk: int):
    user = get_object_or_404(User, pk=pk)
    try:
        services.reset_two_factor(user=user, actor=request.user, request=request)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, f"已重置 {user} 的双因素认证；其下次登录时须重新绑定身份验证器。")
    return redirect("accounts:two-factor-users")


def profile(request):
    """消息设置: the user chooses how events reach them."""
    user = request.user
    form = MessageSettingsForm(
        request.POST or None, initial={"notify_channel": user.notify_channel, "email": user.email}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_message_settings(
                user=user,
                notify_channel=form.cleaned_data["notify_channel"],
                email=form.cleaned_data["email"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "消息设置已保存。")
            return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form, "department": user.department})
