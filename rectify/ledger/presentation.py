"""Small HTML pieces shared by the pages and the admin: status and warning-light badges."""

from django.utils.html import format_html

from .warning import Light


def status_badge(status: str, label: str) -> str:
    return format_html('<span class="badge status-{}">{}</span>', status, label)


def light_badge(light: Light) -> str:
    return format_html('<span class="light-dot light-{}" title="{}"></span> {}', light.value, light.label, light.label)
