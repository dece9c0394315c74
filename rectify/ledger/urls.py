from django.urls import path

from . import past_views, views

app_name = "ledger"

urlpatterns = [
    path("", views.item_list, name="item-list"),
    path("changes/", past_views.ledger_changes, name="changes"),
    path("bulk/", views.bulk_action, name="bulk-action"),
    path("rounds/", views.inspection_list, name="inspection-list"),
    path("rounds/<int:pk>/delete/", views.inspection_delete, name="inspection-delete"),
    path("<int:pk>/", views.item_detail, name="item-detail"),
    path("<int:pk>/edit/", views.item_edit, name="item-edit"),
    path("<int:pk>/progress/", views.add_progress, name="add-progress"),
    path("<int:pk>/evidence/", views.add_evidence, name="add-evidence"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.download_evidence, name="download-evidence"),
    path(
        "<int:pk>/evidence/<int:evidence_pk>/view/",
        views.download_evidence,
        {"inline": True},
        name="view-evidence",
    ),
    path(
        "<int:pk>/escalations/<int:escalation_pk>/notice.docx",
        views.supervision_notice_docx,
        name="supervision-notice",
    ),
    path("<int:pk>/measures/<int:measure_pk>/toggle/", views.toggle_measure, name="toggle-measure"),
    path("<int:pk>/signoff/", views.submit_signoff, name="submit-signoff"),
    path("<int:pk>/signoff/<int:signoff_pk>/approve/", views.approve_signoff, name="approve-signoff"),
    path("<int:pk>/signoff/<int:signoff_pk>/return/", views.return_signoff, name="return-signoff"),
    path("<int:pk>/start/", views.start_item, name="start"),
    path("<int:pk>/reopen/", views.reopen_item, name="reopen"),
    path("<int:pk>/long-term/", views.designate_long_term, name="long-term"),
    path("<int:pk>/extension/", views.request_extension, name="request-extension"),
    path("<int:pk>/extension/<int:extension_pk>/decide/", views.decide_extension, name="decide-extension"),
]
