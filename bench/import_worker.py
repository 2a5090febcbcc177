"""Times one spreadsheet import, or the floor of reading the file, in a process of its own;
bench/run.py starts one per file and mode so each peak-memory figure is that run's alone.

Modes (the last line printed is one JSON object):
- import: django.setup(), then `import_upload` + `import_commit` (epigrid.spreadsheets.services)
  of the tenant register with actor SYSTEM over the city root, timed inside the process (no
  interpreter start-up, no `epigrid` command overhead); each batch commits on its own, as an
  import started from the web page or the API does.
- read: the floor of reading. python-calamine opens the workbook and hands every row of the
  first sheet to Python, nothing else (no Django, no database).
- parse: the product's own reading without the database: the import engine's `open_import`
  and its parsed rows (the product's streaming .xlsx reader, header detection, column
  mapping, cell parsers), nothing committed. Not a floor: it splits the import's time into
  reading and writing.
- stream: openpyxl in read_only mode handing every row to Python, the other streaming reader
  at hand (python-calamine parses the whole sheet into memory first). Not a floor: a
  comparison for the product's own reader.

Memory: resource.getrusage(RUSAGE_SELF).ru_maxrss (peak resident set, KiB on Linux) just
before the measured work and just after it; growth = after - before, so what the process had
already loaded (Python, Django, the product's modules) is not counted. run.py starts this
worker through a small launcher process so that ru_maxrss is not the orchestrator's peak
inherited across fork and exec; VmHWM from /proc is recorded beside it as a cross-check.
Where the import reads the file in a forked process (epigrid/spreadsheets/feed.py), that
process's peak (RUSAGE_CHILDREN, once it has been waited for) is recorded too: it starts as a
copy of this one, so its growth is its peak minus this process's resident set before the work.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any


def _maxrss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _status_kib(field: str) -> int | None:
    """VmRSS (now) or VmHWM (this address space's peak) from /proc, where there is one."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _children_maxrss_kib() -> int:
    """Peak resident set of the largest child process waited for (the import's reader, when
    it reads in a forked process: its memory is the import's too)."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def _memory(before: int) -> dict[str, int | None]:
    return {
        "maxrss_before_kib": before,
        "maxrss_after_kib": _maxrss_kib(),
        "vmhwm_after_kib": _status_kib("VmHWM"),
    }


def run_read(path: Path) -> dict[str, Any]:
    import python_calamine

    before = _maxrss_kib()
    started = time.perf_counter()
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    sheet = book.get_sheet_by_index(0)
    rows = cells = 0
    for row in sheet.iter_rows():
        rows += 1
        cells += len(row)
    seconds = time.perf_counter() - started
    return {
        "mode": "read",
        "seconds": seconds,
        "sheet_rows": rows,
        "cells": cells,
        **_memory(before),
    }


def run_stream(path: Path) -> dict[str, Any]:
    from openpyxl import load_workbook

    before = _maxrss_kib()
    started = time.perf_counter()
    book = load_workbook(path, read_only=True, data_only=True)
    rows = cells = 0
    for row in book.worksheets[0].iter_rows(values_only=True):
        rows += 1
        cells += len(row)
    book.close()
    seconds = time.perf_counter() - started
    return {
        "mode": "stream",
        "seconds": seconds,
        "sheet_rows": rows,
        "cells": cells,
        **_memory(before),
    }


def run_parse(path: Path) -> dict[str, Any]:
    import django

    django.setup()
    from epigrid.registry.imports import TENANTS
    from epigrid.spreadsheets.engine import open_import

    before = _maxrss_kib()
    started = time.perf_counter()
    opened = open_import(path, TENANTS, filename=path.name, use_saved_mappings=False)
    opened_s = time.perf_counter() - started
    rows = bad = 0
    for row in opened.rows():
        rows += 1
        bad += not row.ok
    seconds = time.perf_counter() - started
    return {
        "mode": "parse",
        "seconds": seconds,
        "open_s": opened_s,
        "rows": rows,
        "rows_with_errors": bad,
        "header_row": opened.layout.header_row,
        **_memory(before),
    }


def run_import(path: Path) -> dict[str, Any]:
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from epigrid.accounts.access import SYSTEM
    from epigrid.geo.models import Jurisdiction
    from epigrid.registry.models import Building, HousingUnit, Person, Residency
    from epigrid.spreadsheets import feed, services
    from epigrid.spreadsheets.services import import_commit, import_upload

    if settings.DEBUG:
        sys.exit("import_worker: DEBUG is on; refusing to measure")
    root = Jurisdiction.objects.filter(parent__isnull=True).order_by("code").first()
    if root is None:
        sys.exit("import_worker: the database holds no jurisdictions")
    models = {
        "registry_building": Building,
        "registry_housingunit": HousingUnit,
        "registry_person": Person,
        "registry_residency": Residency,
    }
    counts_before = {t: m.objects.count() for t, m in models.items()}

    # The time of each batch's transaction, to see whether a batch costs more as the tables
    # grow (a lookup that scans instead of seeking): a wrapper around the module's own
    # function, a clock read per batch of 1,000 rows.
    batch_ms: list[float] = []
    commit_batch = services._commit_batch

    def timed_batch(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return commit_batch(*args, **kwargs)
        finally:
            batch_ms.append(round((time.perf_counter() - started) * 1000, 1))

    services._commit_batch = timed_batch

    # Which way the feed read the file (a forked process or a thread), seen by the feed.
    modes: list[str] = []
    feed_init = feed.Feed.__init__

    def noted_init(self: Any, *args: Any, **kwargs: Any) -> None:
        feed_init(self, *args, **kwargs)
        modes.append(self.mode)

    feed.Feed.__init__ = noted_init  # type: ignore[method-assign]

    rss_before = _status_kib("VmRSS")
    children_before = _children_maxrss_kib()
    before = _maxrss_kib()
    started = time.perf_counter()
    job = import_upload(
        actor=SYSTEM, kind="tenants", file=path, filename=path.name, jpath=root.path
    )
    uploaded = time.perf_counter()
    job = import_commit(actor=SYSTEM, job=job)
    finished = time.perf_counter()
    memory = _memory(before)

    counts_after = {t: m.objects.count() for t, m in models.items()}
    return {
        "mode": "import",
        "vendor": connection.vendor,
        "conn_max_age": settings.DATABASES["default"].get("CONN_MAX_AGE"),
        "jpath": root.path,
        "seconds": finished - started,
        "upload_s": uploaded - started,
        "commit_s": finished - uploaded,
        "status": job.status,
        "message": job.message,
        "batch_size": job.batch_size,
        "summary": job.summary(),
        "rows_written": {t: counts_after[t] - counts_before[t] for t in models},
        "batch_ms": batch_ms,
        "rss_before_kib": rss_before,
        "feed_modes": modes,
        "reader_maxrss_before_kib": children_before,
        "reader_maxrss_after_kib": _children_maxrss_kib(),
        **memory,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["import", "read", "parse", "stream"])
    parser.add_argument("file", type=Path)
    args = parser.parse_args()
    runner = {"import": run_import, "read": run_read, "parse": run_parse, "stream": run_stream}[
        args.mode
    ]
    print(json.dumps(runner(args.file), default=str))


if __name__ == "__main__":
    main()
