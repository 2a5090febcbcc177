"""Writes: the hourly figures (CheckHour) recomputed from the checks themselves.

The ingest service adds each batch to its hours as it stores it (services.checks), so this
is for repairs and for data written without it (the scenario's bulk history, a restore):
`epigrid checkpoints_rollup_rebuild` runs it by hand; nothing schedules it.

One run is one DELETE and one INSERT ... SELECT ... GROUP BY on the database, on SQLite and
on PostgreSQL alike, so a city's three weeks of checks are rebuilt without a row passing
through Python. The figures are those the ingest service adds (see its module): checks,
persons (the checks' persons), vehicles, non-local vehicles and turned back count checks;
fevers counts persons with a fever reading, i.e. the fever readings of fever checks.

The hour of a check is the start of its local hour. Local hours start on UTC hours in every
zone whose offset from UTC is a whole number of hours (Asia/Shanghai is +08:00, with no
daylight saving; so is every zone of China), so the hour is truncated in UTC, which SQLite
can do without time-zone support. A zone with a part-hour offset (+05:30) is handled by
shifting by that part before truncating and back after; this takes the zone's offset at
the moment of the run, exact for every zone whose part-hour offset never changes.
"""

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from ..models import Check, CheckHour, CheckPerson, CheckResult, Mode


def _part_hour_minutes() -> int:
    """The zone's offset past a whole hour, in minutes (0 for Asia/Shanghai)."""
    offset = timezone.now().astimezone(ZoneInfo(settings.TIME_ZONE)).utcoffset()
    return int((offset or dt.timedelta()).total_seconds() // 60) % 60


def hour_sql(column: str) -> str:
    """SQL for the start of the local hour of the aware datetime `column`, in the form the
    backend stores datetimes (SQLite: naive UTC text)."""
    shift = _part_hour_minutes()
    if connection.vendor == "sqlite":
        if not shift:
            return f"strftime('%%Y-%%m-%%d %%H:00:00', {column})"
        return (
            f"datetime(strftime('%%Y-%%m-%%d %%H:00:00', {column}, '+{shift} minutes'), "
            f"'-{shift} minutes')"
        )
    inner = f"{column} AT TIME ZONE 'UTC'"
    if shift:
        inner = f"({inner} + interval '{shift} minutes')"
    trunc = f"date_trunc('hour', {inner})"
    if shift:
        trunc = f"({trunc} - interval '{shift} minutes')"
    return f"({trunc} AT TIME ZONE 'UTC')"


def hour_start(moment: dt.datetime) -> dt.datetime:
    """The start of the local hour `moment` falls in (what hour_sql computes)."""
    local = timezone.localtime(moment)
    return local.replace(minute=0, second=0, microsecond=0)


@transaction.atomic
def hours_rebuild(
    *, checkpoint_ids: Iterable[int] | None = None, since: dt.datetime | dt.date | None = None
) -> int:
    """Recomputes CheckHour from Check and CheckPerson rows: of the checkpoints in
    `checkpoint_ids` (all when None), from the hour of `since` (a moment, or a local day's
    start; all time when None). Hours left without checks disappear. Returns the number of
    hour rows written. The system's own repair: no actor, not audited per row (the command
    reports what it did)."""
    q = connection.ops.quote_name
    where: list[str] = []
    params: list = []
    ids = None if checkpoint_ids is None else sorted({int(i) for i in checkpoint_ids})
    hours = CheckHour.objects.all()
    if ids is not None:
        if not ids:
            return 0
        where.append(f"c.{q('checkpoint_id')} IN ({', '.join(['%s'] * len(ids))})")
        params += ids
        hours = hours.filter(checkpoint_id__in=ids)
    if since is not None:
        if not isinstance(since, dt.datetime):
            since = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
        start = hour_start(since)
        where.append(f"c.{q('checked_at')} >= %s")
        params.append(connection.ops.adapt_datetimefield_value(start))
        hours = hours.filter(hour__gte=start)
    if connection.vendor == "postgresql":
        # Ingest writes that would add to an hour wait until the rebuilt hours are in (and
        # this waits for those already under way, whose checks it then counts).
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {q(CheckHour._meta.db_table)} IN SHARE ROW EXCLUSIVE MODE")
    hours.delete()
    hour = hour_sql(f"c.{q('checked_at')}")
    fields = [
        "jpath",
        "checkpoint_id",
        "hour",
        "checks",
        "persons",
        "vehicles",
        "nonlocal_vehicles",
        "fevers",
        "turned_back",
        "last_check_at",
    ]
    column_of = {f.attname: f.column for f in CheckHour._meta.concrete_fields}
    columns = ", ".join(q(column_of[f]) for f in fields)
    people = q(CheckPerson._meta.db_table)
    fevers = (
        f"(SELECT COUNT(*) FROM {people} p WHERE p.{q('check_row_id')} = c.{q('id')} "  # noqa: S608 - names from the models
        f"AND p.{q('fever')})"
    )
    sql = (
        f"INSERT INTO {q(CheckHour._meta.db_table)} ({columns}) "  # noqa: S608 - names from the models, values bound
        f"SELECT c.{q('jpath')}, c.{q('checkpoint_id')}, {hour}, COUNT(*), "
        f"SUM(c.{q('persons')}), "
        f"SUM(CASE WHEN c.{q('mode')} = %s THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN c.{q('nonlocal_vehicle')} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN c.{q('result')} = %s THEN {fevers} ELSE 0 END), "
        f"SUM(CASE WHEN c.{q('result')} = %s THEN 1 ELSE 0 END), "
        f"MAX(c.{q('checked_at')}) "
        f"FROM {q(Check._meta.db_table)} c "
        f"{'WHERE ' + ' AND '.join(where) if where else ''} "
        f"GROUP BY c.{q('checkpoint_id')}, c.{q('jpath')}, {hour}"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [Mode.VEHICLE.value, CheckResult.FEVER.value, CheckResult.TURNED_BACK.value, *params],
        )
        return cursor.rowcount
