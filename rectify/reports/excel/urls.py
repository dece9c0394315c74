"""Included by ``rectify/reports/urls.py`` at /reports/ in the ``reports`` namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("ledger/", views.ledger_export, name="ledger-export"),
    path("ledger.xlsx", views.ledger_xlsx, name="ledger-xlsx"),
    path("items.xlsx", views.items_xlsx, name="items-xlsx"),
    path("import/", views.ledger_import, name="ledger-import"),
    path("import/preview/", views.ledger_import_preview, name="ledger-import-preview"),
    path("import/confirm/", views.ledger_import_confirm, name="ledger-import-confirm"),
    path("import/target/", views.ledger_import_target, name="ledger-import-target"),
    path("import/cancel/", views.ledger_import_cancel, name="ledger-import-cancel"),
]
