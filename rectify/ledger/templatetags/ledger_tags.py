from django import template

from ..presentation import light_badge, status_badge

register = template.Library()


@register.simple_tag
def item_status_badge(item):
    return status_badge(item.status, item.get_status_display())


@register.simple_tag
def item_light_badge(item, today=None):
    return light_badge(item.light(today))


@register.filter
def days_overdue(item, today):
    """Whole days past the deadline (0 when not overdue)."""
    if item.deadline is None or item.deadline >= today:
        return 0
    return (today - item.deadline).days
