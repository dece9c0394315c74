"""Included by ``rectify/reports/urls.py`` at ``/reports/notices/`` inside the ``reports`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.notice_index, name="notice-index"),
    path("<int:inspection_id>/", views.notice_detail, name="notice-detail"),
    path("<int:inspection_id>/notice.docx", views.notice_docx, name="notice-docx"),
    path("<int:inspection_id>/<slug:kind>/add/", views.record_create, name="notice-record-add"),
    path("<int:inspection_id>/<slug:kind>/<int:pk>/edit/", views.record_update, name="notice-record-edit"),
    path("<int:inspection_id>/<slug:kind>/<int:pk>/delete/", views.record_delete, name="notice-record-delete"),
]
