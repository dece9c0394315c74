from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "rectify.accounts"
    label = "accounts"
    verbose_name = _("账户与组织")

    def ready(self):
        from . import audit  # noqa: F401  (connects the audit signal receivers)
