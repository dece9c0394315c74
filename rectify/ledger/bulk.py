"""Bulk loads on the raw database connection: multi-row ``executemany`` on SQLite, ``COPY`` on
PostgreSQL, without the ORM's per-row SQL compilation. ``generate_demo_data`` writes its rows with
``BulkWriter`` directly; the Excel import inserts plain rows and their simple-history records
with ``create_with_history``.

Kept instead of simple-history's ``bulk_create_with_history`` because the import's goal (2,000
rows/s, bench/RESULTS.md) needs it: importing the 10,000-row monthly ledger took 1.8 s of CPU
with this module and 4.6 s with ``bulk_create_with_history`` (SQLite, fastest of three), i.e.
about 1,500 instead of 2,700 rows/s with the database's share; see "Private APIs and the bulk
writer" in bench/RESULTS.md.
"""

import csv
import datetime
import io
import operator
from functools import partial

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Model
from django.utils import timezone


class BulkTable:
    """Rows for one table, buffered until the next flush. ``explicit_pk``: the caller gives the
    primary key (from ``allocate`` or ``reserve_pks``), else the database does."""

    def __init__(self, model: type[Model], *, explicit_pk: bool):
        self.model = model
        self.db_table = model._meta.db_table
        pk = model._meta.pk
        fields = [f for f in model._meta.concrete_fields if explicit_pk or f is not pk]
        self.attnames = [f.attname for f in fields]
        getter = operator.itemgetter(*self.attnames)
        self._row = getter if len(self.attnames) > 1 else lambda values: (getter(values),)
        self.columns = [f.column for f in fields]
        self.not_null_columns = [f.column for f in fields if not f.null]
        self.rows: list[tuple] = []
        self.count = 0
        self.next_pk: int | None = None  # set by the first ``allocate``

    def allocate(self) -> int:
        """The next key after the largest one at the first call: only for loads nobody else
        writes beside (``generate_demo_data``); ``BulkWriter.reset_sequences`` afterwards."""
        if self.next_pk is None:
            self.next_pk = _next_key(self.model)
        pk = self.next_pk
        self.next_pk += 1
        return pk

    def add(self, **values) -> None:
        if len(values) != len(self.attnames):
            raise ValueError(f"{self.db_table}: expected {sorted(self.attnames)}, got {sorted(values)}")
        self.rows.append(self._row(values))


class BulkWriter:
    """Multi-row inserts on the raw DB-API connection (no ORM, no query logging). Values must
    already be adapted for the database (``connection.ops.adapt_*_value``)."""

    def __init__(self):
        connection.ensure_connection()
        self.tables: list[BulkTable] = []
        self.vendor = connection.vendor
        self.quote = connection.ops.quote_name

    def table(self, model: type[Model], *, explicit_pk: bool = False) -> BulkTable:
        table = BulkTable(model, explicit_pk=explicit_pk)
        self.tables.append(table)
        return table

    def flush(self) -> None:
        # The raw driver's errors (sqlite3.IntegrityError, psycopg2's UniqueViolation, …) become
        # Django's (django.db.IntegrityError, …), which callers catch.
        with connection.wrap_database_errors:
            cursor = connection.connection.cursor()
            try:
                for table in self.tables:
                    if table.rows:
                        self._insert(cursor, table)
                        table.count += len(table.rows)
                        table.rows.clear()
            finally:
                cursor.close()

    def _insert(self, cursor, table: BulkTable) -> None:
        table_name = self.quote(table.db_table)
        columns = ", ".join(self.quote(column) for column in table.columns)
        if self.vendor == "postgresql":
            self._copy(cursor, table_name, columns, table)
            return
        placeholder = "?" if self.vendor == "sqlite" else "%s"
        values = ", ".join([placeholder] * len(table.columns))
        cursor.executemany(f"INSERT INTO {table_name} ({columns}) VALUES ({values})", table.rows)

    def _copy(self, cursor, table_name: str, columns: str, table: BulkTable) -> None:
        """PostgreSQL's COPY, in CSV written by the csv module (in C; several times faster than
        formatting each value in Python). An unquoted empty field is NULL; for NOT NULL columns
        (FORCE_NOT_NULL) it is the empty string. So None → NULL, '' → '' there; in a nullable
        text column '' is stored as NULL (only simple-history's change reason is one)."""
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(table.rows)
        buffer.seek(0)
        options = "FORMAT csv"
        if table.not_null_columns:
            options += f", FORCE_NOT_NULL ({', '.join(self.quote(column) for column in table.not_null_columns)})"
        sql = f"COPY {table_name} ({columns}) FROM STDIN WITH ({options})"
        if hasattr(cursor, "copy_expert"):  # psycopg2
            cursor.copy_expert(sql, buffer)
        else:  # psycopg 3
            with cursor.copy(sql) as copy:
                copy.write(buffer.getvalue())

    def reset_sequences(self) -> None:
        """After ``allocate``: move the tables' sequences past the keys written (PostgreSQL)."""
        models = [table.model for table in self.tables if table.next_pk is not None]
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


def reserve_pks(model: type[Model], count: int) -> list[int]:
    """``count`` new primary keys for ``model``, safe beside concurrent writers.

    PostgreSQL: taken from the table's sequence. SQLite: after the largest key ever used, read
    inside the caller's transaction; SQLite lets one writer at a time commit, and a writer that
    read before another committed fails on the unique key (``django.db.IntegrityError``, which
    the caller reports) instead of overwriting."""
    if count == 0:
        return []
    meta = model._meta
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
    first = _next_key(model)
    return list(range(first, first + count))


def _next_key(model: type[Model]) -> int:
    """The key after the largest one ever used. Django makes SQLite keys AUTOINCREMENT, which never
    hands out the key of a deleted row again (its history would become the new row's); SQLite
    keeps the largest in ``sqlite_sequence`` and raises it when a larger key is inserted."""
    top = model._default_manager.aggregate(top=Max("pk"))["top"] or 0
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [model._meta.db_table])
            row = cursor.fetchone()
        top = max(top, row[0] if row else 0)
    return top + 1


def create_with_history(
    model: type[Model],
    rows: list[dict],
    *,
    user=None,
    date: datetime.datetime,
    reason: str | None = None,
) -> list[int]:
    """Insert ``rows`` (dicts of attname → value; a missing field takes its default, an
    ``auto_now(_add)`` field the time of the call) and, for a model with simple-history, a '+'
    historical record of each dated ``date``: what ``bulk_create_with_history`` writes, without
    building model instances. Returns the new primary keys, in the order of ``rows``.

    Values go to the database as they are, only adapted (no ``to_python``/validation): dates for
    date fields, aware datetimes for datetime fields, as the ORM holds them with USE_TZ."""
    if not rows:
        return []
    writer = BulkWriter()
    table = writer.table(model, explicit_pk=True)
    pk_name = model._meta.pk.attname
    history_manager = getattr(model, "history", None)
    history = writer.table(history_manager.model) if history_manager is not None else None
    stamp = {
        "history_date": connection.ops.adapt_datetimefield_value(date),
        "history_type": "+",
        "history_change_reason": reason,
        "history_user_id": user.pk if user is not None else None,
    }
    columns = _columns(model)
    history_names = [name for name, _default, _convert in columns if history and name in history.attnames]
    pks = reserve_pks(model, len(rows))
    for row, pk in zip(rows, pks, strict=True):
        values = {name: convert(row[name] if name in row else default) for name, default, convert in columns}
        values[pk_name] = pk
        table.add(**values)
        if history is not None:
            history.add(**{name: values[name] for name in history_names}, **stamp)
    writer.flush()
    return pks


def insert_rows(model: type[Model], rows: list[dict]) -> None:
    """Insert plain rows (dicts of attname → value, defaults as above); the database numbers them."""
    if not rows:
        return
    writer = BulkWriter()
    table = writer.table(model, explicit_pk=False)
    columns = [column for column in _columns(model) if column[0] in table.attnames]
    for row in rows:
        table.add(**{name: convert(row[name] if name in row else default) for name, default, convert in columns})
    writer.flush()


def _columns(model: type[Model]) -> list[tuple]:
    """(attname, value when missing, adapt a value for the database) per column. Defaults are
    computed once per call (``timezone.now`` is the same for every row), as is the time of an
    ``auto_now(_add)`` field; only dates, datetimes and a few other types need adapting."""
    ops = connection.ops
    adapters = {"DateField": ops.adapt_datefield_value, "DateTimeField": ops.adapt_datetimefield_value}
    now = timezone.now()
    result = []
    for field in model._meta.concrete_fields:
        internal = field.get_internal_type()
        if internal in adapters:
            convert = adapters[internal]
        elif internal in ("DecimalField", "JSONField", "UUIDField", "DurationField", "TimeField", "BinaryField"):
            convert = partial(_db_prep_save, field)
        else:
            convert = _identity
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            default = now
        else:
            default = field.get_default()
        result.append((field.attname, default, convert))
    return result


def _identity(value):
    return value


def _db_prep_save(field, value):
    return field.get_db_prep_save(value, connection)
