"""Inserting many new rows fast: one multi-row INSERT ... RETURNING per chunk.

Django's bulk_create prepares every value through the compiler, which costs more than the
database itself on imports of tens of thousands of rows. Here each column's values are
converted once by a per-field converter and the primary keys are read back in insertion order
(as bulk_create does on both databases). Only for plain rows: no signals, no multi-table
inheritance, no per-instance field defaults beyond what the caller set.

`insert_rows` goes one step further for the hot paths of imports: the rows are plain tuples,
so no model instance is built at all (building one costs more than inserting it).
"""

import datetime as dt
import json
import sqlite3
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .pragmas import IMPORT_CACHE_KIB, IMPORT_CHECKPOINT_PAGES

M = TypeVar("M", bound=models.Model)
MAX_PARAMS = 30_000  # under SQLite's 32,766 bound variables


def _chunks(total: int, columns: int) -> list[tuple[int, int]]:
    """(start, size) of each statement: sizes are powers of two, at most MAX_PARAMS bound
    values each. A few statement texts per table, however the row counts vary, so the
    drivers' statement caches hit (SQLite's prepared statements, PostgreSQL's prepared
    plans) instead of filling with one 13,000-parameter statement per batch size."""
    largest = 1 << max(0, (MAX_PARAMS // columns).bit_length() - 1)
    out = []
    start = 0
    while start < total:
        size = min(largest, 1 << ((total - start).bit_length() - 1))
        out.append((start, size))
        start += size
    return out


def _converter(field: models.Field) -> Callable[[Any], Any]:
    if connection.vendor != "sqlite":
        return lambda v: v  # psycopg adapts dates, datetimes and booleans itself
    if isinstance(field, models.DateTimeField):
        # Stored as naive UTC text, as Django's SQLite backend does.
        return lambda v: (
            None
            if v is None
            else str(timezone.make_naive(v, dt.UTC) if timezone.is_aware(v) else v)
        )
    if isinstance(field, models.DateField):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(field, models.BooleanField):
        return lambda v: None if v is None else int(v)
    return lambda v: v


def fast_insert(objs: Sequence[M]) -> Sequence[M]:
    """Inserts unsaved instances of one model and sets their primary keys."""
    if not objs:
        return objs
    model = type(objs[0])
    now = timezone.now()
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for f in fields:
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            for obj in objs:
                setattr(obj, f.attname, now)
    if any(isinstance(f, models.JSONField) for f in fields):
        raise ValueError("fast_insert does not handle JSON fields")
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    converters = [(f.attname, _converter(f)) for f in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    with connection.cursor() as cursor:
        for start, size in _chunks(len(objs), len(fields)):
            part = objs[start : start + size]
            params: list[Any] = []
            for obj in part:
                params.extend(convert(getattr(obj, attname)) for attname, convert in converters)
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {', '.join([row_sql] * len(part))} "  # noqa: S608 - names from the model, values bound
                f"RETURNING {pk}",
                params,
            )
            for obj, (key,) in zip(part, cursor.fetchall(), strict=True):
                obj.pk = key
                obj._state.adding = False
                obj._state.db = connection.alias
    return objs


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]
) -> list[int]:
    """Inserts `rows` (tuples of values for the fields named by attname in `fields`) and
    returns their primary keys in order. Every other column takes its field's default:
    now for auto_now/auto_now_add, the default (a callable one evaluated once for all rows),
    else NULL. Values go to the database as given (plus the date conversions SQLite needs)."""
    if not rows:
        return []
    meta = model._meta
    named: list[models.Field] = [cast(models.Field, meta.get_field(name)) for name in fields]
    given = {f.attname for f in named}
    now = timezone.now()
    extra: list[tuple[models.Field, Any]] = []
    for f in meta.concrete_fields:
        if f.primary_key or f.attname in given:
            continue
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            extra.append((f, now))
        elif f.has_default():
            extra.append((f, f.get_default()))
        elif f.null:
            extra.append((f, None))
        else:
            raise ValueError(f"insert_rows: no value for {meta.label}.{f.name}")
    columns = named + [f for f, _v in extra]
    if any(isinstance(f, models.JSONField) for f in columns):
        raise ValueError("insert_rows does not handle JSON fields")
    if connection.vendor == "postgresql":
        return _copy_rows(meta, columns, rows, tuple(v for _f, v in extra))
    constants = tuple(_converter(f)(v) for f, v in extra)
    converters = [
        (i, _converter(f))
        for i, f in enumerate(columns[: len(fields)])
        if connection.vendor == "sqlite"
        and isinstance(f, models.DateField | models.BooleanField)  # DateTimeField is a DateField
    ]
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    table = connection.ops.quote_name(meta.db_table)
    pk = connection.ops.quote_name(meta.pk.column)
    direct = connection.vendor == "sqlite" and not connection.queries_logged
    mark = "?" if direct else "%s"
    row_sql = "(" + ", ".join([mark] * len(columns)) + ")"
    keys: list[int] = []
    with connection.cursor() as cursor:
        for start, size in _chunks(len(rows), len(columns)):
            part = rows[start : start + size]
            params: list[Any] = []
            extend = params.extend
            for row in part:
                if converters:
                    row = list(row)
                    for i, convert in converters:
                        row[i] = convert(row[i])
                extend(row)
                extend(constants)
            sql = (
                f"INSERT INTO {table} ({names}) VALUES {', '.join([row_sql] * len(part))} "  # noqa: S608 - names from the model, values bound
                f"RETURNING {pk}"
            )
            if direct:
                # Django's SQLite cursor rewrites each %s to ? with a regular expression on
                # every call: over a statement of 30,000 placeholders that is a tenth of an
                # import's writing. Written with ? already, the statement goes to the driver
                # as Django would send it, its errors turned into Django's as ever. (Where
                # queries are being logged, for tests and DEBUG, it takes the usual way.)
                with connection.wrap_database_errors:
                    sqlite3.Cursor.execute(cursor.cursor, sql, params)
            else:
                cursor.execute(sql, params)
            keys.extend(key for (key,) in cursor.fetchall())
    if len(keys) != len(rows):
        raise RuntimeError(f"insert_rows: {len(rows)} rows sent, {len(keys)} keys returned")
    return keys


def _copy_rows(
    meta: Any, columns: list[models.Field], rows: Sequence[Sequence[Any]], constants: tuple
) -> list[int]:
    """PostgreSQL: the rows sent as one array per column and unnested on the server (as
    bulk_create does): a short statement to parse however many rows, no SQL text to compose
    on the client, keys returned in order."""
    table = connection.ops.quote_name(meta.db_table)
    pk = connection.ops.quote_name(meta.pk.column)
    names = ", ".join(connection.ops.quote_name(f.column) for f in columns)
    given = len(columns) - len(constants)
    arrays = [list(col) for col in zip(*rows, strict=True)]
    types = [f.cast_db_type(connection) for f in columns]  # type: ignore[attr-defined]
    unnest = ", ".join(f"%s::{t}[]" for t in types[:given])
    selected = ", ".join([f"c{i}" for i in range(given)] + [f"%s::{t}" for t in types[given:]])
    aliases = ", ".join(f"c{i}" for i in range(given))
    keys: list[int] = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {selected} "  # noqa: S608 - names from the model, values bound
            f"FROM UNNEST({unnest}) AS t({aliases}) RETURNING {pk}",
            [*constants, *arrays],
        )
        keys = [key for (key,) in cursor.fetchall()]
    return keys


def in_values(field: str, values: Collection[str | int]) -> Q:
    """`field__in=values` whose SQL text does not depend on how many values there are: on
    SQLite one JSON parameter (`IN (SELECT value FROM json_each(?))`), so that a batch's
    lookups are one prepared statement each, not one per length (SQLite keeps up to 128
    prepared statements per connection, a few hundred KB each for thousand-value lists); on
    PostgreSQL the plain list."""
    if connection.vendor == "sqlite":
        return Q(
            **{
                f"{field}__in": RawSQL(
                    "SELECT value FROM json_each(%s)", [json.dumps(list(values))]
                )
            }
        )
    return Q(**{f"{field}__in": list(values)})


@contextmanager
def import_connection_settings(
    kib: int = IMPORT_CACHE_KIB, checkpoint_pages: int = IMPORT_CHECKPOINT_PAGES
) -> Iterator[None]:
    """On SQLite, for this connection while a long import writes (see core.pragmas): a
    larger page cache, and the write-ahead log copied into the database every
    `checkpoint_pages` pages instead of after every batch, then once at the end. The
    connection's own settings are restored after. Elsewhere nothing."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (cache_before,) = cursor.fetchone()
        cursor.execute("PRAGMA wal_autocheckpoint")
        (checkpoint_before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-int(kib)}")
        cursor.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint_pages)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(cache_before)}")
            cursor.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint_before)}")
            if not connection.in_atomic_block:
                # What the import left in the log goes into the database now, by the
                # import, rather than by whichever request writes next.
                cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
