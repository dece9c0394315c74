from django.contrib import admin
from django.urls import include, path

from rectify.health import healthz

admin.site.site_header = "巡视整改台账管理系统"
admin.site.site_title = "巡视整改台账"
admin.site.index_title = "后台管理"

urlpatterns = [
    path("notifications/channels/", include("rectify.notifications.urls")),
    path("", include("rectify.dashboard.urls")),
    path("items/", include("rectify.ledger.urls")),
    path("reports/", include("rectify.reports.urls")),
    path("accounts/", include("rectify.accounts.urls")),
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
]

handler403 = "rectify.errors.permission_denied"
