"""Helpers shared by bench/run.py: hermetic environments, databases, timing and floors.

Nothing here imports Django: the orchestrator talks to the product only through
subprocesses (the `epigrid` command and the bench/*_worker.py processes), each with its own
EPIGRID_DATABASE_URL, and to the databases through plain DB-API drivers.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from epigrid.core.pragmas import IMPORT_CACHE_KIB, IMPORT_CHECKPOINT_PAGES

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
PG_DB = "epigrid_bench"
PG_TEMPLATE_DB = "epigrid_bench_template"
PG_FLOOR_DB = "epigrid_bench_floor"
PG_SNAPSHOT_PREFIX = "epigrid_bench_snap_"  # built scenarios kept to copy from, dropped at the end
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/postgres"

# Tables the product or Django fills at migrate time; everything else with rows after a build
# was written by the scenario.
SKIP_TABLES = {"django_migrations"}


# --------------------------------------------------------------------------- statistics


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def p95(values: Sequence[float]) -> float | None:
    """Nearest-rank 95th percentile (with 30 samples: the second slowest)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def summary(values: Sequence[float]) -> dict[str, float | None]:
    return {
        "n": len(values),
        "median": median(values),
        "p95": p95(values),
        "min": min(values) if values else None,
        "max": max(values) if values else None,
        "mean": statistics.fmean(values) if values else None,
    }


# --------------------------------------------------------------------------- processes


def epigrid_command() -> list[str]:
    """The project's console script next to this interpreter (the venv's), else `-m epigrid`."""
    script = Path(sys.executable).parent / "epigrid"
    return [str(script)] if script.exists() else [sys.executable, "-m", "epigrid"]


def base_env(data_dir: Path) -> dict[str, str]:
    """The environment of every product process: the caller's, minus any EPIGRID_* setting that
    would change what is measured (DEBUG, Redis, TLS redirects, a different database), plus a
    throw-away data folder and secret key. DEBUG is off, as in production."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("EPIGRID_")}
    env.update(
        DJANGO_SETTINGS_MODULE="epigrid.settings",
        EPIGRID_DATA_DIR=str(data_dir),
        EPIGRID_SECRET_KEY=secrets.token_urlsafe(50),
        EPIGRID_DEBUG="0",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


@dataclass
class Run:
    seconds: float
    stdout: str
    stderr: str


class CommandFailed(RuntimeError):
    pass


def run(cmd: list[str], env: dict[str, str], *, timeout: float = 900) -> Run:
    started = time.perf_counter()
    proc = subprocess.run(  # noqa: S603 - fixed argv built by the bench
        cmd, env=env, cwd=REPO_DIR, capture_output=True, text=True, timeout=timeout, check=False
    )
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        tail = f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}"
        raise CommandFailed(f"{' '.join(cmd)} exited {proc.returncode}\n{tail}")
    return Run(seconds=seconds, stdout=proc.stdout, stderr=proc.stderr)


def with_db(env: dict[str, str], url: str) -> dict[str, str]:
    return {**env, "EPIGRID_DATABASE_URL": url}


def prepare_database(env: dict[str, str], url: str) -> None:
    """`epigrid migrate` and `epigrid createcachetable`, as `make migrate` does."""
    env = with_db(env, url)
    run([*epigrid_command(), "migrate", "--noinput"], env)
    run([*epigrid_command(), "createcachetable"], env)


BUILT_RE = re.compile(r"Built scenario \S+ at scale (\d+) in ([\d.]+) s: (.*)")


@dataclass
class Build:
    scale: int
    wall_s: float
    inner_s: float | None  # what the command reports for its own transaction
    counts: str


def build_scenario(env: dict[str, str], url: str, scale: int) -> Build:
    result = run(
        [*epigrid_command(), "scenario", "encheng", "--scale", str(scale), "--reset"],
        with_db(env, url),
    )
    match = BUILT_RE.search(result.stdout)
    return Build(
        scale=scale,
        wall_s=result.seconds,
        inner_s=float(match.group(2)) if match else None,
        counts=match.group(3).strip() if match else "",
    )


def startup_floor(env: dict[str, str], url: str, repeat: int = 3) -> list[float]:
    """Wall time of `epigrid check`: interpreter start, django.setup() and the system checks,
    which every management command (the scenario builder included) pays before its work."""
    env = with_db(env, url)
    return [run([*epigrid_command(), "check"], env).seconds for _ in range(repeat)]


# --------------------------------------------------------------------------- databases


class Target:
    """One database engine: fresh empty (migrated) databases and plain DB-API connections."""

    vendor: str
    placeholder: str

    def setup_template(self, env: dict[str, str]) -> None:
        raise NotImplementedError

    def fresh(self, name: str, snapshot: str | None = None) -> str:
        """A new database equal to the migrated template (or to `snapshot`, see `snapshot`);
        returns its EPIGRID_DATABASE_URL."""
        raise NotImplementedError

    def snapshot(self, url: str, name: str) -> None:
        """Keeps a copy of the database at `url` (no one connected to it) under `name`, for
        `fresh(..., snapshot=name)`: a scenario is built once and copied where it is needed."""
        raise NotImplementedError

    def has_snapshot(self, name: str) -> bool:
        raise NotImplementedError

    def connect(self, url: str) -> Any:
        raise NotImplementedError

    def transaction(self, conn: Any) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def tables(self, conn: Any) -> list[str]:
        raise NotImplementedError

    def adapt(self, row: tuple) -> tuple:
        return row

    def cleanup(self) -> None:
        pass


class SqliteTarget(Target):
    vendor = "sqlite"
    placeholder = "?"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.template = root / "template.sqlite3"

    def setup_template(self, env: dict[str, str]) -> None:
        prepare_database(env, f"sqlite:///{self.template}")
        # Fold the write-ahead log into the main file so a plain copy is complete.
        conn = sqlite3.connect(self.template)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()

    def fresh(self, name: str, snapshot: str | None = None) -> str:
        path = self.root / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        source = self.template if snapshot is None else self._snapshot_path(snapshot)
        shutil.copyfile(source, path)
        return f"sqlite:///{path}"

    def _snapshot_path(self, name: str) -> Path:
        return self.root / f"snapshot-{name}.sqlite3"

    def snapshot(self, url: str, name: str) -> None:
        source = urlsplit(url).path
        conn = sqlite3.connect(source)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # a plain copy must be complete
        conn.close()
        shutil.copyfile(source, self._snapshot_path(name))

    def has_snapshot(self, name: str) -> bool:
        return self._snapshot_path(name).exists()

    def connect(self, url: str) -> sqlite3.Connection:
        conn = sqlite3.connect(urlsplit(url).path, isolation_level=None)
        # The same connection settings as the product's (epigrid/settings.py).
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        return conn

    @contextmanager
    def transaction(self, conn: sqlite3.Connection) -> Iterator[None]:
        conn.execute("BEGIN IMMEDIATE")  # as the product's transaction_mode
        yield
        conn.execute("COMMIT")

    def tables(self, conn: sqlite3.Connection) -> list[str]:
        rows = conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchall()
        return sorted(r[0] for r in rows)


class PostgresTarget(Target):
    vendor = "postgresql"
    placeholder = "%s"

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.server_version = ""
        self._snapshots: set[str] = set()

    def url_for(self, dbname: str) -> str:
        parts = urlsplit(self.admin_url)
        return urlunsplit((parts.scheme, parts.netloc, f"/{dbname}", parts.query, ""))

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(self._dsn(self.admin_url), autocommit=True, connect_timeout=5)

    @staticmethod
    def _dsn(url: str) -> str:
        return url.replace("postgres://", "postgresql://", 1)

    def check(self) -> str:
        """The server version, or raises when the server cannot be reached."""
        with self._admin() as conn:
            self.server_version = conn.execute("SHOW server_version").fetchone()[0]
        return self.server_version

    def _drop(self, conn: Any, dbname: str) -> None:
        try:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
        except Exception:  # PostgreSQL before 13 has no FORCE
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')

    def _helpers(self, conn: Any) -> list[str]:
        rows = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s",
            (PG_SNAPSHOT_PREFIX.replace("_", r"\_") + "%",),
        ).fetchall()
        return [PG_FLOOR_DB, PG_TEMPLATE_DB, *(r[0] for r in rows)]

    def setup_template(self, env: dict[str, str]) -> None:
        self._snapshots.clear()
        with self._admin() as conn:
            for name in (PG_DB, *self._helpers(conn)):
                self._drop(conn, name)
            conn.execute(f'CREATE DATABASE "{PG_TEMPLATE_DB}"')
        prepare_database(env, self.url_for(PG_TEMPLATE_DB))

    def fresh(self, name: str, snapshot: str | None = None) -> str:
        dbname = PG_FLOOR_DB if name.startswith("floor") else PG_DB
        source = PG_TEMPLATE_DB if snapshot is None else PG_SNAPSHOT_PREFIX + snapshot
        with self._admin() as conn:
            self._drop(conn, dbname)
            conn.execute(f'CREATE DATABASE "{dbname}" TEMPLATE "{source}"')
        return self.url_for(dbname)

    def snapshot(self, url: str, name: str) -> None:
        source = urlsplit(url).path.lstrip("/")
        with self._admin() as conn:
            self._drop(conn, PG_SNAPSHOT_PREFIX + name)
            conn.execute(f'CREATE DATABASE "{PG_SNAPSHOT_PREFIX + name}" TEMPLATE "{source}"')
        self._snapshots.add(name)

    def has_snapshot(self, name: str) -> bool:
        return name in self._snapshots

    def connect(self, url: str) -> Any:
        import psycopg

        return psycopg.connect(self._dsn(url), autocommit=True)

    def transaction(self, conn: Any) -> AbstractContextManager[Any]:
        return conn.transaction()

    def tables(self, conn: Any) -> list[str]:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
        return sorted(r[0] for r in rows)

    def adapt(self, row: tuple) -> tuple:
        from psycopg.types.json import Jsonb

        return tuple(Jsonb(v) if isinstance(v, dict | list) else v for v in row)

    def cleanup(self) -> None:
        """Drops the helper databases (floor, template, snapshots); epigrid_bench (the last
        database measured) is kept for inspection."""
        with self._admin() as conn:
            for name in self._helpers(conn):
                self._drop(conn, name)
        self._snapshots.clear()


# --------------------------------------------------------------------------- build floor


@dataclass
class InsertFloor:
    seconds: float
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def _count(conn: Any, table: str) -> int:
    return conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]


def raw_insert_floor(target: Target, built_url: str, scale: int) -> InsertFloor:
    """Copies every row the scenario wrote into a fresh migrated database with DB-API
    executemany in one transaction, and times only the inserts and the commit.

    Same tables, same rows (ids, dates, names, audit JSON), same indexes and constraints,
    same connection pragmas: the least any builder of this data must spend in the database.
    """
    floor_url = target.fresh(f"floor{scale}")
    src = target.connect(built_url)
    dst = target.connect(floor_url)
    try:
        payload: list[tuple[str, list[str], list[tuple]]] = []
        rows: dict[str, int] = {}
        for table in target.tables(src):
            if table in SKIP_TABLES:
                continue
            built, empty = _count(src, table), _count(dst, table)
            if built <= empty:
                continue
            if empty:
                raise RuntimeError(f"{table}: rows both before and after the build")
            cur = src.execute(f'SELECT * FROM "{table}" ORDER BY 1')
            columns = [d[0] for d in cur.description]
            data = [target.adapt(tuple(r)) for r in cur.fetchall()]
            payload.append((table, columns, data))
            rows[table] = len(data)
        os.sync()  # the copy just made goes to the disk before the clock starts
        sqlite = target.vendor == "sqlite"
        if sqlite:
            # The connection settings the import writes with (epigrid/core/pragmas.py).
            dst.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
            dst.execute(f"PRAGMA wal_autocheckpoint = {IMPORT_CHECKPOINT_PAGES}")
        started = time.perf_counter()
        with target.transaction(dst):
            cur = dst.cursor()
            for table, columns, data in payload:
                cols = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join([target.placeholder] * len(columns))
                cur.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', data)
        if sqlite:
            dst.execute("PRAGMA wal_checkpoint(PASSIVE)")  # as the import ends
        seconds = time.perf_counter() - started
    finally:
        src.close()
        dst.close()
    return InsertFloor(seconds=seconds, rows=rows)


# --------------------------------------------------------------------------- page worker


def run_page_worker(
    env: dict[str, str], url: str, *, iterations: int, warmup: int
) -> dict[str, Any]:
    import json

    result = run(
        [
            sys.executable,
            str(BENCH_DIR / "page_worker.py"),
            "--iterations",
            str(iterations),
            "--warmup",
            str(warmup),
        ],
        with_db(env, url),
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- import floor

# The register tables a tenant import writes (besides its job, audit and row-error rows), in
# an order that satisfies their foreign keys.
IMPORT_TABLES = (
    "registry_building",
    "registry_housingunit",
    "registry_person",
    "registry_residency",
)


def import_insert_floor(target: Target, imported_url: str, snapshot: str) -> InsertFloor:
    """Copies the register rows an import added (ids above the scenario's) into a fresh copy
    of the database it was imported into, with DB-API executemany in one transaction, and
    times only the inserts and the commit: same tables, rows, indexes, constraints and
    connection pragmas as the import."""
    floor_url = target.fresh("floor-import", snapshot=snapshot)
    src = target.connect(imported_url)
    dst = target.connect(floor_url)
    try:
        payload: list[tuple[str, list[str], list[tuple]]] = []
        rows: dict[str, int] = {}
        for table in IMPORT_TABLES:
            base = dst.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()[0]
            cur = src.execute(f'SELECT * FROM "{table}" WHERE id > {int(base)} ORDER BY id')
            columns = [d[0] for d in cur.description]
            data = [target.adapt(tuple(r)) for r in cur.fetchall()]
            payload.append((table, columns, data))
            rows[table] = len(data)
        os.sync()  # the copy just made goes to the disk before the clock starts
        sqlite = target.vendor == "sqlite"
        if sqlite:
            # The connection settings the import writes with (epigrid/core/pragmas.py).
            dst.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
            dst.execute(f"PRAGMA wal_autocheckpoint = {IMPORT_CHECKPOINT_PAGES}")
        started = time.perf_counter()
        with target.transaction(dst):
            cur = dst.cursor()
            for table, columns, data in payload:
                cols = ", ".join(f'"{c}"' for c in columns)
                marks = ", ".join([target.placeholder] * len(columns))
                cur.executemany(f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', data)
        if sqlite:
            dst.execute("PRAGMA wal_checkpoint(PASSIVE)")  # as the import ends
        seconds = time.perf_counter() - started
    finally:
        src.close()
        dst.close()
    return InsertFloor(seconds=seconds, rows=rows)


def small_grids(target: Target, url: str) -> list[tuple[int, str, str]]:
    """(id, path, code) of the active small grids, in code order."""
    conn = target.connect(url)
    try:
        return [
            (r[0], r[1], r[2])
            for r in conn.execute(
                "SELECT id, path, code FROM geo_jurisdiction "
                "WHERE kind = 'small_grid' AND active_until IS NULL ORDER BY code"
            ).fetchall()
        ]
    finally:
        conn.close()


def document_numbers(target: Target, url: str) -> set[str]:
    conn = target.connect(url)
    try:
        return {r[0] for r in conn.execute("SELECT doc_number FROM registry_person").fetchall()}
    finally:
        conn.close()


# Starts a command from a small, freshly started process. Linux carries a process's peak RSS
# (ru_maxrss) into the programs it forks and execs: a worker started straight from this
# orchestrator, which holds whole tables in memory for the floors, would report the
# orchestrator's peak as its own. Started from this launcher, it inherits only the
# launcher's few MiB.
_LAUNCHER = "import subprocess, sys; sys.exit(subprocess.call(sys.argv[1:]))"


def run_json_worker(
    script: str, args: list[str], env: dict[str, str], url: str | None, *, own_rss: bool = False
) -> Any:
    """Runs bench/<script> with `args` in the hermetic environment (and database `url`);
    returns the JSON object on its last line of output. `own_rss`: through the launcher, so
    that the worker's ru_maxrss is its own."""
    import json

    command = [sys.executable, str(BENCH_DIR / script), *args]
    if own_rss:
        command = [sys.executable, "-c", _LAUNCHER, *command]
    result = run(command, with_db(env, url) if url else env)
    return json.loads(result.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- a million persons


@dataclass
class PersonLoad:
    before: int
    added: int
    seconds: float
    method: str


def load_persons(target: Target, url: str, total: int, *, batch: int = 50_000) -> PersonLoad:
    """Tops registry_person up to `total` rows with generated active persons spread over the
    small grids (see datagen.person_rows). Setup, not a measurement, so as fast as honestly
    possible, in one transaction: the table's secondary indexes are dropped, the rows loaded
    (PostgreSQL COPY; SQLite executemany with synchronous=OFF and a large page cache) and
    the very same indexes created again from their stored definitions, unique ones included,
    so the result is the product's schema; foreign keys are checked as usual. PostgreSQL then
    gets VACUUM ANALYZE, what autovacuum does to a table that has just grown tenfold; SQLite
    gets nothing (the product never runs ANALYZE)."""
    import datetime as dt

    from datagen import PERSON_COLUMNS, person_rows

    grids = [(g[0], g[1]) for g in small_grids(target, url)]
    taken = document_numbers(target, url)
    conn = target.connect(url)
    try:
        before = conn.execute("SELECT COUNT(*) FROM registry_person").fetchone()[0]
        count = max(0, total - before)
        stamp = dt.datetime(2020, 2, 10, 8, 0, tzinfo=dt.UTC)
        rows = person_rows(count, grids, taken=taken, stamp=stamp)
        cols = ", ".join(f'"{c}"' for c in PERSON_COLUMNS)
        started = time.perf_counter()
        if target.vendor == "postgresql":
            conn.execute("SET maintenance_work_mem = '512MB'")
            with target.transaction(conn):
                # Foreign keys checked at the end of the COPY, not at commit: PostgreSQL
                # creates no index on a table with pending trigger events.
                conn.execute("SET CONSTRAINTS ALL IMMEDIATE")
                indexes = conn.execute(
                    "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
                    "AND tablename = 'registry_person' AND indexname NOT IN "
                    "(SELECT conname FROM pg_constraint)"
                ).fetchall()
                for name, _sql in indexes:
                    conn.execute(f'DROP INDEX "{name}"')
                with (
                    conn.cursor() as cur,
                    cur.copy(f"COPY registry_person ({cols}) FROM STDIN") as copy,
                ):
                    for row in rows:
                        copy.write_row(row)
                for _name, sql in indexes:
                    conn.execute(sql)
            conn.execute("VACUUM ANALYZE registry_person")
            method = "COPY, indexes rebuilt, VACUUM ANALYZE"
        else:
            conn.execute("PRAGMA synchronous=OFF")
            conn.execute("PRAGMA cache_size=-1000000")  # 1 GB
            naive = stamp.replace(tzinfo=None).isoformat(" ")
            marks = ", ".join(["?"] * len(PERSON_COLUMNS))
            sql = f"INSERT INTO registry_person ({cols}) VALUES ({marks})"
            with target.transaction(conn):
                indexes = conn.execute(
                    "SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                    "AND tbl_name = 'registry_person' AND sql IS NOT NULL"
                ).fetchall()
                for name, _sql in indexes:
                    conn.execute(f'DROP INDEX "{name}"')
                chunk: list[tuple] = []
                for row in rows:
                    chunk.append(
                        (
                            row[0],
                            naive,
                            naive,
                            *row[3:9],
                            row[9].isoformat(),
                            *row[10:13],
                            row[13].isoformat(),
                            *row[14:],
                        )
                    )
                    if len(chunk) >= batch:
                        conn.executemany(sql, chunk)
                        chunk = []
                if chunk:
                    conn.executemany(sql, chunk)
                for _name, index_sql in indexes:
                    conn.execute(index_sql)
            method = "executemany, indexes rebuilt, synchronous=OFF"
        seconds = time.perf_counter() - started
    finally:
        conn.close()
    return PersonLoad(before=before, added=count, seconds=seconds, method=method)
