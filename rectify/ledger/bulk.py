"""Bulk loads on the raw database connection: multi-row ``executemany`` on SQLite, ``COPY`` on
PostgreSQL, without the ORM's per-row SQL compilation (which was 80 % of the time of
``bulk_create_with_history`` in the Excel import). ``generate_demo_data`` writes its rows with
``BulkWriter`` directly; the Excel import inserts model instances and their simple-history
records with ``create_with_history``.
"""

import contextlib
import datetime
import gc
import io
import operator
from functools import partial

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Model


@contextlib.contextmanager
def paused_gc():
    """Building hundreds of thousands of small objects (rows, states) sets off Python's cyclic
    garbage collector again and again, each full pass walking every live object: about half the
    time of building a 10,000-item ledger. Nothing built in bulk here forms reference cycles; the
    collector runs as usual afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


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
        self.rows: list[tuple] = []
        self.count = 0
        self.next_pk: int | None = None  # set by the first ``allocate``

    def allocate(self) -> int:
        """The next key after the largest one at the first call: only for loads nobody else
        writes beside (``generate_demo_data``); ``BulkWriter.reset_sequences`` afterwards."""
        if self.next_pk is None:
            self.next_pk = (self.model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
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
            self._copy(cursor, f"COPY {table_name} ({columns}) FROM STDIN", table.rows)
            return
        placeholder = "?" if self.vendor == "sqlite" else "%s"
        values = ", ".join([placeholder] * len(table.columns))
        cursor.executemany(f"INSERT INTO {table_name} ({columns}) VALUES ({values})", table.rows)

    @staticmethod
    def _copy(cursor, sql: str, rows: list[tuple]) -> None:
        """PostgreSQL's COPY in text format: several times faster than INSERT for bulk loads."""
        text = "".join("\t".join([_copy_text(value) for value in row]) + "\n" for row in rows)
        if hasattr(cursor, "copy_expert"):  # psycopg2
            cursor.copy_expert(sql, io.StringIO(text))
        else:  # psycopg 3
            with cursor.copy(sql) as copy:
                copy.write(text)

    def reset_sequences(self) -> None:
        """After ``allocate``: move the tables' sequences past the keys written (PostgreSQL)."""
        models = [table.model for table in self.tables if table.next_pk is not None]
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    return str(value)  # numbers, dates, aware datetimes (2024-01-31 10:00:00+08:00)


def reserve_pks(model: type[Model], count: int) -> list[int]:
    """``count`` new primary keys for ``model``, safe beside concurrent writers.

    PostgreSQL: taken from the table's sequence. SQLite: after the largest key, read inside the
    caller's transaction; SQLite lets one writer at a time commit, and a writer that read before
    another committed fails on the unique key instead of overwriting (the caller reports it)."""
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
    first = (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1
    return list(range(first, first + count))


def create_with_history(
    objs: list[Model], model: type[Model], *, user=None, date: datetime.datetime, reason: str | None = None
) -> list[Model]:
    """Insert ``objs`` (setting their primary keys) and, for a model with simple-history, a '+'
    historical record of each dated ``date``: what ``bulk_create_with_history`` writes."""
    if not objs:
        return objs
    writer = BulkWriter()
    table = writer.table(model, explicit_pk=True)
    history_manager = getattr(model, "history", None)
    history = writer.table(history_manager.model) if history_manager is not None else None
    history_names = set(history.attnames) if history is not None else set()
    stamp = {
        "history_date": connection.ops.adapt_datetimefield_value(date),
        "history_type": "+",
        "history_change_reason": reason,
        "history_user_id": user.pk if user is not None else None,
    }
    prepare = _preparers(model)
    for obj, pk in zip(objs, reserve_pks(model, len(objs)), strict=True):
        obj.pk = pk
        values = {name: convert(get(obj)) for name, get, convert in prepare}
        table.add(**values)
        if history is not None:
            history.add(**{name: value for name, value in values.items() if name in history_names}, **stamp)
        obj._state.adding = False
        obj._state.db = connection.alias
    writer.flush()
    return objs


def insert_rows(model: type[Model], rows: list[dict]) -> None:
    """Insert plain rows (dicts of attname → Python value); the database numbers them."""
    if not rows:
        return
    writer = BulkWriter()
    table = writer.table(model, explicit_pk=False)
    convert = {name: converter for name, _get, converter in _preparers(model)}
    for row in rows:
        table.add(**{name: convert[name](row.get(name)) for name in table.attnames})
    writer.flush()


def _preparers(model: type[Model]) -> list[tuple]:
    """(attname, read the value off an instance, adapt it for the database) per column: dates,
    datetimes and a few other types need adapting; only auto_now(_add) fields need ``pre_save``."""
    ops = connection.ops
    adapters = {"DateField": ops.adapt_datefield_value, "DateTimeField": ops.adapt_datetimefield_value}
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
            get = partial(_pre_save, field)
        else:
            get = operator.attrgetter(field.attname)
        result.append((field.attname, get, convert))
    return result


def _identity(value):
    return value


def _db_prep_save(field, value):
    return field.get_db_prep_save(value, connection)


def _pre_save(field, obj):
    return field.pre_save(obj, True)
