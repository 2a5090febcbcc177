"""epigrid benchmarks: `make bench` (or `.venv/bin/python bench/run.py`).

Measures, each figure next to a floor measured in the same run (see bench/README.md):
1. the Encheng scenario build at scale 1 and 10 against a raw DB-API insert of the same rows;
2. the dashboard and grid-list pages at scale 10 against /healthz and the pages' own SQL,
   on SQLite and on PostgreSQL;
3. that the pages' query counts are the same at scale 1 and scale 10.

Prints a plain-text table, writes bench/results/latest.json, exits 1 if a target fails.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

from benchlib import (
    BENCH_DIR,
    DEFAULT_PG_URL,
    PG_DB,
    REPO_DIR,
    PostgresTarget,
    SqliteTarget,
    Target,
    base_env,
    build_scenario,
    median,
    p95,
    raw_insert_floor,
    run_page_worker,
    startup_floor,
    summary,
)

SCALES = (1, 10)
TARGET_SCALE = 10  # the scale the page targets apply to
BUILD_TARGET_S = {1: 60.0}  # scale -> seconds
PAGE_TARGET_MS = {"dashboard_subdistrict": 300.0, "dashboard_city": 300.0, "grid_list": 100.0}
PAGE_LABELS = {
    "dashboard_subdistrict": "dashboard subdistrict",
    "dashboard_city": "dashboard city",
    "grid_list": "grid list",
}


# --------------------------------------------------------------------------- formatting


def fmt(value: float | None, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "-"
    return f"{value:,.{digits}f}{unit}"


def table(headers: list[str], rows: list[list[str]], left: int = 1) -> str:
    """Plain-text table; the first `left` columns are text (left-aligned), the rest right."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.ljust(widths[i]) if i < left else c.rjust(widths[i]) for i, c in enumerate(cells)
        ).rstrip()

    return "\n".join([line(headers), "  ".join("-" * w for w in widths), *map(line, rows)])


def git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
            cwd=REPO_DIR,
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],  # noqa: S607
            cwd=REPO_DIR,
            capture_output=True,
            text=True,
            check=False,
            timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    commit = out.stdout.strip() or "unknown"
    return commit + ("+dirty" if dirty.stdout.strip() else "")


# --------------------------------------------------------------------------- measuring


def bench_target(
    target: Target, env: dict[str, str], args: argparse.Namespace, results: dict[str, Any]
) -> None:
    """Builds each scale into a fresh database of this engine, then times the pages."""
    log(f"[{target.vendor}] migrating a template database")
    target.setup_template(env)
    startup: list[float] = []
    workers: dict[int, dict[str, Any]] = {}
    for scale in SCALES:
        url = target.fresh(f"scale{scale}")
        log(f"[{target.vendor}] building the scenario at scale {scale}")
        build = build_scenario(env, url, scale)
        if not startup:
            log(f"[{target.vendor}] timing `epigrid check` (startup floor)")
            startup = startup_floor(env, url)
        log(f"[{target.vendor}] raw-inserting the same rows (build floor)")
        floor = raw_insert_floor(target, url, scale)
        startup_s = median(startup) or 0.0
        floor_total = startup_s + floor.seconds
        limit = BUILD_TARGET_S.get(scale)
        results["builds"].append(
            {
                "db": target.vendor,
                "scale": scale,
                "wall_s": build.wall_s,
                "builder_s": build.inner_s,
                "builder_counts": build.counts,
                "rows": floor.total_rows,
                "rows_by_table": floor.rows,
                "floor_startup_s": median(startup),
                "floor_startup_runs_s": startup,
                "floor_insert_s": floor.seconds,
                "floor_total_s": floor_total,
                "ratio_to_floor": build.wall_s / floor_total,
                "target_s": limit,
                "result": None if limit is None else ("PASS" if build.wall_s < limit else "FAIL"),
            }
        )
        log(f"[{target.vendor}] timing pages at scale {scale}")
        worker = run_page_worker(env, url, iterations=args.iterations, warmup=args.warmup)
        workers[scale] = worker
        results["servers"][target.vendor] = worker["server"]
        for page, samples in worker["times_ms"].items():
            if page == "healthz":
                continue
            limit_ms = PAGE_TARGET_MS[page] if scale == TARGET_SCALE else None
            counts = worker["queries"][page]
            stable = len(set(counts)) == 1
            worst = p95(samples)
            verdict = None
            if limit_ms is not None:
                verdict = "PASS" if worst is not None and worst < limit_ms and stable else "FAIL"
            results["pages"].append(
                {
                    "db": target.vendor,
                    "scale": scale,
                    "page": page,
                    "path": worker["pages"][page],
                    "rows": worker["rows"],
                    "response_bytes": worker["response_bytes"][page],
                    "ms": summary(samples),
                    "samples_ms": samples,
                    "queries": counts[0],
                    "queries_repeat_equal": stable,
                    "statements": worker["statements"][page],
                    "floor_healthz_ms": median(worker["times_ms"]["healthz"]),
                    "floor_connect_ms": median(worker["connect_ms"]),
                    "floor_sql_all_ms": median(worker["sql_all_ms"][page]),
                    "floor_sql_counts_ms": median(worker["sql_counts_ms"].get(page, [])),
                    "target_p95_ms": limit_ms,
                    "result": verdict,
                }
            )
    for page in PAGE_TARGET_MS:
        counts = {s: workers[s]["queries"][page][0] for s in SCALES}
        results["query_counts"].append(
            {
                "db": target.vendor,
                "page": page,
                "by_scale": counts,
                "result": "PASS" if len(set(counts.values())) == 1 else "FAIL",
            }
        )


def _loadavg() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def log(message: str) -> None:
    print(f"  .. {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- report


def report(results: dict[str, Any]) -> str:
    meta = results["meta"]
    out = [
        "epigrid benchmarks",
        f"  {meta['started']}  commit {meta['commit']}  Python {meta['python']}  "
        f"{meta['cpus']} CPUs  {meta['platform']}",
        f"  load average (1/5/15 min) at start {meta['loadavg_start']}, at end "
        f"{meta['loadavg_end']}: other work on the machine inflates p95",
        "  settings: epigrid.settings, DEBUG off, CONN_MAX_AGE=0, DB cache; "
        + ", ".join(f"{k}: {v}" for k, v in results["servers"].items()),
        "",
        "1. Scenario build: `epigrid scenario encheng --scale K --reset` into a fresh migrated",
        "   database, wall time of the subprocess. Floor = `epigrid check` (interpreter, setup,",
        "   system checks) + DB-API executemany of the very rows the build wrote, one transaction.",
        "",
    ]
    rows = [
        [
            b["db"],
            str(b["scale"]),
            f"{b['rows']:,}",
            fmt(b["wall_s"], " s", 2),
            fmt(b["builder_s"], " s"),
            fmt(b["floor_startup_s"], " s", 2),
            fmt(b["floor_insert_s"], " s", 2),
            fmt(b["floor_total_s"], " s", 2),
            f"x{b['ratio_to_floor']:.1f}",
            f"< {b['target_s']:.0f} s" if b["target_s"] else "-",
            b["result"] or "-",
        ]
        for b in results["builds"]
    ]
    out.append(
        table(
            [
                "DB",
                "Scale",
                "Rows",
                "Build",
                "Builder's own",
                "Floor: startup",
                "Floor: raw insert",
                "Floor total",
                "vs floor",
                "Target",
                "Result",
            ],
            rows,
        )
    )
    out += [
        "",
        f"2. Pages as user hq (django.test.Client, force_login), {results['meta']['warmup']} "
        f"warm-up + {results['meta']['iterations']} timed requests each, round-robin.",
        "   Times in ms. Floors: healthz = GET /healthz through the same middleware (no SQL);",
        "   connect = new DB connection + SELECT 1 (paid per request, CONN_MAX_AGE=0);",
        "   page SQL = all the page's captured statements replayed on a raw cursor;",
        "   counts SQL = the dashboard's grouped COUNT statements alone. Target is on p95.",
        "",
    ]
    rows = [
        [
            p["db"],
            str(p["scale"]),
            PAGE_LABELS[p["page"]],
            fmt(p["ms"]["median"]),
            fmt(p["ms"]["p95"]),
            str(p["queries"]),
            fmt(p["floor_healthz_ms"], "", 2),
            fmt(p["floor_connect_ms"], "", 2),
            fmt(p["floor_sql_all_ms"], "", 2),
            fmt(p["floor_sql_counts_ms"], "", 2),
            f"< {p['target_p95_ms']:.0f}" if p["target_p95_ms"] else "-",
            p["result"] or "-",
        ]
        for p in results["pages"]
    ]
    out.append(
        table(
            [
                "DB",
                "Scale",
                "Page",
                "Median",
                "p95",
                "Queries",
                "Floor: healthz",
                "Floor: connect",
                "Floor: page SQL",
                "Floor: counts SQL",
                "Target",
                "Result",
            ],
            rows,
            left=3,
        )
    )
    out += ["", "3. Queries per request must not grow with the data (scale 1 vs scale 10).", ""]
    rows = [
        [q["db"], PAGE_LABELS[q["page"]], *(str(q["by_scale"][s]) for s in SCALES), q["result"]]
        for q in results["query_counts"]
    ]
    out.append(table(["DB", "Page", *(f"Scale {s}" for s in SCALES), "Result"], rows, left=2))
    out.append("")
    for skip in results["skipped"]:
        out.append(f"SKIPPED {skip['part']}: {skip['reason']}")
    for error in results["errors"]:
        out.append(f"ERROR {error['part']}: {' '.join(error['message'].split())[:500]}")
    failed = [r for r in _verdicts(results) if r == "FAIL"]
    out.append(
        f"Overall: {'FAIL' if failed or results['errors'] else 'PASS'} "
        f"({len(_verdicts(results)) - len(failed)} passed, {len(failed)} failed, "
        f"{len(results['errors'])} errors) in {results['meta']['total_s']:.0f} s; "
        f"details in {results['meta']['json']}"
    )
    return "\n".join(out)


def _verdicts(results: dict[str, Any]) -> list[str]:
    return [
        r["result"]
        for key in ("builds", "pages", "query_counts")
        for r in results[key]
        if r["result"] is not None
    ]


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("EPIGRID_BENCH_PG_URL", DEFAULT_PG_URL),
        help=f"an admin URL of the PostgreSQL server; the bench (re)creates {PG_DB} there",
    )
    parser.add_argument("--no-pg", action="store_true", help="skip the PostgreSQL part")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (SQLite files)")
    args = parser.parse_args()

    started = time.perf_counter()
    tmp = Path(tempfile.mkdtemp(prefix="epigrid-bench-"))
    env = base_env(tmp / "data")
    results: dict[str, Any] = {
        "meta": {
            "started": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "commit": git_commit(),
            "python": platform.python_version(),
            "platform": platform.platform(terse=True),
            "cpus": os.cpu_count(),
            "sqlite_library": sqlite3.sqlite_version,
            "loadavg_start": _loadavg(),
            "iterations": args.iterations,
            "warmup": args.warmup,
            "tmp_dir": str(tmp),
            "json": str((BENCH_DIR / "results" / "latest.json").relative_to(REPO_DIR)),
        },
        "servers": {},
        "builds": [],
        "pages": [],
        "query_counts": [],
        "skipped": [],
        "errors": [],
    }
    targets: list[Target] = [SqliteTarget(tmp)]
    pg = PostgresTarget(args.pg_url)
    if args.no_pg:
        results["skipped"].append({"part": "PostgreSQL", "reason": "--no-pg was given"})
    else:
        try:
            pg.check()
            targets.append(pg)
        except Exception as exc:
            detail = " ".join(str(exc).split())  # one line
            reason = f"cannot reach {args.pg_url}: {type(exc).__name__}: {detail}"
            results["skipped"].append({"part": "PostgreSQL", "reason": reason})
    try:
        for target in targets:
            try:
                bench_target(target, env, args, results)
            except Exception as exc:  # recorded and reported; the run goes on and exits 1
                results["errors"].append(
                    {"part": target.vendor, "message": str(exc), "trace": traceback.format_exc()}
                )
                print(traceback.format_exc(), file=sys.stderr)
            finally:
                if isinstance(target, PostgresTarget):
                    try:
                        target.cleanup()
                    except Exception as exc:  # reported, not fatal
                        log(f"could not drop the PostgreSQL helper databases: {exc}")
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)

    results["meta"]["total_s"] = time.perf_counter() - started
    results["meta"]["loadavg_end"] = _loadavg()
    failed = "FAIL" in _verdicts(results) or bool(results["errors"])
    results["ok"] = not failed
    path = BENCH_DIR / "results" / "latest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(report(results))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
