"""Part "enterprises" of bench/run.py: the work-resumption desk at 50,000 applications — the
reviewer's queue and a published batch list each under 100 ms (p95) with constant query
counts.

Setup (not timed): the scale-1 scenario (Encheng: 996 enterprises, 678 applications, 8
batches) plus enough enterprises of the subdistrict's grids, each with one application, to
make APPLICATIONS in all: a fifth pending (submitted or in review, due over the last and
next days so many are overdue), most of the rest approved into one more batch of BATCH_SIZE
entries and older batches, a few returned or rejected. Inserted in bulk (core.bulk
insert_rows for the enterprises, bulk_create for the applications), then ANALYZE.

Timed, p50/p95 of --iterations runs after a warm-up, as the scenario's `desk` (the
subdistrict's resumption desk) and, for the public page, anonymously:
- `selectors.queue.review_queue(actor=desk, limit=50)`: the first page of the queue, overdue
  first; and the same filtered by a grid;
- `selectors.batches.batch_entries(batch=big, limit=100)`: the first page of the big batch;
- the pages `enterprises:review_queue` and `enterprises:public_batch` (the big batch);
each next to its floor: the very SQL statements the read ran (captured), replayed on a raw
DB-API cursor with rows fetched. The query count of each read is taken at the scenario's
678 applications (before the load) and at 50,000: they must be equal.

Run as a script (by bench/run.py through run_json_worker) it is the worker: it loads the rows
into the database of EPIGRID_DATABASE_URL and prints one JSON object on its last line.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

SCALE = 1
APPLICATIONS = 50_000
BATCH_SIZE = 5_000
TARGET_MS = 100.0


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
    url = target.fresh("enterprises", snapshot=snapshot)
    print(f"[{target.vendor}] enterprises: {APPLICATIONS:,} applications, timing", file=sys.stderr)
    out = run_json_worker("enterprises_bench.py", ["--iterations", str(args.iterations)], env, url)
    load = out["load"]
    results["setup"].append(
        {
            "db": target.vendor,
            "what": f"enterprises: {load['added']:,} enterprises and applications added "
            f"({load['applications']:,} applications, biggest batch {load['batch']:,})",
            "s": load["seconds"],
        }
    )
    for name, r in out["reads"].items():
        same = r["queries_small"] == r["queries"]
        fast = r["limit_ms"] is None or r["p95_ms"] < r["limit_ms"]
        results["enterprises_reads"].append(
            {
                "db": target.vendor,
                "case": name,
                "found": r["found"],
                "p50_ms": r["p50_ms"],
                "p95_ms": r["p95_ms"],
                "floor_ms": r["floor_ms"],
                "queries": r["queries"],
                "queries_small": r["queries_small"],
                "target_p95_ms": r["limit_ms"],
                "result": "PASS" if fast and same else "FAIL",
            }
        )


def report(
    results: dict[str, Any], *, table: Callable[..., str], fmt: Callable[..., str]
) -> list[str]:
    out = [
        "",
        f"== enterprises: the desk's queue and a published batch at {APPLICATIONS:,} "
        "applications ==",
    ]
    rows = [
        [
            r["db"],
            r["case"],
            f"{r['found']:,}" if r["found"] is not None else "-",
            fmt(r["p50_ms"], " ms"),
            fmt(r["p95_ms"], " ms"),
            fmt(r["floor_ms"], " ms", 2),
            f"{r['queries_small']} / {r['queries']}",
            "-" if r["target_p95_ms"] is None else f"< {r['target_p95_ms']:.0f} ms",
            r["result"],
        ]
        for r in results.get("enterprises_reads", [])
    ]
    if rows:
        out.append(
            table(
                [
                    "db",
                    "read",
                    "rows",
                    "p50",
                    "p95",
                    "floor: its SQL, raw",
                    "queries at 678 / 50,000",
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


def _load() -> dict[str, Any]:
    """Adds enterprises with one application each up to APPLICATIONS applications."""
    import datetime as dt
    import random
    import time

    from django.db import connection, transaction
    from django.utils import timezone
    from stdnum.cn import uscc

    from epigrid.core.bulk import insert_rows
    from epigrid.enterprises.models import Application, Batch, Enterprise, Status
    from epigrid.geo.models import Jurisdiction

    started = time.perf_counter()
    rng = random.Random(6)
    sub = Jurisdiction.objects.get(code="440785.001")
    grids = list(
        Jurisdiction.objects.filter(path__startswith=sub.path, kind="small_grid").order_by("path")
    )
    added = APPLICATIONS - Application.objects.count()
    now = timezone.now()
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    with transaction.atomic():
        rows = []
        for i in range(added):
            grid = grids[i % len(grids)]
            n, chars = i, []
            for _k in range(7):
                n, d = divmod(n, len(alphabet))
                chars.append(alphabet[d])
            body = "91440785MB" + "".join(chars)
            rows.append(
                (
                    f"压测企业{i:05d}",
                    body + uscc.calc_check_digit(body),
                    "工业路",
                    grid.pk,
                    grid.path,
                    "manufacturing",
                    "small",
                    "法人",
                    "联系人",
                    "13800000000",
                    20,
                )
            )
        ids = insert_rows(
            Enterprise,
            [
                "name",
                "uscc",
                "address",
                "jurisdiction",
                "jpath",
                "industry",
                "size",
                "legal_rep",
                "contact_name",
                "contact_phone",
                "employees",
            ],
            rows,
        )
        number = Batch.objects.filter(jurisdiction=sub).count() + 1
        big = Batch.objects.create(
            number=number,
            jurisdiction=sub,
            jpath=sub.path,
            title=f"压测第{number}批",
            published_on=now.date(),
            published_at=now,
        )
        older = Batch.objects.create(
            number=number + 1,
            jurisdiction=sub,
            jpath=sub.path,
            title=f"压测第{number + 1}批",
            published_on=now.date(),
            published_at=now,
        )
        apps = []
        in_big = 0
        for pk, row in zip(ids, rows, strict=True):
            draw = rng.random()
            submitted = now - dt.timedelta(hours=rng.random() * 24 * 30)
            common = {
                "enterprise_id": pk,
                "jpath": row[4],
                "planned_on": now.date(),
                "submitted_at": submitted,
                "first_submitted_at": submitted,
            }
            if draw < 0.2:
                status = Status.SUBMITTED if draw < 0.1 else Status.IN_REVIEW
                due = now + dt.timedelta(hours=rng.random() * 96 - 48)
                apps.append(Application(status=status, due_at=due, **common))
            elif draw < 0.95:
                batch = big if in_big < BATCH_SIZE else older
                in_big += batch is big
                apps.append(
                    Application(
                        status=Status.APPROVED,
                        batch=batch,
                        decided_at=submitted + dt.timedelta(hours=5),
                        **common,
                    )
                )
            else:
                apps.append(
                    Application(
                        status=Status.RETURNED if draw < 0.98 else Status.REJECTED, **common
                    )
                )
        Application.objects.bulk_create(apps, batch_size=2000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return {
        "added": added,
        "applications": Application.objects.count(),
        "batch": Application.objects.filter(batch=big).count(),
        "big_batch": str(big.public_code),
        "big_batch_id": big.pk,
        "seconds": time.perf_counter() - started,
    }


def path_code(path: str | None) -> str:
    """The node code of a materialized path ("440785.001.20.1.03." -> "440785.001.20.1.03")."""
    return (path or "").rstrip(".")


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

    from django.conf import settings
    from django.db import close_old_connections, connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from epigrid.accounts.access import actor_for
    from epigrid.accounts.models import User
    from epigrid.enterprises.models import PENDING, Application, Batch
    from epigrid.enterprises.selectors import batches, queue

    if settings.DEBUG:
        sys.exit("enterprises_bench: DEBUG is on; refusing to measure")
    desk_user = User.objects.get(username="desk")
    desk = actor_for(desk_user)
    page = Client()
    page.force_login(desk_user)
    public = Client()
    # A grid with pending applications already in the scenario, so that its page is not
    # empty at either size (an empty page skips the per-page queries).
    pending = Application.objects.filter(jpath__startswith="440785.001.", status__in=PENDING)
    grid = path_code(pending.order_by("jpath").values_list("jpath", flat=True).first())

    def get(client: Client, path: str) -> int:
        close_old_connections()
        response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"enterprises_bench: {path} answered {response.status_code}")
        return len(response.content)

    def cases(batch: Batch) -> dict[str, dict[str, Any]]:
        return {
            "review_queue selector (first page)": {
                "run": lambda: len(queue.review_queue(actor=desk, limit=50).items),
                "limit": TARGET_MS,
            },
            "review_queue selector (a grid)": {
                "run": lambda: len(queue.review_queue(actor=desk, grid=grid, limit=50).items),
                "limit": TARGET_MS,
            },
            "batch_entries selector (first page)": {
                "run": lambda: len(batches.batch_entries(batch=batch, limit=100).items),
                "limit": TARGET_MS,
            },
            "review queue page": {
                "run": lambda: get(page, reverse("enterprises:review_queue")),
                "limit": TARGET_MS,
            },
            "public batch page": {
                "run": lambda: get(
                    public, reverse("enterprises:public_batch", args=[batch.public_code])
                ),
                "limit": TARGET_MS,
            },
        }

    def count(case: dict[str, Any]) -> tuple[int, Any, list[str]]:
        case["run"]()  # warm-up
        with CaptureQueriesContext(connection) as ctx:
            found = case["run"]()
        return len(ctx.captured_queries), found, [q["sql"] for q in ctx.captured_queries]

    # Query counts at the scenario's size, on its biggest batch (the first, 120 entries).
    small = {
        name: count(case)[0]
        for name, case in cases(Batch.objects.order_by("number").first()).items()
    }
    load = _load()
    big = Batch.objects.get(pk=load["big_batch_id"])
    timed = cases(big)
    for case in timed.values():
        case["queries"], case["found"], case["sql"] = count(case)
        case["ms"] = []
    for _i in range(args.iterations):
        for case in timed.values():
            started = time.perf_counter()
            case["run"]()
            case["ms"].append(_ms(time.perf_counter() - started))

    # Floors: the statements each read ran, replayed raw (the SQL as executed, with its
    # parameters inlined by Django's capture: fine for the engines' own planners here).
    raw = connection.connection
    reads = {}
    for name, case in timed.items():
        floor = []
        statements = [s for s in case["sql"] if s.lstrip().upper().startswith("SELECT")]
        for _i in range(max(10, args.iterations)):
            started = time.perf_counter()
            for sql in statements:
                cur = raw.cursor()
                cur.execute(sql)
                cur.fetchall()
                cur.close()
            floor.append(time.perf_counter() - started)
        ordered = sorted(case["ms"])
        reads[name] = {
            "p50_ms": ordered[len(ordered) // 2],
            "p95_ms": ordered[max(0, int(len(ordered) * 0.95) - 1)],
            "floor_ms": _ms(statistics.median(floor)),
            "queries": case["queries"],
            "queries_small": small[name],
            "found": case["found"] if "selector" in name else None,
            "limit_ms": case["limit"],
        }
    print(json.dumps({"load": load, "reads": reads}))


if __name__ == "__main__":
    main()
