"""The access matrix of the desk's review and the batches: every page and endpoint, every
kind of actor, the expected answer; a refused write changes nothing, an allowed one leaves
an audit event by its actor.

Decisions need APPLICATIONS_REVIEW (desk, hq): anyone else is refused by capability (403,
which says nothing about the row). Reads of an application's history: staff in scope and
the enterprise itself; another enterprise gets 404. Batches: staff with ENTERPRISES_VIEW;
the public pages: everybody, no login."""

import pytest

from tests.access_cases import Case
from tests.access_runner import assert_read, assert_write, send

from .rev_world import NOW, frozen, make_application

ACTORS = ["anon", "desk", "hq", "secretary", "worker_a", "inspector", "analyst", "ent_a", "ent_b"]
REVIEWERS = {"desk", "hq"}
ENTERPRISE_USERS = {"ent_a", "ent_b"}


def expect(default: int, **overrides: int) -> dict[str, int]:
    return {a: overrides.get(a, default) for a in ACTORS}


def reviewers_only(ok: int, anon: int) -> dict[str, int]:
    return {a: ok if a in REVIEWERS else (anon if a == "anon" else 403) for a in ACTORS}


def staff_read(anon: int) -> dict[str, int]:
    return expect(200, anon=anon, ent_a=403, ent_b=403)


API_READS = [
    Case("queue", "GET", "/review-queue", reviewers_only(200, 401)),
    Case("queue returned", "GET", "/review-queue?status=returned", reviewers_only(200, 401)),
    Case("history A", "GET", "/applications/{app_a}/reviews", expect(200, anon=401, ent_b=404)),
    Case("batches", "GET", "/batches", staff_read(401)),
    Case("batch", "GET", "/batches/{batch}", staff_read(401)),
    Case("batch entries", "GET", "/batches/{batch}/entries", staff_read(401)),
    Case("public batches", "GET", "/public/batches", expect(200)),
    Case("public batch", "GET", "/public/batches/{code}", expect(200)),
]
PAGE_READS = [
    Case("queue page", "GET", "/enterprises/review/", reviewers_only(200, 302), api=False),
    Case(
        "queue returned",
        "GET",
        "/enterprises/review/?tab=returned",
        reviewers_only(200, 302),
        api=False,
    ),
    Case(
        "queue approved",
        "GET",
        "/enterprises/review/?tab=approved",
        reviewers_only(200, 302),
        api=False,
    ),
    Case("batch list", "GET", "/enterprises/batches/", staff_read(302), api=False),
    Case("batch page", "GET", "/enterprises/batches/{batch}/", staff_read(302), api=False),
    Case("batch print", "GET", "/enterprises/batches/{batch}/print/", staff_read(302), api=False),
    Case("batch export", "GET", "/enterprises/batches/{batch}/export/", staff_read(302), api=False),
    Case("public list", "GET", "/enterprises/public/batches/", expect(200), api=False),
    Case("public batch", "GET", "/enterprises/public/batches/{code}/", expect(200), api=False),
]
WRITES = [
    Case(
        "approve A",
        "POST",
        "/applications/{app_a}/reviews",
        reviewers_only(200, 401),
        {"action": "approve", "version": 1},
    ),
    Case(
        "return A",
        "POST",
        "/applications/{app_a}/reviews",
        reviewers_only(200, 401),
        {"action": "return", "version": 1, "items": ["training"]},
    ),
    Case("publish", "POST", "/batches", reviewers_only(201, 401), {"subdistrict": "{sub}"}),
    Case(
        "approve page A",
        "POST",
        "/enterprises/review/{app_a}/approve/",
        reviewers_only(302, 302),
        {"version": "1"},
        api=False,
    ),
    Case(
        "reject page A",
        "POST",
        "/enterprises/review/{app_a}/reject/",
        reviewers_only(302, 302),
        {"version": "1", "reason": "材料不实"},
        api=False,
    ),
    Case(
        "publish page",
        "POST",
        "/enterprises/batches/publish/",
        reviewers_only(302, 302),
        {"subdistrict": "{sub}"},
        api=False,
    ),
]


@pytest.fixture
def rev_world(eworld):
    app_a = make_application(eworld, "a")
    make_application(eworld, "b", status="approved", decided_at=NOW)
    from epigrid.accounts.access import SYSTEM
    from epigrid.enterprises.services.batches import batch_publish

    with frozen():
        batch = batch_publish(actor=SYSTEM, subdistrict=eworld.nodes["sub"])
    make_application(eworld, "a2", status="approved", decided_at=NOW)  # waiting to be published
    eworld.rev_values = {  # type: ignore[attr-defined]
        **{key: node.code for key, node in eworld.nodes.items()},
        "app_a": app_a.pk,
        "batch": batch.pk,
        "code": str(batch.public_code),
    }
    return eworld


def run(case, actor, world):
    with frozen(NOW):
        return send(case, actor, world, world.rev_values)


# Building the world is the slow part: one world for every read, and one per write case in
# which every refused actor goes first (nothing changes) and then the allowed ones in turn.
@pytest.mark.django_db
def test_reads(rev_world):
    for case in API_READS + PAGE_READS:
        for actor in case.expect:
            assert_read(run(case, actor, rev_world), case, actor)


@pytest.mark.django_db
@pytest.mark.parametrize("case", WRITES, ids=[c.name for c in WRITES])
def test_writes(rev_world, case):
    allowed = [a for a in ACTORS if a in REVIEWERS]
    for actor in [a for a in ACTORS if a not in REVIEWERS] + allowed[:1]:
        assert_write(case, actor, lambda a=actor: run(case, a, rev_world))


@pytest.mark.django_db
def test_headquarters_decides_too(rev_world):
    case = WRITES[0]
    assert_write(case, "hq", lambda: run(case, "hq", rev_world))
