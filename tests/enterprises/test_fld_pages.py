"""The field part's pages: who reaches which page (a refused write changes nothing), the
inspection form on a phone (unanswered item refused on its own fieldset, a recorded
inspection redirects to its page), the need pages of an enterprise user, and constant
query counts of the lists. Clock: 2020-02-16 09:30."""

import io

import openpyxl
import pytest
from django.test import Client

from epigrid.audit.models import AuditEvent
from epigrid.enterprises.models import Inspection, Need, Rectification
from epigrid.enterprises.services.inspections import inspection_record
from epigrid.enterprises.services.needs import need_raise
from tests.access_runner import db_fingerprint

from .fld_world import CODES, DAY, all_ok, fworld_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def web(world, who):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if who != "anon":
        client.force_login(world.users[who])
    return client


def seed(world):
    inspection = inspection_record(
        actor=world.actor("hq"),
        enterprise=world.enterprises["a"],
        task_force=world.task_forces["a"],
        inspected_on=DAY,
        results=all_ok(supplies="<script>alert(1)</script>缺口罩"),
    )
    need_b = need_raise(
        actor=world.actor("desk"),
        enterprise=world.enterprises["b"],
        kind="staff",
        description="缺工人",
    )
    need_a = need_raise(
        actor=world.actor("ent_a"),
        enterprise=world.enterprises["a"],
        kind="supplies",
        description="缺口罩",
    )
    return inspection, need_a, need_b


def test_who_reaches_which_page(fworld):
    inspection, need_a, need_b = seed(fworld)
    tf = fworld.task_forces["a"].pk
    a, b = fworld.enterprises["a"].pk, fworld.enterprises["b"].pk
    pages = {
        "/enterprises/task-forces/": dict(hq=200, inspector=200, analyst=200, ent_a=403, anon=302),
        f"/enterprises/task-forces/{tf}/": dict(hq=200, inspector=200, worker_b=404, ent_a=403),
        "/enterprises/task-forces/new/": dict(hq=200, secretary=200, desk=403, inspector=403),
        f"/enterprises/{a}/inspect/": dict(
            inspector=200, secretary=200, analyst=403, ent_a=403, worker_b=403
        ),
        f"/enterprises/{b}/inspect/": dict(inspector=404, hq=200),
        f"/enterprises/inspections/{inspection.pk}/": dict(
            ent_a=200, ent_b=404, worker_b=404, analyst=200
        ),
        "/enterprises/rectifications/": dict(ent_a=200, analyst=200, anon=302),
        "/enterprises/liaisons/": dict(hq=200, ent_a=200, anon=302),
        "/enterprises/liaisons/new/": dict(hq=200, desk=403, ent_a=403),
        "/enterprises/liaisons/mine/": dict(inspector=200, ent_a=403),
        "/enterprises/needs/": dict(ent_a=200, desk=200, analyst=200, anon=302),
        f"/enterprises/needs/{need_a.pk}/": dict(ent_a=200, ent_b=404, desk=200, worker_b=404),
        f"/enterprises/needs/{need_b.pk}/": dict(ent_a=404, worker_a=404, desk=200),
        "/enterprises/needs/new/": dict(ent_a=200, desk=200),
        "/enterprises/consultations/": dict(ent_a=200, desk=200, anon=302),
        "/enterprises/consultations/new/": dict(ent_a=200, desk=200, analyst=403),
        "/enterprises/public/faq/": dict(anon=200, ent_a=200),
    }
    got = {
        (url, who): web(fworld, who).get(url).status_code
        for url, expect in pages.items()
        for who in expect
    }
    assert got == {
        (url, who): code for url, expect in pages.items() for who, code in expect.items()
    }
    html = web(fworld, "analyst").get("/enterprises/rectifications/").content.decode()
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    # The whole filtered list as a real .xlsx, audited; an enterprise gets its own rows only.
    response = web(fworld, "analyst").get("/enterprises/rectifications/", {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("Enterprise", "Checklist item", "Finding", "Deadline")
    assert [r[0] for r in rows[1:]] == ["锦岗五金厂"]
    assert rows[1][2] == "<script>alert(1)</script>缺口罩" and rows[1][5] == "Open"
    event = AuditEvent.objects.get(action="export.create", actor_username="analyst")
    assert event.after["rows"] == 1
    response = web(fworld, "ent_b").get("/enterprises/rectifications/", {"format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert len(list(book.active.iter_rows(values_only=True))) == 1  # the header only


def test_an_enterprise_user_reads_but_cannot_change_its_need(fworld):
    _, need_a, need_b = seed(fworld)
    ent = web(fworld, "ent_a")
    page = ent.get(f"/enterprises/needs/{need_a.pk}/").content.decode()
    assert "缺口罩" in page and 'data-testid="need-update-form"' not in page
    before = db_fingerprint()
    body = {"version": 1, "status": "resolved", "resolution": "x"}
    assert ent.post(f"/enterprises/needs/{need_a.pk}/", body).status_code == 403
    assert ent.post(f"/enterprises/needs/{need_b.pk}/", body).status_code == 404
    assert db_fingerprint() == before
    # It raises a need for its own enterprise (no enterprise field on its form).
    r = ent.post("/enterprises/needs/new/", {"kind": "transport", "description": "包车"})
    assert r.status_code == 302
    assert Need.objects.get(description="包车").enterprise_id == fworld.enterprises["a"].pk
    # The desk resolves without a resolution: refused on the form, nothing written.
    desk = web(fworld, "desk")
    before = db_fingerprint()
    r = desk.post(
        f"/enterprises/needs/{need_a.pk}/", {"version": 1, "status": "resolved", "resolution": ""}
    )
    assert r.status_code == 200
    assert "Say how the need was resolved." in r.content.decode()
    assert db_fingerprint() == before


def test_the_inspection_form(fworld):
    inspector = web(fworld, "inspector")
    tf = fworld.task_forces["a"].pk
    url = f"/enterprises/{fworld.enterprises['a2'].pk}/inspect/?task_force={tf}"
    page = inspector.get(url).content.decode()
    assert page.count('type="radio"') == 2 * len(CODES)
    body = {"inspected_on": "2020-02-16", "task_force": fworld.task_forces["a"].pk, "note": ""}
    for code in CODES[:-1]:
        body[f"ok_{code}"] = "1"
    before = db_fingerprint()
    r = inspector.post(url, body)
    assert r.status_code == 200
    assert "Answer this item: in order or not." in r.content.decode()
    body[f"ok_{CODES[-1]}"] = "0"
    r = inspector.post(url, body)
    assert "Describe what is wrong (the finding)." in r.content.decode()
    assert db_fingerprint() == before
    body[f"finding_{CODES[-1]}"] = "未设隔离室"
    r = inspector.post(url, body)
    assert r.status_code == 302
    inspection = Inspection.objects.get()
    assert r["Location"] == f"/enterprises/inspections/{inspection.pk}/"
    assert (inspection.task_force_id, inspection.passed, inspection.inspector.username) == (
        fworld.task_forces["a"].pk,
        False,
        "inspector",
    )
    assert Rectification.objects.get().item == CODES[-1]
    detail = inspector.get(r["Location"]).content.decode()
    assert "未设隔离室" in detail


@pytest.mark.parametrize(
    "url", ["/enterprises/needs/", "/enterprises/rectifications/", "/enterprises/task-forces/"]
)
def test_lists_take_the_same_queries_for_more_rows(fworld, url, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seed(fworld)
    client = web(fworld, "hq")
    client.get(url)  # warm the session and the actor
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for key in ("a", "a2", "b"):
        for i in range(2):
            need_raise(
                actor=fworld.actor("hq"),
                enterprise=fworld.enterprises[key],
                kind="other",
                description=f"{key}{i}",
            )
        inspection_record(
            actor=fworld.actor("hq"),
            enterprise=fworld.enterprises[key],
            task_force=None,
            inspected_on=DAY,
            results=all_ok(plans="无", staggered="无"),
        )
    with django_assert_num_queries(len(few)):
        assert client.get(url).status_code == 200
