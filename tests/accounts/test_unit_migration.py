"""The data migration that puts a one-unit installation into one unit keeps every row and every
history record: the seed, as it was before units, migrated forward."""

import json
from pathlib import Path

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE_UNITS = [("accounts", "0002_role_groups"), ("ledger", "0001_initial")]
SEED = Path(__file__).resolve().parents[2] / "fixtures" / "seed_huaihua_2023.json"
WITH_UNIT = {"accounts.department", "accounts.leader", "ledger.inspection"}


def seed_before_units() -> list[dict]:
    """The seed as it was before units: without its unit rows and without the unit fields."""
    rows = [row for row in json.loads(SEED.read_text(encoding="utf-8")) if "unit" not in row["model"].split(".")[1]]
    for row in rows:
        row["fields"].pop("unit", None)
    return rows


def load(apps, rows: list[dict]) -> None:
    for row in rows:
        model = apps.get_model(row["model"])
        values, many = {}, {}
        for name, value in row["fields"].items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                many[name] = value
            elif field.is_relation:
                values[field.attname] = value
            else:
                values[name] = value
        pk_name = model._meta.pk.attname
        obj = model.objects.create(**{pk_name: row["pk"]}, **values)
        for name, value in many.items():
            getattr(obj, name).set(value)


def counts(apps, rows) -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in {row["model"] for row in rows}}


@pytest.mark.django_db(transaction=True)
def test_the_seed_without_units_migrates_into_one_unit_losing_nothing():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE_UNITS)
    old_apps = executor.loader.project_state(BEFORE_UNITS).apps
    rows = seed_before_units()
    load(old_apps, rows)
    before = counts(old_apps, rows)
    history_ids = {
        label: sorted(old_apps.get_model(label).objects.values_list("history_id", flat=True))
        for label in ("accounts.historicaldepartment", "accounts.historicalleader", "ledger.historicalinspection")
    }
    assert before["ledger.rectificationitem"] == 21 and before["ledger.historicalrectificationitem"] > 21

    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    new_apps = executor.loader.project_state(latest).apps

    unit_model = new_apps.get_model("accounts.Unit")
    unit = unit_model.objects.get()
    assert (unit.name, unit.short_name, unit.kind) == (
        "中共怀化高新技术产业开发区工作委员会",
        "怀化高新区",
        "working_committee",
    )
    assert new_apps.get_model("accounts.HistoricalUnit").objects.filter(id=unit.pk, history_type="+").count() == 1
    assert counts(new_apps, rows) == before
    for label in WITH_UNIT:
        model = new_apps.get_model(label)
        history = new_apps.get_model(label.replace(".", ".historical"))
        assert set(model.objects.values_list("unit_id", flat=True)) == {unit.pk}, label
        assert set(history.objects.values_list("unit_id", flat=True)) == {unit.pk}, label
    for label, ids in history_ids.items():
        assert sorted(new_apps.get_model(label).objects.values_list("history_id", flat=True)) == ids


@pytest.mark.django_db(transaction=True)
def test_an_empty_database_gets_no_unit():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(BEFORE_UNITS)
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    assert executor.loader.project_state(latest).apps.get_model("accounts.Unit").objects.count() == 0
