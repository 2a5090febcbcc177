"""The access matrix of the checkpoint register, the check list and the paper fallback:
every page and endpoint, every kind of actor, the expected answer; a refused write changes
nothing and a successful one leaves an audit event by its actor. Time stands at 09:30 on
2020-02-10."""

import pytest

from epigrid.accounts.access import SYSTEM
from epigrid.checkpoints.services import checkpoints as services
from tests.access_cases import Case, placeholders, statuses
from tests.access_runner import assert_read, assert_write, matrix, send

from .register_world import NOW, frozen, make_check

MANAGERS = {"worker_a": 403, "worker_b": 403, "analyst": 403}  # hq and secretary manage
IN_A = {"worker_b": 404}
IN_B = {"worker_a": 404, "secretary": 404}


def read(**overrides):
    return statuses(200, anon=401, **overrides)


def page(**overrides):
    return statuses(200, anon=302, **overrides)


API_READS = [
    Case("checkpoints", "GET", "/checkpoints/", read()),
    Case("checkpoint A", "GET", "/checkpoints/{cp_a}", read(**IN_A)),
    Case("checkpoint B", "GET", "/checkpoints/{cp_b}", read(**IN_B)),
    Case("posts A", "GET", "/checkpoints/{cp_a}/posts", read(**IN_A)),
    Case("posts B", "GET", "/checkpoints/{cp_b}/posts", read(**IN_B)),
    Case("checks", "GET", "/checkpoints/checks", read()),
    Case("checks of A", "GET", "/checkpoints/checks?checkpoint={cp_a}", read()),
    Case("check A", "GET", "/checkpoints/checks/{check_a}", read(**IN_A)),
    Case("check B", "GET", "/checkpoints/checks/{check_b}", read(**IN_B)),
    Case(
        "check unknown",
        "GET",
        "/checkpoints/checks/99999999",
        statuses(404, anon=401),
    ),
    Case(
        "checkpoint huge id",
        "GET",
        "/checkpoints/99999999999999999999999",
        statuses(404, anon=401),
    ),
]

NEW = {
    "jurisdiction": "{grid_a}",
    "name": "锦岗村西口",
    "kind": "road",
    "active_from": "2020-02-10",
}
API_WRITES = [
    Case("create in A", "POST", "/checkpoints/", statuses(201, anon=401, **MANAGERS), NEW),
    Case(
        "create in B",
        "POST",
        "/checkpoints/",
        statuses(201, anon=401, secretary=422, **MANAGERS),
        {**NEW, "jurisdiction": "{grid_b}"},
    ),
    Case(
        "edit A",
        "PATCH",
        "/checkpoints/{cp_a}",
        statuses(200, anon=401, **MANAGERS),
        {"version": 1, "name": "<b>新</b>"},
    ),
    Case(
        "edit B",
        "PATCH",
        "/checkpoints/{cp_b}",
        statuses(200, anon=401, secretary=404, **MANAGERS),
        {"version": 1, "location": "路口"},
    ),
    Case(
        "end A",
        "POST",
        "/checkpoints/{cp_a}/end",
        statuses(200, anon=401, **MANAGERS),
        {"on": "2020-02-12", "version": 1},
    ),
    Case(
        "add post A",
        "POST",
        "/checkpoints/{cp_a}/posts",
        statuses(201, anon=401, **MANAGERS),
        {"role": "publicity"},
    ),
    Case(
        "add post B",
        "POST",
        "/checkpoints/{cp_b}/posts",
        statuses(201, anon=401, secretary=404, **MANAGERS),
        {"role": "publicity"},
    ),
    Case(
        "end post A",
        "POST",
        "/checkpoints/{cp_a}/posts/{link_a}/end",
        statuses(200, anon=401, **MANAGERS),
        {},
    ),
    Case(
        "end post B",
        "POST",
        "/checkpoints/{cp_b}/posts/{link_b}/end",
        statuses(200, anon=401, secretary=404, **MANAGERS),
        {},
    ),
    Case(
        "end post B through A",
        "POST",
        "/checkpoints/{cp_a}/posts/{link_b}/end",
        statuses(404, anon=401, **MANAGERS),
        {},
    ),
]

RECORDERS_A = {"worker_b": 404, "analyst": 403}
RECORDERS_B = {"worker_a": 404, "secretary": 404, "analyst": 403}
PAGE_READS = [
    Case("list page", "GET", "/checkpoints/", page(), api=False),
    Case("list page filtered", "GET", "/checkpoints/?q=村口&kind=road&ended=1", page(), api=False),
    Case("list export", "GET", "/checkpoints/?format=xlsx", page(), api=False),
    Case("create form", "GET", "/checkpoints/new/", page(**MANAGERS), api=False),
    Case("page A", "GET", "/checkpoints/{cp_a}/", page(**IN_A), api=False),
    Case("page B", "GET", "/checkpoints/{cp_b}/", page(**IN_B), api=False),
    Case("edit form A", "GET", "/checkpoints/{cp_a}/edit/", page(**MANAGERS), api=False),
    Case(
        "edit form B",
        "GET",
        "/checkpoints/{cp_b}/edit/",
        page(secretary=404, **MANAGERS),
        api=False,
    ),
    Case("end form A", "GET", "/checkpoints/{cp_a}/end/", page(**MANAGERS), api=False),
    Case("QR A", "GET", "/checkpoints/{cp_a}/qr/", page(**IN_A), api=False),
    Case("QR B", "GET", "/checkpoints/{cp_b}/qr/", page(**IN_B), api=False),
    Case("check list", "GET", "/checkpoints/checks/", page(), api=False),
    Case("check page A", "GET", "/checkpoints/checks/{check_a}/", page(**IN_A), api=False),
    Case("check page B", "GET", "/checkpoints/checks/{check_b}/", page(**IN_B), api=False),
    Case("paper sheet A", "GET", "/checkpoints/{cp_a}/paper/", page(**RECORDERS_A), api=False),
    Case("paper sheet B", "GET", "/checkpoints/{cp_b}/paper/", page(**RECORDERS_B), api=False),
    Case(
        "paper entry A", "GET", "/checkpoints/{cp_a}/paper/entry/", page(**RECORDERS_A), api=False
    ),
    Case(
        "paper entry B", "GET", "/checkpoints/{cp_b}/paper/entry/", page(**RECORDERS_B), api=False
    ),
]

PAGE_NEW = {
    "name": "锦岗村西口",
    "kind": "road",
    "jurisdiction": "{grid_a}",
    "opens_at": "06:00",
    "closes_at": "22:00",
    "active_from": "2020-02-10",
}
PAGE_EDIT = {
    "name": "锦岗村口",
    "kind": "village_entrance",
    "location": "村委会",
    "opens_at": "00:00",
    "closes_at": "24:00",
    "version": "1",
}
PAPER_ROW = {
    "day": "2020-02-10",
    "rows": "1",
    "row0-uuid": "6f1c2a52-0f7e-4d65-9d0b-6f0e7b1a2c3d",
    "row0-time": "07:45",
    "row0-mode": "foot",
    "row0-name": "王五",
    "row0-doc_type": "resident_id",
    "row0-temperature": "36.4",
    "row0-result": "passed",
}
PAGE_WRITES = [
    Case(
        "create page",
        "POST",
        "/checkpoints/new/",
        statuses(403, anon=302, hq=302, secretary=302),
        PAGE_NEW,
        api=False,
    ),
    Case(
        "edit page A",
        "POST",
        "/checkpoints/{cp_a}/edit/",
        statuses(302, **MANAGERS),
        PAGE_EDIT,
        api=False,
    ),
    Case(
        "edit page B",
        "POST",
        "/checkpoints/{cp_b}/edit/",
        statuses(302, secretary=404, **MANAGERS),
        PAGE_EDIT,
        api=False,
    ),
    Case(
        "end page A",
        "POST",
        "/checkpoints/{cp_a}/end/",
        statuses(302, **MANAGERS),
        {"on": "2020-02-12", "version": "1"},
        api=False,
    ),
    Case(
        "add post page A",
        "POST",
        "/checkpoints/{cp_a}/posts/",
        statuses(302, **MANAGERS),
        {"role": "tracking"},
        api=False,
    ),
    Case(
        "add post page B",
        "POST",
        "/checkpoints/{cp_b}/posts/",
        statuses(302, secretary=404, **MANAGERS),
        {"role": "tracking"},
        api=False,
    ),
    Case(
        "end post page A",
        "POST",
        "/checkpoints/posts/{link_a}/end/",
        statuses(302, **MANAGERS),
        {},
        api=False,
    ),
    Case(
        "end post page B",
        "POST",
        "/checkpoints/posts/{link_b}/end/",
        statuses(302, secretary=404, **MANAGERS),
        {},
        api=False,
    ),
    Case(
        "paper entry A",
        "POST",
        "/checkpoints/{cp_a}/paper/entry/",
        statuses(302, **RECORDERS_A),
        PAPER_ROW,
        api=False,
    ),
    Case(
        "paper entry B",
        "POST",
        "/checkpoints/{cp_b}/paper/entry/",
        statuses(302, **RECORDERS_B),
        PAPER_ROW,
        api=False,
    ),
]


@pytest.fixture
def reg_world(cworld):
    a, b = cworld.checkpoints["a"], cworld.checkpoints["b"]
    with frozen():
        link_a = services.checkpoint_post_add(actor=SYSTEM, checkpoint=a, role="checking")
        link_b = services.checkpoint_post_add(actor=SYSTEM, checkpoint=b, role="checking")
    a.refresh_from_db()
    b.refresh_from_db()
    cworld.register_values = {
        "cp_a": a.pk,
        "cp_b": b.pk,
        "link_a": link_a.pk,
        "link_b": link_b.pk,
        "check_a": make_check(a).pk,
        "check_b": make_check(b).pk,
    }
    return cworld


def run(case, actor, world):
    with frozen(NOW):
        return send(case, actor, world, {**placeholders(world), **world.register_values})


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "actor"), matrix(API_READS + PAGE_READS))
def test_reads(reg_world, case, actor):
    assert_read(run(case, actor, reg_world), case, actor)


@pytest.mark.django_db
@pytest.mark.parametrize(("case", "actor"), matrix(API_WRITES + PAGE_WRITES))
def test_writes(reg_world, case, actor):
    assert_write(case, actor, lambda: run(case, actor, reg_world))


@pytest.mark.django_db
def test_a_worker_never_learns_of_another_grids_checkpoints_or_checks(reg_world, api):
    worker_a = api("worker_a")
    with frozen(NOW):
        checkpoints = worker_a.all("/checkpoints/")
        checks = worker_a.all("/checkpoints/checks")
        filtered = worker_a.all("/checkpoints/checks", checkpoint=reg_world.register_values["cp_b"])
    assert [c["name"] for c in checkpoints] == ["锦岗村口"]
    assert {c["checkpoint_name"] for c in checks} == {"锦岗村口"}
    assert filtered == []
