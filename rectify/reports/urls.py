from django.urls import include, path

from . import records_views

app_name = "reports"

urlpatterns = [
    path("", include("rectify.reports.excel.urls")),
    path("notices/", include("rectify.reports.notice.urls")),
    path("imports/", records_views.import_records, name="import-records"),
    path("imports/<int:pk>/undo/", records_views.import_undo, name="import-undo"),
]
