"""epigrid benchmarks: `make bench` (or `.venv/bin/python bench/run.py [--only PARTS]`).

Measures, each figure next to a floor measured in the same run (see bench/README.md), on
SQLite and on PostgreSQL:
foundation
  1. the Encheng scenario build at scale 1 and 10 against a raw DB-API insert of the same rows;
  2. the dashboard and grid-list pages at scale 10 against /healthz and the pages' own SQL;
  3. that the pages' query counts are the same at scale 1 and scale 10;
import
  4. a 100,000-row tenant register (.xlsx) imported through the import services: rows per
     second against reading the file with python-calamine plus a raw insert of the rows the
     import wrote, and peak memory at 10,000 and 100,000 rows;
search
  5. person search (selector, API, page) at 1,000,000 persons, as a grid worker and as hq,
     against the search's own SQL on a raw cursor;
  6. sweep coverage of a grid and of a subdistrict at 1,000,000 persons;
  7. that those query counts are the same at scale 1 and at 1,000,000 persons.

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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import checkpoints_bench
import checkpoints_rollup_bench
import enterprises_bench
import quarantine_bench
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
    document_numbers,
    import_insert_floor,
    load_persons,
    median,
    p95,
    raw_insert_floor,
    run_json_worker,
    run_page_worker,
    small_grids,
    startup_floor,
    summary,
)

from epigrid.core.pragmas import IMPORT_CACHE_KIB, IMPORT_CHECKPOINT_PAGES

SCALES = (1, 10)
TARGET_SCALE = 10  # the scale the page targets apply to
BUILD_TARGET_S = {1: 60.0}  # scale -> seconds
PAGE_TARGET_MS = {"dashboard_subdistrict": 300.0, "dashboard_city": 300.0, "grid_list": 100.0}
PAGE_LABELS = {
    "dashboard_subdistrict": "dashboard subdistrict",
    "dashboard_city": "dashboard city",
    "grid_list": "grid list",
}
# The parts, in the order they run: see `Part` and PART_REGISTRY near the end of this file.

IMPORT_SCALE = 1  # the scenario the register is imported into
IMPORT_TARGET_ROWS_S = {"sqlite": 10_000.0}  # db -> rows per second, at the large size
IMPORT_TARGET_FLOOR_SHARE = 0.40  # of the floor's rows per second, every db
# Each import and its floors run this many times, each into a fresh copy; the median is judged.
# One run on a shared two-core machine varies by a quarter from one minute to the next.
IMPORT_RUNS = 3
# "Peak memory flat in the number of rows": the large file's growth may exceed the small
# one's by a quarter plus 16 MiB of allocator noise (linear growth would be ten times).
MEMORY_FLAT_RATIO = 1.25
MEMORY_FLAT_SLACK_KIB = 16 * 1024

SEARCH_SCALE = 10  # the scenario the persons are added to
SEARCH_TARGET_MS = 50.0  # p95, each layer (selector, API, page)
COVERAGE_TARGET_MS = 100.0


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
    target: Target,
    env: dict[str, str],
    args: argparse.Namespace,
    results: dict[str, Any],
    parts: list[str],
) -> None:
    """Migrates a template database of this engine, then runs each part asked for; a part
    that errors is recorded and the next one still runs."""
    log(f"[{target.vendor}] migrating a template database")
    target.setup_template(env)
    for part in parts:
        try:
            PART_REGISTRY[part].run(target, env, args, results)
        except Exception as exc:  # recorded and reported; the run goes on and exits 1
            results["errors"].append(
                {
                    "part": f"{target.vendor} {part}",
                    "message": str(exc),
                    "trace": traceback.format_exc(),
                }
            )
            print(traceback.format_exc(), file=sys.stderr)


def built(target: Target, env: dict[str, str], scale: int, results: dict[str, Any]) -> str:
    """The name of a snapshot of the scenario built at `scale` on this engine; built now (as
    setup, untimed) when the foundation part has not built it in this run."""
    name = f"s{scale}"
    if not target.has_snapshot(name):
        url = target.fresh(f"scale{scale}")
        log(f"[{target.vendor}] building the scenario at scale {scale} (setup)")
        build = build_scenario(env, url, scale)
        target.snapshot(url, name)
        results["setup"].append(
            {"db": target.vendor, "what": f"scenario build, scale {scale}", "s": build.wall_s}
        )
    return name


def bench_foundation(
    target: Target, env: dict[str, str], args: argparse.Namespace, results: dict[str, Any]
) -> None:
    """Builds each scale into a fresh database of this engine, then times the pages."""
    startup: list[float] = []
    workers: dict[int, dict[str, Any]] = {}
    for scale in SCALES:
        url = target.fresh(f"scale{scale}")
        log(f"[{target.vendor}] building the scenario at scale {scale}")
        build = build_scenario(env, url, scale)
        target.snapshot(url, f"s{scale}")  # the other parts start from this build
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
        results["meta"]["conn_max_age"] = worker["conn_max_age"]
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


def registers(
    target: Target, url: str, args: argparse.Namespace, results: dict[str, Any]
) -> dict[int, Path]:
    """The tenant registers (one per size), written once per run from the small grids of the
    scale-1 scenario at `url` (the same on every engine: the scenario is seeded)."""
    from datagen import write_tenant_register

    made: dict[int, Path] = results["_registers"]
    if not made:
        grids = [code for _id, _path, code in small_grids(target, url)]
        taken = document_numbers(target, url)
        folder = Path(results["meta"]["tmp_dir"]) / "registers"
        for rows in sorted({args.import_small_rows, args.import_rows}):
            log(f"writing a {rows:,}-row tenant register with openpyxl (write_only)")
            register = write_tenant_register(
                folder / f"tenants-{rows}.xlsx", rows, grids, taken=taken
            )
            made[rows] = register.path
            results["import_files"].append(
                {
                    "rows": rows,
                    "buildings": register.buildings,
                    "units": register.units,
                    "bytes": register.path.stat().st_size,
                    "grids": len(grids),
                    "write_s": register.seconds,
                }
            )
    return made


def _median_by(runs: list[Any], key: Callable[[Any], float]) -> Any:
    return sorted(runs, key=key)[len(runs) // 2]


def _reader_growth(done: dict[str, Any]) -> int:
    """The forked reader's peak minus the importing process's resident set before the work
    (the child starts as a copy of it); 0 when the import read in a thread."""
    if done["reader_maxrss_after_kib"] <= done["reader_maxrss_before_kib"]:
        return 0
    return done["reader_maxrss_after_kib"] - done["rss_before_kib"]


def bench_import(
    target: Target, env: dict[str, str], args: argparse.Namespace, results: dict[str, Any]
) -> None:
    """Imports each register into a fresh copy of the scale-1 build, one process per file,
    then measures the floor: python-calamine reading the file, and a raw insert of the
    register rows the import wrote into another fresh copy."""
    snapshot = built(target, env, IMPORT_SCALE, results)
    probe = target.fresh("import-probe", snapshot=snapshot)
    files = registers(target, probe, args, results)
    growth: dict[int, dict[str, int]] = {}
    for rows, path in sorted(files.items()):
        imports, reads, floors = [], [], []
        for run_number in range(1, IMPORT_RUNS + 1):
            url = target.fresh(f"import{rows}", snapshot=snapshot)
            # What the setup wrote (copies of the database, the floors' tables) goes to the
            # disk before the clock starts, not into the import's time.
            os.sync()
            log(
                f"[{target.vendor}] importing {rows:,} rows (import services, own process), "
                f"run {run_number} of {IMPORT_RUNS}"
            )
            imports.append(
                run_json_worker("import_worker.py", ["import", str(path)], env, url, own_rss=True)
            )
            log(f"[{target.vendor}] reading the same file with python-calamine (floor)")
            reads.append(
                run_json_worker("import_worker.py", ["read", str(path)], env, None, own_rss=True)
            )
            log(f"[{target.vendor}] raw-inserting the rows the import wrote (floor)")
            floors.append(import_insert_floor(target, url, snapshot))
        done = _median_by(imports, lambda d: d["seconds"])
        read = _median_by(reads, lambda d: d["seconds"])
        floor = _median_by(floors, lambda f: f.seconds)
        results["meta"]["conn_max_age"] = done["conn_max_age"]
        counted = done["summary"].get("rows", 0)
        rate = counted / done["seconds"] if done["seconds"] else None
        floor_s = read["seconds"] + floor.seconds
        floor_rate = counted / floor_s if floor_s else None
        share = rate / floor_rate if rate and floor_rate else None
        large = rows == max(files)
        verdict = None
        target_rate = IMPORT_TARGET_ROWS_S.get(target.vendor) if large else None
        # Every row of the generated file is importable: anything else is a failure at any
        # size (and would make the figures meaningless).
        complete = all(
            d["status"] == "done"
            and d["summary"].get("rows", 0) == rows
            and not d["summary"].get("errors")
            for d in imports
        )
        if large:
            ok = share is not None and share >= IMPORT_TARGET_FLOOR_SHARE
            if target_rate is not None:
                ok = ok and rate is not None and rate >= target_rate
            verdict = "PASS" if ok and complete else "FAIL"
        elif not complete:
            verdict = "FAIL"
        growth[rows] = {
            # The largest of the runs: memory is judged on the worst, time on the median.
            "import": max(d["maxrss_after_kib"] - d["maxrss_before_kib"] for d in imports),
            "reader": max(_reader_growth(d) for d in imports),
            "read": read["maxrss_after_kib"] - read["maxrss_before_kib"],
            "import_peak": done["maxrss_after_kib"],
        }
        results["imports"].append(
            {
                "db": target.vendor,
                "rows": rows,
                "file": path.name,
                "status": done["status"],
                "message": done["message"],
                "summary": done["summary"],
                "batch_size": done["batch_size"],
                "rows_written": done["rows_written"],
                "batch_ms": done["batch_ms"],
                "batch_ms_first10": median(done["batch_ms"][:10]),
                "batch_ms_last10": median(done["batch_ms"][-10:]),
                "import_s": done["seconds"],
                "import_s_runs": [d["seconds"] for d in imports],
                "floor_s_runs": [
                    r["seconds"] + f.seconds for r, f in zip(reads, floors, strict=True)
                ],
                "upload_s": done["upload_s"],
                "commit_s": done["commit_s"],
                "rows_per_s": rate,
                "floor_read_s": read["seconds"],
                "floor_insert_s": floor.seconds,
                "floor_insert_rows": floor.rows,
                "floor_total_s": floor_s,
                "floor_rows_per_s": floor_rate,
                "share_of_floor": share,
                "target_rows_per_s": target_rate,
                "target_share": IMPORT_TARGET_FLOOR_SHARE if large else None,
                "result": verdict,
                "feed_modes": done["feed_modes"],
                "maxrss_kib": {
                    "reader_growth": _reader_growth(done),
                    "import_before": done["maxrss_before_kib"],
                    "import_after": done["maxrss_after_kib"],
                    "import_vmhwm": done["vmhwm_after_kib"],
                    "import_rss_before": done["rss_before_kib"],
                    "read_before": read["maxrss_before_kib"],
                    "read_after": read["maxrss_after_kib"],
                    "read_vmhwm": read["vmhwm_after_kib"],
                },
            }
        )
    small, large = min(growth), max(growth)
    if small != large:
        allowed = MEMORY_FLAT_RATIO * growth[small]["import"] + MEMORY_FLAT_SLACK_KIB
        reader_allowed = MEMORY_FLAT_RATIO * growth[small]["reader"] + MEMORY_FLAT_SLACK_KIB
        flat = growth[large]["import"] <= allowed and growth[large]["reader"] <= reader_allowed
        results["import_memory"].append(
            {
                "db": target.vendor,
                "rows": [small, large],
                "reader_growth_kib": [growth[small]["reader"], growth[large]["reader"]],
                "reader_allowed_kib": reader_allowed,
                "import_growth_kib": [growth[small]["import"], growth[large]["import"]],
                "import_peak_kib": [growth[small]["import_peak"], growth[large]["import_peak"]],
                "floor_read_growth_kib": [growth[small]["read"], growth[large]["read"]],
                "allowed_kib": allowed,
                "result": "PASS" if flat else "FAIL",
            }
        )
    if not results["import_breakdown"]:
        # Once per run: no database work, the same on every engine.
        path = files[max(files)]
        log("timing the product's own reading of the large file (open + parse, no database)")
        parsed = run_json_worker("import_worker.py", ["parse", str(path)], env, url, own_rss=True)
        log("timing a streaming read of it (openpyxl read_only), for comparison")
        stream = run_json_worker("import_worker.py", ["stream", str(path)], env, None, own_rss=True)
        results["import_breakdown"] = {"rows": max(files), "parse": parsed, "stream": stream}


def bench_search(
    target: Target, env: dict[str, str], args: argparse.Namespace, results: dict[str, Any]
) -> None:
    """Query counts on the scale-1 build; then the scale-10 build topped up to a million
    persons, where search and coverage are timed."""
    small = built(target, env, 1, results)
    large = built(target, env, SEARCH_SCALE, results)
    url = target.fresh("search-scale1", snapshot=small)
    log(f"[{target.vendor}] search and coverage query counts at scale 1")
    counts = run_json_worker("search_worker.py", ["--counts-only"], env, url)
    url = target.fresh("search-million", snapshot=large)
    log(f"[{target.vendor}] adding persons up to {args.persons:,} (setup, raw inserts)")
    load = load_persons(target, url, args.persons)
    results["setup"].append(
        {
            "db": target.vendor,
            "what": f"persons {load.before:,} -> {load.before + load.added:,} ({load.method})",
            "s": load.seconds,
        }
    )
    log(f"[{target.vendor}] timing search and coverage at {args.persons:,} persons")
    worker = run_json_worker(
        "search_worker.py",
        ["--iterations", str(args.search_iterations), "--budget", str(args.search_budget)],
        env,
        url,
    )
    results["servers"][target.vendor] = worker["server"]
    results["search_meta"].append(
        {
            "db": target.vendor,
            "persons": worker["rows"]["persons"],
            "persons_in_grid": worker["rows"]["persons_in_grid"],
            "jurisdictions": worker["rows"]["jurisdictions"],
            "grid": worker["grid"],
            "subdistrict": worker["subdistrict"],
            "campaign": worker["campaign"],
            "searches": worker["searches"],
            "scale1_searches": counts["searches"],
            "grid_filter": {
                k: {"options": v["options"], "ms": summary(v["ms"])}
                for k, v in worker["grid_filter"].items()
            },
            "coverage_skipped": worker.get("coverage_skipped"),
            "conn_max_age": worker["conn_max_age"],
        }
    )
    if worker.get("coverage_skipped"):
        results["skipped"].append(
            {"part": f"{target.vendor} coverage", "reason": worker["coverage_skipped"]}
        )
    healthz = median(worker["healthz_ms"])
    for name, case in worker["cases"].items():
        limit = SEARCH_TARGET_MS if case["group"] == "search" else COVERAGE_TARGET_MS
        stable = len(set(case["queries"])) == 1
        worst = p95(case["times_ms"])
        results["search"].append(
            {
                "db": target.vendor,
                "case": name,
                "group": case["group"],
                "actor": case["actor"],
                "what": case["what"],
                "layer": case["layer"],
                "q": case.get("q"),
                "node": case.get("node"),
                "path": case["path"],
                "ms": summary(case["times_ms"]),
                "samples_ms": case["times_ms"],
                "queries": case["queries"][0],
                "queries_repeat_equal": stable,
                "found": case["found"],
                "response_bytes": case["bytes"],
                "statements": case["statements"],
                "floor_healthz_ms": healthz if case["layer"] != "selector" else None,
                "floor_main_sql_ms": median(case["main_sql_ms"]),
                "floor_all_sql_ms": median(case["all_sql_ms"]),
                "probe_alt_ms": median(case["alt_ms"]) if "alt_ms" in case else None,
                "probe_alt_same_rows": case.get("alt_same_rows"),
                "target_p95_ms": limit,
                "result": "PASS" if worst is not None and worst < limit and stable else "FAIL",
            }
        )
        scale1 = counts["cases"].get(name, {}).get("queries", [None])[0]
        results["search_counts"].append(
            {
                "db": target.vendor,
                "case": name,
                "scale1": scale1,
                "million": case["queries"][0],
                "result": "PASS" if scale1 == case["queries"][0] else "FAIL",
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


def mib(kib: float | None) -> str:
    return "-" if kib is None else f"{kib / 1024:,.0f} MiB"


def report(results: dict[str, Any]) -> str:
    meta = results["meta"]
    out = [
        "epigrid benchmarks",
        f"  {meta['started']}  commit {meta['commit']}  Python {meta['python']}  "
        f"{meta['cpus']} CPUs  {meta['platform']}",
        f"  load average (1/5/15 min) at start {meta['loadavg_start']}, at end "
        f"{meta['loadavg_end']}: other work on the machine inflates p95",
        f"  parts: {', '.join(meta['parts'])}; settings: epigrid.settings, DEBUG off, "
        f"CONN_MAX_AGE={meta.get('conn_max_age')}, DB cache; "
        + ", ".join(f"{k}: {v}" for k, v in results["servers"].items()),
        "",
    ]
    for name in meta["parts"]:
        out += PART_REGISTRY[name].report(results)
    if results["setup"]:
        out.append(
            "Setup (untimed by the targets): "
            + "; ".join(f"{s['db']} {s['what']} {s['s']:.0f} s" for s in results["setup"])
        )
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


def report_foundation(results: dict[str, Any]) -> list[str]:
    out = [
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
        "   connect = new DB connection + SELECT 1 (paid per request only if CONN_MAX_AGE=0);",
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
    return out


def report_import(results: dict[str, Any]) -> list[str]:
    files = [
        f"   {f['rows']:,} rows: {f['bytes'] / 1e6:.1f} MB, {f['units']:,} units in "
        f"{f['buildings']:,} buildings over {f['grids']} small grids "
        f"(written in {f['write_s']:.0f} s)"
        for f in results["import_files"]
    ]
    out = [
        "4. Tenant register import (.xlsx; title row, Chinese headers): import_upload +",
        "   import_commit (epigrid.spreadsheets.services, actor SYSTEM, city root) timed inside",
        "   a fresh process per file (no interpreter start-up, no command overhead), into a",
        f"   fresh copy of the scale-{IMPORT_SCALE} build; batches commit one by one as from the",
        "   web page. Floor = python-calamine reading every row of the file (own process) +",
        "   DB-API executemany of the register rows the import wrote (buildings, units, persons,",
        "   residencies) into another fresh copy, one transaction. Rows/s = file rows / time.",
        *files,
        "",
    ]
    rows = [
        [
            i["db"],
            f"{i['rows']:,}",
            fmt(i["import_s"], " s", 2),
            fmt(i["upload_s"], " s", 2),
            fmt(i["commit_s"], " s", 2),
            fmt(i["rows_per_s"], "", 0),
            fmt(i["floor_read_s"], " s", 2),
            fmt(i["floor_insert_s"], " s", 2),
            fmt(i["floor_rows_per_s"], "", 0),
            "-" if i["share_of_floor"] is None else f"{i['share_of_floor']:.0%}",
            f"{fmt(i['batch_ms_first10'], '', 0)} -> {fmt(i['batch_ms_last10'], '', 0)}",
            " and ".join(
                t
                for t in (
                    f">= {i['target_rows_per_s']:,.0f}/s" if i["target_rows_per_s"] else "",
                    f">= {i['target_share']:.0%} of floor" if i["target_share"] else "",
                )
                if t
            )
            or "-",
            i["result"] or "-",
        ]
        for i in results["imports"]
    ]
    out.append(
        table(
            [
                "DB",
                "Rows",
                "Import",
                "upload",
                "commit",
                "Rows/s",
                "Floor: calamine read",
                "Floor: raw insert",
                "Floor rows/s",
                "vs floor",
                "Batch ms",
                "Target",
                "Result",
            ],
            rows,
            left=1,
        )
    )
    sizes = sorted({i["batch_size"] for i in results["imports"]})
    out.append(
        f"   Each row: the median of {IMPORT_RUNS} runs, each into a fresh copy (import seconds "
        "of the runs: "
        + "; ".join(
            f"{i['db']} {i['rows']:,}: " + " / ".join(f"{t:.2f}" for t in i["import_s_runs"])
            for i in results["imports"]
        )
        + ")"
    )
    out.append(
        "   Batch ms: median time of one batch's transaction ("
        + " / ".join(f"{n:,}" for n in sizes)
        + " rows, the product's default), first ten -> last ten; the next batch is read"
    )
    modes = sorted({m for i in results["imports"] for m in i.get("feed_modes", [])})
    out.append(
        "   and checked meanwhile in a "
        + " / ".join({"process": "forked process", "thread": "thread"}.get(m, m) for m in modes)
        + " (epigrid/spreadsheets/feed.py). SQLite, import and floor alike: page cache "
        f"{IMPORT_CACHE_KIB:,} KiB, a checkpoint every {IMPORT_CHECKPOINT_PAGES:,} log pages "
        "and one at the end"
    )
    out += [
        "",
        "   Peak memory: ru_maxrss growth of the process over the measured work (what it had",
        "   loaded before, Python and Django, not counted); floor = the calamine read alone.",
        "   Reader: the forked reading process's peak (RUSAGE_CHILDREN) minus the importing",
        "   process's resident set before the work (the child starts as a copy of it).",
        f"   Flat: growth at the large size <= {MEMORY_FLAT_RATIO} x growth at the small + "
        f"{MEMORY_FLAT_SLACK_KIB // 1024} MiB, for the import and for its reader.",
        "",
    ]
    rows = [
        [
            m["db"],
            " -> ".join(f"{r:,}" for r in m["rows"]),
            " -> ".join(mib(g) for g in m["import_growth_kib"]),
            " -> ".join(mib(g) for g in m["import_peak_kib"]),
            " -> ".join(mib(g) for g in m["reader_growth_kib"]),
            " -> ".join(mib(g) for g in m["floor_read_growth_kib"]),
            f"<= {mib(m['allowed_kib'])} / {mib(m['reader_allowed_kib'])}",
            m["result"],
        ]
        for m in results["import_memory"]
    ]
    out.append(
        table(
            [
                "DB",
                "Rows",
                "Import growth",
                "Import peak",
                "Reader growth",
                "Floor: calamine growth",
                "Target",
                "Result",
            ],
            rows,
            left=2,
        )
    )
    extra = results["import_breakdown"]
    if extra:
        parse, stream = extra["parse"], extra["stream"]
        out += [
            "",
            f"   Breakdown, {extra['rows']:,} rows, no database: the product's own reading",
            f"   (open_sheet, header, every row parsed) takes {parse['seconds']:.2f} s "
            f"({parse['open_s']:.2f} s of it opening) and grows by "
            f"{mib(parse['maxrss_after_kib'] - parse['maxrss_before_kib'])};",
            f"   a streaming reader (openpyxl read_only) takes {stream['seconds']:.2f} s and "
            f"grows by {mib(stream['maxrss_after_kib'] - stream['maxrss_before_kib'])}.",
        ]
    out.append("")
    return out


def report_search(results: dict[str, Any]) -> list[str]:
    persons = f"{results['meta']['persons']:,}"
    out = [
        f"5. Person search at {persons} persons (the scale-10 build topped up with raw inserts),",
        "   as the grid worker worker_a (own grid) and as hq (the city); first page of 50.",
        "   selector = keyset_page(selectors.person_list(actor, q)); api = GET /api/v1/persons?q=",
        "   (bearer token); page = GET /register/persons/?q= (force_login). Times in ms.",
        "   Floors: healthz (no SQL); search SQL = the person query of that call on a raw cursor;",
        "   all SQL = every statement of the call. Probe = the selector's query rewritten as",
        "   id IN (name range UNION ALL ID range UNION ALL phone range), same rows checked;",
        "   a product change, not a floor. Target: p95 < "
        f"{SEARCH_TARGET_MS:.0f} ms for every layer.",
    ]
    for meta in results["search_meta"]:
        s = meta["searches"]
        out.append(
            f"   {meta['db']}: {meta['persons']:,} persons, {meta['persons_in_grid']} in grid "
            f"{meta['grid']}; q = name {s['name']!r}, phone {s['phone']!r}, ID {s['id']!r}"
        )
    out.append("")
    out.append(_search_table([r for r in results["search"] if r["group"] == "search"]))
    for meta in results["search_meta"]:
        gf = meta["grid_filter"]
        out.append(
            f"   {meta['db']}: the persons page's grid filter lists {gf['hq']['options']:,} "
            f"nodes for hq ({fmt(gf['hq']['ms']['median'])} ms to build, before rendering), "
            f"{gf['worker']['options']} for the worker ({fmt(gf['worker']['ms']['median'])} ms)."
        )
    out += [
        "",
        f"6. Sweep coverage at {persons} persons: the campaign over the worker's subdistrict,",
        "   the grid as worker_a and the subdistrict as hq. selector = coverage_drilldown + the",
        "   first 20 gap units (what the page computes); api = GET /api/v1/sweeps/campaigns/<id>/",
        "   coverage?within=; page = GET /sweeps/<id>/?j=. Floor: main SQL = the campaign-unit",
        "   statements on a raw cursor, all SQL = every statement. Target: p95 < "
        f"{COVERAGE_TARGET_MS:.0f} ms for every layer.",
        "",
    ]
    coverage = [r for r in results["search"] if r["group"] == "coverage"]
    out.append(_search_table(coverage) if coverage else "   (no coverage measured)")
    out += [
        "",
        f"7. Queries per call must not grow with the data (scale 1 vs {persons} persons).",
        "",
    ]
    rows = [
        [q["db"], q["case"], str(q["scale1"]), str(q["million"]), q["result"]]
        for q in results["search_counts"]
    ]
    out.append(table(["DB", "Call", "Scale 1", f"{persons} persons", "Result"], rows, left=2))
    out.append("")
    return out


def _search_table(entries: list[dict[str, Any]]) -> str:
    rows = [
        [
            r["db"],
            r["actor"],
            r["what"],
            r["layer"],
            fmt(r["ms"]["median"]),
            fmt(r["ms"]["p95"]),
            str(r["ms"]["n"]),
            str(r["queries"]),
            f"{r['found']:,}" if r["layer"] != "page" else f"{r['response_bytes'] / 1000:.0f} kB",
            fmt(r["floor_healthz_ms"], "", 2),
            fmt(r["floor_main_sql_ms"], "", 2),
            fmt(r["floor_all_sql_ms"], "", 2),
            "-"
            if r["probe_alt_ms"] is None
            else fmt(r["probe_alt_ms"], "", 2)
            + ("" if r["probe_alt_same_rows"] else " (rows differ)"),
            f"< {r['target_p95_ms']:.0f}",
            r["result"],
        ]
        for r in entries
    ]
    return table(
        [
            "DB",
            "Actor",
            "What",
            "Layer",
            "Median",
            "p95",
            "n",
            "Queries",
            "Found",
            "Floor: healthz",
            "Floor: main SQL",
            "Floor: all SQL",
            "Probe: ranges",
            "Target",
            "Result",
        ],
        rows,
        left=4,
    )


def _verdicts(results: dict[str, Any]) -> list[str]:
    return [
        r["result"]
        for part in PART_REGISTRY.values()
        for key in part.verdicts
        for r in results.get(key, [])
        if r["result"] is not None
    ]


# --------------------------------------------------------------------------- parts


@dataclass(frozen=True)
class Part:
    """One part of the benchmarks, chosen with --only NAME.

    `run(target, env, args, results)` measures on one database (it is called once per engine,
    SQLite first) and appends entries to the lists named in `lists`; every entry has a
    "result" ("PASS", "FAIL" or None) if its list is named in `verdicts`. `report(results)`
    returns the lines of its section of the printed report. A new part lives in a module of
    its own in bench/ and is registered below the built-in ones, e.g.

        register_part(Part("quarantine",
            lambda t, env, args, res: quarantine_bench.bench(t, env, args, res, built=built),
            lambda res: quarantine_bench.report(res, table=table, fmt=fmt),
            lists=("quarantine_reads", "quarantine_writes"),
            verdicts=("quarantine_reads", "quarantine_writes")))

    (its command-line options, if any, go into main()'s parser).
    """

    name: str
    run: Callable[[Target, dict[str, str], argparse.Namespace, dict[str, Any]], None]
    report: Callable[[dict[str, Any]], list[str]]
    lists: tuple[str, ...] = ()
    verdicts: tuple[str, ...] = ()


PART_REGISTRY: dict[str, Part] = {}


def register_part(part: Part) -> None:
    PART_REGISTRY[part.name] = part


register_part(
    Part(
        "foundation",
        bench_foundation,
        report_foundation,
        lists=("builds", "pages", "query_counts"),
        verdicts=("builds", "pages", "query_counts"),
    )
)
register_part(
    Part(
        "import",
        bench_import,
        report_import,
        lists=("import_files", "imports", "import_memory"),
        verdicts=("imports", "import_memory"),
    )
)
register_part(
    Part(
        "search",
        bench_search,
        report_search,
        lists=("search_meta", "search", "search_counts"),
        verdicts=("search", "search_counts"),
    )
)
# New parts: register_part(...) here, after the parts above (they run in this order).
register_part(
    Part(
        "quarantine",
        lambda target, env, args, results: quarantine_bench.bench(
            target, env, args, results, built=built
        ),
        lambda results: quarantine_bench.report(results, table=table, fmt=fmt),
        lists=("quarantine_reads", "quarantine_writes"),
        verdicts=("quarantine_reads", "quarantine_writes"),
    )
)
register_part(
    Part(
        "checkpoints",
        checkpoints_bench.bench,
        lambda results: checkpoints_bench.report(results, table=table, fmt=fmt),
        lists=("checkpoints_ingest", "checkpoints_latency"),
        verdicts=("checkpoints_ingest", "checkpoints_latency"),
    )
)
register_part(
    Part(
        "checkpoint_rollups",
        lambda target, env, args, results: checkpoints_rollup_bench.bench(
            target, env, args, results, built=built
        ),
        lambda results: checkpoints_rollup_bench.report(results, table=table, fmt=fmt),
        lists=("checkpoint_rollups",),
        verdicts=("checkpoint_rollups",),
    )
)
register_part(
    Part(
        "enterprises",
        lambda target, env, args, results: enterprises_bench.bench(
            target, env, args, results, built=built
        ),
        lambda results: enterprises_bench.report(results, table=table, fmt=fmt),
        lists=("enterprises_reads",),
        verdicts=("enterprises_reads",),
    )
)
PARTS = tuple(PART_REGISTRY)


# --------------------------------------------------------------------------- main


def parse_parts(text: str) -> list[str]:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown or not parts:
        raise argparse.ArgumentTypeError(
            f"unknown part(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(PARTS)}"
        )
    return [p for p in PARTS if p in parts]  # always in the same order


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        type=parse_parts,
        default=list(PARTS),
        help=f"comma-separated parts to run (default: all): {','.join(PARTS)}",
    )
    parser.add_argument("--iterations", type=int, default=30, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    parser.add_argument(
        "--import-rows", type=int, default=100_000, help="rows of the large tenant register"
    )
    parser.add_argument(
        "--import-small-rows",
        type=int,
        default=30_000,
        help="rows of the small one (peak memory must not grow from it to the large); three "
        "batches, so that both sizes are past the first batch and the page cache's filling",
    )
    parser.add_argument(
        "--persons", type=int, default=1_000_000, help="persons in the search database"
    )
    parser.add_argument(
        "--search-iterations", type=int, default=20, help="at most this many timed calls each"
    )
    parser.add_argument(
        "--search-budget",
        type=float,
        default=2.0,
        help="stop timing a search or coverage call after this many seconds (5 calls at least)",
    )
    parser.add_argument(
        "--quarantine-cases", type=int, default=100_000, help="open cases in the quarantine part"
    )
    parser.add_argument(
        "--quarantine-writes", type=int, default=5000, help="follow-ups written through the service"
    )
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
            "parts": args.only,
            "iterations": args.iterations,
            "warmup": args.warmup,
            "import_rows": [args.import_small_rows, args.import_rows],
            "persons": args.persons,
            "tmp_dir": str(tmp),
            "json": str((BENCH_DIR / "results" / "latest.json").relative_to(REPO_DIR)),
        },
        "servers": {},
        "setup": [],
        "import_breakdown": {},
        "skipped": [],
        "errors": [],
        "_registers": {},
    }
    for part in PART_REGISTRY.values():
        for key in part.lists:
            results.setdefault(key, [])
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
                bench_target(target, env, args, results, args.only)
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

    results.pop("_registers")
    results["meta"]["conn_max_age"] = next(
        (m["conn_max_age"] for m in results["search_meta"]), results["meta"].get("conn_max_age")
    )
    results["meta"]["total_s"] = time.perf_counter() - started
    results["meta"]["loadavg_end"] = _loadavg()
    failed = "FAIL" in _verdicts(results) or bool(results["errors"])
    results["ok"] = not failed
    path = BENCH_DIR / "results" / "latest.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(results, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8"
    )
    print(report(results))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
