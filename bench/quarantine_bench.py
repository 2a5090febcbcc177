"""Part "quarantine" of bench/run.py: home quarantine at city scale.

The scale-10 Encheng build (2,280 three-person teams, 10 subdistricts) is copied and topped up
to 100,000 open observation cases with two follow-up slots a day over 14 days (2.8 million
slots; bench/quarantine_load.py, raw inserts, reported as setup). bench/quarantine_worker.py
then times, on SQLite and on PostgreSQL:
- a team's worklist of the day (selector and page) — target p95 under 100 ms — with the
  clock stopped at 16:30 local time (every morning follow-up overdue, every afternoon one
  due within two hours: a team's list at its longest, all cards);
- headquarters' overdue list, first page (selector for the city and a subdistrict, and the
  page) — target p95 under 200 ms;
- query counts equal for a big and a small team, and for the city and a subdistrict;
- the follow-up write path (quarantine.services.followups.followup_record, one transaction
  per follow-up as a request makes it) — target at least 1,000 writes/s — beside raw inserts
  of the same rows in one transaction and one transaction per row. On PostgreSQL a single
  connection waits for every commit's flush to disk (the per-row floor is a few hundred a
  second on an ordinary disk), so, as a server runs several workers, the target applies to
  WRITERS writing at once, arranged as `epigrid serve` handles requests (2 processes of 4
  threads), beside the per-row floor run by the same processes and threads; the
  single-writer figure is shown too. SQLite has one writer at a time: its target applies
  to the single writer. 5,000 follow-ups each (--quarantine-writes): several seconds of
  writing, so that a checkpoint or a busy moment of the machine weighs as it would.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from benchlib import run_json_worker

SCALE = 10
WRITES_TARGET = 1000.0
# Concurrent writers per engine, as (processes, threads in each); (1, 1): the single-writer
# figure holds the target. (2, 4): how `epigrid serve` handles requests on PostgreSQL, two
# gunicorn workers of four threads each, eight requests at once.
WRITERS = {"sqlite": (1, 1), "postgresql": (2, 4)}
READS_AT = "16:30"


def bench(
    target: Any,
    env: dict[str, str],
    args: Any,
    results: dict[str, Any],
    *,
    built: Callable[..., str],
) -> None:
    snapshot = built(target, env, SCALE, results)
    url = target.fresh("quarantine-city", snapshot=snapshot)
    cases = getattr(args, "quarantine_cases", 100_000)
    print(f"[{target.vendor}] quarantine: {cases:,} open cases, timing", file=sys.stderr)
    out = run_json_worker(
        "quarantine_worker.py",
        [
            "--cases",
            str(cases),
            "--writes",
            str(getattr(args, "quarantine_writes", 5000)),
            "--iterations",
            str(args.iterations),
            "--writers",
            str(WRITERS.get(target.vendor, (1, 1))[0]),
            "--writer-threads",
            str(WRITERS.get(target.vendor, (1, 1))[1]),
            "--at",
            READS_AT,
        ],
        env,
        url,
    )
    load = out["load"]
    results["setup"].append(
        {
            "db": target.vendor,
            "what": f"quarantine: +{load['cases_added']:,} cases, +{load['slots_added']:,} "
            f"slots over {load['teams']:,} teams (raw inserts)",
            "s": load["seconds"],
        }
    )
    reads = out["reads"]
    pairs = {
        "worklist selector (big team)": "worklist selector (small team)",
        "overdue selector (city)": "overdue selector (subdistrict)",
    }
    healthz = reads.get("healthz", {}).get("p50_ms")
    for name, r in reads.items():
        if name == "healthz":
            continue
        other = pairs.get(name) or next((k for k, v in pairs.items() if v == name), None)
        same = other is None or reads[other]["queries"] == r["queries"]
        fast = r["limit_ms"] is None or r["p95_ms"] < r["limit_ms"]  # no target: shown only
        results["quarantine_reads"].append(
            {
                "db": target.vendor,
                "case": name,
                "rows": r["found"] if "page" not in name else None,
                "p50_ms": r["p50_ms"],
                "p95_ms": r["p95_ms"],
                "queries": r["queries"],
                "queries_equal": same,
                "floor_ms": r["floor_sql_ms"] if r["floor_sql_ms"] is not None else healthz,
                "floor": "main SQL, raw cursor" if r["floor_sql_ms"] is not None else "/healthz",
                "target_p95_ms": r["limit_ms"],
                "result": "PASS" if fast and same else "FAIL",
            }
        )
    concurrent = out.get("concurrent_writes")
    for w in (out["writes"], concurrent):
        if not w:
            continue
        rate = w["service_per_s"] or 0.0
        arrangement = (w["writers"], w.get("threads", 1))
        judged = arrangement == WRITERS.get(target.vendor, (1, 1))
        results["quarantine_writes"].append(
            {
                "db": target.vendor,
                "open_cases": out["open_cases"],
                "writers": w["writers"],
                "threads": w.get("threads", 1),
                "writes": w["n"],
                "written": w["written"],
                "per_s": rate,
                "floor_one_tx_per_s": w.get("floor_one_tx_per_s"),
                "floor_per_row_tx_per_s": w["floor_per_row_tx_per_s"],
                "target_per_s": WRITES_TARGET if judged else None,
                # Shown, not judged: PostgreSQL's single writer waits on each flush.
                "result": ("PASS" if rate >= WRITES_TARGET and w["written"] == w["n"] else "FAIL")
                if judged
                else None,
            }
        )
    results.setdefault("quarantine_meta", []).append(
        {
            "db": target.vendor,
            "reads_at": out.get("reads_at"),
            "worklist_urgency": out.get("worklist_urgency"),
            "teams": out.get("teams"),
        }
    )


def report(
    results: dict[str, Any], *, table: Callable[..., str], fmt: Callable[..., str]
) -> list[str]:
    out = ["", "== quarantine: 100,000 open cases, 2 follow-ups a day over 14 days =="]
    rows = [
        [
            r["db"],
            r["case"],
            fmt(r["p50_ms"], " ms"),
            fmt(r["p95_ms"], " ms"),
            fmt(r["floor_ms"], " ms", 2) + f" ({r['floor']})",
            str(r["queries"]) + ("" if r["queries_equal"] else " (differs)"),
            "-" if r["target_p95_ms"] is None else f"< {r['target_p95_ms']} ms",
            r["result"],
        ]
        for r in results.get("quarantine_reads", [])
    ]
    if rows:
        out.append(
            table(
                ["db", "read", "p50", "p95", "floor", "queries", "target", "result"], rows, left=2
            )
        )
    rows = [
        [
            r["db"],
            f"{r.get('writers', 1)} x {r.get('threads', 1)}"
            if r.get("threads", 1) > 1
            else str(r.get("writers", 1)),
            f"{r['writes']:,}",
            fmt(r["per_s"], "/s"),
            fmt(r["floor_per_row_tx_per_s"], "/s"),
            fmt(r["floor_one_tx_per_s"], "/s"),
            "-" if r["target_per_s"] is None else f">= {r['target_per_s']:,.0f}/s",
            r["result"] or "-",
        ]
        for r in results.get("quarantine_writes", [])
    ]
    if rows:
        out.append("")
        out.append(
            table(
                [
                    "db",
                    "writers (processes x threads)",
                    "follow-ups",
                    "service",
                    "floor: raw, 1 tx/row (same writers)",
                    "floor: raw, 1 tx",
                    "target",
                    "result",
                ],
                rows,
                left=2,
            )
        )
    for m in results.get("quarantine_meta", []):
        mix = m.get("worklist_urgency") or {}
        teams = m.get("teams") or {}
        sizes = ", ".join(f"{k} {v['slots_today']}" for k, v in teams.items())
        levels = ", ".join(f"{k} {v}" for k, v in mix.items())
        out.append(
            f"  {m['db']}: reads at {m.get('reads_at')} local time; the two teams' worklists "
            f"({sizes} slots today): {levels}"
        )
    return out
