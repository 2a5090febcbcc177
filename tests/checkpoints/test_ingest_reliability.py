"""Reliability of the batch ingest over real HTTP on loopback: 50 concurrent clients, random
dropped connections, retries with the same UUIDs until answered; afterwards every check is
stored exactly once and the hourly figures add up.

The server is a real one, as `epigrid serve` runs it (gunicorn, 2 worker processes with 4
threads each), started on 127.0.0.1 against the test database: on PostgreSQL the test
database itself; on SQLite a file copy of it (the in-memory test database cannot be shared
with another process, and pytest-django's live server would share one connection among its
threads), so the server's connections contend for SQLite's write lock as in production.
"""

import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from .ingest_world import item, vehicle
from .world import make_checkpoint

CLIENTS = 50
BATCHES_PER_CLIENT = 8
SHARED = 60  # checks every client also sends, racing the others for the same UUIDs
DEADLINE_S = 120  # the test gives up (and fails) rather than hang
REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url(tmp_path: Path) -> tuple[str, Path | None]:
    """A URL the server process can open holding what the test wrote."""
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        path = tmp_path / "reliability.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{path}", path
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return (
        f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}",
        None,
    )


class Server:
    def __init__(self, url: str, tmp_path: Path) -> None:
        self.port = free_port()
        self.log = (tmp_path / "server.log").open("w+")
        env = {k: v for k, v in os.environ.items() if not k.startswith("EPIGRID_")}
        env.update(
            DJANGO_SETTINGS_MODULE="epigrid.settings",
            EPIGRID_DATABASE_URL=url,
            EPIGRID_DATA_DIR=str(tmp_path / "data"),
            EPIGRID_SECRET_KEY=secrets.token_urlsafe(40),
            EPIGRID_DEBUG="0",
        )
        self.proc = subprocess.Popen(  # noqa: S603 - fixed argv
            [sys.executable, "-m", "gunicorn", "epigrid.wsgi:application",
             "--bind", f"127.0.0.1:{self.port}", "--workers", "2", "--threads", "4",
             "--graceful-timeout", "5", "--timeout", "60"],
            env=env, cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        started = time.monotonic()
        while time.monotonic() - started < 60:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    conn.close()
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server did not start: {self.tail()}")

    def tail(self) -> str:
        """The server's errors (each traceback whole, where the last lines of a busy log
        would show only the 422s of the cut-off bodies), then the log's end."""
        self.log.flush()
        self.log.seek(0)
        text = self.log.read()
        errors: list[str] = []
        end = 0
        for match in re.finditer(r"Internal Server Error|Traceback", text):
            if match.start() >= end and len(errors) < 5:
                end = match.start() + 3000
                errors.append(text[match.start() : end])
        return "\n".join(errors) + "\n...\n" + text[-2000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


class Client(threading.Thread):
    """Sends its batches; each attempt may drop the connection (after sending the request,
    halfway through the body, or after reading only the status line); a batch is sent again,
    the same UUIDs, until a whole answer is read."""

    def __init__(self, n, port, path, token, batches, deadline) -> None:
        super().__init__(daemon=True)
        self.rng = random.Random(n)
        self.port, self.path, self.token = port, path, token
        self.batches, self.deadline = batches, deadline
        self.answers: dict[str, str] = {}
        self.attempts = self.drops = 0
        self.statuses: dict[int, int] = {}
        self.error: str | None = None

    def run(self) -> None:
        try:
            for batch in self.batches:
                self.send(batch)
        except Exception as exc:  # reported by the test
            self.error = f"{type(exc).__name__}: {exc}"

    def send(self, batch: list[dict]) -> None:
        body = json.dumps({"checks": batch}).encode()
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
            "Content-Length": str(len(body)),
        }
        while time.monotonic() < self.deadline:
            self.attempts += 1
            fault = self.rng.random()
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                if fault < 0.15:  # the connection dies halfway through the body
                    conn.putrequest("POST", self.path)
                    for k, v in headers.items():
                        conn.putheader(k, v)
                    conn.endheaders()
                    conn.send(body[: len(body) // 2])
                    self.drops += 1
                    continue
                conn.request("POST", self.path, body=body, headers=headers)
                if fault < 0.40:  # sent, but the answer never arrives
                    self.drops += 1
                    continue
                response = conn.getresponse()
                if fault < 0.50:  # the status line arrives, then the network goes
                    self.drops += 1
                    continue
                data = response.read()
                self.statuses[response.status] = self.statuses.get(response.status, 0) + 1
                if response.status != 200:
                    time.sleep(0.05)
                    continue
                results = json.loads(data)["results"]
                assert [r["uuid"] for r in results] == [c["uuid"] for c in batch]
                for r in results:
                    self.answers[r["uuid"]] = r["status"]
                return
            except (OSError, http.client.HTTPException):
                time.sleep(0.05)  # refused or reset: try again
            finally:
                conn.close()
        raise TimeoutError("batch never answered")


@pytest.mark.django_db(transaction=True)
def test_concurrent_clients_with_dropped_connections_store_each_check_once(cworld, tmp_path):
    point = make_checkpoint(cworld, grid="grid_a", name="可靠性检测点")
    tokens = [cworld.tokens[u] for u in ("worker_a", "secretary", "hq")]
    hours = [f"2020-02-10T{h:02d}:{m:02d}:00+08:00" for h in (7, 8, 9) for m in (0, 20, 59)]
    rng = random.Random(2020)

    def check() -> dict:
        at = rng.choice(hours)
        if rng.random() < 0.5:
            plate = rng.choice(["粤J", "粤A", "湘A"]) + f"{rng.randrange(100000):05d}"
            temps = [rng.choice([36.4, 36.8, 37.6]) for _ in range(rng.randint(1, 3))]
            return vehicle(plate, temps=temps, checked_at=at)
        return item(checked_at=at, result=rng.choice(["passed", "turned_back"]))

    shared = [check() for _ in range(SHARED)]
    plans = []
    for _n in range(CLIENTS):
        own = [check() for _ in range(BATCHES_PER_CLIENT * 4)]
        extra = rng.sample(shared, 6)
        checks = own + extra
        rng.shuffle(checks)
        sizes = [len(checks) // BATCHES_PER_CLIENT] * BATCHES_PER_CLIENT
        sizes[-1] += len(checks) - sum(sizes)
        batches, start = [], 0
        for size in sizes:
            batches.append(checks[start : start + size])
            start += size
        plans.append(batches)
    expected = {c["uuid"]: c for batches in plans for b in batches for c in b}

    url, sqlite_path = database_url(tmp_path)
    server = Server(url, tmp_path)
    try:
        deadline = time.monotonic() + DEADLINE_S
        path = f"/api/v1/checkpoints/{point.pk}/checks"
        clients = [
            Client(n, server.port, path, tokens[n % len(tokens)], plans[n], deadline)
            for n in range(CLIENTS)
        ]
        started = time.monotonic()
        for c in clients:
            c.start()
        for c in clients:
            c.join(timeout=max(1.0, deadline - time.monotonic() + 5))
        elapsed = time.monotonic() - started
        log = server.tail()
    finally:
        server.stop()

    assert not [c.error for c in clients if c.error], (
        [c.error for c in clients if c.error],
        log,
    )
    statuses: dict[int, int] = {}
    for c in clients:
        for status, n in c.statuses.items():
            statuses[status] = statuses.get(status, 0) + n
    attempts = sum(c.attempts for c in clients)
    drops = sum(c.drops for c in clients)
    print(
        f"\n{len(expected)} checks, {attempts} requests, {drops} dropped, answers {statuses}, "
        f"{elapsed:.1f} s on {connection.vendor}"
    )
    assert set(statuses) == {200}, (statuses, log)  # no 500 from "database is locked"
    assert drops > 50

    answered: dict[str, set[str]] = {}
    for c in clients:
        for u, status in c.answers.items():
            answered.setdefault(u, set()).add(status)
    assert set(answered) == set(expected)
    assert all(s <= {"stored", "known"} for s in answered.values())

    persons = sum(len(c["people"]) for c in expected.values())
    fever_persons = sum(
        1 for c in expected.values() for p in c["people"] if p["temperature"] >= 37.3
    )
    turned_back = sum(1 for c in expected.values() if c["result"] == "turned_back")

    def rows(sql: str) -> list[tuple]:
        if sqlite_path is not None:
            with sqlite3.connect(sqlite_path) as db:
                return db.execute(sql).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    where = f"WHERE checkpoint_id = {int(point.pk)}"
    stored = rows(f"SELECT uuid FROM checkpoints_check {where}")  # noqa: S608 - an int
    assert len(stored) == len(expected)  # exactly once each
    assert {uuid.UUID(str(u)) for (u,) in stored} == {uuid.UUID(u) for u in expected}
    assert rows(
        "SELECT COUNT(*) FROM checkpoints_checkperson p JOIN checkpoints_check c "  # noqa: S608
        f"ON c.id = p.check_row_id {where.replace('checkpoint_id', 'c.checkpoint_id')}"
    ) == [(persons,)]
    sums = rows(
        "SELECT SUM(checks), SUM(persons), SUM(fevers), SUM(turned_back), COUNT(*) "  # noqa: S608
        f"FROM checkpoints_checkhour {where}"
    )
    assert [tuple(int(v) for v in sums[0])] == [
        (len(expected), persons, fever_persons, turned_back, 3)
    ]
    assert elapsed < DEADLINE_S
