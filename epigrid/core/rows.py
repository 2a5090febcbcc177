"""Single-row writes on hot paths, with the SQL built once per model and database.

`Model.objects.create()` and `QuerySet.update()` compile their SQL on every call, which costs
several times the statement itself; a follow-up recorded twice a day for a city's cases is
written often enough for that to matter. These helpers run the same INSERT / UPDATE, with
values prepared by each field exactly as Django's save() prepares them
(`get_db_prep_save`), and send no signals (no business logic hangs on signals here).
"""

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connection, models
from django.utils import timezone

M = TypeVar("M", bound=models.Model)

_INSERTS: dict[tuple[type[models.Model], str], tuple[str, list[models.Field]]] = {}
_UPDATES: dict[tuple[type[models.Model], tuple[str, ...], str, str], str] = {}


def _insert_sql(model: type[models.Model]) -> tuple[str, list[models.Field]]:
    key = (model, connection.vendor)
    if key not in _INSERTS:
        q = connection.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        _INSERTS[key] = (
            f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "  # noqa: S608 - names from the model, values bound
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {q(model._meta.pk.column)}",
            fields,
        )
    return _INSERTS[key]


def insert_one(obj: M) -> M:
    """Inserts an unsaved instance and sets its primary key, as save() would (auto_now and
    auto_now_add fields are set to now)."""
    sql, fields = _insert_sql(type(obj))
    now = timezone.now()
    params: list[Any] = []
    for f in fields:
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            setattr(obj, f.attname, now)
        params.append(f.get_db_prep_save(getattr(obj, f.attname), connection))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (obj.pk,) = cursor.fetchone()
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


def _concrete(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise ValueError(f"{model._meta.label}.{name} is not a column")
    return field


def update_one(
    model: type[models.Model], pk: Any, values: dict[str, Any], *, only_if_null: str = ""
) -> int:
    """UPDATE one row by primary key (and, with `only_if_null`, only while that field is
    still NULL); returns the number of rows changed (0 or 1). Values are keyed by field name;
    a foreign key takes the related row's id."""
    names: Sequence[str] = tuple(values)
    key = (model, tuple(names), only_if_null, connection.vendor)
    fields = [_concrete(model, name) for name in names]
    if key not in _UPDATES:
        q = connection.ops.quote_name
        where = f"{q(model._meta.pk.column)} = %s"
        if only_if_null:
            where += f" AND {q(_concrete(model, only_if_null).column)} IS NULL"
        _UPDATES[key] = (
            f"UPDATE {q(model._meta.db_table)} SET "  # noqa: S608 - names from the model, values bound
            f"{', '.join(f'{q(f.column)} = %s' for f in fields)} WHERE {where}"
        )
    params = [f.get_db_prep_save(values[f.name], connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(_UPDATES[key], [*params, pk])
        return cursor.rowcount
