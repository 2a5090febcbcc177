"""Single-row reads and writes on hot paths, with the SQL built once per model and database.

`Model.objects.create()`, `QuerySet.update()` and `QuerySet.get()` compile their SQL on every
call, which costs several times the statement itself; a follow-up recorded twice a day for a
city's cases is written often enough for that to matter. These helpers run the same SELECT /
INSERT / UPDATE, with values prepared by each field exactly as Django's save() prepares them
(`get_db_prep_save`) and read back through the same converters a queryset applies, and send
no signals (no business logic hangs on signals here).

A write of several statements can also build them (`insert_statement`, `update_statement`)
and send them at once (`run_together`): on PostgreSQL one statement and one round trip, with
the new row's id reserved beforehand in a read the write makes anyway (`reserve_id_sql`).
"""

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone

M = TypeVar("M", bound=models.Model)

# A value of one of these types goes to the database unchanged: what get_db_prep_save()
# returns for it, without the calls (CharField/TextField.to_python keeps a str as it is).
_AS_IS: dict[type[models.Field], tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.SlugField: (str,),
}

_INSERTS: dict[
    tuple[type[models.Model], str, bool, bool], tuple[str, list[tuple[models.Field, Any]]]
] = {}
_UPDATES: dict[
    tuple[type[models.Model], tuple[str, ...], str, str],
    tuple[str, list[tuple[models.Field, tuple[type, ...]]]],
] = {}
_SELECTS: dict[tuple, tuple[str, list]] = {}


def _driver_sql(sql: str, conn: Any) -> str:
    """The statement as the driver takes it: Django's SQLite cursor turns each %s into ? with
    a regular expression on every call; psycopg takes %s as written."""
    return sql.replace("%s", "?") if conn.vendor == "sqlite" else sql


def _driver_cursor(conn: Any) -> Any:
    """A cursor of the driver itself. On PostgreSQL a server-binding cursor: Django's binds
    values on the client, so the server parses and plans each statement anew; this one's
    statements are prepared once per connection after a few runs (psycopg's
    prepare_threshold), which halves what the server spends on each."""
    raw = conn.connection
    if conn.vendor == "postgresql":
        import psycopg

        return psycopg.Cursor(raw)
    return raw.cursor()


def run(sql: str, params: Sequence[Any], *, fetch: bool = True, conn: Any = None) -> Any:
    """Runs one fixed statement: returns its first row (or None) with `fetch`, else the
    number of rows changed. The SQL is written with %s as for Django's cursor.

    On the hot write paths Django's cursor wrapper costs as much as the statement: where a
    connection is open and no query is being logged (tests counting queries, DEBUG) the
    statement goes to the driver's own cursor, with Django's checks that matter kept: a
    broken transaction is refused and the driver's errors come back as Django's."""
    conn = conn or _connection()
    if conn.connection is None or conn.queries_logged:
        with conn.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone() if fetch else cursor.rowcount
    conn.validate_no_broken_transaction()
    key = (sql, conn.vendor)
    driver_sql = _DRIVER_SQL.get(key)
    if driver_sql is None:
        driver_sql = _DRIVER_SQL[key] = _driver_sql(sql, conn)
    with conn.wrap_database_errors:
        cursor = _driver_cursor(conn)
        try:
            if conn.vendor == "postgresql":
                cursor.execute(driver_sql, params, prepare=True)
            else:
                cursor.execute(driver_sql, params)
            return cursor.fetchone() if fetch else cursor.rowcount
        finally:
            cursor.close()


_DRIVER_SQL: dict[tuple[str, str], str] = {}


def _connection() -> Any:
    # The thread's connection itself, not the `django.db.connection` proxy: every attribute
    # read through the proxy is a lookup in a context-local.
    return connections[DEFAULT_DB_ALIAS]


def _ints_as_is(conn: Any) -> bool:
    """Whether the backend passes a Python int on unchanged for integer columns (SQLite);
    PostgreSQL with psycopg 3 wraps it in a typed integer, so it takes the long way."""
    ops = type(conn.ops)
    return (
        ops.adapt_integerfield_value is BaseDatabaseOperations.adapt_integerfield_value
        and ops.validate_autopk_value is BaseDatabaseOperations.validate_autopk_value
    )


def _as_is(field: models.Field, conn: Any) -> tuple[type, ...]:
    """The types of value that go to the database unchanged for this field."""
    if isinstance(field, models.ForeignKey):
        target = field.target_field
        # get_db_prep_save(None) is None for any foreign key; an id, as its target takes it.
        if isinstance(target, models.IntegerField) and _ints_as_is(conn):
            return (type(None), int)
        return (type(None),)
    if isinstance(field, models.IntegerField) and _ints_as_is(conn):
        return (int,)  # bool is not int here: type(True) is bool
    return _AS_IS.get(type(field), ())


def _insert_sql(
    model: type[models.Model], conn: Any, *, with_pk: bool = False, returning: bool = True
) -> tuple[str, list[tuple[models.Field, Any]]]:
    """The INSERT of a row, returning the primary key the database gives it; or, for
    run_together, returning nothing, and `with_pk` with the key reserved beforehand
    (reserve_id_sql)."""
    key = (model, conn.vendor, with_pk, returning)
    if key not in _INSERTS:
        q = conn.ops.quote_name
        fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
        back = f" RETURNING {q(model._meta.pk.column)}" if returning else ""
        _INSERTS[key] = (
            f"INSERT INTO {q(model._meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "  # noqa: S608 - names from the model, values bound
            f"VALUES ({', '.join(['%s'] * len(fields))}){back}",
            [
                (
                    f,
                    "now"
                    if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)
                    else _as_is(f, conn),
                )
                for f in fields
            ],
        )
    return _INSERTS[key]


def _insert_params(obj: models.Model, fields: list[tuple[models.Field, Any]], conn: Any) -> list:
    now = timezone.now()
    params: list[Any] = []
    for f, how in fields:
        if how == "now":
            setattr(obj, f.attname, now)
            value = now
        else:
            value = getattr(obj, f.attname)
            if type(value) in how:
                params.append(value)
                continue
        params.append(f.get_db_prep_save(value, conn))
    return params


def insert_one(obj: M) -> M:
    """Inserts an unsaved instance and sets its primary key, as save() would (auto_now and
    auto_now_add fields are set to now)."""
    conn = _connection()
    sql, fields = _insert_sql(type(obj), conn)
    (obj.pk,) = run(sql, _insert_params(obj, fields, conn), conn=conn)
    obj._state.adding = False
    obj._state.db = conn.alias
    return obj


Statement = tuple[str, list[Any]]


def insert_statement(obj: models.Model) -> Statement:
    """The INSERT of an unsaved instance, for run_together: with the primary key it was
    given from reserve_id_sql, else without (the database gives one, nobody reads it back).
    Sets auto_now and auto_now_add fields as insert_one does."""
    conn = _connection()
    sql, fields = _insert_sql(type(obj), conn, with_pk=obj.pk is not None, returning=False)
    obj._state.adding = False
    obj._state.db = conn.alias
    return sql, _insert_params(obj, fields, conn)


def reserve_id_sql(model: type[models.Model]) -> str:
    """An SQL expression giving the next primary key of `model`'s table, to put in a
    statement the write runs anyway (no round trip of its own): so that its INSERT and the
    statements naming the new row can go together (run_together). PostgreSQL takes it from
    the column's sequence; elsewhere it is NULL and the row is inserted on its own
    (insert_one) to learn its key."""
    conn = _connection()
    if conn.vendor != "postgresql":
        return "NULL"
    table = conn.ops.quote_name(model._meta.db_table).replace("'", "''")
    return f"nextval(pg_get_serial_sequence('{table}', '{model._meta.pk.column}'))"


def run_together(statements: Sequence[Statement]) -> None:
    """Runs INSERT / UPDATE / DELETE statements that return nothing and touch different
    rows. On PostgreSQL as one statement (the first ones as data-modifying WITH parts of
    the last): one round trip and one prepared plan instead of one each, which is most of
    what each of them costs there. They then see the same snapshot and none sees another's
    changes, hence different rows; foreign keys are checked at commit (Django makes them
    deferrable) or at the end of the statement. Elsewhere one after the other."""
    conn = _connection()
    if conn.vendor != "postgresql" or len(statements) == 1:
        for sql, params in statements:
            run(sql, params, fetch=False, conn=conn)
        return
    texts = tuple(sql for sql, _params in statements)
    if texts not in _TOGETHER:
        parts = ", ".join(f"w{i} AS ({text})" for i, text in enumerate(texts[:-1]))
        _TOGETHER[texts] = f"WITH {parts} {texts[-1]}"
    params = [p for _sql, each in statements for p in each]
    run(_TOGETHER[texts], params, fetch=False, conn=conn)


_TOGETHER: dict[tuple[str, ...], str] = {}


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
    sql, params = update_statement(model, pk, values, only_if_null=only_if_null)
    return run(sql, params, fetch=False)


def update_statement(
    model: type[models.Model], pk: Any, values: dict[str, Any], *, only_if_null: str = ""
) -> Statement:
    """The UPDATE update_one runs, for run_together."""
    conn = _connection()
    names: Sequence[str] = tuple(values)
    key = (model, tuple(names), only_if_null, conn.vendor)
    if key not in _UPDATES:
        q = conn.ops.quote_name
        columns = [_concrete(model, name) for name in names]
        where = f"{q(model._meta.pk.column)} = %s"
        if only_if_null:
            where += f" AND {q(_concrete(model, only_if_null).column)} IS NULL"
        _UPDATES[key] = (
            f"UPDATE {q(model._meta.db_table)} SET "  # noqa: S608 - names from the model, values bound
            f"{', '.join(f'{q(f.column)} = %s' for f in columns)} WHERE {where}",
            [(f, _as_is(f, conn)) for f in columns],
        )
    sql, fields = _UPDATES[key]
    params = [
        value if type(value := values[f.name]) in as_is else f.get_db_prep_save(value, conn)
        for f, as_is in fields
    ]
    return sql, [*params, pk]


def _converters(field: models.Field, conn: Any) -> list[tuple[Callable, bool, Any]]:
    """What a queryset applies to the column's raw value (backend's, then the field's), as
    (function, takes the backend's operations first, expression)."""
    col = field.get_col(field.model._meta.db_table)
    found = []
    for convert in [*conn.ops.get_db_converters(col), *col.get_db_converters(conn)]:
        # Backend converters are methods of one connection's `ops`: kept unbound, so the
        # cache serves every thread's connection.
        if getattr(convert, "__self__", None) is conn.ops:
            found.append((convert.__func__, True, col))
        else:
            found.append((convert, False, col))
    return found


_READERS: dict[tuple[type[models.Model], tuple[str, ...], str], tuple] = {}
Fields = Sequence[str] | None


def _reader(model: type[models.Model], names: Fields, conn: Any) -> tuple:
    key = (model, tuple(names or ()), conn.vendor)
    if key not in _READERS:
        chosen = list(model._meta.concrete_fields)
        if names:
            # In the model's order, as Model.from_db() expects a subset, primary key first.
            wanted = {_concrete(model, n) for n in names} | {model._meta.pk}
            chosen = [f for f in chosen if f in wanted]
        _READERS[key] = (
            [conn.ops.quote_name(f.column) for f in chosen],
            [f.attname for f in chosen],
            [(i, convs) for i, f in enumerate(chosen) if (convs := _converters(f, conn))],
        )
    return _READERS[key]


def select_columns(model: type[models.Model], alias: str = "", fields: Fields = None) -> str:
    """The columns of `model` (every concrete one, or the primary key and `fields`), for a
    hand-written SELECT whose row `from_row` turns back into an instance (`alias`: the
    table's alias in that SELECT)."""
    conn = _connection()
    columns = _reader(model, fields, conn)[0]
    prefix = f"{alias}." if alias else ""
    return ", ".join(prefix + c for c in columns)


def from_row(model: type[M], row: Sequence[Any], start: int = 0, fields: Fields = None) -> M:
    """The instance of `model` whose columns (as `select_columns` lists them, with the same
    `fields`) begin at `start` in `row`, with the converters a queryset applies; fields not
    read are deferred (loaded on first access, as with QuerySet.only())."""
    conn = _connection()
    _columns, attnames, converters = _reader(model, fields, conn)
    values = list(row[start : start + len(attnames)])
    ops = conn.ops
    for i, convs in converters:
        value = values[i]
        for convert, on_ops, col in convs:
            value = convert(ops, value, col, conn) if on_ops else convert(value, col, conn)
        values[i] = value
    return model.from_db(conn.alias, attnames, values)


def row_width(model: type[models.Model], fields: Fields = None) -> int:
    """How many columns `select_columns(model, fields=fields)` lists."""
    return len(_reader(model, fields, _connection())[1])


def select_one(
    model: type[M],
    pk: Any,
    *,
    for_update: bool = False,
    also: dict[str, Any] | None = None,
    fields: Fields = None,
) -> M | None:
    """The row with primary key `pk` (and, with `also`, the given field values) as a model
    instance (every concrete field loaded, or only `fields`), or None; `for_update` locks it
    (SELECT … FOR UPDATE where the database has row locks; SQLite's write transaction
    already excludes other writers)."""
    conn = _connection()
    also = also or {}
    key = (model, tuple(also), for_update, tuple(fields or ()), conn.vendor)
    if key not in _SELECTS:
        q = conn.ops.quote_name
        where = [f"{q(model._meta.pk.column)} = %s"]
        where += [f"{q(_concrete(model, name).column)} = %s" for name in also]
        lock = " FOR UPDATE" if for_update and conn.features.has_select_for_update else ""
        _SELECTS[key] = (
            f"SELECT {select_columns(model, fields=fields)} FROM {q(model._meta.db_table)} "  # noqa: S608 - names from the model, values bound
            f"WHERE {' AND '.join(where)}{lock}",
            [_concrete(model, name) for name in also],
        )
    sql, also_fields = _SELECTS[key]
    params = [model._meta.pk.get_db_prep_value(pk, conn)]
    params += [f.get_db_prep_value(also[f.name], conn) for f in also_fields]
    row = run(sql, params, conn=conn)
    return None if row is None else from_row(model, row, fields=fields)
