"""Reading one batch ahead in a thread: the same batches, in order, errors where they were."""

import threading

import pytest
from django.utils import translation

from epigrid.spreadsheets import feed as feed_module
from epigrid.spreadsheets.engine import ParsedRow, RowError
from epigrid.spreadsheets.feed import Feed


def rows(n, *, fail_at=None, bad=()):
    for i in range(1, n + 1):
        if i == fail_at:
            raise ValueError(f"unreadable row {i}")
        errors = [RowError(i, "x", "", "bad")] if i in bad else []
        yield ParsedRow(row_number=i, values={"i": i}, errors=errors)


@pytest.fixture(params=[True, False], ids=["thread", "inline"])
def threaded(request, monkeypatch):
    monkeypatch.setattr(feed_module, "THREADED", request.param)
    return request.param


def test_batches_in_order_and_only_good_rows_prepared(threaded):
    prepared = []

    def prepare(batch):
        prepared.append([r.row_number for r in batch])
        for r in batch:
            r.prepared = ("ok", r.row_number)

    with Feed(rows(7, bad={2, 6}), 3, prepare) as feed:
        got = [[(r.row_number, r.prepared) for r in batch] for batch in feed]
    assert got == [
        [(1, ("ok", 1)), (2, None), (3, ("ok", 3))],
        [(4, ("ok", 4)), (5, ("ok", 5)), (6, None)],
        [(7, ("ok", 7))],
    ]
    assert prepared == [[1, 3], [4, 5], [7]]


def test_a_reading_error_comes_after_the_batches_before_it(threaded):
    seen = []
    with pytest.raises(ValueError, match="unreadable row 8"), Feed(rows(10, fail_at=8), 3) as f:
        for batch in f:
            seen.append([r.row_number for r in batch])
    assert seen == [[1, 2, 3], [4, 5, 6]]


def test_prepare_runs_in_the_callers_language():
    languages = []
    with (
        translation.override("en"),
        Feed(rows(2), 5, lambda b: languages.append(translation.get_language())) as feed,
    ):
        list(feed)
    with (
        translation.override("zh-hans"),
        Feed(rows(2), 5, lambda b: languages.append(translation.get_language())) as feed,
    ):
        list(feed)
    assert languages == ["en", "zh-hans"]


def test_stopping_early_ends_the_thread_and_closes_the_file():
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
