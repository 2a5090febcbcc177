"""The office's check list and one check, on pages and through the API: filters, newest
first in keyset pages, a constant number of queries, identifiers masked in lists and shown
in full (audited) only to holders of IDS_VIEW on one check."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from epigrid.audit.models import AuditEvent
from epigrid.checkpoints.models import Check

from .register_world import DAY, frozen, make_check
from .world import local

pytestmark = pytest.mark.django_db

DOC = "440785199001011234"
DOC_MASKED = "440785********1234"
PHONE = "13912345678"
PHONE_MASKED = "139****5678"


@pytest.fixture
def checks(cworld):
    a, b = cworld.checkpoints["a"], cworld.checkpoints["b"]
    made = {
        "foot": make_check(a, at=local(DAY, 7, 0)),
        "car": make_check(
            a,
            at=local(DAY, 8, 30),
            mode="vehicle",
            plate="湘A12345",
            nonlocal_vehicle=True,
            result="turned_back",
            origin="长沙",
            destination="锦岗村",
            people=[
                {"name": "李四", "doc_number": "430102198505050012", "phone": "13700001111"},
                {"name": "李小四", "temperature": "36.8"},
            ],
        ),
        "paper": make_check(a, at=local(DAY - dt.timedelta(days=1), 18, 0), source="paper"),
        "fever": make_check(
            a,
            at=local(DAY, 9, 0),
            result="fever",
            people=[{"name": "王发热", "temperature": "38.2", "fever": True}],
        ),
        "b": make_check(b, at=local(DAY, 8, 0), people=[{"name": "郁文人"}]),
    }
    cworld.made = made
    return cworld


def ids(items) -> list[int]:
    return [i["id"] for i in items]


def test_api_list_is_newest_first_with_filters(checks, api):
    m = checks.made
    hq = api("hq")
    with frozen():
        everything = hq.all("/checkpoints/checks")
        assert ids(everything) == [m[k].pk for k in ("fever", "car", "b", "foot", "paper")]
        a = checks.checkpoints["a"].pk
        assert ids(hq.all("/checkpoints/checks", checkpoint=a, day="2020-02-09")) == [m["paper"].pk]
        assert ids(hq.all("/checkpoints/checks", mode="vehicle")) == [m["car"].pk]
        assert ids(hq.all("/checkpoints/checks", nonlocal_only="true")) == [m["car"].pk]
        assert ids(hq.all("/checkpoints/checks", result="fever")) == [m["fever"].pk]
        assert ids(hq.all("/checkpoints/checks", source="paper")) == [m["paper"].pk]
        paged = hq.all("/checkpoints/checks", limit=2)
        assert ids(paged) == ids(everything)
        assert hq.get("/checkpoints/checks", mode="bus").status_code == 422
        assert hq.get("/checkpoints/checks", cursor="!!").status_code == 422


def test_checks_with_the_same_time_page_without_loss(cworld, api):
    a = cworld.checkpoints["a"]
    same = [make_check(a, at=local(DAY, 8, 0)) for _ in range(7)]
    with frozen():
        got = api("hq").all("/checkpoints/checks", limit=3)
    assert sorted(ids(got)) == sorted(c.pk for c in same) and len(got) == 7


def test_lists_mask_identifiers_for_everyone(checks, api, web):
    with frozen():
        items = api("hq").all("/checkpoints/checks")
        page = web("hq").get("/checkpoints/checks/").content.decode()
    foot = next(i for i in items if i["id"] == checks.made["foot"].pk)
    assert foot["people"][0]["doc_number"] == DOC_MASKED
    assert foot["people"][0]["phone"] == PHONE_MASKED
    assert foot["identifiers_masked"] is True
    assert DOC not in str(items) and PHONE not in str(items)
    assert DOC not in page and PHONE not in page
    assert DOC_MASKED in page and PHONE_MASKED in page and "张三" in page


def test_one_check_shows_identifiers_to_ids_view_and_audits_the_read(checks, api, web):
    foot = checks.made["foot"]
    before = AuditEvent.objects.filter(action="check.view").count()
    with frozen():
        detail = api("worker_a").get(f"/checkpoints/checks/{foot.pk}").json()
    assert detail["people"][0]["doc_number"] == DOC and detail["people"][0]["phone"] == PHONE
    assert detail["identifiers_masked"] is False
    event = AuditEvent.objects.filter(action="check.view").order_by("-id").first()
    assert AuditEvent.objects.filter(action="check.view").count() == before + 1
    assert (event.actor_username, event.entity_id) == ("worker_a", str(foot.pk))
    with frozen():
        page = web("secretary").get(f"/checkpoints/checks/{foot.pk}/")
    assert DOC in page.content.decode()
    assert AuditEvent.objects.filter(action="check.view").count() == before + 2


def test_the_analyst_sees_one_check_masked_and_nothing_is_audited(checks, api, web):
    foot = checks.made["foot"]
    before = AuditEvent.objects.count()
    with frozen():
        detail = api("analyst").get(f"/checkpoints/checks/{foot.pk}").json()
        page = web("analyst").get(f"/checkpoints/checks/{foot.pk}/").content.decode()
    assert detail["people"][0]["doc_number"] == DOC_MASKED
    assert detail["identifiers_masked"] is True
    assert DOC not in page and DOC_MASKED in page and 'data-testid="masked-note"' in page
    assert AuditEvent.objects.count() == before


def test_a_check_without_identifiers_is_not_audited(checks, api):
    before = AuditEvent.objects.count()
    with frozen():
        api("hq").get(f"/checkpoints/checks/{checks.made['fever'].pk}")
    assert AuditEvent.objects.count() == before


def test_list_page_filters_and_marks_paper_entries(checks, web):
    a = checks.checkpoints["a"].pk
    with frozen():
        client = web("worker_a")
        page = client.get("/checkpoints/checks/", {"checkpoint": a}).content.decode()
        paper = client.get("/checkpoints/checks/", {"source": "paper"}).content.decode()
        nonlocal_ = client.get("/checkpoints/checks/", {"nonlocal": "1"}).content.decode()
        hidden = client.get(
            "/checkpoints/checks/", {"checkpoint": checks.checkpoints["b"].pk}
        ).content.decode()
    assert page.count('data-testid="check-row"') == 4
    assert page.count('data-testid="paper-badge"') == 1
    assert paper.count('data-testid="check-row"') == 1
    assert nonlocal_.count('data-testid="check-row"') == 1 and "湘A12345" in nonlocal_
    # a checkpoint outside the area is not a filter: the worker sees their own checks
    assert "郁文人" not in hidden and hidden.count('data-testid="check-row"') == 4


def test_detail_page_shows_the_route_the_plate_and_the_people(checks, web):
    car = checks.made["car"]
    with frozen():
        page = web("hq").get(f"/checkpoints/checks/{car.pk}/").content.decode()
    assert "湘A12345" in page and "长沙" in page and "李小四" in page
    assert "430102198505050012" in page


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as ctx, frozen():
        response = call()
        assert response.status_code == 200
    return len(ctx)


def test_list_costs_the_same_queries_for_5_or_60_checks(checks, api, web):
    hq_api = api("hq")
    client = web("hq")
    with frozen():
        hq_api.get("/checkpoints/checks")  # the token's first use is written down once
    small_api = _queries(lambda: hq_api.get("/checkpoints/checks"))
    small_page = _queries(lambda: client.get("/checkpoints/checks/"))
    a, b = checks.checkpoints["a"], checks.checkpoints["b"]
    for i in range(55):
        make_check(
            a if i % 2 else b,
            at=local(DAY, 6, i),
            mode="vehicle",
            plate=f"粤J{10000 + i}",
            people=[{"name": f"人{i}-{j}"} for j in range(3)],
        )
    assert Check.objects.count() == 60
    assert _queries(lambda: hq_api.get("/checkpoints/checks")) == small_api
    assert _queries(lambda: client.get("/checkpoints/checks/")) == small_page
    assert small_api <= 4


def test_hostile_text_in_checks_is_escaped(cworld, web):
    hostile = "<img src=x onerror=alert(1)>"
    check = make_check(cworld.checkpoints["a"], origin=hostile, people=[{"name": hostile}])
    with frozen():
        client = web("hq")
        for path in ("/checkpoints/checks/", f"/checkpoints/checks/{check.pk}/"):
            page = client.get(path).content.decode()
            assert hostile not in page and "&lt;img src=x" in page
