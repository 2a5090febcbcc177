"""The access matrix of the field part's API: every kind of actor against task forces,
inspections, rectifications, liaisons, needs and consultations. Reads answer as expected;
an allowed write changes something and is audited in the actor's name; a refused one
changes nothing. Each write is tried by each actor from the same state (rolled back)."""

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction

from epigrid.enterprises.services.consultations import consultation_log
from epigrid.enterprises.services.inspections import inspection_record
from epigrid.enterprises.services.needs import need_raise
from tests.access_runner import assert_write

from .fld_world import DAY, all_ok, api, fworld_fixture  # noqa: F401

pytestmark = pytest.mark.django_db
ACTORS = [
    "anon",
    "worker_a",
    "worker_b",
    "secretary",
    "hq",
    "analyst",
    "ent_a",
    "ent_b",
    "desk",
    "inspector",
]


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    expect: dict[str, int]
    body: dict[str, Any] = field(default_factory=dict)
    api: bool = True


def statuses(default: int, **overrides: int) -> dict[str, int]:
    return {a: overrides.get(a, default) for a in ACTORS}


class Rollback(Exception):
    pass


def seed(world):
    hq = world.actor("hq")
    e = world.enterprises
    ins = {
        k: inspection_record(
            actor=hq, enterprise=e[k], inspected_on=DAY, results=all_ok(plans="无预案")
        )
        for k in ("a", "b")
    }
    needs = {
        k: need_raise(actor=hq, enterprise=e[k], kind="other", description=f"诉求{k}")
        for k in ("a", "b")
    }
    cons = {
        k: consultation_log(
            actor=world.actor("desk"), channel="hotline", question=f"问{k}", enterprise=e[k]
        )
        for k in ("a", "b")
    }
    return {
        "tf_a": world.task_forces["a"].pk,
        "ins_a": ins["a"].pk,
        "ins_b": ins["b"].pk,
        "need_a": needs["a"].pk,
        "need_b": needs["b"].pk,
        "con_a": cons["a"].pk,
        "con_b": cons["b"].pk,
        "a": e["a"].pk,
        "b": e["b"].pk,
        "inspector": world.users["inspector"].pk,
    }


def fill(value, ids):
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
            return ids[value[1:-1]]
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


STAFF_READ = dict(anon=401, ent_a=403, ent_b=403)
# A task force of village A covers more than grid A: a grid worker does not reach it.
TF_A = dict(worker_a=404, worker_b=404)
READS = [
    Case("task forces", "GET", "/task-forces", statuses(200, **STAFF_READ)),
    Case("task force A", "GET", "/task-forces/{tf_a}", statuses(200, **TF_A, **STAFF_READ)),
    Case(
        "its enterprises",
        "GET",
        "/task-forces/{tf_a}/enterprises",
        statuses(200, **TF_A, **STAFF_READ),
    ),
    Case("inspections", "GET", "/inspections", statuses(200, anon=401)),
    Case(
        "inspection A",
        "GET",
        "/inspections/{ins_a}",
        statuses(200, anon=401, worker_b=404, ent_b=404),
    ),
    Case(
        "inspection B",
        "GET",
        "/inspections/{ins_b}",
        statuses(200, anon=401, worker_a=404, secretary=404, inspector=404, ent_a=404),
    ),
    Case("rectifications", "GET", "/rectifications", statuses(200, anon=401)),
    Case("liaisons", "GET", "/liaisons", statuses(200, anon=401)),
    Case("needs", "GET", "/needs", statuses(200, anon=401)),
    Case("need A", "GET", "/needs/{need_a}", statuses(200, anon=401, worker_b=404, ent_b=404)),
    Case(
        "need B",
        "GET",
        "/needs/{need_b}",
        statuses(200, anon=401, worker_a=404, secretary=404, inspector=404, ent_a=404),
    ),
    Case("consultations", "GET", "/consultations", statuses(200, anon=401)),
    Case("public FAQ", "GET", "/public/faq", statuses(200)),
]

RESULTS = {"results": all_ok(), "inspected_on": "2020-02-16"}
WRITES = [
    Case(
        "inspect A",
        "POST",
        "/inspections",
        statuses(403, anon=401, secretary=201, hq=201, inspector=201),
        {"enterprise": "{a}", **RESULTS},
    ),
    Case(
        "inspect B",
        "POST",
        "/inspections",
        statuses(403, anon=401, secretary=404, hq=201, inspector=404),
        {"enterprise": "{b}", **RESULTS},
    ),
    Case(
        "raise need A",
        "POST",
        "/needs",
        statuses(201, anon=401, worker_a=403, worker_b=404, analyst=403, ent_b=404),
        {"enterprise": "{a}", "kind": "supplies", "description": "缺消毒液"},
    ),
    Case(
        "update need B",
        "PATCH",
        "/needs/{need_b}",
        statuses(403, anon=401, hq=200, desk=200, secretary=404, inspector=404),
        {"version": 1, "status": "in_progress"},
    ),
    Case(
        "update need A",
        "PATCH",
        "/needs/{need_a}",
        statuses(403, anon=401, hq=200, desk=200, secretary=200, inspector=200, worker_b=403),
        {"version": 1, "status": "in_progress"},
    ),
    Case(
        "assign liaison A",
        "POST",
        "/liaisons",
        statuses(403, anon=401, hq=201, secretary=201),
        {"enterprise": "{a}", "leader": "{inspector}"},
    ),
    Case(
        "answer question B",
        "PATCH",
        "/consultations/{con_b}",
        statuses(403, anon=401, hq=200, desk=200, secretary=404, inspector=404),
        {"version": 1, "answer": "答"},
    ),
    Case(
        "ask or log",
        "POST",
        "/consultations",
        statuses(
            403, anon=401, hq=201, desk=201, secretary=201, inspector=201, ent_a=201, ent_b=201
        ),
        {"channel": "hotline", "question": "复工问题"},
    ),
    Case(
        "create task force",
        "POST",
        "/task-forces",
        statuses(403, anon=401, hq=201, secretary=422),
        {"name": "郁文村专班", "jurisdiction": "440785.001.02", "leader": "{inspector}"},
    ),
]


def test_reads(fworld):
    ids = seed(fworld)
    got, want = {}, {}
    for case in READS:
        for actor in ACTORS:
            client = api(fworld, None if actor == "anon" else actor)
            got[(case.name, actor)] = client.get(fill(case.path, ids)).status_code
            want[(case.name, actor)] = case.expect[actor]
    assert got == want


def test_an_enterprise_sees_only_its_own_rows(fworld):
    ids = seed(fworld)
    ent = api(fworld, "ent_a")
    for path in ("/inspections", "/needs", "/consultations"):
        assert {x["enterprise"] for x in ent.get(path).json()["items"]} == {ids["a"]}, path
    assert {x["enterprise"] for x in ent.get("/rectifications").json()["items"]} == {ids["a"]}
    assert api(fworld, "analyst").get("/needs").json()["items"][0]["enterprise"] in (
        ids["a"],
        ids["b"],
    )


@pytest.mark.parametrize("case", WRITES, ids=[c.name for c in WRITES])
def test_writes(fworld, case):
    ids = seed(fworld)
    for actor in ACTORS:
        client = api(fworld, None if actor == "anon" else actor)
        try:
            with transaction.atomic():
                assert_write(
                    case,
                    actor,
                    lambda client=client: client.send(
                        case.method, fill(case.path, ids), fill(case.body, ids)
                    ),
                )
                raise Rollback
        except Rollback:
            pass
