"""Message channels as apprise URLs (钉钉/企业微信/飞书 robots, SMTP, JSON webhooks): checked when saved,
shown with their secrets masked."""

import apprise
from django.core.exceptions import ValidationError


def parse_channel_url(url: str):
    """The apprise plugin for ``url``, or None if apprise cannot read it."""
    return apprise.Apprise.instantiate(url.strip()) if url and url.strip() else None


def validate_channel_url(url: str) -> None:
    if url and parse_channel_url(url) is None:
        raise ValidationError(
            "无法识别的通知渠道地址：%(url)s。请填写 apprise 支持的地址，如 dingtalk://…、wxteams://…、"
            "json://主机/路径 或 mailto://…。",
            params={"url": masked_channel_url(url)},
            code="invalid_channel",
        )


def masked_channel_url(url: str) -> str:
    """The URL as apprise shows it with tokens and passwords hidden; unreadable ones cut short."""
    plugin = parse_channel_url(url)
    if plugin is not None:
        return plugin.url(privacy=True)
    text = url.strip()
    return text if len(text) <= 12 else text[:12] + "…"
