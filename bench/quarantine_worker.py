"""Home quarantine at city scale, inside one Django process; bench/run.py starts it on the
scale-10 scenario (2,280 three-person teams) topped up to --cases open cases with two slots a
day over 14 days (bench/quarantine_load.py). Prints one JSON object on its last line.

Reads, timed round-robin with /healthz, with the clock stopped at --at (default 16:30 local
time today: the morning follow-up is overdue for every case and the afternoon one due within
two hours, so a team's worklist is all cards, its longest, and the overdue list is full):
- worklist: a team's list of the day, as the team's grid worker would see it, through the
  selector and the page /quarantine/worklist/ (force_login), and as headquarters opens it
  with ?team=<id>;
- overdue: headquarters' overdue list, first page, through the selector (overdue_list +
  overdue_page) and the page /quarantine/overdue/ as the city-wide `hq` user;
each with its query count, taken twice (two teams of different sizes; two subtrees) to show
it does not grow with the rows.
Floors: /healthz (same middleware, no SQL) for the pages; the selector's main SQL replayed on
a raw DB-API cursor for the selectors.

Writes: --writes follow-ups through quarantine.services.followups.followup_record, one
transaction each as a phone's request makes them, on distinct cases whose slot is open now
(real time). Floors: the same follow-up rows inserted raw (a) in one transaction with
executemany and (b) one transaction per row, which is what a write per request costs at
least. With --writers N > 1 (PostgreSQL: a server runs several workers, and one connection
waits for each commit's flush to disk), another --writes follow-ups are written by N
processes at once, each with --writer-threads threads (as `epigrid serve`'s gunicorn
workers handle requests), each thread on its own cases, beside floor (b) run by the same
processes and threads.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--iterations", type=int, default=30)
    parser.add_argument("--writers", type=int, default=1, help="concurrent writer processes")
    parser.add_argument("--writer-threads", type=int, default=1, help="threads in each")
    parser.add_argument("--at", default="16:30", help="local time of day the reads see")
    args = parser.parse_args()

    import django

    django.setup()

    import datetime as dt
    from unittest import mock

    from django.conf import settings
    from django.db import close_old_connections, connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from epigrid.accounts.access import Actor, Grant, actor_for
    from epigrid.accounts.models import RoleAssignment, User
    from epigrid.quarantine import rules
    from epigrid.quarantine.models import FollowUp, FollowUpSlot, Method, Result
    from epigrid.quarantine.selectors import followups as sel
    from epigrid.quarantine.services.followups import followup_record
    from epigrid.workforce.models import StaffMember, Team

    if settings.DEBUG:
        sys.exit("quarantine_worker: DEBUG is on; refusing to measure")
    from quarantine_load import load_cases

    real_now = timezone.now()
    load = load_cases(args.cases, now=real_now)
    open_cases = FollowUpSlot.objects.values("case_id").distinct().count()
    hour, minute = (int(x) for x in args.at.split(":"))
    local_day = real_now.astimezone(rules.zone()).date()
    now = rules.local_midnight(local_day) + dt.timedelta(hours=hour, minutes=minute)
    # Every read below sees this moment (the services and pages read timezone.now()).
    clock = mock.patch("django.utils.timezone.now", return_value=now)
    clock.start()

    # Two teams: the one with the most slots today and one with fewer.
    today = sel._local_midnight(now), sel._local_midnight(now, 1)
    sizes = list(
        FollowUpSlot.objects.filter(
            done_at__isnull=True, case_open=True, deadline__gte=today[0], deadline__lt=today[1]
        )
        .values("team_id")
        .annotate(n=Count("id"))
        .order_by("-n", "team_id")
    )
    big, small = sizes[0], sizes[-1]
    teams = {k: Team.objects.get(pk=v["team_id"]) for k, v in (("big", big), ("small", small))}
    hq_user = User.objects.get(username="hq")
    hq = actor_for(hq_user)
    worker_user, _ = User.objects.get_or_create(username="bench_team_member")
    urgency = dict.fromkeys(("overdue", "due_soon", "due", "upcoming"), 0)
    for key in ("big", "small"):
        for level, n in sel.worklist_rows(actor=hq, team=teams[key], now=now).counts.items():
            urgency[level] += n

    def member_actor(team: Team) -> Actor:
        return Actor(
            user=worker_user,
            grants=(Grant(role="grid_worker", code=team.jurisdiction.code, path=team.jpath),),
        )

    clients: dict[str, Client] = {"hq": Client(), "member": Client()}
    clients["hq"].force_login(hq_user)
    # The big team's leader logs in as a grid worker of the team's grid: "a team's worklist"
    # is what the team member's phone opens, /quarantine/worklist/ with no team chosen.
    leader = teams["big"].leader
    member_user, _ = User.objects.get_or_create(username="bench_big_team_leader")
    RoleAssignment.objects.get_or_create(
        user=member_user,
        role="grid_worker",
        jurisdiction=teams["big"].jurisdiction,
        defaults={"jpath": teams["big"].jpath},
    )
    StaffMember.objects.filter(user=member_user).update(user=None)  # from an earlier run
    if leader is not None:
        StaffMember.objects.filter(pk=leader.pk).update(user=member_user)
    clients["member"].force_login(member_user)
    sub = teams["big"].jpath.split(".")[:2]
    subdistrict_code = ".".join(sub)

    def sel_worklist(key: str) -> int:
        return len(sel.worklist(actor=member_actor(teams[key]), team=teams[key], now=now).items)

    def sel_overdue(within: str | None) -> int:
        qs = sel.overdue_list(actor=hq, within=within, now=now)
        return len(sel.overdue_page(qs, cursor=None, limit=50).items)

    def page(path: str, who: str = "hq") -> int:
        close_old_connections()
        response = clients[who].get(path)
        if response.status_code != 200:
            raise SystemExit(f"quarantine_worker: {path} answered {response.status_code}")
        return len(response.content)

    cases: dict[str, dict[str, Any]] = {
        "worklist selector (big team)": {"run": lambda: sel_worklist("big"), "limit": 100},
        "worklist selector (small team)": {"run": lambda: sel_worklist("small"), "limit": 100},
        "worklist page (team member)": {
            "run": lambda: page("/quarantine/worklist/", "member"),
            "limit": 100,
        },
        "worklist page (hq picks the team)": {
            "run": lambda: page(f"/quarantine/worklist/?team={teams['big'].pk}"),
            "limit": None,
        },
        "overdue selector (city)": {"run": lambda: sel_overdue(None), "limit": 200},
        "overdue selector (subdistrict)": {
            "run": lambda: sel_overdue(subdistrict_code),
            "limit": 200,
        },
        "overdue page (city)": {"run": lambda: page("/quarantine/overdue/"), "limit": 200},
        "healthz": {"run": lambda: page("/healthz"), "limit": None},
    }
    for case in cases.values():
        case["run"]()  # warm-up
        with CaptureQueriesContext(connection) as ctx:
            case["found"] = case["run"]()
        case["queries"] = len(ctx.captured_queries)
        case["sql"] = [q["sql"] for q in ctx.captured_queries]
        case["ms"] = []
    for _i in range(args.iterations):
        for case in cases.values():
            started = time.perf_counter()
            case["run"]()
            case["ms"].append(_ms(time.perf_counter() - started))

    def raw_floor(sql_list: list[str]) -> float:
        """The heaviest statement of a selector, replayed on a raw cursor (median ms)."""
        times = []
        raw = connection.connection
        statement = max(sql_list, key=len)
        for _i in range(10):
            cur = raw.cursor()
            started = time.perf_counter()
            cur.execute(statement)
            cur.fetchall()
            times.append(time.perf_counter() - started)
            cur.close()
        return _ms(statistics.median(times))

    reads = {}
    for name, case in cases.items():
        ordered = sorted(case["ms"])
        reads[name] = {
            "p50_ms": ordered[len(ordered) // 2],
            "p95_ms": ordered[int(len(ordered) * 0.95) - 1],
            "queries": case["queries"],
            "found": case["found"],
            "limit_ms": case["limit"],
            "floor_sql_ms": raw_floor(case["sql"])
            if name.startswith(("worklist selector", "overdue selector")) and case["sql"]
            else None,
        }

    clock.stop()

    # Writes (real time): distinct cases with a slot open now (due, or overdue and still
    # recordable); a second batch for the concurrent writers when there are several.
    now = timezone.now()
    batches = 2 if args.writers > 1 else 1
    candidates = list(
        FollowUpSlot.objects.filter(
            done_at__isnull=True, case_open=True, opens_at__lte=now, ends_at__gt=now
        )
        .select_related("case")
        .order_by("case_id", "deadline")[: args.writes * batches * 2]  # two a case at most
    )
    seen_cases: set[int] = set()
    slots = []
    for slot in candidates:
        if slot.case_id not in seen_cases:
            seen_cases.add(slot.case_id)
            slots.append(slot)
        if len(slots) == args.writes * batches:
            break
    del candidates
    slots, concurrent_slots = slots[: args.writes], slots[args.writes :]
    # As the team's own member records them from the worklist: their grid's grant, their
    # staff record, the slot of the "record" link.
    leaders = {
        t.pk: t.leader
        for t in Team.objects.filter(
            pk__in={s.team_id for s in slots + concurrent_slots}
        ).select_related("leader")
    }
    members: dict[str, Actor] = {}
    for slot in slots + concurrent_slots:
        if slot.jpath not in members:
            members[slot.jpath] = Actor(
                user=worker_user,
                grants=(Grant(role="grid_worker", code=slot.jpath.rstrip("."), path=slot.jpath),),
            )

    def record(batch: list[Any]) -> None:
        for slot in batch:
            followup_record(
                actor=members[slot.jpath],
                case=slot.case,
                slot=slot,
                staff=leaders.get(slot.team_id),
                method=Method.VIDEO,
                result=Result.WELL,
                temperature="36.5",
                site="axillary",
            )

    started = time.perf_counter()
    record(slots)
    service_s = time.perf_counter() - started
    written = FollowUp.objects.filter(slot__in=[s.pk for s in slots]).count()

    columns = ["jpath", "case_id", "slot_id", "method", "taken_at", "temperature", "site",
               "symptoms", "result", "note", "created_at"]  # fmt: skip
    stamp = connection.ops.adapt_datetimefield_value(now)

    def raw_rows(batch: list[Any]) -> list[tuple]:
        return [
            (s.jpath, s.case_id, None, "video", stamp, "36.5", "axillary", "[]", "well", "", stamp)
            for s in batch
        ]

    rows = raw_rows(slots)
    cols = ", ".join(columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO quarantine_followup ({cols}) VALUES ({marks})"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(sql, rows)
    floor_one_tx = time.perf_counter() - started

    def insert_each(batch: list[tuple]) -> None:
        for row in batch:
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(sql, row)

    started = time.perf_counter()
    insert_each(rows)
    floor_per_row = time.perf_counter() - started

    concurrent = None
    if args.writers > 1 and concurrent_slots:
        # Each process takes its own cases (case id modulo N), and each of its threads a
        # share of them, as requests of different phones do; the wall time runs from the
        # first start to the last finish.
        parts = [[s for s in concurrent_slots if s.case_id % args.writers == i] for i in
                 range(args.writers)]  # fmt: skip
        threads = args.writer_threads
        service_wall = in_processes(record, parts, threads)
        concurrent_written = FollowUp.objects.filter(
            slot__in=[s.pk for s in concurrent_slots]
        ).count()
        floor_wall = in_processes(insert_each, [raw_rows(p) for p in parts], threads)
        n = len(concurrent_slots)
        concurrent = {
            "writers": args.writers,
            "threads": threads,
            "n": n,
            "written": concurrent_written,
            "service_per_s": round(n / service_wall, 1),
            "floor_per_row_tx_per_s": round(n / floor_wall, 1),
        }

    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "load": load,
                "open_cases": open_cases,
                "reads_at": args.at,
                "worklist_urgency": urgency,
                "teams": {
                    k: {"id": t.pk, "slots_today": v["n"]}
                    for (k, t), v in zip(teams.items(), (big, small), strict=True)
                },
                "reads": reads,
                "writes": {
                    "writers": 1,
                    "n": len(slots),
                    "written": written,
                    "service_per_s": round(len(slots) / service_s, 1) if slots else None,
                    "floor_one_tx_per_s": round(len(rows) / floor_one_tx, 1) if rows else None,
                    "floor_per_row_tx_per_s": round(len(rows) / floor_per_row, 1) if rows else None,
                },
                "concurrent_writes": concurrent,
            }
        )
    )


def in_processes(work: Any, parts: list[list[Any]], threads: int = 1) -> float:
    """Runs work(part) for every part in its own forked process, split among `threads`
    threads there, all let go at once; the wall time (s) from the first start to the last
    finish. Each process and thread opens its own database connection (the parent's are
    closed first, never shared across a fork)."""
    import multiprocessing as mp
    import threading

    from django.db import connections

    ctx = mp.get_context("fork")
    connections.close_all()
    gate = ctx.Barrier(len(parts) + 1)
    times = ctx.Queue()

    failed: list[BaseException] = []

    def run_share(share: list[Any]) -> None:
        try:
            work(share)
        except BaseException as exc:  # the process reports it by its exit code
            failed.append(exc)
            raise
        finally:
            connections.close_all()  # this thread's own

    def run(part: list[Any]) -> None:
        workers = [
            threading.Thread(target=run_share, args=(part[i::threads],)) for i in range(threads)
        ]
        gate.wait()
        started = time.perf_counter()  # CLOCK_MONOTONIC: comparable between processes
        for t in workers:
            t.start()
        for t in workers:
            t.join()
        times.put((started, time.perf_counter()))
        connections.close_all()
        if failed:
            raise SystemExit(1)

    procs = [ctx.Process(target=run, args=(part,)) for part in parts]
    for p in procs:
        p.start()
    gate.wait()
    spans = [times.get(timeout=3600) for _ in procs]
    for p in procs:
        p.join()
        if p.exitcode != 0:
            raise SystemExit(f"quarantine_worker: a writer process failed ({p.exitcode})")
    return max(end for _, end in spans) - min(start for start, _ in spans)


if __name__ == "__main__":
    main()
