"""Two grid workers of different small grids each see only their own grid."""

import pytest

from epigrid.workforce.models import StaffMember, Team


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("worker", "grid", "other"),
    [("worker_a", "grid_a", "grid_b"), ("worker_b", "grid_b", "grid_a")],
)
def test_worker_sees_only_own_grid(world, api, worker, grid, other):
    client = api(worker)
    own = world.nodes[grid]
    staff = client.all("/staff")
    assert sorted(s["id"] for s in staff) == sorted(
        StaffMember.objects.filter(jurisdiction=own).values_list("id", flat=True)
    )
    assert {s["jurisdiction"] for s in staff} == {own.code}
    teams = client.all("/teams")
    assert [t["id"] for t in teams] == [world.teams[grid].pk]
    assert [j["code"] for j in client.all("/jurisdictions")] == [own.code]
    assert client.all("/party-committees") == []

    foreign_staff = StaffMember.objects.filter(jurisdiction=world.nodes[other]).first()
    assert client.get(f"/staff/{foreign_staff.pk}").status_code == 404
    assert client.get(f"/teams/{world.teams[other].pk}").status_code == 404
    assert client.get(f"/jurisdictions/{world.nodes[other].code}").status_code == 404
    # A filter naming a foreign jurisdiction finds nothing rather than hinting it exists.
    assert client.all("/staff", within=world.nodes[other].code) == []
    assert client.get(f"/staff/{foreign_staff.pk + 10_000}").status_code == 404


@pytest.mark.django_db
def test_without_or_with_a_bad_token_the_api_answers_401(world, api):
    from .conftest import Api

    assert api(None).get("/staff").status_code == 401
    assert Api("eg_not-a-real-token").get("/staff").status_code == 401
    assert Api("x" * 5000).get("/staff").status_code == 401


@pytest.mark.django_db
def test_revoked_token_answers_401(world, api):
    from epigrid.accounts.access import SYSTEM
    from epigrid.accounts.models import ApiToken
    from epigrid.accounts.services import token_revoke

    assert api("worker_a").get("/staff").status_code == 200
    token_revoke(actor=SYSTEM, token=ApiToken.objects.get(user=world.users["worker_a"]))
    assert api("worker_a").get("/staff").status_code == 401


@pytest.mark.django_db
def test_village_secretary_sees_the_whole_village_and_nothing_else(world, api):
    client = api("secretary")
    codes = {j["code"] for j in client.all("/jurisdictions")}
    assert codes == {world.nodes[k].code for k in ("village_a", "big_a", "grid_a", "grid_a2")}
    staff = client.all("/staff")
    assert len(staff) == 3 + 3 + 2  # two small grids of three, the big grid's two
    assert all(s["jurisdiction"].startswith(world.nodes["village_a"].code) for s in staff)


@pytest.mark.django_db
def test_headquarters_sees_everything(world, api):
    client = api("hq")
    assert len(client.all("/staff")) == StaffMember.objects.count() == 18
    assert len(client.all("/teams")) == Team.objects.count() == 7


@pytest.mark.django_db
def test_phones_are_masked_for_the_analyst_only(world, api):
    phone = world.staff["grid_a.cadre"].phone
    by_actor = {}
    for actor in ("hq", "secretary", "worker_a", "analyst"):
        item = api(actor).get(f"/staff/{world.staff['grid_a.cadre'].pk}").json()
        by_actor[actor] = item["phone"]
    assert by_actor["hq"] == by_actor["secretary"] == by_actor["worker_a"] == phone
    assert by_actor["analyst"] == phone[:3] + "****" + phone[-4:]


@pytest.mark.django_db
def test_pagination_walks_every_row_once(world, api):
    client = api("hq")
    seen = []
    cursor = None
    pages = 0
    while True:
        body = client.get("/staff", limit=5, **({"cursor": cursor} if cursor else {})).json()
        assert len(body["items"]) <= 5
        seen += [s["id"] for s in body["items"]]
        pages += 1
        cursor = body["next"]
        if not cursor:
            break
    assert pages == 4
    assert len(seen) == len(set(seen)) == 18


@pytest.mark.django_db
@pytest.mark.parametrize("cursor", ["garbage", "W10", "eyJ4IjoxfQ", "%00", "[" * 100])
def test_a_malformed_cursor_is_a_field_error_not_a_500(world, api, cursor):
    response = api("hq").get("/staff", cursor=cursor)
    assert response.status_code == 422
    assert "cursor" in response.json()["errors"]


@pytest.mark.django_db
def test_a_grid_worker_knows_who_answers_for_their_grid(world, api, web):
    rows = api("worker_a").get(f"/jurisdictions/{world.nodes['grid_a'].code}/responsibilities")
    assert rows.status_code == 200
    by_kind = {r["kind"]: r for r in rows.json()}
    assert by_kind["responsible_leader"]["name"] == "big_a-leader"
    assert by_kind["first_responsible"]["name"] == "big_a-secretary"
    assert {r["jurisdiction"] for r in rows.json()} == {world.nodes["big_a"].code}
    # ...but the leader's own record stays outside the worker's scope.
    leader = world.staff["big_a.leader"].pk
    assert api("worker_a").get(f"/staff/{leader}").status_code == 404
    page = web("worker_a").get(f"/grids/{world.nodes['grid_a'].code}/").content.decode()
    assert "big_a-leader" in page
    assert f"/workforce/staff/{leader}/" not in page
