"""The checkpoint register over the API: set up, read, edit with its version, end; posts
with their roster coverage of a day; refusals are 4xx with field errors and change nothing."""

import pytest

from epigrid.accounts.access import SYSTEM
from epigrid.checkpoints.models import Checkpoint, CheckpointPost
from epigrid.rosters import services as rosters
from epigrid.rosters.models import Post

from .register_world import DAY, frozen, last_audit, register_state
from .world import local

pytestmark = pytest.mark.django_db

NEW = {"name": "锦岗村西口", "kind": "road", "opens_at": "06:00", "closes_at": "22:00"}


def send(client, method, path, body=None):
    with frozen():
        return client.send(method, path, body)


def test_set_up_read_edit_and_end_a_checkpoint(cworld, api):
    hq = api("hq")
    body = {**NEW, "jurisdiction": cworld.nodes["grid_a2"].code, "latitude": 22.18}
    created = send(hq, "POST", "/checkpoints/", {**body, "longitude": 112.3})
    assert created.status_code == 201, created.content
    c = created.json()
    assert c["jurisdiction"] == cworld.nodes["grid_a2"].code
    assert (c["opens_at"], c["closes_at"], c["round_the_clock"]) == ("06:00", "22:00", False)
    assert c["active_from"] == DAY.isoformat() and len(c["public_code"]) == 8
    assert c["latitude"] == "22.180000" or float(c["latitude"]) == 22.18
    with frozen():
        assert hq.get(f"/checkpoints/{c['id']}").json()["name"] == "锦岗村西口"
    edited = send(hq, "PATCH", f"/checkpoints/{c['id']}", {"version": 1, "closes_at": "24:00"})
    assert edited.status_code == 200 and edited.json()["closes_at"] == "24:00"
    assert edited.json()["version"] == 2
    before = register_state()
    stale = send(hq, "PATCH", f"/checkpoints/{c['id']}", {"version": 1, "name": "旧"})
    assert stale.status_code == 409 and register_state() == before
    ended = send(hq, "POST", f"/checkpoints/{c['id']}/end", {"on": "2020-02-20", "version": 2})
    assert ended.status_code == 200 and ended.json()["active_until"] == "2020-02-20"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"jurisdiction": "440785.001.01"}, "jurisdiction"),  # a village, not a grid
        ({"jurisdiction": "nope"}, "jurisdiction"),
        ({"opens_at": "7点"}, "opens_at"),
        ({"kind": "airport"}, "kind"),
        ({"name": ""}, "name"),
        ({"latitude": 95, "longitude": 100}, "latitude"),
        ({"active_from": "2020-13-01"}, "active_from"),
    ],
)
def test_bad_input_answers_422_by_field_and_changes_nothing(cworld, api, body, field):
    before = register_state()
    response = send(
        api("hq"),
        "POST",
        "/checkpoints/",
        {**NEW, "jurisdiction": cworld.nodes["grid_a"].code, **body},
    )
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert register_state() == before


def test_patch_refuses_clearing_a_required_field(cworld, api):
    c = cworld.checkpoints["a"]
    before = register_state()
    response = send(api("hq"), "PATCH", f"/checkpoints/{c.pk}", {"version": 1, "name": None})
    assert response.status_code == 422 and "name" in response.json()["errors"]
    assert register_state() == before


def test_posts_are_added_listed_with_coverage_and_ended(cworld, api):
    c = cworld.checkpoints["a"]
    hq = api("hq")
    added = send(hq, "POST", f"/checkpoints/{c.pk}/posts", {"role": "persuasion"})
    assert added.status_code == 201, added.content
    post = added.json()
    assert post["name"] == "锦岗村口 · 劝导岗" and post["held"] is True
    assert post["uncovered_minutes"] == 24 * 60
    roster_post = Post.objects.get(pk=post["roster_post_id"])
    with frozen():
        rosters.shift_create(
            actor=SYSTEM,
            post=roster_post,
            starts_at=local(DAY, 8),
            ends_at=local(DAY, 20),
            members=[cworld.staff["grid_a.cadre"]],
        )
        listed = hq.get(f"/checkpoints/{c.pk}/posts").json()
        tomorrow = hq.get(f"/checkpoints/{c.pk}/posts", day="2020-02-11").json()
    assert [p["uncovered_minutes"] for p in listed] == [12 * 60]
    assert [(g["starts_at"][11:16], g["ends_at"][11:16]) for g in listed[0]["uncovered"]] == [
        ("00:00", "08:00"),
        ("20:00", "00:00"),
    ]
    assert tomorrow[0]["uncovered_minutes"] == 24 * 60
    again = send(hq, "POST", f"/checkpoints/{c.pk}/posts", {"role": "persuasion"})
    assert again.status_code == 422 and "role" in again.json()["errors"]
    ended = send(hq, "POST", f"/checkpoints/{c.pk}/posts/{post['id']}/end", {})
    assert ended.status_code == 200 and ended.json()["active_until"] == "2020-02-11"
    assert last_audit("checkpoint_post.end").actor_username == "hq"
    bad_role = send(hq, "POST", f"/checkpoints/{c.pk}/posts", {"role": "guard"})
    assert bad_role.status_code == 422
    assert CheckpointPost.objects.count() == 1


def test_list_filters(cworld, api):
    hq = api("hq")
    with frozen():
        send(hq, "POST", "/checkpoints/", {**NEW, "jurisdiction": cworld.nodes["grid_c"].code})
        names = lambda **f: sorted(c["name"] for c in hq.all("/checkpoints/", **f))  # noqa: E731
        assert names() == ["郁文村口", "锦岗村口", "锦岗村西口"]
        assert names(q="西") == ["锦岗村西口"]
        assert names(kind="road") == ["锦岗村西口"]
        assert names(within=cworld.nodes["village_b"].code) == ["郁文村口"]
        assert names(active_on="2020-01-26") == ["郁文村口", "锦岗村口"]
        assert hq.get("/checkpoints/", kind="airport").status_code == 422
    Checkpoint.objects.filter(name="郁文村口").update(active_until=DAY)
    with frozen():
        assert names() == ["锦岗村口", "锦岗村西口"]
        assert names(include_ended="true") == ["郁文村口", "锦岗村口", "锦岗村西口"]
