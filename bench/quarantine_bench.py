"""Part "quarantine" of bench/run.py: home quarantine at city scale.

The scale-10 Encheng build (2,280 three-person teams, 10 subdistricts) is copied and topped up
to 100,000 open observation cases with two follow-up slots a day over 14 days (2.8 million
slots; bench/quarantine_load.py, raw inserts, reported as setup). bench/quarantine_worker.py
then times, on SQLite and on PostgreSQL:
- a team's worklist of the day (selector and page) — target p95 under 100 ms;
- headquarters' overdue list, first page (selector for the city and a subdistrict, and the
  page) — target p95 under 200 ms;
- query counts equal for a big and a small team, and for the city and a subdistrict;
- the follow-up write path (quarantine.services.followups.followup_record, one transaction
  per follow-up as a request makes it) — target at least 1,000 writes/s — beside raw inserts
  of the same rows in one transaction and one transaction per row.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from benchlib import run_json_worker

SCALE = 10
WRITES_TARGET = 1000.0


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
            str(getattr(args, "quarantine_writes", 2000)),
            "--iterations",
            str(args.iterations),
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
    w = out["writes"]
    rate = w["service_per_s"] or 0.0
    results["quarantine_writes"].append(
        {
            "db": target.vendor,
            "open_cases": out["open_cases"],
            "writes": w["n"],
            "written": w["written"],
            "per_s": rate,
            "floor_one_tx_per_s": w["floor_one_tx_per_s"],
            "floor_per_row_tx_per_s": w["floor_per_row_tx_per_s"],
            "target_per_s": WRITES_TARGET,
            "result": "PASS" if rate >= WRITES_TARGET and w["written"] == w["n"] else "FAIL",
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
            f"{r['writes']:,}",
            fmt(r["per_s"], "/s"),
            fmt(r["floor_per_row_tx_per_s"], "/s"),
            fmt(r["floor_one_tx_per_s"], "/s"),
            f">= {r['target_per_s']:,.0f}/s",
            r["result"],
        ]
        for r in results.get("quarantine_writes", [])
    ]
    if rows:
        out.append("")
        out.append(
            table(
                [
                    "db",
                    "follow-ups",
                    "service",
                    "floor: raw, 1 tx/row",
                    "floor: raw, 1 tx",
                    "target",
                    "result",
                ],
                rows,
            )
        )
    return out
