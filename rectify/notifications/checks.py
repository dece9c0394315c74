"""`manage.py check`: every RECTIFY_NOTIFY_URLS entry must be an address apprise can read."""

from django.conf import settings
from django.core.checks import Warning, register

from rectify.accounts.channels import masked_channel_url, parse_channel_url


@register()
def notify_urls(app_configs, **kwargs):
    return [
        Warning(
            f"RECTIFY_NOTIFY_URLS: apprise cannot read {masked_channel_url(url)!r}; its messages will fail.",
            id="rectify.W016",
        )
        for url in settings.RECTIFY_NOTIFY_URLS
        if parse_channel_url(url) is None
    ]
