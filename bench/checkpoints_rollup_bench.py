"""Part "checkpoint_rollups" of bench/run.py: hourly rollups of the temperature checkpoints
for a city of 10 million checks — target p95 under 200 ms.

What is measured, honestly: the rollups read the pre-aggregated hours (CheckHour, one row per
checkpoint and hour, kept by the ingest service as it stores checks), never the checks. So
the city's 10 million checks are loaded as the hour rows they add up to: the scale-10
scenario's 1,280 checkpoints (10 subdistricts of 128), 21 days up to today, 24 hours each
(645,120 hour rows whose `checks` sum to 10,000,000), written raw (setup, not timed; the
scenario's own hours are replaced). Timed, p50/p95 of --iterations runs after a warm-up,
with each read's query count (equal for the city and a subdistrict):
- the city's day hour by hour: the selector (selectors.rollups.hourly) and the API
  (GET /api/v1/checkpoints/rollups/hourly) as the city's `hq` — target p95 < 200 ms;
- a subdistrict's day hour by hour (selector) — same target;
- the city's last 21 days day by day (selector rollups.daily) — shown, no target;
- headquarters' live board (selector rollups.board, 1,280 checkpoints) and its page — shown;
- floor: the same GROUP BY over the hour rows on a raw DB-API cursor.

Run as a script (by bench/run.py through run_json_worker) it is the worker: it loads the hours
into the database of EPIGRID_DATABASE_URL and prints one JSON object on its last line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

SCALE = 10
CHECKS = 10_000_000
DAYS = 21
TARGET_MS = 200.0


# --------------------------------------------------------------------------- the part


def bench(
    target: Any,
    env: dict[str, str],
    args: Any,
    results: dict[str, Any],
    *,
    built: Callable[..., str],
) -> None:
    from benchlib import run_json_worker

    snapshot = built(target, env, SCALE, results)
    url = target.fresh("checkpoint-rollups", snapshot=snapshot)
    print(
        f"[{target.vendor}] checkpoint rollups: {CHECKS:,} checks as hours, timing", file=sys.stderr
    )
    out = run_json_worker(
        "checkpoints_rollup_bench.py", ["--iterations", str(args.iterations)], env, url
    )
    load = out["load"]
    results["setup"].append(
        {
            "db": target.vendor,
            "what": f"checkpoint rollups: {load['rows']:,} hour rows = {load['checks']:,} checks "
            f"over {load['checkpoints']:,} checkpoints x {DAYS} days (raw inserts)",
            "s": load["seconds"],
        }
    )
    pairs = {"hourly selector (city)": "hourly selector (subdistrict)"}
    for name, r in out["reads"].items():
        other = pairs.get(name) or next((k for k, v in pairs.items() if v == name), None)
        same = other is None or out["reads"][other]["queries"] == r["queries"]
        fast = r["limit_ms"] is None or r["p95_ms"] < r["limit_ms"]
        results["checkpoint_rollups"].append(
            {
                "db": target.vendor,
                "case": name,
                "found": r["found"],
                "p50_ms": r["p50_ms"],
                "p95_ms": r["p95_ms"],
                "queries": r["queries"],
                "queries_equal": same,
                "floor_ms": out["floor_ms"],
                "target_p95_ms": r["limit_ms"],
                "result": "PASS" if fast and same else "FAIL",
            }
        )


def report(
    results: dict[str, Any], *, table: Callable[..., str], fmt: Callable[..., str]
) -> list[str]:
    out = [
        "",
        f"== checkpoint rollups: a city of {CHECKS:,} checks, read from its pre-aggregated "
        "hours (CheckHour), never the check rows ==",
    ]
    rows = [
        [
            r["db"],
            r["case"],
            f"{r['found']:,}" if r["found"] is not None else "-",
            fmt(r["p50_ms"], " ms"),
            fmt(r["p95_ms"], " ms"),
            fmt(r["floor_ms"], " ms", 2),
            str(r["queries"]) + ("" if r["queries_equal"] else " (differs)"),
            "-" if r["target_p95_ms"] is None else f"< {r['target_p95_ms']:.0f} ms",
            r["result"],
        ]
        for r in results.get("checkpoint_rollups", [])
    ]
    if rows:
        out.append(
            table(
                [
                    "db",
                    "read",
                    "found (checks or rows)",
                    "p50",
                    "p95",
                    "floor: city GROUP BY, raw",
                    "queries",
                    "target",
                    "result",
                ],
                rows,
                left=2,
            )
        )
    return out


# --------------------------------------------------------------------------- the worker


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def _load(now: Any) -> dict[str, Any]:
    """Replaces the hour rows with 21 days x 24 hours for every checkpoint, summing to
    CHECKS checks: raw inserts (PostgreSQL COPY, SQLite executemany), one transaction."""
    import datetime as dt
    import random
    import time

    from django.db import connection, transaction
    from django.utils import timezone

    from epigrid.checkpoints.models import CheckHour, Checkpoint

    started = time.perf_counter()
    rng = random.Random(5)
    points = list(Checkpoint.objects.order_by("id").values_list("id", "jpath"))
    today = timezone.localtime(now).date()
    first = today - dt.timedelta(days=DAYS - 1)
    hours = [
        timezone.make_aware(dt.datetime.combine(first + dt.timedelta(days=d), dt.time(h)))
        for d in range(DAYS)
        for h in range(24)
    ]
    # Busier by day than by night; the weights are scaled to CHECKS in total.
    profile = [0.2, 0.1, 0.1, 0.1, 0.2, 0.4, 0.8, 1.2, 1.6, 1.6, 1.5, 1.4]
    profile += [1.3, 1.4, 1.5, 1.6, 1.6, 1.5, 1.3, 1.1, 0.9, 0.7, 0.5, 0.3]
    weights = [profile[i % 24] * (0.5 + rng.random()) for i in range(len(hours))]
    per_point = CHECKS / len(points)
    scale = per_point / sum(weights)
    table = CheckHour._meta.db_table
    columns = [
        "jpath", "checkpoint_id", "hour", "checks", "persons", "vehicles",
        "nonlocal_vehicles", "fevers", "turned_back", "last_check_at",
    ]  # fmt: skip
    ops = connection.ops
    stamp = [ops.adapt_datetimefield_value(h) for h in hours]
    last = [ops.adapt_datetimefield_value(h + dt.timedelta(minutes=59)) for h in hours]
    rows: list[tuple] = []
    total = 0
    for n, (pk, jpath) in enumerate(points):
        shift = n % len(hours)
        for i in range(len(hours)):
            checks = int(weights[(i + shift) % len(hours)] * scale + rng.random())
            if checks == 0:
                continue
            total += checks
            vehicles = checks // 2
            rows.append(
                (jpath, pk, stamp[i], checks, checks + checks // 3, vehicles, vehicles // 6,
                 1 if rng.random() < 0.001 else 0, checks // 40, last[i])
            )  # fmt: skip
    with transaction.atomic():
        CheckHour.objects.all().delete()
        cols = ", ".join(f'"{c}"' for c in columns)
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                with cur.cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(columns))
                cur.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', rows)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "rows": len(rows),
        "checks": total,
        "checkpoints": len(points),
        "seconds": time.perf_counter() - started,
    }


def main() -> None:
    import argparse
    import json
    import statistics
    import time

    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=30)
    args = parser.parse_args()

    import django

    django.setup()

    import datetime as dt

    from django.conf import settings
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from epigrid.accounts.access import SYSTEM, actor_for
    from epigrid.accounts.models import User
    from epigrid.accounts.services import token_create
    from epigrid.checkpoints.models import CheckHour
    from epigrid.checkpoints.selectors import rollups

    if settings.DEBUG:
        sys.exit("checkpoints_rollup_bench: DEBUG is on; refusing to measure")
    now = timezone.now()
    load = _load(now)
    today = timezone.localtime(now).date()
    hq_user = User.objects.get(username="hq")
    hq = actor_for(hq_user)
    sub = "440785.001"
    token = token_create(actor=SYSTEM, user=hq_user)
    api = Client(headers={"Authorization": f"Bearer {token}"})
    page = Client()
    page.force_login(hq_user)

    def get(client: Client, path: str) -> int:
        close_old_connections()
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"checkpoints_rollup_bench: {path} answered {response.status_code}")
        return len(response.content)

    def city_hours() -> int:
        return sum(r.figures.checks for r in rollups.hourly(actor=hq, day=today))

    cases: dict[str, dict[str, Any]] = {
        "hourly selector (city)": {"run": city_hours, "limit": TARGET_MS},
        "hourly selector (subdistrict)": {
            "run": lambda: sum(
                r.figures.checks for r in rollups.hourly(actor=hq, day=today, within=sub)
            ),
            "limit": TARGET_MS,
        },
        "hourly API (city)": {
            "run": lambda: get(api, f"/api/v1/checkpoints/rollups/hourly?day={today}"),
            "limit": TARGET_MS,
        },
        "daily selector (city, 21 days)": {
            "run": lambda: sum(
                r.figures.checks
                for r in rollups.daily(
                    actor=hq, start=today - dt.timedelta(days=DAYS - 1), end=today
                )
            ),
            "limit": None,
        },
        "board selector (city)": {
            "run": lambda: len(rollups.board(actor=hq, now=now)),
            "limit": None,
        },
        "board page (city)": {"run": lambda: get(page, "/checkpoints/board/"), "limit": None},
    }
    for case in cases.values():
        case["run"]()  # warm-up
        with CaptureQueriesContext(connection) as ctx:
            case["found"] = case["run"]()
        case["queries"] = len(ctx.captured_queries)
        case["ms"] = []
    for _i in range(args.iterations):
        for case in cases.values():
            started = time.perf_counter()
            case["run"]()
            case["ms"].append(_ms(time.perf_counter() - started))

    # Floor: the city's day grouped by hour, on a raw cursor.
    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    end = start + dt.timedelta(days=1)
    table = CheckHour._meta.db_table
    # The city's subtree as the selectors filter it (geo.models.within_q).
    if connection.vendor == "sqlite":
        where, params = (
            '"jpath" >= ? AND "jpath" < ? AND "hour" >= ? AND "hour" < ?',
            [
                "440785.",
                "440785/",
            ],
        )
    else:
        where, params = '"jpath" LIKE %s AND "hour" >= %s AND "hour" < %s', ["440785.%"]
    params += [connection.ops.adapt_datetimefield_value(t) for t in (start, end)]
    sql = (
        f'SELECT "hour", SUM("checks"), SUM("persons"), SUM("vehicles"), '
        f'SUM("nonlocal_vehicles"), SUM("fevers"), SUM("turned_back") FROM "{table}" '
        f'WHERE {where} GROUP BY "hour"'
    )
    raw = connection.connection
    floor = []
    for _i in range(max(10, args.iterations)):
        cur = raw.cursor()
        started = time.perf_counter()
        cur.execute(sql, params)
        cur.fetchall()
        floor.append(time.perf_counter() - started)
        cur.close()

    reads = {}
    for name, case in cases.items():
        ordered = sorted(case["ms"])
        reads[name] = {
            "p50_ms": ordered[len(ordered) // 2],
            "p95_ms": ordered[max(0, int(len(ordered) * 0.95) - 1)],
            "queries": case["queries"],
            "found": case["found"] if "selector" in name else None,
            "limit_ms": case["limit"],
        }
    print(json.dumps({"load": load, "reads": reads, "floor_ms": _ms(statistics.median(floor))}))


if __name__ == "__main__":
    main()
