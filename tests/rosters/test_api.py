"""Rosters over the API: answers, field errors, conflicts, keyset pages."""

import datetime as dt

import pytest

from epigrid.audit.models import AuditEvent
from epigrid.rosters.models import HandoverNote, Post, Shift, ShiftMember

from .world import MONDAY, at

DAY = {"from": "2020-02-10T00:00:00+08:00", "until": "2020-02-11T00:00:00+08:00"}


@pytest.mark.django_db
def test_gaps_endpoint_is_exact(world, rosters, api):
    desk = rosters["desk_a"].pk
    body = api("secretary").get(f"/rosters/posts/{desk}/gaps", **DAY).json()
    assert body["uncovered_minutes"] == 480
    assert body["gaps"] == [
        {
            "starts_at": "2020-02-10T00:00:00+08:00",
            "ends_at": "2020-02-10T08:00:00+08:00",
            "minutes": 480,
        }
    ]
    # A time without an offset is on the deployment's clock.
    naive = api("secretary").get(
        f"/rosters/posts/{desk}/gaps", **{"from": "2020-02-10T06:00", "until": "2020-02-10T09:00"}
    )
    assert [g["minutes"] for g in naive.json()["gaps"]] == [120]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2020-02-11T00:00", "until": "2020-02-10T00:00"}, "until"),
        ({"from": "2020-01-01T00:00", "until": "2020-04-01T00:00"}, "until"),
        ({"from": "2020-13-01"}, "from"),
        ({"until": "tomorrow"}, "until"),
    ],
)
def test_gaps_window_refusals(world, rosters, api, params, field):
    response = api("hq").get(f"/rosters/posts/{rosters['desk_a'].pk}/gaps", **params)
    assert response.status_code == 422
    assert field in response.json()["errors"]


@pytest.mark.django_db
def test_create_post_and_shift_then_the_gap_closes(world, api):
    hq = api("hq")
    created = hq.send(
        "POST",
        "/rosters/posts",
        {
            "jurisdiction": world.nodes["grid_c"].code,
            "name": "青云社区村口卡点",
            "kind": "checkpoint",
            "covers_from": "07:00",
            "covers_until": "22:00",
            "active_from": "2020-02-01",
        },
    )
    assert created.status_code == 201, created.content
    post = created.json()
    assert (post["covers_from"], post["covers_until"], post["round_the_clock"]) == (
        "07:00",
        "22:00",
        False,
    )
    window = {"from": "2020-02-12T00:00:00+08:00", "until": "2020-02-13T00:00:00+08:00"}
    assert hq.get(f"/rosters/posts/{post['id']}/gaps", **window).json()["uncovered_minutes"] == 900
    staff = [world.staff["grid_c.cadre"].pk, world.staff["grid_c.police"].pk]
    shift = hq.send(
        "POST",
        f"/rosters/posts/{post['id']}/shifts",
        {
            "starts_at": "2020-02-12T07:00:00+08:00",
            "ends_at": "2020-02-12T15:00:00+08:00",
            "members": staff,
        },
    )
    assert shift.status_code == 201, shift.content
    assert [m["staff_id"] for m in shift.json()["members"]] == staff  # by name
    assert shift.json()["counts_as_cover"] is True
    second = hq.send(
        "POST",
        f"/rosters/posts/{post['id']}/shifts",
        {
            "starts_at": "2020-02-12T15:00:00+08:00",
            "ends_at": "2020-02-12T22:00:00+08:00",
            "members": [world.staff["grid_c.family_doctor"].pk],
        },
    )
    assert second.status_code == 201
    assert hq.get(f"/rosters/posts/{post['id']}/gaps", **window).json()["gaps"] == []


@pytest.mark.django_db
def test_post_field_errors(world, api):
    response = api("hq").send(
        "POST",
        "/rosters/posts",
        {"jurisdiction": world.nodes["grid_a"].code, "name": "x", "covers_from": "7点"},
    )
    assert response.status_code == 422
    assert "covers_from" in response.json()["errors"]
    response = api("hq").send(
        "POST", "/rosters/posts", {"jurisdiction": world.nodes["grid_a"].code, "kind": "x"}
    )
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"name", "kind"}
    response = api("hq").send(
        "POST", "/rosters/posts", {"jurisdiction": world.nodes["grid_a"].code, "name": "a\x00b"}
    )
    assert response.status_code == 400
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_overlap_and_unknown_people_are_field_errors(world, rosters, api):
    desk = rosters["desk_a"].pk
    secretary = api("secretary")
    before = Shift.objects.count()
    response = secretary.send(
        "POST",
        f"/rosters/posts/{desk}/shifts",
        {
            "starts_at": "2020-02-10T12:00:00+08:00",
            "ends_at": "2020-02-10T20:00:00+08:00",
            "members": [world.staff["grid_a.cadre"].pk],
        },
    )
    assert response.status_code == 422
    (message,) = response.json()["errors"]["members"]
    assert f"（班次{rosters['shift_a1'].pk}）" in message
    # Someone outside the secretary's area is unknown to her.
    response = secretary.send(
        "POST",
        f"/rosters/posts/{desk}/shifts",
        {
            "starts_at": "2020-02-11T12:00:00+08:00",
            "ends_at": "2020-02-11T20:00:00+08:00",
            "members": [world.staff["grid_a.police"].pk, world.staff["grid_b.police"].pk],
        },
    )
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["members.1"]
    response = secretary.send(
        "POST",
        f"/rosters/posts/{desk}/shifts",
        {"starts_at": "2020-02-11T12:00:00+08:00", "ends_at": "2020-02-12T13:00:00+08:00"},
    )
    assert "24" in response.json()["errors"]["ends_at"][0]
    assert Shift.objects.count() == before


@pytest.mark.django_db
def test_stale_versions_are_409_and_change_nothing(world, rosters, api):
    hq = api("hq")
    shift = rosters["shift_a1"]
    assert (
        hq.send("PATCH", f"/rosters/shifts/{shift.pk}", {"version": 1, "note": "甲"}).status_code
        == 200
    )
    stale = hq.send("PATCH", f"/rosters/shifts/{shift.pk}", {"version": 1, "note": "乙"})
    assert stale.status_code == 409
    assert Shift.objects.get(pk=shift.pk).note == "甲"
    assert hq.send("POST", f"/rosters/shifts/{shift.pk}/cancel", {"version": 1}).status_code == 409
    assert not Shift.objects.get(pk=shift.pk).is_cancelled
    post = rosters["desk_a"]
    assert (
        hq.send("PATCH", f"/rosters/posts/{post.pk}", {"version": 2, "name": "x"}).status_code
        == 409
    )


@pytest.mark.django_db
def test_members_and_handovers(world, rosters, api):
    shift = rosters["shift_a1"]
    secretary = api("secretary")
    added = secretary.send(
        "POST", f"/rosters/shifts/{shift.pk}/members", {"staff_id": world.staff["grid_a.police"].pk}
    )
    assert added.status_code == 201
    assert len(added.json()) == 3
    again = secretary.send(
        "POST", f"/rosters/shifts/{shift.pk}/members", {"staff_id": world.staff["grid_a.police"].pk}
    )
    assert again.status_code == 422
    removed = secretary.send(
        "DELETE", f"/rosters/shifts/{shift.pk}/members/{world.staff['grid_a.police'].pk}"
    )
    assert removed.status_code == 204
    missing = secretary.send(
        "DELETE", f"/rosters/shifts/{shift.pk}/members/{world.staff['grid_a.police'].pk}"
    )
    assert missing.status_code == 404
    assert ShiftMember.objects.filter(shift=shift).count() == 2

    note = api("worker_a").send(
        "POST", f"/rosters/shifts/{shift.pk}/handovers", {"text": "<img src=x onerror=alert(1)>"}
    )
    assert note.status_code == 201
    assert note.json()["written_by"] == "grid_a-cadre"
    evening = api("hq").get(f"/rosters/shifts/{rosters['shift_a2'].pk}").json()
    assert evening["previous_shift_id"] == shift.pk
    notes = api("hq").all(f"/rosters/shifts/{shift.pk}/handovers", limit=1)
    assert [n["text"] for n in notes] == [
        "3号户体温正常，明早送菜。",
        "<img src=x onerror=alert(1)>",
    ]
    assert (
        api("worker_a")
        .send("POST", f"/rosters/shifts/{shift.pk}/handovers", {"text": ""})
        .status_code
        == 422
    )
    assert HandoverNote.objects.count() == 2


@pytest.mark.django_db
def test_keyset_pages_of_posts_and_shifts(world, rosters, api):
    hq = api("hq")
    for i in range(4):
        hq.send(
            "POST", "/rosters/posts", {"jurisdiction": world.nodes["grid_c"].code, "name": f"岗{i}"}
        )
    ids = [p["id"] for p in hq.all("/rosters/posts", limit=2)]
    assert ids == sorted(Post.objects.values_list("pk", flat=True))
    desk = rosters["desk_a"]
    for hour in (0, 4):  # two more shifts on Monday, before the others
        hq.send(
            "POST",
            f"/rosters/posts/{desk.pk}/shifts",
            {
                "starts_at": at(MONDAY, hour).isoformat(),
                "ends_at": at(MONDAY, hour + 4).isoformat(),
            },
        )
    shifts = hq.all(f"/rosters/posts/{desk.pk}/shifts", limit=1, **DAY)
    starts = [dt.datetime.fromisoformat(s["starts_at"]) for s in shifts]
    assert starts == [at(MONDAY, 0), at(MONDAY, 4), at(MONDAY, 8), at(MONDAY, 16)]
    assert len(shifts) == 4
    assert [s["counts_as_cover"] for s in shifts] == [False, False, True, True]
    assert hq.get(f"/rosters/posts/{desk.pk}/shifts", cursor="zzz").status_code == 422


@pytest.mark.django_db
def test_posts_with_gaps_endpoint(world, rosters, api):
    body = api("hq").get("/rosters/gaps", hours=48).json()
    assert {row["post"]["name"] for row in body} == {"锦岗村24小时监测值守台", "郁文村村口劝导岗"}
    assert all(row["gaps"] for row in body)
    assert api("hq").get("/rosters/gaps", hours=12).status_code == 422
    assert AuditEvent.objects.filter(action__startswith="duty_").count() == 5
