import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rectify.forms import CompactFilterForm

from .models import AuditEvent


class AuditEventFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(label=_("事件"), choices=AuditEvent.Kind.choices)
    username = django_filters.CharFilter(label=_("用户名"), lookup_expr="icontains")
    object = django_filters.CharFilter(label=_("对象"), method="filter_object")
    ip_address = django_filters.CharFilter(label=_("IP 地址"), lookup_expr="startswith")
    created_at = django_filters.DateFromToRangeFilter(
        label=_("时间"),
        widget=django_filters.widgets.DateRangeWidget(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditEvent
        fields = ["kind", "username", "object", "ip_address", "created_at"]
        form = CompactFilterForm

    def filter_object(self, queryset, name, value):
        """The object's name or number (第3项, a user name, a round's name)."""
        return queryset.filter(Q(object_repr__icontains=value) | Q(object_id=value))
