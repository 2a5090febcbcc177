"""Reading a file one batch ahead of the database.

An import has two kinds of work: reading and checking rows (Python: inflating and parsing the
sheet, cleaning cells, the kind's `prepare`) and writing them (Python building the statements,
then the database engine). `Feed` reads, parses and prepares the next batch while the caller
commits the previous one, so on a machine with two cores the two overlap. It reads one batch
ahead and no further (two batches in memory, whatever the length of the file), batches come out
in file order, and an error while reading comes out after the batches before it, as if the file
had been read in line.

Where it can, the reading runs in a forked process: both halves are mostly Python, and in a
thread they would take turns holding the interpreter lock. A fork is taken only when the
calling process has no other thread (a fork copies locks held by other threads, which could
then never be released in the child); otherwise the reading runs in a thread. The reader never
touches a database connection (the child drops its inherited ones unused, see `_read_forked`);
it reads with the caller's language and time zone active, so its messages are those the caller
would have written.
"""

import gc
import multiprocessing
import os
import pickle
import queue
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any

from django.db import connections
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .engine import ParsedRow

_DONE = object()
# "auto": a forked process where the process has a single thread, else a thread; "thread";
# "inline": batches read in the caller's thread (for profilers that follow one thread).
MODE = "auto"

Prepare = Callable[[list[ParsedRow]], None] | None


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the length of an import. A batch is some hundred
    thousand small objects (rows, their values, their checked persons); each pass of the
    collector walks them and everything the process holds, about a tenth of an import's
    time. They are freed by reference counting as ever; what cycles there are wait until the
    collector is back. Process-wide: another thread of the process goes without it
    meanwhile (imports run in the task worker, where there is none)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _prepared(batch: list[ParsedRow], prepare: Prepare) -> list[ParsedRow]:
    if prepare is not None:
        prepare([row for row in batch if row.ok])
    return batch


# Files of at most this many rows (as far as the caller knows) are read in a thread.
FORK_FROM_ROWS = 5000
# The first batch is at most this long: the writer waits for it with nothing to do, so it
# comes quickly and the next is read while it is written. The rest are `size` long.
FIRST_BATCH_ROWS = 1000


def _batches(rows: Iterator[ParsedRow], size: int, prepare: Prepare) -> Iterator[list[ParsedRow]]:
    batch: list[ParsedRow] = []
    limit = min(size, FIRST_BATCH_ROWS)
    for row in rows:
        batch.append(row)
        if len(batch) >= limit:
            yield _prepared(batch, prepare)
            batch = []
            limit = size
    if batch:
        yield _prepared(batch, prepare)


class Feed:
    """Batches of `size` rows from `rows`, each passed through `prepare` (if any), read ahead.
    Iterate it; `close()` (or the end of a `with`) stops the reader."""

    def __init__(
        self,
        rows: Iterator[ParsedRow],
        size: int,
        prepare: Prepare = None,
        *,
        expected_rows: int | None = None,
    ) -> None:
        size = max(1, size)
        mode = MODE
        if mode == "auto":
            # A fork costs tens of milliseconds: worth it for a file of several batches.
            big = expected_rows is None or expected_rows > FORK_FROM_ROWS
            mode = "process" if big and _may_fork() else "thread"
        self.mode = mode
        self._reader: _Inline | _Threaded | _Forked
        if mode == "process":
            self._reader = _Forked(rows, size, prepare)
        elif mode == "thread":
            self._reader = _Threaded(rows, size, prepare)
        else:
            self._reader = _Inline(rows, size, prepare)

    def __iter__(self) -> Iterator[list[ParsedRow]]:
        return iter(self._reader)

    def close(self) -> None:
        self._reader.close()

    def __enter__(self) -> "Feed":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _may_fork() -> bool:
    return (
        hasattr(os, "fork")
        and threading.active_count() == 1
        and "fork" in multiprocessing.get_all_start_methods()
    )


def _close(rows: Iterator[ParsedRow]) -> None:
    close = getattr(rows, "close", None)
    if close is not None:
        close()


class _Inline:
    def __init__(self, rows: Iterator[ParsedRow], size: int, prepare: Prepare) -> None:
        self._rows = rows
        self._batches = _batches(rows, size, prepare)

    def __iter__(self) -> Iterator[list[ParsedRow]]:
        return self._batches

    def close(self) -> None:
        _close(self._rows)


class _Threaded:
    """The reading in a thread of this process."""

    def __init__(self, rows: Iterator[ParsedRow], size: int, prepare: Prepare) -> None:
        self._rows = rows
        self._size = size
        self._prepare = prepare
        self._ready: queue.Queue[Any] = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._taken = threading.Event()
        self._language = translation.get_language()
        self._zone = timezone.get_current_timezone()
        self._thread = threading.Thread(target=self._read, name="import-feed", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            with translation.override(self._language), timezone.override(self._zone):
                for batch in _batches(self._rows, self._size, self._prepare):
                    if self._stop.is_set() or not self._put(batch):
                        return
            self._put(_DONE)
        except BaseException as exc:  # handed to the caller, raised there
            self._put(exc)
        finally:
            _close(self._rows)  # the file is closed by the thread that read it

    def _put(self, item: Any) -> bool:
        """Hands `item` over and waits until the caller has taken it: the next batch is read
        while the caller writes this one, never further ahead (two batches in memory)."""
        self._taken.clear()
        while not self._stop.is_set():
            try:
                self._ready.put(item, timeout=0.1)
                break
            except queue.Full:
                continue
        while not self._stop.is_set():
            if self._taken.wait(0.1):
                return True
        return False

    def __iter__(self) -> Iterator[list[ParsedRow]]:
        while True:
            item = self._ready.get()
            self._taken.set()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self._stop.set()
        try:
            while True:
                self._ready.get_nowait()
        except queue.Empty:
            pass
        self._thread.join()


class ReaderStopped(RuntimeError):
    """The reading process ended without handing over the rest of the file."""


class _Forked:
    """The reading in a forked child, batches pickled back through a pipe. The child blocks
    on sending a batch until the caller takes it, so it reads one batch ahead at most."""

    def __init__(self, rows: Iterator[ParsedRow], size: int, prepare: Prepare) -> None:
        context = multiprocessing.get_context("fork")
        self._rows = rows
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_read_forked,
            args=(
                rows,
                size,
                prepare,
                send,
                translation.get_language(),
                timezone.get_current_timezone(),
            ),
            name="import-feed",
            daemon=True,
        )
        self._process.start()
        send.close()  # the child's end; EOF here when the child is gone

    def __iter__(self) -> Iterator[list[ParsedRow]]:
        while True:
            try:
                kind, item = pickle.loads(self._receive.recv_bytes())  # noqa: S301 - our own child
            except EOFError:
                raise ReaderStopped(
                    _("Reading the file stopped unexpectedly; run the import again to continue.")
                ) from None
            if kind == "done":
                return
            if kind == "error":
                raise item
            yield item

    def close(self) -> None:
        self._receive.close()  # a child blocked on sending gets a broken pipe
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(timeout=10)
        if self._process.is_alive():  # it did not take the hint
            self._process.kill()
            self._process.join()
        _close(self._rows)  # this process's copy; the child closed its own


def _read_forked(
    rows: Iterator[ParsedRow],
    size: int,
    prepare: Prepare,
    send: Any,
    language: str | None,
    zone: Any,
) -> None:
    # A task worker's handlers (stop after this task on SIGTERM, …) came with the fork;
    # this process is to end when told to.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    # So did the database connections. Closing one here would close the parent's (a
    # PostgreSQL socket says goodbye to the server): they are kept, unused, until the child
    # exits without running finalisers, and anything that did ask for a database here would
    # get a connection of its own.
    inherited = []
    for connection in connections.all(initialized_only=True):
        inherited.append(connection.connection)
        connection.connection = None
    gc.disable()  # see collector_paused; the child ends with the file
    try:
        with translation.override(language), timezone.override(zone):
            for batch in _batches(rows, size, prepare):
                send.send_bytes(pickle.dumps(("batch", batch), pickle.HIGHEST_PROTOCOL))
                del batch  # sent: not kept while the next one is read
        send.send_bytes(pickle.dumps(("done", None)))
    except BaseException as exc:
        try:
            payload = pickle.dumps(("error", exc))
        except Exception:
            payload = pickle.dumps(("error", ReaderStopped(str(exc))))
        with suppress(OSError):  # the caller stopped listening: nobody to tell
            send.send_bytes(payload)
    finally:
        _close(rows)
        send.close()
