"""Rollups: the hourly figures rebuilt from the checks in one statement (equal to what the
ingest service adds as it stores them), read hour by hour and day by day in scope, and
headquarters' live board with its silent checkpoints."""

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from epigrid.checkpoints.models import CheckHour
from epigrid.checkpoints.selectors import rollups
from epigrid.checkpoints.services.checks import checks_ingest
from epigrid.checkpoints.services.rollups import hour_start, hours_rebuild
from epigrid.policy.models import PolicySetting

from .fever_world import DAY, make_check
from .ingest_world import item, vehicle
from .world import local, make_checkpoint

FIELDS = ("checks", "persons", "vehicles", "nonlocal_vehicles", "fevers", "turned_back")


def hours() -> dict:
    return {
        (h.checkpoint_id, h.hour): (*(getattr(h, f) for f in FIELDS), h.last_check_at)
        for h in CheckHour.objects.all()
    }


def some_checks(cworld) -> None:
    a, b = cworld.checkpoints["a"], cworld.checkpoints["b"]
    make_check(a, at=local(DAY, 8, 5))
    make_check(a, at=local(DAY, 8, 59), people=[{"temperature": "38.1"}, {"temperature": "36"}])
    make_check(a, at=local(DAY, 9, 0), plate="湘A12345", result="turned_back")
    make_check(a, at=local(DAY, 23, 59), plate="粤J00001")
    make_check(b, at=local(DAY + dt.timedelta(days=1), 0, 0))


def test_the_rebuild_counts_each_local_hour_from_the_checks(cworld):
    some_checks(cworld)
    CheckHour.objects.all().delete()  # the rows were written straight, not through ingest
    assert hours_rebuild() == 4
    a, b = cworld.checkpoints["a"].pk, cworld.checkpoints["b"].pk
    # The vehicles' non-local flag is what the ingest service set (here: straight rows, none).
    assert hours() == {
        (a, local(DAY, 8)): (2, 3, 0, 0, 1, 0, local(DAY, 8, 59)),
        (a, local(DAY, 9)): (1, 1, 1, 0, 0, 1, local(DAY, 9, 0)),
        (a, local(DAY, 23)): (1, 1, 1, 0, 0, 0, local(DAY, 23, 59)),
        (b, local(DAY + dt.timedelta(days=1))): (
            1,
            1,
            0,
            0,
            0,
            0,
            local(DAY + dt.timedelta(days=1)),
        ),
    }
    assert all(
        h.jpath == cworld.checkpoints["a"].jpath for h in CheckHour.objects.filter(checkpoint_id=a)
    )
    before = hours()
    assert hours_rebuild() == 4 and hours() == before  # idempotent


def test_the_rebuild_equals_what_ingest_adds(cworld):
    point = cworld.checkpoints["a"]
    batch = [
        item(checked_at="2020-02-10T08:15:00+08:00"),
        item(checked_at="2020-02-10T08:45:00+08:00", result="turned_back"),
        vehicle("湘A12345", temps=(36.5, 38.4, 37.9), checked_at="2020-02-10T09:10:00+08:00"),
        vehicle("粤J12345", temps=(36.5,), checked_at="2020-02-10T23:30:00+08:00"),
        item(checked_at="2020-02-11T00:10:00+08:00"),
    ]
    answers = checks_ingest(actor=cworld.actor("worker_a"), checkpoint=point, items=batch)
    assert [a["status"] for a in answers] == ["stored"] * 5
    by_ingest = hours()
    assert by_ingest[(point.pk, local(DAY, 9))][:6] == (1, 3, 1, 1, 2, 0)
    assert hours_rebuild() == len(by_ingest) == 4
    assert hours() == by_ingest


def test_a_partial_rebuild_touches_only_its_checkpoints_and_hours(cworld):
    some_checks(cworld)
    CheckHour.objects.all().delete()
    hours_rebuild()
    a, b = cworld.checkpoints["a"].pk, cworld.checkpoints["b"].pk
    CheckHour.objects.update(checks=99)
    assert hours_rebuild(checkpoint_ids=[a], since=local(DAY, 9, 30)) == 2
    got = {k: v[0] for k, v in hours().items()}
    assert got == {
        (a, local(DAY, 8)): 99,  # before `since`: left alone
        (a, local(DAY, 9)): 1,
        (a, local(DAY, 23)): 1,
        (b, local(DAY + dt.timedelta(days=1))): 99,  # another checkpoint: left alone
    }
    assert hours_rebuild(checkpoint_ids=[]) == 0


def test_an_hour_whose_checks_are_gone_disappears(cworld):
    check, _ = make_check(cworld.checkpoints["a"], at=local(DAY, 10, 30))
    hours_rebuild()
    assert CheckHour.objects.count() == 1
    check.delete()
    hours_rebuild(since=DAY)
    assert CheckHour.objects.count() == 0


def test_the_command_rebuilds(cworld):
    some_checks(cworld)
    CheckHour.objects.all().delete()
    out = io.StringIO()
    call_command("checkpoints_rollup_rebuild", "--since", "2020-02-10", stdout=out)
    assert out.getvalue().startswith("4 checkpoint hour(s) rebuilt")
    with pytest.raises(Exception, match="YYYY-MM-DD"):
        call_command("checkpoints_rollup_rebuild", "--since", "10/02/2020", stdout=out)


def test_hour_start_is_the_local_hour():
    moment = local(DAY, 8, 59)
    assert hour_start(moment) == local(DAY, 8)


# --- reading --------------------------------------------------------------------------


def test_hourly_and_daily_figures_in_scope(cworld):
    some_checks(cworld)
    CheckHour.objects.all().delete()
    hours_rebuild()
    hq, worker_b = cworld.actor("hq"), cworld.actor("worker_b")
    rows = rollups.hourly(actor=hq, day=DAY)
    assert len(rows) == 24 and rows[0].hour == local(DAY)
    assert [r.figures.checks for r in rows if r.figures.checks] == [2, 1, 1]
    assert rows[8].figures.persons == 3 and rows[8].figures.fevers == 1
    assert sum(r.figures.checks for r in rollups.hourly(actor=worker_b, day=DAY)) == 0
    point = cworld.checkpoints["a"]
    assert sum(r.figures.checks for r in rollups.hourly(actor=hq, day=DAY, checkpoint=point)) == 4
    within = rollups.hourly(actor=hq, day=DAY, within=cworld.nodes["village_b"].code)
    assert sum(r.figures.checks for r in within) == 0

    days = rollups.daily(actor=hq, start=DAY - dt.timedelta(days=1), end=DAY + dt.timedelta(days=1))
    assert [(d.day, d.figures.checks) for d in days] == [
        (DAY - dt.timedelta(days=1), 0),
        (DAY, 4),
        (DAY + dt.timedelta(days=1), 1),
    ]
    assert [
        d.figures.checks
        for d in rollups.daily(actor=worker_b, start=DAY, end=DAY + dt.timedelta(days=1))
    ] == [0, 1]
    with pytest.raises(ValidationError):
        rollups.daily(actor=hq, start=DAY, end=DAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        rollups.daily(actor=hq, start=DAY, end=DAY + dt.timedelta(days=62))


def test_a_checkpoint_is_silent_when_open_and_quiet_for_longer_than_the_policy(cworld):
    a, b = cworld.checkpoints["a"], cworld.checkpoints["b"]  # round the clock
    make_checkpoint(cworld, grid="grid_a", name="白天卡点", opens_at=8 * 60, closes_at=18 * 60)
    make_checkpoint(cworld, grid="grid_a2", name="夜间卡点", opens_at=20 * 60, closes_at=6 * 60)
    make_check(a, at=local(DAY, 9, 50))
    make_check(b, at=local(DAY, 9, 10))
    hours_rebuild()
    hq = cworld.actor("hq")

    def state(now):
        return {
            r.checkpoint.name: (r.open_now, r.silent, r.quiet_minutes)
            for r in rollups.board(actor=hq, now=now)
        }

    at_ten = state(local(DAY, 10, 0))
    assert at_ten == {
        "锦岗村口": (True, False, 10),
        "郁文村口": (True, True, 50),
        "白天卡点": (True, True, 120),  # counted from its opening at 08:00
        "夜间卡点": (False, False, None),
    }
    assert [r.checkpoint.name for r in rollups.board(actor=hq, now=local(DAY, 10))][:2] == [
        "白天卡点",
        "郁文村口",
    ]  # the silent ones first, by grid
    assert state(local(DAY, 8, 20))["白天卡点"] == (True, False, 20)
    # A night window opened yesterday evening; at 00:20 it has been quiet since its opening.
    assert state(local(DAY, 0, 20))["夜间卡点"] == (True, True, 260)
    assert state(local(DAY, 20, 25))["夜间卡点"] == (True, False, 25)
    # The limit is policy.
    PolicySetting.objects.create(key="checkpoint_silence_minutes", value=60, active_from=DAY)
    assert state(local(DAY, 10, 0))["郁文村口"] == (True, False, 50)
    # Scope: grid B's worker sees grid B's checkpoint only.
    assert [
        r.checkpoint.pk for r in rollups.board(actor=cworld.actor("worker_b"), now=local(DAY, 10))
    ] == [b.pk]


def test_the_board_is_three_queries_however_many_checkpoints(cworld):
    hq = cworld.actor("hq")

    def count():
        with CaptureQueriesContext(connection) as ctx:
            rows = rollups.board(actor=hq, now=local(DAY, 10))
        return len(ctx), len(rows)

    few = count()
    for i in range(8):
        point = make_checkpoint(cworld, grid="grid_a")
        make_check(point, at=local(DAY, 9, i))
    hours_rebuild()
    many = count()
    assert few[0] == many[0] == 3 and (few[1], many[1]) == (2, 10)


# --- pages and API --------------------------------------------------------------------


@pytest.fixture
def with_checks(cworld):
    some_checks(cworld)
    CheckHour.objects.all().delete()
    hours_rebuild()
    return cworld


def test_the_board_page_is_a_fixed_number_of_queries(with_checks):
    client = Client()
    client.force_login(with_checks.users["hq"])

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/checkpoints/board/rows/").status_code == 200
        return len(ctx)

    few = count()
    for _i in range(6):
        make_check(make_checkpoint(with_checks, grid="grid_b"), at=local(DAY, 9))
    hours_rebuild()
    assert count() == few


def test_the_board_page_polls_its_rows(with_checks):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(with_checks.users["hq"])
    page = client.get("/checkpoints/board/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'hx-get="/checkpoints/board/rows/"' in html and 'hx-trigger="every 30s"' in html
    assert html.count("data-checkpoint=") == 2 and 'data-testid="board-hours"' in html
    rows = client.get("/checkpoints/board/rows/")
    assert rows.status_code == 200 and 'id="board-rows"' in rows.content.decode()
    assert "<html" not in rows.content.decode()
    # Narrowed to a village; a node outside the scope is a 404.
    village = with_checks.nodes["village_b"].code
    narrow = client.get(f"/checkpoints/board/rows/?within={village}").content.decode()
    assert narrow.count("data-checkpoint=") == 1
    worker = Client()
    worker.force_login(with_checks.users["worker_b"])
    assert (
        worker.get(f"/checkpoints/board/?within={with_checks.nodes['grid_a'].code}").status_code
        == 404
    )
    assert worker.get("/checkpoints/board/").content.decode().count("data-checkpoint=") == 1
    assert Client().get("/checkpoints/board/").status_code == 302


def test_the_rollup_page_shows_a_day_hour_by_hour(with_checks):
    point = with_checks.checkpoints["a"]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(with_checks.users["worker_a"])
    page = client.get(f"/checkpoints/{point.pk}/rollup/?day=2020-02-10")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="day-checks">4<' in html and html.count("data-hour=") == 24
    assert 'data-day="2020-02-10"' in html and 'data-day="2020-02-04"' in html
    other = Client()
    other.force_login(with_checks.users["worker_b"])
    assert other.get(f"/checkpoints/{point.pk}/rollup/").status_code == 404
    assert client.get(f"/checkpoints/{point.pk}/rollup/?day=nonsense").status_code == 200


def test_the_rollup_api(with_checks, api):
    point = with_checks.checkpoints["a"]
    hq = api("hq")
    body = hq.get("/checkpoints/rollups/hourly", day="2020-02-10").json()
    assert len(body["hours"]) == 24 and sum(h["checks"] for h in body["hours"]) == 4
    assert body["hours"][8] | {"hour": None} == {
        "hour": None,
        "checks": 2,
        "persons": 3,
        "vehicles": 0,
        "nonlocal_vehicles": 0,
        "fevers": 1,
        "turned_back": 0,
    }
    one = hq.get("/checkpoints/rollups/hourly", day="2020-02-11", checkpoint=point.pk).json()
    assert sum(h["checks"] for h in one["hours"]) == 0
    daily = hq.get("/checkpoints/rollups/daily", **{"from": "2020-02-10", "to": "2020-02-11"})
    assert daily.status_code == 200, daily.content
    assert [(d["day"], d["checks"]) for d in daily.json()["days"]] == [
        ("2020-02-10", 4),
        ("2020-02-11", 1),
    ]
    assert daily.json()["from"] == "2020-02-10"
    worker_b = api("worker_b")
    assert worker_b.get("/checkpoints/rollups/hourly", checkpoint=point.pk).status_code == 404
    assert (
        worker_b.get(
            "/checkpoints/rollups/hourly", within=with_checks.nodes["grid_a"].code
        ).status_code
        == 404
    )
    bad = hq.get("/checkpoints/rollups/daily", **{"from": "2020-02-11", "to": "2020-02-10"})
    assert bad.status_code == 422 and "to" in bad.content.decode()
    assert (
        hq.get("/checkpoints/rollups/daily", **{"from": "x", "to": "2020-02-10"}).status_code == 422
    )
    assert hq.get("/checkpoints/rollups/hourly", day="2020-13-01").status_code == 422
    board = hq.get("/checkpoints/board").json()
    assert {r["checkpoint"] for r in board["checkpoints"]} == {
        point.pk,
        with_checks.checkpoints["b"].pk,
    }
    assert board["silence_minutes"] == 30
    assert api(None).get("/checkpoints/board").status_code == 401


def test_the_board_looks_back_on_a_past_day_without_polling(with_checks):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(with_checks.users["hq"])
    html = client.get(f"/checkpoints/board/?day={DAY.isoformat()}").content.decode()
    # Four checks at checkpoint a on DAY (the fifth, at b, is the next day's).
    assert 'data-testid="total-checks">4<' in html
    assert "As at the end of 2020-02-10." in html and "hx-trigger" not in html
    rows = client.get(f"/checkpoints/board/rows/?day={DAY.isoformat()}").content.decode()
    assert 'data-testid="total-checks">4<' in rows
    # Today (and any day not in the past, or no day at all) is the live, polling board.
    live = client.get("/checkpoints/board/?day=2999-01-01").content.decode()
    assert 'data-testid="total-checks">0<' in live and 'hx-trigger="every 30s"' in live
    assert client.get("/checkpoints/board/?day=not-a-day").status_code == 200
