"""The access matrix for duty rosters, in the style of tests/test_access.py: every page and
endpoint, every kind of actor, the expected answer; refused writes change nothing.

Who sees what (tests/rosters/world.py): desk A is at village A, so worker A (grid A) does not
see the post, yet sees shift A1 because they are on it, and writes its hand-over note; post B
is at grid B, worker B's grid. The analyst reads everything and writes nothing.
"""

import pytest

from tests.access_cases import Case, placeholders, read, statuses
from tests.access_runner import assert_read, assert_write, matrix, send

from .world import build_rosters

DESK_A = {"worker_a": 404, "worker_b": 404}  # the village's desk: not a grid worker's
POST_B = {"worker_a": 404, "secretary": 404}
SHIFT_A1 = {"worker_b": 404}  # worker A is on it
SHIFT_A2 = {"worker_a": 404, "worker_b": 404}
NO_MANAGE = {"worker_a": 403, "worker_b": 403, "analyst": 403}

API_READS = [
    Case("posts", "GET", "/rosters/posts", read(401)),
    Case("desk A", "GET", "/rosters/posts/{desk_a}", read(401, **DESK_A)),
    Case("post B", "GET", "/rosters/posts/{post_b}", read(401, **POST_B)),
    Case("desk A shifts", "GET", "/rosters/posts/{desk_a}/shifts", read(401, **DESK_A)),
    Case("post B shifts", "GET", "/rosters/posts/{post_b}/shifts", read(401, **POST_B)),
    Case("desk A gaps", "GET", "/rosters/posts/{desk_a}/gaps", read(401, **DESK_A)),
    Case("post B gaps", "GET", "/rosters/posts/{post_b}/gaps", read(401, **POST_B)),
    Case("gaps 48 h", "GET", "/rosters/gaps?hours=48", read(401)),
    Case("my shifts", "GET", "/rosters/my-shifts", read(401)),
    Case("shift A1", "GET", "/rosters/shifts/{shift_a1}", read(401, **SHIFT_A1)),
    Case("shift A2", "GET", "/rosters/shifts/{shift_a2}", read(401, **SHIFT_A2)),
    Case("shift B", "GET", "/rosters/shifts/{shift_b}", read(401, **POST_B)),
    Case("shift A1 members", "GET", "/rosters/shifts/{shift_a1}/members", read(401, **SHIFT_A1)),
    Case("shift B members", "GET", "/rosters/shifts/{shift_b}/members", read(401, **POST_B)),
    Case(
        "shift A1 handovers", "GET", "/rosters/shifts/{shift_a1}/handovers", read(401, **SHIFT_A1)
    ),
    Case(
        "shift A2 handovers", "GET", "/rosters/shifts/{shift_a2}/handovers", read(401, **SHIFT_A2)
    ),
    Case(
        "unknown shift",
        "GET",
        "/rosters/shifts/999999",
        read(401, **{a: 404 for a in ("worker_a", "worker_b", "secretary", "hq", "analyst")}),
    ),
]

SHIFT_BODY = {"starts_at": "2020-02-11T08:00:00+08:00", "ends_at": "2020-02-11T16:00:00+08:00"}

API_WRITES = [
    Case(
        "create post in village A",
        "POST",
        "/rosters/posts",
        statuses(201, anon=401, **NO_MANAGE),
        {"jurisdiction": "{village_a}", "name": "新值守台"},
    ),
    Case(
        "create post in grid B",
        "POST",
        "/rosters/posts",
        statuses(201, anon=401, secretary=404, **NO_MANAGE),
        {"jurisdiction": "{grid_b}", "name": "新卡口", "kind": "checkpoint"},
    ),
    Case(
        "edit desk A",
        "PATCH",
        "/rosters/posts/{desk_a}",
        statuses(200, anon=401, **NO_MANAGE),
        {"version": 1, "name": "改名"},
    ),
    Case(
        "edit post B",
        "PATCH",
        "/rosters/posts/{post_b}",
        statuses(200, anon=401, secretary=404, **NO_MANAGE),
        {"version": 1, "covers_until": "23:00"},
    ),
    Case(
        "close post B",
        "POST",
        "/rosters/posts/{post_b}/close",
        statuses(200, anon=401, secretary=404, **NO_MANAGE),
        {"version": 1, "on": "2020-02-20"},
    ),
    Case(
        "shift at desk A",
        "POST",
        "/rosters/posts/{desk_a}/shifts",
        statuses(201, anon=401, **NO_MANAGE),
        {**SHIFT_BODY, "members": ["{staff_a}"]},
    ),
    Case(
        "shift at post B",
        "POST",
        "/rosters/posts/{post_b}/shifts",
        statuses(201, anon=401, secretary=404, **NO_MANAGE),
        SHIFT_BODY,
    ),
    Case(
        "move shift A1",
        "PATCH",
        "/rosters/shifts/{shift_a1}",
        statuses(200, anon=401, **NO_MANAGE),
        {"version": 1, "starts_at": "2020-02-10T07:00:00+08:00"},
    ),
    Case(
        "cancel shift B",
        "POST",
        "/rosters/shifts/{shift_b}/cancel",
        statuses(200, anon=401, secretary=404, **NO_MANAGE),
        {"version": 1},
    ),
    Case(
        "put police A on shift A1",
        "POST",
        "/rosters/shifts/{shift_a1}/members",
        statuses(201, anon=401, **NO_MANAGE),
        {"staff_id": "{police_a}"},
    ),
    Case(
        "take A2 cadre off shift A1",
        "DELETE",
        "/rosters/shifts/{shift_a1}/members/{cadre_a2}",
        statuses(204, anon=401, **NO_MANAGE),
    ),
    Case(
        "take B cadre off shift B",
        "DELETE",
        "/rosters/shifts/{shift_b}/members/{staff_b}",
        statuses(204, anon=401, secretary=404, **NO_MANAGE),
    ),
    Case(
        "hand over on shift A1",
        "POST",
        "/rosters/shifts/{shift_a1}/handovers",
        statuses(201, anon=401, worker_b=404, analyst=403),
        {"text": "交接：一切正常"},
    ),
    Case(
        "hand over on shift A2",
        "POST",
        "/rosters/shifts/{shift_a2}/handovers",
        statuses(201, anon=401, worker_a=404, worker_b=404, analyst=403),
        {"text": "交接"},
    ),
    Case(
        "hand over on shift B",
        "POST",
        "/rosters/shifts/{shift_b}/handovers",
        statuses(201, anon=401, worker_a=404, secretary=404, analyst=403),
        {"text": "交接"},
    ),
]

PAGE_READS = [
    Case("posts page", "GET", "/rosters/", read(302), api=False),
    Case("gaps page", "GET", "/rosters/?hours=48", read(302), api=False),
    Case("my shifts page", "GET", "/rosters/mine/", read(302), api=False),
    Case(
        "desk A page", "GET", "/rosters/{desk_a}/?week=2020-02-10", read(302, **DESK_A), api=False
    ),
    Case("post B page", "GET", "/rosters/{post_b}/", read(302, **POST_B), api=False),
    Case("shift A1 page", "GET", "/rosters/shifts/{shift_a1}/", read(302, **SHIFT_A1), api=False),
    Case("shift A2 page", "GET", "/rosters/shifts/{shift_a2}/", read(302, **SHIFT_A2), api=False),
    Case("shift B page", "GET", "/rosters/shifts/{shift_b}/", read(302, **POST_B), api=False),
    Case("new post form", "GET", "/rosters/new/", statuses(200, anon=302, **NO_MANAGE), api=False),
    Case(
        "edit desk A form",
        "GET",
        "/rosters/{desk_a}/edit/",
        statuses(200, anon=302, **NO_MANAGE),
        api=False,
    ),
    Case(
        "new shift at desk A form",
        "GET",
        "/rosters/{desk_a}/shifts/new/",
        statuses(200, anon=302, **NO_MANAGE),
        api=False,
    ),
    Case(
        "new shift at post B form",
        "GET",
        "/rosters/{post_b}/shifts/new/",
        statuses(200, anon=302, secretary=404, **NO_MANAGE),
        api=False,
    ),
    Case(
        "edit shift B form",
        "GET",
        "/rosters/shifts/{shift_b}/edit/",
        statuses(200, anon=302, secretary=404, **NO_MANAGE),
        api=False,
    ),
]

PAGE_WRITES = [
    Case(
        "page: new post in grid B",
        "POST",
        "/rosters/new/",
        # The secretary's form answers 200 with "no jurisdiction with this code in your area".
        statuses(302, anon=302, secretary=200, **NO_MANAGE),
        {
            "name": "新卡口",
            "kind": "checkpoint",
            "jurisdiction": "{grid_b}",
            "covers_from": "07:00",
            "covers_until": "22:00",
        },
        api=False,
    ),
    Case(
        "page: shift at desk A",
        "POST",
        "/rosters/{desk_a}/shifts/new/",
        statuses(302, anon=302, **NO_MANAGE),
        {"starts_at": "2020-02-11T08:00", "ends_at": "2020-02-11T16:00", "members": "{staff_a}"},
        api=False,
    ),
    Case(
        "page: cancel shift B",
        "POST",
        "/rosters/shifts/{shift_b}/cancel/",
        statuses(302, anon=302, secretary=404, **NO_MANAGE),
        {"version": 1, "reason": "下雨"},
        api=False,
    ),
    Case(
        "page: close desk A",
        "POST",
        "/rosters/{desk_a}/close/",
        statuses(302, anon=302, **NO_MANAGE),
        {"version": 1, "on": "2020-02-20"},
        api=False,
    ),
    Case(
        "page: put police A on shift A1",
        "POST",
        "/rosters/shifts/{shift_a1}/members/",
        statuses(302, anon=302, **NO_MANAGE),
        {"staff": "{police_a}"},
        api=False,
    ),
    Case(
        "page: take cadre B off shift B",
        "POST",
        "/rosters/shifts/{shift_b}/members/{staff_b}/remove/",
        statuses(302, anon=302, secretary=404, **NO_MANAGE),
        api=False,
    ),
    Case(
        "page: hand over on shift A1",
        "POST",
        "/rosters/shifts/{shift_a1}/handovers/",
        statuses(302, anon=302, worker_b=404, analyst=403),
        {"text": "<script>alert(1)</script> 交接"},
        api=False,
    ),
]


@pytest.fixture
def roster_world(world):
    world.rosters = build_rosters(world)
    return world


def values(world) -> dict:
    r, s = world.rosters, world.staff
    return {
        **placeholders(world),
        **{key: r[key].pk for key in ("desk_a", "post_b", "shift_a1", "shift_a2", "shift_b")},
        "police_a": s["grid_a.police"].pk,
        "cadre_a2": s["grid_a2.cadre"].pk,
    }


def run(case: Case, actor: str, world):
    return send(case, actor, world, values(world))


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "actor"), matrix(API_READS + PAGE_READS))
def test_roster_reads(roster_world, case, actor):
    assert_read(run(case, actor, roster_world), case, actor)


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "actor"), matrix(API_WRITES + PAGE_WRITES))
def test_roster_writes(roster_world, case, actor):
    assert_write(case, actor, lambda: run(case, actor, roster_world))


@pytest.mark.django_db
def test_a_worker_sees_only_their_own_shifts_at_posts_above_their_grid(roster_world, api):
    r = roster_world.rosters
    worker_a = api("worker_a")
    assert worker_a.all("/rosters/posts") == []  # nothing at grid A itself
    mine = worker_a.get(
        "/rosters/my-shifts",
        **{"from": "2020-02-10T00:00:00+08:00", "until": "2020-02-11T00:00:00+08:00"},
    )
    assert [s["id"] for s in mine.json()] == [r["shift_a1"].pk]
    detail = worker_a.get(f"/rosters/shifts/{r['shift_a1'].pk}").json()
    # The evening shift's id is named as the next one; its page stays hidden.
    assert detail["next_shift_id"] == r["shift_a2"].pk
    assert worker_a.get(f"/rosters/shifts/{r['shift_a2'].pk}").status_code == 404
    names = [p["name"] for p in api("worker_b").all("/rosters/posts")]
    assert names == ["郁文村村口劝导岗"]
