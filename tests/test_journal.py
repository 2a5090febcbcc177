"""core.journal: a new SQLite connection puts its file in WAL mode, waiting while another
connection holds a lock (SQLite itself refuses the switch at once, busy timeout or not), and
takes no lock at all where the file is already in WAL mode.

These open their own SQLite files, whatever database the suite runs on."""

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError
from django.db.backends.sqlite3.base import DatabaseWrapper

# settings.DATABASES's SQLite options, for a suite run on PostgreSQL.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}


@pytest.fixture(autouse=True)
def own_connections(django_db_blocker):
    """These connections are the tests' own, to files of their own: not the test database."""
    with django_db_blocker.unblock():
        yield


def rollback_mode_file(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x INTEGER)")
    conn.commit()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    return path


def wrapper(path: Path, **options) -> DatabaseWrapper:
    """A Django connection to `path` set up as settings.DATABASES's SQLite one."""
    base = settings.DATABASES["default"]
    own = SQLITE_OPTIONS
    if base["ENGINE"] == "django.db.backends.sqlite3":
        own = base["OPTIONS"]
        assert "journal_mode" not in own.get("init_command", "")
    return DatabaseWrapper(
        {
            **base,
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {**own, **options},
            "TEST": {},
        },
        alias="journal_test",
    )


class Holder(threading.Thread):
    """Holds SQLite's write lock on `path` until `release` is set (or for `seconds`)."""

    def __init__(self, path: Path, seconds: float | None) -> None:
        super().__init__(daemon=True)
        self.path, self.seconds = path, seconds
        self.locked, self.release = threading.Event(), threading.Event()

    def run(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (1)")
        self.locked.set()
        self.release.wait(self.seconds)
        conn.execute("COMMIT")
        conn.close()


def test_a_new_connection_waits_for_the_lock_and_switches_the_file_to_wal(tmp_path):
    path = rollback_mode_file(tmp_path / "copy.sqlite3")
    holder = Holder(path, seconds=0.3)
    holder.start()
    assert holder.locked.wait(5)
    # What init_command did before: SQLite refuses at once, whatever the busy timeout.
    bare = sqlite3.connect(path, timeout=20)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        bare.execute("PRAGMA journal_mode=WAL")
    bare.close()

    db = wrapper(path)
    started = time.monotonic()
    db.ensure_connection()
    waited = time.monotonic() - started
    holder.join(5)
    with db.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("SELECT COUNT(*) FROM t")
        assert cursor.fetchone()[0] == 1  # the holder's row committed before the switch
    db.close()
    assert waited >= 0.1
    fresh = sqlite3.connect(path)
    assert fresh.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # kept in the file
    fresh.close()


def test_a_file_already_in_wal_mode_opens_while_another_connection_writes(tmp_path):
    path = rollback_mode_file(tmp_path / "wal.sqlite3")
    first = wrapper(path)
    first.ensure_connection()
    first.close()
    holder = Holder(path, seconds=None)
    holder.start()
    assert holder.locked.wait(5)
    try:
        db = wrapper(path, timeout=0.05)  # a switch attempt would fail within this
        db.ensure_connection()
        with db.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM t")
            assert cursor.fetchone()[0] == 0  # reads beside the writer, as WAL allows
        db.close()
    finally:
        holder.release.set()
        holder.join(5)


def test_a_file_locked_for_longer_than_the_timeout_is_refused_as_django_error(tmp_path):
    path = rollback_mode_file(tmp_path / "busy.sqlite3")
    holder = Holder(path, seconds=None)
    holder.start()
    assert holder.locked.wait(5)
    try:
        db = wrapper(path, timeout=0.2)
        with pytest.raises(OperationalError, match="locked"):
            db.ensure_connection()
        db.close()
    finally:
        holder.release.set()
        holder.join(5)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT COUNT(*) FROM t").fetchone()[0] == 1  # nothing lost
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
