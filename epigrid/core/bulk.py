"""Inserting many new rows fast: one multi-row INSERT ... RETURNING per chunk.

Django's bulk_create prepares every value through the compiler, which costs more than the
database itself on imports of tens of thousands of rows. Here each column's values are
converted once by a per-field converter and the primary keys are read back in insertion order
(as bulk_create does on both databases). Only for plain rows: no signals, no multi-table
inheritance, no per-instance field defaults beyond what the caller set.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import connection, models
from django.utils import timezone

M = TypeVar("M", bound=models.Model)
MAX_PARAMS = 30_000  # under SQLite's 32,766 bound variables


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
    chunk = max(1, MAX_PARAMS // len(fields))
    with connection.cursor() as cursor:
        for start in range(0, len(objs), chunk):
            part = objs[start : start + chunk]
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
