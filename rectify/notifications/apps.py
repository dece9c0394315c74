from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Messages to people (in the app, by e-mail, through apprise channels), delivered on the task
    queue. Depends only on rectify.accounts, so that the ledger may record its events here."""

    name = "rectify.notifications"
    label = "notifications"
    verbose_name = _("消息通知")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system check)
