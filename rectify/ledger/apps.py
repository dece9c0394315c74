from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "rectify.ledger"
    label = "ledger"
    verbose_name = _("整改台账")

    def ready(self):
        from simple_history.signals import post_create_historical_record

        from . import revision

        post_create_historical_record.connect(revision.on_history_record, dispatch_uid="ledger-revision")
