from django.urls import include, path

app_name = "reports"

urlpatterns = [
    path("", include("rectify.reports.excel.urls")),
    path("notices/", include("rectify.reports.notice.urls")),
]
