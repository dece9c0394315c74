from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("profile/", views.profile, name="profile"),
    path("audit/", views.audit_log, name="audit-log"),
    path("audit/export.xlsx", views.audit_xlsx, name="audit-xlsx"),
    path("two-factor/enrol/", views.two_factor_enrol, name="two-factor-enrol"),
    path("two-factor/verify/", views.two_factor_verify, name="two-factor-verify"),
    path("two-factor/recovery-codes/", views.recovery_codes_renew, name="recovery-codes-renew"),
    path("two-factor/users/", views.two_factor_users, name="two-factor-users"),
    path("two-factor/users/<int:pk>/reset/", views.two_factor_reset, name="two-factor-reset"),
]
