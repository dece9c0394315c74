"""Included by ``rectify/reports/urls.py`` at ``/reports/notices/`` inside the ``reports`` namespace."""

from django.urls import path

from . import import_views, views

urlpatterns = [
    path("", views.notice_index, name="notice-index"),
    path("import/", import_views.notice_import, name="notice-import"),
    path("import/preview/", import_views.notice_import_preview, name="notice-import-preview"),
    path("import/confirm/", import_views.notice_import_confirm, name="notice-import-confirm"),
    path("import/cancel/", import_views.notice_import_cancel, name="notice-import-cancel"),
    path("<int:inspection_id>/", views.notice_detail, name="notice-detail"),
    path("<int:inspection_id>/notice.docx", views.notice_docx, name="notice-docx"),
    path("<int:inspection_id>/<slug:kind>/add/", views.record_create, name="notice-record-add"),
    path("<int:inspection_id>/<slug:kind>/<int:pk>/edit/", views.record_update, name="notice-record-edit"),
    path("<int:inspection_id>/<slug:kind>/<int:pk>/delete/", views.record_delete, name="notice-record-delete"),
]
