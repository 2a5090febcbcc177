"""Loads a city's worth of home-quarantine cases for bench/quarantine_worker.py: setup, not a
measurement, so raw inserts (PostgreSQL COPY, SQLite executemany) in one transaction.

Cases: `total` open cases spread over the persons of the built scenario (home quarantine first,
then home observation for the same persons when there are fewer persons than cases), each
with the three-person team of its grid, started 0–13 days before today so all are active now;
two slots a day over 14 days (28 per case) from the same slot rules the product uses. Slots
of earlier days are done, except a few (3 %) missed; today's are all still to do, so the
worklists are full and today's overdue list is as long as the time of day makes it.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

CASE_COLUMNS = [
    "version", "created_at", "updated_at", "jpath", "person_id", "reason_id", "regime",
    "jurisdiction_id", "team_id", "start_date", "end_date", "policy", "opened_at", "closed_at",
    "end_reason", "close_note", "note", "last_followup_at", "last_temperature",
    "selfreport_hash", "selfreport_created_at", "opened_by_id",
]  # fmt: skip
SLOT_COLUMNS = [
    "jpath", "case_id", "team_id", "day", "number", "opens_at", "deadline", "ends_at",
    "done_at", "followup_id", "case_open",
]  # fmt: skip


def _insert(connection: Any, table: str, columns: list[str], rows: list[tuple]) -> None:
    cols = ", ".join(f'"{c}"' for c in columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            raw = cur.cursor  # psycopg's own cursor, for COPY
            with raw.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    else:
        marks = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cur:
            cur.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


def load_cases(total: int, *, now: dt.datetime, seed: int = 7) -> dict[str, Any]:
    import json
    import time

    from django.db import connection, transaction

    from epigrid.policy.selectors import policy_snapshot
    from epigrid.quarantine import rules
    from epigrid.quarantine.models import ObservationCase, Regime
    from epigrid.registry.models import Person, PersonCategory
    from epigrid.workforce.models import Team, TeamKind

    started = time.perf_counter()
    rng = random.Random(seed)
    existing = ObservationCase.objects.filter(closed_at__isnull=True).count()
    need = max(0, total - existing)
    teams = dict(
        Team.objects.filter(kind=TeamKind.THREE_PERSON_TEAM).values_list("jurisdiction_id", "id")
    )
    persons = list(
        Person.objects.filter(merged_into__isnull=True, jurisdiction_id__in=list(teams))
        .exclude(id__in=ObservationCase.objects.values("person_id"))
        .order_by("id")
        .values_list("id", "jpath", "jurisdiction_id")
    )
    reason = PersonCategory.objects.get(code="source_area").pk
    today = now.astimezone(rules.zone()).date()
    midnight = rules.local_midnight(today)
    policy = policy_snapshot(rules.POLICY_KEYS, today)
    policy_json = json.dumps(policy)
    ops = connection.ops

    def ts(value: dt.datetime | None) -> Any:
        return None if value is None else ops.adapt_datetimefield_value(value)

    stamp = ts(now)
    case_rows: list[tuple] = []
    plan: list[tuple[int, int]] = []  # (person index, start offset)
    regimes = [Regime.HOME_QUARANTINE, Regime.HOME_OBSERVATION, Regime.CENTRALISED]
    for i in range(need):
        p_id, jpath, grid_id = persons[i % len(persons)]
        regime = regimes[i // len(persons)]
        offset = rng.randrange(14)
        start = today - dt.timedelta(days=offset)
        opened = rules.local_midnight(start) + dt.timedelta(hours=8)
        case_rows.append(
            (
                1, stamp, stamp, jpath, p_id, reason, regime, grid_id, teams[grid_id],
                start.isoformat() if connection.vendor == "sqlite" else start,
                (start + dt.timedelta(days=14)).isoformat()
                if connection.vendor == "sqlite"
                else start + dt.timedelta(days=14),
                policy_json, ts(opened), None, "", "", "", None, None, "", None, None,
            )
        )  # fmt: skip
        plan.append((i, offset))
    slots_by_offset = {
        offset: rules.plan_slots(
            policy,
            today - dt.timedelta(days=offset),
            today - dt.timedelta(days=offset) + dt.timedelta(days=14),
            rules.local_midnight(today - dt.timedelta(days=offset)) + dt.timedelta(hours=8),
        )
        for offset in range(14)
    }
    adapted = {
        offset: [
            (
                s.day.isoformat() if connection.vendor == "sqlite" else s.day,
                s.number,
                ts(s.opens_at),
                ts(s.deadline),
                ts(s.ends_at),
                s.deadline,
                ts(s.deadline - dt.timedelta(minutes=30)),
            )
            for s in slots
        ]
        for offset, slots in slots_by_offset.items()
    }
    with transaction.atomic():
        first_id = (
            ObservationCase.objects.order_by("-id").values_list("id", flat=True).first() or 0
        ) + 1
        _insert(connection, "quarantine_observationcase", CASE_COLUMNS, case_rows)
        ids = list(
            ObservationCase.objects.filter(id__gte=first_id)
            .order_by("id")
            .values_list("id", flat=True)
        )
        slot_rows: list[tuple] = []
        slots = 0
        for case_id, (_i, offset), row in zip(ids, plan, case_rows, strict=True):
            jpath, team_id = row[3], row[8]
            for day, number, opens, deadline, ends, raw_deadline, done in adapted[offset]:
                # Earlier days: done, but for a few missed; today's are still to do.
                done_at = done if raw_deadline < midnight and rng.random() >= 0.03 else None
                slot_rows.append(
                    (
                        jpath,
                        case_id,
                        team_id,
                        day,
                        number,
                        opens,
                        deadline,
                        ends,
                        done_at,
                        None,
                        True,
                    )
                )
            if len(slot_rows) >= 200_000:
                _insert(connection, "quarantine_followupslot", SLOT_COLUMNS, slot_rows)
                slots += len(slot_rows)
                slot_rows = []
        _insert(connection, "quarantine_followupslot", SLOT_COLUMNS, slot_rows)
        slots += len(slot_rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE quarantine_observationcase")
            cur.execute("ANALYZE quarantine_followupslot")
    return {
        "cases_before": existing,
        "cases_added": need,
        "slots_added": slots,
        "teams": len(set(teams.values())),
        "seconds": round(time.perf_counter() - started, 1),
    }
