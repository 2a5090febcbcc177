"""Home quarantine at city scale, inside one Django process; bench/run.py starts it on the
scale-10 scenario (2,280 three-person teams) topped up to --cases open cases with two slots a
day over 14 days (bench/quarantine_load.py). Prints one JSON object on its last line.

Reads, timed round-robin with /healthz:
- worklist: a team's list of the day, as the team's grid worker would see it, through the
  selector and the page /quarantine/worklist/?team=<id> (force_login);
- overdue: headquarters' overdue list, first page, through the selector (overdue_list +
  overdue_page) and the page /quarantine/overdue/ as the city-wide `hq` user;
each with its query count, taken twice (two teams of different sizes; two subtrees) to show
it does not grow with the rows.
Floors: /healthz (same middleware, no SQL) for the pages; the selector's main SQL replayed on
a raw DB-API cursor for the selectors.

Writes: --writes follow-ups through quarantine.services.followups.followup_record, one
transaction each as a phone's request makes them, on distinct cases whose slot is open now.
Floors: the same follow-up rows inserted raw (a) in one transaction with executemany and
(b) one transaction per row, which is what a write per request costs at least.
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
    args = parser.parse_args()

    import django

    django.setup()

    from django.conf import settings
    from django.db import close_old_connections, connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from epigrid.accounts.access import Actor, Grant, actor_for
    from epigrid.accounts.models import RoleAssignment, User
    from epigrid.quarantine.models import FollowUp, FollowUpSlot, Method, Result
    from epigrid.quarantine.selectors import followups as sel
    from epigrid.quarantine.services.followups import followup_record
    from epigrid.workforce.models import StaffMember, Team

    if settings.DEBUG:
        sys.exit("quarantine_worker: DEBUG is on; refusing to measure")
    from quarantine_load import load_cases

    now = timezone.now()
    load = load_cases(args.cases, now=now)
    open_cases = FollowUpSlot.objects.values("case_id").distinct().count()

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

    # Writes: distinct cases with a slot open now (due, or overdue and still recordable).
    slots = list(
        FollowUpSlot.objects.filter(
            done_at__isnull=True, case_open=True, opens_at__lte=now, ends_at__gt=now
        )
        .select_related("case")
        .order_by("case_id")[: args.writes]
    )
    # As the team's own member records them from the worklist: their grid's grant, their
    # staff record, the slot of the "record" link.
    leaders = {
        t.pk: t.leader
        for t in Team.objects.filter(pk__in={s.team_id for s in slots}).select_related("leader")
    }
    members: dict[str, Actor] = {}
    for slot in slots:
        if slot.jpath not in members:
            members[slot.jpath] = Actor(
                user=worker_user,
                grants=(Grant(role="grid_worker", code=slot.jpath.rstrip("."), path=slot.jpath),),
            )
    started = time.perf_counter()
    for slot in slots:
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
    service_s = time.perf_counter() - started
    written = FollowUp.objects.filter(slot__in=[s.pk for s in slots]).count()

    columns = ["jpath", "case_id", "slot_id", "method", "taken_at", "temperature", "site",
               "symptoms", "result", "note", "created_at"]  # fmt: skip
    stamp = connection.ops.adapt_datetimefield_value(now)
    rows = [
        (s.jpath, s.case_id, None, "video", stamp, "36.5", "axillary", "[]", "well", "", stamp)
        for s in slots
    ]
    cols = ", ".join(columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO quarantine_followup ({cols}) VALUES ({marks})"
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(sql, rows)
    floor_one_tx = time.perf_counter() - started
    started = time.perf_counter()
    for row in rows:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, row)
    floor_per_row = time.perf_counter() - started

    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "load": load,
                "open_cases": open_cases,
                "teams": {
                    k: {"id": t.pk, "slots_today": v["n"]}
                    for (k, t), v in zip(teams.items(), (big, small), strict=True)
                },
                "reads": reads,
                "writes": {
                    "n": len(slots),
                    "written": written,
                    "service_per_s": round(len(slots) / service_s, 1) if slots else None,
                    "floor_one_tx_per_s": round(len(rows) / floor_one_tx, 1) if rows else None,
                    "floor_per_row_tx_per_s": round(len(rows) / floor_per_row, 1) if rows else None,
                },
            }
        )
    )


if __name__ == "__main__":
    main()
