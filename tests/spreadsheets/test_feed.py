"""Reading one batch ahead (in a forked process, a thread, or in line): the same batches, in
order, prepared in the caller's language, errors where they were."""

import os
import threading

import pytest
from django.db import connection
from django.utils import translation

from epigrid.spreadsheets import feed as feed_module
from epigrid.spreadsheets.engine import ParsedRow, RowError
from epigrid.spreadsheets.feed import Feed, ReaderStopped
from epigrid.spreadsheets.reading import SpreadsheetError


def rows(n, *, fail_at=None, bad=(), error=ValueError):
    for i in range(1, n + 1):
        if i == fail_at:
            raise error(f"unreadable row {i}")
        errors = [RowError(i, "x", "", "bad")] if i in bad else []
        yield ParsedRow(row_number=i, values={"i": i}, errors=errors)


MODES = ["process", "thread", "inline"]


@pytest.fixture(params=MODES)
def mode(request, monkeypatch):
    monkeypatch.setattr(feed_module, "MODE", request.param)
    return request.param


def mark(batch):
    for r in batch:
        r.prepared = ("ok", r.row_number, translation.get_language(), os.getpid())


def test_batches_in_order_and_only_good_rows_prepared(mode):
    with Feed(rows(7, bad={2, 6}), 3, mark) as feed:
        assert feed.mode == mode
        got = [[(r.row_number, r.prepared and r.prepared[:2]) for r in batch] for batch in feed]
    assert got == [
        [(1, ("ok", 1)), (2, None), (3, ("ok", 3))],
        [(4, ("ok", 4)), (5, ("ok", 5)), (6, None)],
        [(7, ("ok", 7))],
    ]


def test_prepare_runs_where_the_mode_says(mode):
    with Feed(rows(4), 2, mark) as feed:
        pids = {r.prepared[3] for batch in feed for r in batch}
    assert (pids == {os.getpid()}) is (mode != "process")


@pytest.mark.parametrize("error", [ValueError, SpreadsheetError])
def test_a_reading_error_comes_after_the_batches_before_it(mode, error):
    seen = []
    with (
        pytest.raises(error, match="unreadable row 8"),
        Feed(rows(10, fail_at=8, error=error), 3) as f,
    ):
        for batch in f:
            seen.append([r.row_number for r in batch])
    assert seen == [[1, 2, 3], [4, 5, 6]]


def test_prepare_runs_in_the_callers_language(mode):
    languages = []
    for language in ("en", "zh-hans"):
        with translation.override(language), Feed(rows(2), 5, mark) as feed:
            languages += [r.prepared[2] for batch in feed for r in batch]
    assert languages == ["en", "en", "zh-hans", "zh-hans"]


def test_a_batch_crosses_to_the_caller_whole(monkeypatch):
    from epigrid.registry.models import RentalKind

    monkeypatch.setattr(feed_module, "MODE", "process")
    error = RowError(2, "身份证号", "123", "bad")

    def source():
        yield ParsedRow(row_number=1, values={"kind": RentalKind.SERVICED_APARTMENT, "n": None})
        yield ParsedRow(row_number=2, values={"kind": None, "n": 3}, errors=[error])

    with Feed(source(), 5, mark) as feed:
        (batch,) = list(feed)
    assert [(r.row_number, r.values, r.errors) for r in batch] == [
        (1, {"kind": "serviced_apartment", "n": None}, []),
        (2, {"kind": None, "n": 3}, [error]),
    ]
    assert batch[0].prepared[:2] == ("ok", 1)
    assert batch[1].prepared is None


def test_auto_forks_only_a_single_threaded_process_for_a_big_file(monkeypatch):
    monkeypatch.setattr(feed_module, "MODE", "auto")
    alone = threading.active_count() == 1
    with Feed(rows(1), 5) as feed:  # length unknown
        assert feed.mode == ("process" if alone else "thread")
        list(feed)
    with Feed(rows(1), 5, expected_rows=feed_module.FORK_FROM_ROWS + 1) as feed:
        assert feed.mode == ("process" if alone else "thread")
        list(feed)
    with Feed(rows(1), 5, expected_rows=feed_module.FORK_FROM_ROWS) as feed:
        assert feed.mode == "thread"  # not worth a fork
        list(feed)
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        with Feed(rows(1), 5) as feed:
            assert feed.mode == "thread"
            assert [r.row_number for b in feed for r in b] == [1]
    finally:
        release.set()
        other.join()


@pytest.mark.django_db
def test_the_callers_database_connection_survives_a_forked_reader(monkeypatch):
    monkeypatch.setattr(feed_module, "MODE", "process")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    raw = connection.connection
    with Feed(rows(30), 10, mark) as feed:
        assert sum(len(b) for b in feed) == 30
    assert connection.connection is raw
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)


def test_a_reader_that_dies_is_a_clear_stop(monkeypatch):
    monkeypatch.setattr(feed_module, "MODE", "process")

    def dying():
        yield ParsedRow(row_number=1, values={})
        os._exit(9)

    with pytest.raises(ReaderStopped), Feed(dying(), 1) as feed:
        list(feed)


def test_stopping_early_ends_the_thread_and_closes_the_file(monkeypatch):
    monkeypatch.setattr(feed_module, "MODE", "thread")
    closed = threading.Event()

    def source():
        try:
            yield from rows(100_000)
        finally:
            closed.set()

    feed = Feed(source(), 10)
    first = next(iter(feed))
    feed.close()
    assert [r.row_number for r in first] == list(range(1, 11))
    assert closed.is_set()
    assert not any(t.name == "import-feed" and t.is_alive() for t in threading.enumerate())


def test_stopping_early_ends_the_process(monkeypatch):
    monkeypatch.setattr(feed_module, "MODE", "process")
    feed = Feed(rows(100_000), 10)
    first = next(iter(feed))
    process = feed._reader._process
    feed.close()
    assert [r.row_number for r in first] == list(range(1, 11))
    assert not process.is_alive()
    assert process.exitcode is not None


def test_the_collector_is_paused_for_an_import_and_comes_back():
    import gc

    assert gc.isenabled()
    with feed_module.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with feed_module.collector_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


def test_a_reader_stops_when_told_even_under_a_workers_signal_handler(monkeypatch):
    import signal

    monkeypatch.setattr(feed_module, "MODE", "process")
    previous = signal.signal(signal.SIGTERM, lambda *_: None)  # as a task worker's "finish first"
    try:
        feed = Feed(rows(1_000_000), 10)
        next(iter(feed))
        process = feed._reader._process
        feed.close()
        assert process.exitcode == -signal.SIGTERM
    finally:
        signal.signal(signal.SIGTERM, previous)


def test_the_first_batch_is_short_so_writing_starts_early(mode, monkeypatch):
    monkeypatch.setattr(feed_module, "FIRST_BATCH_ROWS", 4)
    with Feed(rows(25), 10) as feed:
        sizes = [len(b) for b in feed]
    assert sizes == [4, 10, 10, 1]
    with Feed(rows(7), 3) as feed:  # batches shorter than that are all the same
        assert [len(b) for b in feed] == [3, 3, 1]
