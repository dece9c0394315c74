"""Put the data of a one-unit installation into one unit, history included.

Before units, departments, leaders and rounds belonged implicitly to the one inspected unit. The
unit is named as the first round names it (its 整改责任主体, e.g. 中共怀化高新技术产业开发区工作委员会,
with the 被巡视单位 as short name, e.g. 怀化高新区). An empty database gets no unit.
"""

from django.db import migrations
from django.utils import timezone

MODELS = [
    ("accounts", "Department"),
    ("accounts", "HistoricalDepartment"),
    ("accounts", "Leader"),
    ("accounts", "HistoricalLeader"),
    ("ledger", "Inspection"),
    ("ledger", "HistoricalInspection"),
]


def _kind(name: str) -> str:
    if "工作委员会" in name or "党工委" in name:
        return "working_committee"
    if "党组" in name:
        return "party_group"
    return "party_committee"


def into_one_unit(apps, schema_editor):
    models = [apps.get_model(app, name) for app, name in MODELS]
    if not any(model.objects.exists() for model in models):
        return
    first = apps.get_model("ledger", "Inspection").objects.order_by("pk").first()
    name = ((first.responsible_unit or first.inspected_unit) if first else "") or "本单位"
    short_name = first.inspected_unit if first and first.inspected_unit != name else ""
    unit_model = apps.get_model("accounts", "Unit")
    unit = unit_model.objects.create(name=name[:100], short_name=short_name[:50], kind=_kind(name), path="000001/")
    apps.get_model("accounts", "HistoricalUnit").objects.create(
        id=unit.pk,
        name=unit.name,
        short_name=unit.short_name,
        kind=unit.kind,
        path=unit.path,
        sort_order=0,
        history_date=timezone.now(),
        history_change_reason="数据迁移：原有数据归入本单位",
        history_type="+",
    )
    for model in models:
        model.objects.update(unit_id=unit.pk)


def out_of_units(apps, schema_editor):
    for app, name in MODELS:
        apps.get_model(app, name).objects.update(unit_id=None)
    apps.get_model("accounts", "HistoricalUnit").objects.all().delete()
    apps.get_model("accounts", "Unit").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_inspection_unit"),
    ]

    operations = [
        migrations.RunPython(into_one_unit, out_of_units),
    ]
