"""Reading a file one batch ahead of the database.

An import has two kinds of work: reading and checking rows (Python: inflating and parsing the
sheet, cleaning cells, the kind's `prepare`) and writing them (mostly the database engine,
which runs without holding Python's interpreter lock). `Feed` reads, parses and prepares the
next batch in a thread of its own while the caller commits the previous one, so on a machine
with two cores the two overlap. The thread reads one batch ahead and no further (two batches
in memory, whatever the length of the file), batches come out in file order, and an error
while reading comes out after the batches before it, as if the file had been read in line.

The reading thread touches no database connection; it reads with the caller's language and
time zone active, so its messages are those the caller would have written.
"""

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from django.utils import timezone, translation

from .engine import ParsedRow

_DONE = object()
# Off: batches are read in the caller's thread (for profilers that follow one thread).
THREADED = True


class Feed:
    """Batches of `size` rows from `rows`, each passed through `prepare` (if any), read ahead
    in a thread. Iterate it; `close()` (or the end of a `with`) stops the thread."""

    def __init__(
        self,
        rows: Iterator[ParsedRow],
        size: int,
        prepare: Callable[[list[ParsedRow]], None] | None = None,
    ) -> None:
        self._rows = rows
        self._size = max(1, size)
        self._prepare = prepare
        self._ready: queue.Queue[Any] = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._taken = threading.Event()
        self._language = translation.get_language()
        self._zone = timezone.get_current_timezone()
        self._thread: threading.Thread | None = None
        if THREADED:
            self._thread = threading.Thread(target=self._read, name="import-feed", daemon=True)
            self._thread.start()

    def _inline(self) -> Iterator[list[ParsedRow]]:
        batch: list[ParsedRow] = []
        for row in self._rows:
            batch.append(row)
            if len(batch) >= self._size:
                if self._prepare is not None:
                    self._prepare([r for r in batch if r.ok])
                yield batch
                batch = []
        if batch:
            if self._prepare is not None:
                self._prepare([r for r in batch if r.ok])
            yield batch

    def _read(self) -> None:
        try:
            with translation.override(self._language), timezone.override(self._zone):
                batch: list[ParsedRow] = []
                for row in self._rows:
                    batch.append(row)
                    if len(batch) & 255 == 0 and self._stop.is_set():
                        return
                    if len(batch) >= self._size:
                        if not self._hand_over(batch):
                            return
                        batch = []
                if batch and not self._hand_over(batch):
                    return
            self._put(_DONE)
        except BaseException as exc:  # handed to the caller, raised there
            self._put(exc)
        finally:
            close = getattr(self._rows, "close", None)
            if close is not None:
                close()  # the file is closed by the thread that read it

    def _hand_over(self, batch: list[ParsedRow]) -> bool:
        if self._prepare is not None:
            self._prepare([row for row in batch if row.ok])
        return self._put(batch)

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
        if self._thread is None:
            yield from self._inline()
            return
        while True:
            item = self._ready.get()
            self._taken.set()
            if item is _DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        if self._thread is None:
            close = getattr(self._rows, "close", None)
            if close is not None:
                close()
            return
        self._stop.set()
        try:
            while True:
                self._ready.get_nowait()
        except queue.Empty:
            pass
        self._thread.join()

    def __enter__(self) -> "Feed":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
