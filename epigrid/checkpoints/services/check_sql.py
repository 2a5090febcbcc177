"""The fixed SQL statements of the check ingest: one text whatever the batch size, so the
drivers keep them prepared (see services.checks)."""

import datetime as dt
import json
import uuid as uuidlib
from collections.abc import Sequence
from typing import Any

from django.db import connection, models

from ..models import Check, CheckHour, CheckPerson

# --------------------------------------------------------------------------- SQL


def _columns(model: type[models.Model], names: Sequence[str]) -> list[models.Field]:
    return [model._meta.get_field(name) for name in names]  # type: ignore[misc]


def _insert_select_sql(
    model: type[models.Model], names: Sequence[str], tail: str
) -> tuple[str, list[models.Field]]:
    """`INSERT INTO t (cols) SELECT <one row per element of the parameter> <tail>`: the rows
    travel as one parameter (a JSON array on SQLite, one array per column on PostgreSQL), so
    the statement's text is the same for 1 row and for 500 and the drivers keep it prepared."""
    fields = _columns(model, names)
    q = connection.ops.quote_name
    table = q(model._meta.db_table)
    cols = ", ".join(q(f.column) for f in fields)
    if connection.vendor == "sqlite":
        picks = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(fields)))
        # "WHERE true": SQLite's parser needs it before ON CONFLICT after a SELECT.
        source = f"SELECT {picks} FROM json_each(%s) WHERE true"  # noqa: S608 - no input
    else:
        types = [f.cast_db_type(connection) for f in fields]  # type: ignore[attr-defined]
        source = f"SELECT * FROM UNNEST({', '.join(f'%s::{t}[]' for t in types)})"  # noqa: S608
    return f"INSERT INTO {table} ({cols}) {source} {tail}", fields


def _utc_text(v: dt.datetime) -> str:
    # What Django's SQLite backend stores for an aware datetime: naive UTC, str() format.
    return str(v.astimezone(dt.UTC).replace(tzinfo=None))


def _sqlite_converter(field: models.Field) -> Any:
    if isinstance(field, models.DateTimeField):
        return _utc_text
    if isinstance(field, models.UUIDField):
        return lambda v: v.hex
    if isinstance(field, models.DecimalField):
        return str
    if isinstance(field, models.BooleanField):
        return int
    return None


def _params(fields: list[models.Field], rows: list[tuple]) -> list[Any]:
    if connection.vendor == "sqlite":
        convert = [(i, c) for i, f in enumerate(fields) if (c := _sqlite_converter(f))]
        out = []
        for row in rows:
            values = list(row)
            for i, c in convert:
                if values[i] is not None:
                    values[i] = c(values[i])
            out.append(values)
        return [json.dumps(out, ensure_ascii=False)]
    return [list(column) for column in zip(*rows, strict=True)]


_SQL: dict[tuple[str, str], tuple[str, list[models.Field]]] = {}


def _statement(name: str) -> tuple[str, list[models.Field]]:
    key = (name, connection.vendor)
    if key not in _SQL:
        _SQL[key] = _STATEMENTS[name]()
    return _SQL[key]


CHECK_COLUMNS = (
    "uuid", "jpath", "checkpoint", "checked_at", "received_at", "mode", "plate", "plate_prefix",
    "nonlocal_vehicle", "persons", "origin", "destination", "result", "source", "note",
    "recorded_by",
)  # fmt: skip
PERSON_COLUMNS = (
    "check_row", "seq", "name", "doc_type", "doc_number", "phone", "temperature", "fever",
    "person",
)  # fmt: skip
HOUR_COLUMNS = (
    "jpath", "checkpoint", "hour", "checks", "persons", "vehicles", "nonlocal_vehicles",
    "fevers", "turned_back", "last_check_at",
)  # fmt: skip
HOUR_SUMS = ("checks", "persons", "vehicles", "nonlocal_vehicles", "fevers", "turned_back")


def _check_sql() -> tuple[str, list[models.Field]]:
    q = connection.ops.quote_name
    return _insert_select_sql(
        Check,
        CHECK_COLUMNS,
        f"ON CONFLICT ({q('uuid')}) DO NOTHING RETURNING {q('id')}, {q('uuid')}",
    )


def _person_sql() -> tuple[str, list[models.Field]]:
    q = connection.ops.quote_name
    return _insert_select_sql(
        CheckPerson,
        PERSON_COLUMNS,
        f"RETURNING {q('id')}, {q('check_row_id')}, {q('seq')}",
    )


def _hour_sql() -> tuple[str, list[models.Field]]:
    """Adds a batch's figures to its hours: a new hour is inserted, an existing one gets the
    sums added and keeps the later last_check_at (plain SQL that both databases run)."""
    q = connection.ops.quote_name
    table = q(CheckHour._meta.db_table)
    sums = [f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in HOUR_SUMS]
    last = q("last_check_at")
    sums.append(
        f"{last} = CASE WHEN {table}.{last} IS NULL OR excluded.{last} > {table}.{last} "
        f"THEN excluded.{last} ELSE {table}.{last} END"
    )
    return _insert_select_sql(
        CheckHour,
        HOUR_COLUMNS,
        f"ON CONFLICT ({q('checkpoint_id')}, {q('hour')}) DO UPDATE SET {', '.join(sums)}",
    )


_STATEMENTS = {"check": _check_sql, "person": _person_sql, "hour": _hour_sql}


def _run(name: str, rows: list[tuple]) -> list[tuple]:
    sql, fields = _statement(name)
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(fields, rows))
        return list(cursor.fetchall()) if cursor.description else []


def _known(uuids: list[uuidlib.UUID]) -> set[uuidlib.UUID]:
    """The UUIDs already stored: one statement whose text does not depend on how many."""
    if not uuids:
        return set()
    if connection.vendor == "sqlite":  # UUIDs are stored as 32 hex digits there
        sql = "SELECT uuid FROM checkpoints_check WHERE uuid IN (SELECT value FROM json_each(%s))"
        params: list[Any] = [json.dumps([u.hex for u in uuids])]
    else:
        sql = "SELECT uuid FROM checkpoints_check WHERE uuid = ANY(%s::uuid[])"
        params = [uuids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {_as_uuid(u) for (u,) in cursor.fetchall()}


def _as_uuid(value: Any) -> uuidlib.UUID:
    return value if isinstance(value, uuidlib.UUID) else uuidlib.UUID(str(value))
