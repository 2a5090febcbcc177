"""Part "checkpoints" of bench/run.py: checks sent to the batch-ingest API of a real server.

On each engine a fresh migrated database gets a small jurisdiction chain, a headquarters
user with an API token and 50 checkpoints (bench/checkpoints_worker.py, setup), then the
server runs as production runs it (`epigrid serve --no-worker`: gunicorn, 2 worker
processes of 4 threads, access log on) on 127.0.0.1, and this process is the clients
(threads with http.client, request bodies encoded beforehand):

1. Sustained batch ingest: BATCHES batches of 500 checks (a mix of persons on foot and
   vehicles with 1-3 occupants, ~1 % fever readings, local and non-local plates, spread
   over the last 20 hours and over the checkpoints) POSTed to
   /api/v1/checkpoints/{id}/checks by BATCH_CLIENTS clients at once; checks stored per
   second of wall time (every answer must be 200 with all 500 stored). Target (SQLite):
   at least 2,000 checks/s. Floor: the very rows the ingest wrote (checks and their
   persons, read back from the database) inserted raw with DB-API executemany in one
   transaction into a copy of the database as it was before the run.
2. Single-check latency with 50 concurrent clients, one per checkpoint, each sending one
   check per request: (a) paced, every client waiting 0-1 s (uniform) between its checks,
   a busy gate per client, about 100 requests/s in all; (b) flat out, no pause (the
   server's saturation: latency there is mostly queueing, shown without a target).
   p50/p95/p99 of the request's round trip. Target: p99 under 100 ms for (a). Floor: the
   same 50 clients with the same pacing requesting GET /healthz (same middleware, no SQL).
Afterwards the stored counts are compared with what was sent, and the hourly figures
(CheckHour) with the checks: both must match exactly.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import math
import os
import queue
import random
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchlib import REPO_DIR, epigrid_command, run_json_worker, with_db

BATCH = 500
BATCHES = 60
BATCH_CLIENTS = 2  # one per server process
LATENCY_CLIENTS = 50
LATENCY_REQUESTS = 40  # per client, in each latency run
PACE_S = 1.0  # paced run: each client waits uniform(0, PACE_S) between requests
INGEST_TARGET = {"sqlite": 2000.0}  # checks per second
LATENCY_TARGET_MS = 100.0
TZ = dt.timezone(dt.timedelta(hours=8))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`epigrid serve --no-worker` on a free loopback port, its output in a file."""

    def __init__(self, env: dict[str, str], url: str, logfile: Path) -> None:
        self.port = _free_port()
        self.logfile = logfile
        self.out = logfile.open("wb")
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argv
            [*epigrid_command(), "serve", "--no-worker", "--host", "127.0.0.1",
             "--port", str(self.port)],
            env=with_db(env, url), cwd=REPO_DIR, stdout=self.out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        started = time.monotonic()
        while time.monotonic() - started < 60:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.tail()}")
            try:
                status, _body, _ms = request(self.port, "GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not start: {self.tail()}")

    def tail(self) -> str:
        self.out.flush()
        return self.logfile.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.out.close()


_local = threading.local()


def request(
    port: int, method: str, path: str, body: bytes | None = None, token: str = ""
) -> tuple[int, bytes, float]:
    """(status, body, milliseconds) over this thread's keep-alive connection."""
    conn = getattr(_local, "conn", None)
    if conn is None or getattr(_local, "port", None) != port:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        _local.conn, _local.port = conn, port
    headers = {"Content-Type": "application/json"} if body is not None else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    started = time.perf_counter()
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
    except (OSError, http.client.HTTPException):
        conn.close()
        _local.conn = None
        raise
    ms = (time.perf_counter() - started) * 1000
    if response.getheader("Connection", "").lower() == "close":
        conn.close()
        _local.conn = None
    return response.status, data, ms


def _check(rng: random.Random, now: dt.datetime) -> dict[str, Any]:
    at = now - dt.timedelta(seconds=rng.randrange(60, 20 * 3600))
    people = [
        {
            "name": "张三",
            "doc_type": "resident_id",
            "doc_number": "",
            "phone": "",
            "temperature": 37.8 if rng.random() < 0.01 else rng.choice([36.2, 36.5, 36.8]),
        }
        for _ in range(1 if rng.random() < 0.5 else rng.randint(1, 3))
    ]
    vehicle = len(people) > 1 or rng.random() < 0.3
    plate = ""
    if vehicle:
        plate = rng.choice(["粤J", "粤J", "粤A", "湘A", "桂K"]) + f"{rng.randrange(100000):05d}"
    return {
        "uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "checked_at": at.astimezone(TZ).isoformat(timespec="seconds"),
        "mode": "vehicle" if vehicle else "foot",
        "plate": plate,
        "origin": "开平" if rng.random() < 0.5 else "",
        "destination": "恩城",
        "result": "turned_back" if rng.random() < 0.05 else "passed",
        "note": "",
        "people": people,
    }


def _percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def _run_clients(count: int, work: Callable[[int], None]) -> float:
    errors: list[str] = []

    def wrapped(n: int) -> None:
        try:
            work(n)
        except Exception as exc:  # reported after the run
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=wrapped, args=(n,), daemon=True) for n in range(count)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise RuntimeError(f"{len(errors)} client(s) failed: {errors[:3]}")
    return elapsed


def sustained_ingest(port: int, token: str, points: list[int], seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    bodies: queue.Queue[tuple[int, bytes]] = queue.Queue()
    for i in range(BATCHES):
        checks = [_check(rng, now) for _ in range(BATCH)]
        bodies.put((points[i % len(points)], json.dumps({"checks": checks}).encode()))
    sent = {"checks": BATCHES * BATCH}
    ms: list[float] = []
    lock = threading.Lock()

    def client(_n: int) -> None:
        while True:
            try:
                point, body = bodies.get_nowait()
            except queue.Empty:
                return
            status, data, took = request(
                port, "POST", f"/api/v1/checkpoints/{point}/checks", body, token
            )
            answer = json.loads(data) if status == 200 else {}
            if status != 200 or answer.get("stored") != BATCH:
                raise RuntimeError(f"batch answered {status}: {data[:300]!r}")
            with lock:
                ms.append(took)

    elapsed = _run_clients(BATCH_CLIENTS, client)
    return {
        "checks": sent["checks"],
        "seconds": elapsed,
        "per_s": sent["checks"] / elapsed,
        "batch_ms_p50": _percentile(ms, 50),
        "batch_ms_max": max(ms),
    }


def latency_run(
    port: int, token: str, points: list[int], *, paced: bool, healthz: bool, seed: int
) -> dict[str, Any]:
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    plans = [
        [json.dumps({"checks": [_check(rng, now)]}).encode() for _ in range(LATENCY_REQUESTS)]
        for _ in range(LATENCY_CLIENTS)
    ]
    ms: list[float] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        pace = random.Random(seed * 1000 + n)
        point = points[n % len(points)]
        mine: list[float] = []
        time.sleep(pace.uniform(0, PACE_S) if paced else 0)  # do not start in step
        for body in plans[n]:
            if healthz:
                status, data, took = request(port, "GET", "/healthz")
            else:
                status, data, took = request(
                    port, "POST", f"/api/v1/checkpoints/{point}/checks", body, token
                )
                if status == 200 and json.loads(data)["stored"] != 1:
                    raise RuntimeError(f"check not stored: {data[:300]!r}")
            if status != 200:
                raise RuntimeError(f"answered {status}: {data[:300]!r}")
            mine.append(took)
            if paced:
                time.sleep(pace.uniform(0, PACE_S))
        with lock:
            ms.extend(mine)

    elapsed = _run_clients(LATENCY_CLIENTS, client)
    return {
        "requests": len(ms),
        "seconds": elapsed,
        "per_s": len(ms) / elapsed,
        "p50_ms": _percentile(ms, 50),
        "p95_ms": _percentile(ms, 95),
        "p99_ms": _percentile(ms, 99),
        "max_ms": max(ms),
    }


def _rows(target: Any, url: str, sql: str) -> list[tuple]:
    conn = target.connect(url)
    try:
        return [tuple(r) for r in conn.execute(sql).fetchall()]
    finally:
        conn.close()


def insert_floor(
    target: Any, url: str, snapshot: str, first_check_id: int, last_check_id: int
) -> float:
    """Seconds to insert raw, in one transaction with executemany, the checks with ids in
    (first, last] and their persons, read back from `url`, into a copy of `snapshot` (the
    database before the run: same indexes, constraints and pragmas)."""
    src = target.connect(url)
    try:
        payload = []
        for table, where in (
            ("checkpoints_check", f"id > {first_check_id} AND id <= {last_check_id}"),
            (
                "checkpoints_checkperson",
                f"check_row_id > {first_check_id} AND check_row_id <= {last_check_id}",
            ),
        ):
            cur = src.execute(f'SELECT * FROM "{table}" WHERE {where} ORDER BY id')
            columns = [d[0] for d in cur.description]
            data = [target.adapt(tuple(r)) for r in cur.fetchall()]
            if "person_id" in columns:
                # The registry records fever_found linked are not part of the floor (they are
                # not in the copy either): the persons go in unlinked.
                i = columns.index("person_id")
                data = [(*r[:i], None, *r[i + 1 :]) for r in data]
            payload.append((table, columns, data))
    finally:
        src.close()
    floor_url = target.fresh("floor-checkpoints", snapshot=snapshot)
    dst = target.connect(floor_url)
    try:
        started = time.perf_counter()
        with target.transaction(dst):
            cur = dst.cursor()
            for table, columns, data in payload:
                cols = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join([target.placeholder] * len(columns))
                cur.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', data)
        return time.perf_counter() - started
    finally:
        dst.close()


def bench(target: Any, env: dict[str, str], args: Any, results: dict[str, Any]) -> None:
    vendor = target.vendor
    url = target.fresh("checkpoints")
    log(f"[{vendor}] checkpoints: setup (jurisdictions, token, {LATENCY_CLIENTS} checkpoints)")
    setup = run_json_worker(
        "checkpoints_worker.py", ["--checkpoints", str(LATENCY_CLIENTS)], env, url
    )
    token, points = setup["token"], setup["checkpoints"]
    target.snapshot(url, "checkpoints-setup")
    tmp = Path(results["meta"]["tmp_dir"])
    server = Server(env, url, tmp / f"checkpoints-server-{vendor}.log")
    try:
        log(f"[{vendor}] checkpoints: warm-up")
        for n in range(8):  # both worker processes, their threads' connections
            rng = random.Random(100 + n)
            warm = [_check(rng, dt.datetime.now(dt.UTC)) for _ in range(50)]
            status, data, _ms = request(
                server.port,
                "POST",
                f"/api/v1/checkpoints/{points[n]}/checks",
                json.dumps({"checks": warm}).encode(),
                token,
            )
            if status != 200:
                raise RuntimeError(f"warm-up answered {status}: {data[:300]!r}")
        (before,) = _rows(target, url, "SELECT COALESCE(MAX(id), 0) FROM checkpoints_check")
        log(f"[{vendor}] checkpoints: {BATCHES} batches of {BATCH} by {BATCH_CLIENTS} clients")
        load = [os.getloadavg()[0]]
        ingest = sustained_ingest(server.port, token, points, seed=1)
        (after,) = _rows(target, url, "SELECT COALESCE(MAX(id), 0) FROM checkpoints_check")
        log(f"[{vendor}] checkpoints: latency, {LATENCY_CLIENTS} clients")
        paced_floor = latency_run(server.port, token, points, paced=True, healthz=True, seed=2)
        paced = latency_run(server.port, token, points, paced=True, healthz=False, seed=3)
        flat_floor = latency_run(server.port, token, points, paced=False, healthz=True, seed=4)
        flat = latency_run(server.port, token, points, paced=False, healthz=False, seed=5)
        load.append(os.getloadavg()[0])
    finally:
        server.stop()

    # Exactly what was sent is stored, and the hourly figures add up to the checks.
    sent = 8 * 50 + ingest["checks"] + 2 * LATENCY_CLIENTS * LATENCY_REQUESTS
    (stored,) = _rows(target, url, "SELECT COUNT(*), COUNT(DISTINCT uuid) FROM checkpoints_check")
    checks = _rows(
        target,
        url,
        "SELECT COUNT(*), SUM(persons), SUM(CASE WHEN mode = 'vehicle' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN nonlocal_vehicle THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN result = 'turned_back' THEN 1 ELSE 0 END) FROM checkpoints_check",
    )[0]
    (fevers,) = _rows(target, url, "SELECT COUNT(*) FROM checkpoints_checkperson WHERE fever")[0:1]
    hours = _rows(
        target,
        url,
        "SELECT SUM(checks), SUM(persons), SUM(vehicles), SUM(nonlocal_vehicles), "
        "SUM(turned_back), SUM(fevers) FROM checkpoints_checkhour",
    )[0]
    consistent = tuple(stored) == (sent, sent) and tuple(int(v) for v in hours) == tuple(
        int(v) for v in (*checks, fevers[0])
    )

    log(f"[{vendor}] checkpoints: raw-insert floor of the same rows")
    floor_s = insert_floor(target, url, "checkpoints-setup", int(before[0]), int(after[0]))
    floor_rate = (after[0] - before[0]) / floor_s if floor_s else None
    ingest_target = INGEST_TARGET.get(vendor)
    results["checkpoints_ingest"].append(
        {
            "db": vendor,
            "what": f"batch ingest, {BATCHES} x {BATCH} checks, {BATCH_CLIENTS} clients",
            "checks": ingest["checks"],
            "seconds": ingest["seconds"],
            "per_s": ingest["per_s"],
            "batch_ms_p50": ingest["batch_ms_p50"],
            "batch_ms_max": ingest["batch_ms_max"],
            "floor_per_s": floor_rate,
            "floor_s": floor_s,
            "share_of_floor": ingest["per_s"] / floor_rate if floor_rate else None,
            "stored_exactly": consistent,
            "stored": list(stored),
            "sent": sent,
            "hour_sums": [int(v) for v in hours],
            "check_sums": [int(v) for v in (*checks, fevers[0])],
            "loadavg_1m": load,
            "target_per_s": ingest_target,
            "result": (
                ("PASS" if ingest["per_s"] >= ingest_target and consistent else "FAIL")
                if ingest_target is not None
                else ("PASS" if consistent else "FAIL")
            ),
        }
    )
    for name, figures, floor, limit in (
        ("single check, paced (0-1 s between checks)", paced, paced_floor, LATENCY_TARGET_MS),
        ("single check, flat out (no pause)", flat, flat_floor, None),
    ):
        results["checkpoints_latency"].append(
            {
                "db": vendor,
                "what": name,
                "clients": LATENCY_CLIENTS,
                **figures,
                "floor_p50_ms": floor["p50_ms"],
                "floor_p99_ms": floor["p99_ms"],
                "floor_per_s": floor["per_s"],
                "target_p99_ms": limit,
                "result": None
                if limit is None
                else ("PASS" if figures["p99_ms"] < limit else "FAIL"),
            }
        )


def report(
    results: dict[str, Any], *, table: Callable[..., str], fmt: Callable[..., str]
) -> list[str]:
    out = ["", "== checkpoints: batch ingest and single-check latency through a real server =="]
    rows = [
        [
            r["db"],
            f"{r['checks']:,}",
            fmt(r["per_s"], "/s", 0),
            fmt(r["batch_ms_p50"], " ms", 0),
            fmt(r["floor_per_s"], "/s", 0),
            fmt(100 * r["share_of_floor"], " %", 0) if r["share_of_floor"] else "-",
            "yes" if r["stored_exactly"] else "NO",
            "/".join(f"{v:.1f}" for v in r["loadavg_1m"]),
            "-" if r["target_per_s"] is None else f">= {r['target_per_s']:,.0f}/s",
            r["result"],
        ]
        for r in results.get("checkpoints_ingest", [])
    ]
    if rows:
        out.append(
            table(
                ["db", "checks", "ingest", "batch p50", "floor: raw insert", "of floor",
                 "exact", "load 1m", "target", "result"],
                rows,
            )
        )  # fmt: skip
    rows = [
        [
            r["db"],
            r["what"],
            f"{r['requests']:,}",
            fmt(r["per_s"], "/s", 0),
            fmt(r["p50_ms"], " ms"),
            fmt(r["p95_ms"], " ms"),
            fmt(r["p99_ms"], " ms"),
            fmt(r["floor_p50_ms"], " ms") + " / " + fmt(r["floor_p99_ms"], " ms"),
            "-" if r["target_p99_ms"] is None else f"p99 < {r['target_p99_ms']:.0f} ms",
            r["result"] or "-",
        ]
        for r in results.get("checkpoints_latency", [])
    ]
    if rows:
        out.append("")
        out.append(
            table(
                ["db", "50 clients", "requests", "rate", "p50", "p95", "p99",
                 "floor: /healthz p50 / p99", "target", "result"],
                rows,
                left=2,
            )
        )  # fmt: skip
    return out
