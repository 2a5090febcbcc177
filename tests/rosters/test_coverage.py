"""Uncovered hours, exactly: across midnight, with overnight shifts and overnight posts, with
shifts nobody is on or that were cancelled, and on a clock that has DST."""

import datetime as dt
import itertools
import zoneinfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from epigrid.accounts.access import SYSTEM
from epigrid.rosters import coverage, selectors, services
from epigrid.rosters.coverage import Gap
from epigrid.rosters.models import Post

from .world import MONDAY, POSTS_FROM, at

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def hours(gaps: list[Gap]) -> list[tuple[str, str]]:
    return [
        (
            g.starts_at.astimezone(SHANGHAI).strftime("%d %H:%M"),
            g.ends_at.astimezone(SHANGHAI).strftime("%d %H:%M"),
        )
        for g in gaps
    ]


def new_post(world, covers_from="00:00", covers_until="24:00", name="值守台") -> Post:
    return services.post_create(
        actor=SYSTEM,
        jurisdiction=world.nodes["village_a"],
        name=name,
        covers_from=covers_from,
        covers_until=covers_until,
        active_from=POSTS_FROM,
    )


def shift(world, post, start, end, *who, cancelled=False):
    s = services.shift_create(
        actor=SYSTEM,
        post=post,
        starts_at=start,
        ends_at=end,
        members=[world.staff[k] for k in who],
    )
    if cancelled:
        services.shift_cancel(actor=SYSTEM, shift=s, version=s.version)
    return s


@pytest.mark.django_db
def test_round_the_clock_post_with_8_to_16_and_16_to_24_leaves_0_to_8(world, rosters):
    day = selectors.uncovered(post=rosters["desk_a"], start=at(MONDAY), end=at(MONDAY, 24))
    assert hours(day) == [("10 00:00", "10 08:00")]
    assert [g.minutes for g in day] == [480]
    # Over two days the evening's cover runs to midnight and the next day is bare.
    two = selectors.uncovered(post=rosters["desk_a"], start=at(MONDAY), end=at(12))
    assert hours(two) == [("10 00:00", "10 08:00"), ("11 00:00", "12 00:00")]


@pytest.mark.django_db
def test_overnight_shift_across_midnight(world):
    post = new_post(world)
    shift(world, post, at(10, 6), at(10, 22), "grid_a.cadre")
    shift(world, post, at(10, 22), at(11, 6), "grid_a.police")
    gaps = selectors.uncovered(post=post, start=at(10), end=at(11, 12))
    assert hours(gaps) == [("10 00:00", "10 06:00"), ("11 06:00", "11 12:00")]
    # Asked from midnight, the overnight shift started the day before still counts.
    assert selectors.uncovered(post=post, start=at(11), end=at(11, 6)) == []
    # A window inside one shift is covered; one ending exactly where cover ends too.
    assert selectors.uncovered(post=post, start=at(10, 23), end=at(11, 5)) == []


@pytest.mark.django_db
def test_gap_across_midnight_is_one_gap(world):
    post = new_post(world)
    shift(world, post, at(10, 6), at(10, 20), "grid_a.cadre")
    shift(world, post, at(11, 2), at(11, 20), "grid_a.police")
    gaps = selectors.uncovered(post=post, start=at(10, 6), end=at(11, 20))
    assert hours(gaps) == [("10 20:00", "11 02:00")]
    assert gaps[0].minutes == 360


@pytest.mark.django_db
def test_a_shift_with_nobody_on_it_does_not_count(world):
    post = new_post(world)
    empty = shift(world, post, at(10, 8), at(10, 16))
    assert hours(selectors.uncovered(post=post, start=at(10, 8), end=at(10, 16))) == [
        ("10 08:00", "10 16:00")
    ]
    services.shift_member_add(actor=SYSTEM, shift=empty, staff=world.staff["grid_a.cadre"])
    assert selectors.uncovered(post=post, start=at(10, 8), end=at(10, 16)) == []
    services.shift_member_remove(actor=SYSTEM, shift=empty, staff=world.staff["grid_a.cadre"])
    assert len(selectors.uncovered(post=post, start=at(10, 8), end=at(10, 16))) == 1


@pytest.mark.django_db
def test_a_cancelled_shift_does_not_count(world):
    post = new_post(world)
    shift(world, post, at(10, 8), at(10, 16), "grid_a.cadre", cancelled=True)
    assert hours(selectors.uncovered(post=post, start=at(10, 8), end=at(10, 16))) == [
        ("10 08:00", "10 16:00")
    ]


@pytest.mark.django_db
def test_daytime_post_needs_only_its_hours(world, rosters):
    post_b = rosters["post_b"]  # 07:00–22:00, shift 07:00–15:00 on Monday
    gaps = selectors.uncovered(post=post_b, start=at(MONDAY), end=at(11))
    assert hours(gaps) == [("10 15:00", "10 22:00")]
    gaps = selectors.uncovered(post=post_b, start=at(MONDAY), end=at(12))
    assert hours(gaps) == [("10 15:00", "10 22:00"), ("11 07:00", "11 22:00")]


@pytest.mark.django_db
def test_overnight_post_window(world):
    """A night watch 22:00–06:00: each night runs into the next morning."""
    post = new_post(world, "22:00", "06:00")
    assert post.overnight and not post.round_the_clock
    shift(world, post, at(10, 22), at(11, 2), "grid_a.cadre")
    gaps = selectors.uncovered(post=post, start=at(10), end=at(12))
    assert hours(gaps) == [
        ("10 00:00", "10 06:00"),
        ("11 02:00", "11 06:00"),
        ("11 22:00", "12 00:00"),
    ]


@pytest.mark.django_db
def test_nothing_is_required_outside_the_posts_active_days(world):
    post = new_post(world)
    services.post_close(actor=SYSTEM, post=post, version=post.version, on=dt.date(2020, 2, 10))
    post.refresh_from_db()
    assert post.active_until == dt.date(2020, 2, 11)
    gaps = selectors.uncovered(post=post, start=at(1, 12) - dt.timedelta(days=1), end=at(13))
    assert hours(gaps) == [("01 00:00", "11 00:00")]  # from its first day to its last


@pytest.mark.django_db
def test_gaps_by_post_matches_uncovered_in_one_query(world, rosters, django_assert_num_queries):
    posts = list(Post.objects.order_by("pk"))
    with django_assert_num_queries(1):
        found = selectors.gaps_by_post(posts=posts, start=at(MONDAY), end=at(12))
    for p in posts:
        assert found[p.pk] == selectors.uncovered(post=p, start=at(MONDAY), end=at(12))


@pytest.mark.django_db
def test_posts_with_gaps_in_the_next_24_and_48_hours(world, rosters):
    now = at(MONDAY, 9)
    day = selectors.posts_with_gaps(actor=world.actor("hq"), hours=24, now=now)
    by_name = {p.name: hours(g) for p, g in day}
    # desk A: covered 08–24 on Monday, bare from Tuesday 00:00 to 09:00 (the horizon)
    assert by_name["锦岗村24小时监测值守台"] == [("11 00:00", "11 09:00")]
    assert by_name["郁文村村口劝导岗"] == [("10 15:00", "10 22:00"), ("11 07:00", "11 09:00")]
    # The soonest gap first.
    assert [p.name for p, _g in day] == ["郁文村村口劝导岗", "锦岗村24小时监测值守台"]
    two = dict(
        (p.name, hours(g))
        for p, g in selectors.posts_with_gaps(actor=world.actor("hq"), hours=48, now=now)
    )
    assert two["锦岗村24小时监测值守台"] == [("11 00:00", "12 09:00")]
    # Scoped: grid B's worker sees only grid B's post; nobody sees what is covered.
    mine = selectors.posts_with_gaps(actor=world.actor("worker_b"), hours=24, now=now)
    assert [p.name for p, _g in mine] == ["郁文村村口劝导岗"]
    assert selectors.posts_with_gaps(actor=world.actor("worker_a"), hours=24, now=now) == []


@pytest.mark.django_db
def test_too_long_or_backwards_window_is_refused(world, rosters):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        selectors.uncovered(post=rosters["desk_a"], start=at(12), end=at(11))
    with pytest.raises(ValidationError):
        selectors.uncovered(post=rosters["desk_a"], start=at(1), end=at(1) + dt.timedelta(days=63))


# --- the interval rule without a database --------------------------------------------------


class _Post:
    def __init__(self, covers_from: int, covers_until: int, active_from=dt.date(2000, 1, 1)):
        self.covers_from, self.covers_until = covers_from, covers_until
        self.active_from, self.active_until = active_from, None

    window_on = Post.window_on
    overnight = Post.overnight


def test_a_day_with_a_dst_change_is_as_long_as_the_clock_says():
    """Asia/Shanghai has no DST; a deployment elsewhere may. On 2021-03-14 New York's clock
    jumps from 02:00 to 03:00: a round-the-clock day is 23 hours and a shift from 00:00 to
    12:00 local lasts 11."""
    ny = zoneinfo.ZoneInfo("America/New_York")
    post = _Post(0, 1440)
    day = dt.date(2021, 3, 14)
    start = dt.datetime.combine(day, dt.time()).replace(tzinfo=ny)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time()).replace(tzinfo=ny)
    assert Gap(start, end).minutes == 23 * 60
    noon = start.replace(hour=12)
    gaps = coverage.gaps(post, start, end, [(start, noon)], ny)
    assert gaps == [Gap(noon, end)]
    assert gaps[0].minutes == 12 * 60
    # A 00:00–12:00 post needs 11 hours that morning, 12 the next.
    morning = _Post(0, 12 * 60)
    gaps = coverage.gaps(morning, start, end + dt.timedelta(days=1), [], ny)
    assert [(g.starts_at.hour, g.ends_at.hour, g.minutes) for g in gaps] == [
        (0, 12, 11 * 60),
        (0, 12, 12 * 60),
    ]
    # In November the clock falls back: that day is 25 hours long.
    fall = dt.datetime(2021, 11, 7, tzinfo=ny)
    gaps = coverage.gaps(post, fall, dt.datetime(2021, 11, 8, tzinfo=ny), [], ny)
    assert [g.minutes for g in gaps] == [25 * 60]


def test_split_by_day_cuts_at_local_midnight():
    g = Gap(
        dt.datetime(2020, 2, 10, 20, tzinfo=SHANGHAI), dt.datetime(2020, 2, 12, 2, tzinfo=SHANGHAI)
    )
    days = coverage.split_by_day([g], SHANGHAI)
    assert [(d.day, [(x.starts_at.hour, x.minutes) for x in v]) for d, v in days.items()] == [
        (10, [(20, 240)]),
        (11, [(0, 1440)]),
        (12, [(0, 120)]),
    ]


BASE = dt.datetime(2020, 2, 10, tzinfo=SHANGHAI)
minutes = st.integers(min_value=0, max_value=4 * 1440)


@settings(max_examples=200, deadline=None)
@given(
    window=st.tuples(st.integers(0, 1439), st.integers(1, 1440)).filter(
        lambda w: w[0] != w[1] % 1440
    ),
    shifts=st.lists(st.tuples(minutes, st.integers(1, 1440)), max_size=8),
    span=st.tuples(minutes, st.integers(1, 3 * 1440)),
)
def test_gaps_are_exactly_the_required_minutes_no_shift_holds(window, shifts, span):
    post = _Post(*window)
    start = BASE + dt.timedelta(minutes=span[0])
    end = start + dt.timedelta(minutes=span[1])
    intervals = [
        (BASE + dt.timedelta(minutes=s), BASE + dt.timedelta(minutes=s + length))
        for s, length in shifts
    ]
    gaps = coverage.gaps(post, start, end, intervals, SHANGHAI)
    required = coverage.required(post, start, end, SHANGHAI)

    def inside(t, spans):
        return any(a <= t < b for a, b in spans)

    # Check minute by minute (on a coarse grid to stay quick): a minute is a gap exactly
    # when it is required and no shift holds it.
    t = start
    while t < end:
        expected = inside(t, required) and not inside(t, intervals)
        assert inside(t, [(g.starts_at, g.ends_at) for g in gaps]) == expected, t
        t += dt.timedelta(minutes=30)
    # Gaps are sorted, disjoint and never touch (touching ones are one gap).
    for a, b in itertools.pairwise(gaps):
        assert a.ends_at < b.starts_at
