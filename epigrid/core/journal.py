"""SQLite's write-ahead log, switched on when a connection finds its file without it.

WAL is kept in the database file itself, so one switch lasts. The switch needs the file to
itself, and SQLite answers it with "database is locked" at once, without waiting in the busy
handler, while any other connection holds a lock. Run on every new connection
(`PRAGMA journal_mode=WAL` in the connection options), it failed one request of a server
whose threads opened their first connections together on a file still in rollback mode (a
copy, a restored backup). So a new connection reads the mode, which takes no lock, and only
where the file is not yet in WAL switches it, trying again while the file is busy, for as
long as the connection waits for a lock anyway (its `timeout`).
"""

import sqlite3
import time
from typing import Any

from django.db.backends.signals import connection_created

DEFAULT_TIMEOUT_S = 5.0  # Python's sqlite3 default, when the options give none
FIRST_WAIT_S = 0.005
LONGEST_WAIT_S = 0.1


def ensure_wal(conn: sqlite3.Connection, timeout_s: float) -> str:
    """Puts the connection's database file in WAL mode unless it is already; returns the
    mode the file is in. An in-memory database keeps its own ("memory"). Raises SQLite's
    OperationalError if the file stayed locked for `timeout_s`."""
    mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    if mode in ("wal", "memory"):
        return mode
    deadline = time.monotonic() + timeout_s
    wait = FIRST_WAIT_S
    while True:
        try:
            return str(conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]).lower()
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + wait > deadline:
                raise
        time.sleep(wait)
        wait = min(wait * 2, LONGEST_WAIT_S)


def on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor != "sqlite":
        return
    timeout = connection.settings_dict.get("OPTIONS", {}).get("timeout", DEFAULT_TIMEOUT_S)
    with connection.wrap_database_errors:
        ensure_wal(connection.connection, float(timeout))


def connect_signal() -> None:
    connection_created.connect(on_connection_created, dispatch_uid="epigrid.core.journal")
