"""Pages of help with daily needs: the list (open first, filters, keyset pages), one request
with its take / fulfil / cancel forms, the request and care-note forms of a case, the case
page's section; hostile strings escaped; query counts that do not grow with the data."""

import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from epigrid.quarantine.models import AssistanceRequest, CareNote
from epigrid.quarantine.selectors import assistance as selectors
from epigrid.quarantine.services import assistance as services

from .world import make_case

pytestmark = pytest.mark.django_db
HOSTILE = '<script>alert("x")</script>'


def _request(world, case, kind="food", detail="大米", actor="worker_a"):
    return services.request_create(actor=world.actor(actor), case=case, kind=kind, detail=detail)


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'data-testid="request-(\d+)"', html)]


def test_the_list_shows_open_requests_first(world, web):
    case = make_case(world)
    first = _request(world, case, detail="第一")
    done = _request(world, case, detail="已办")
    second = _request(world, case, kind="medicine", detail="第二")
    services.request_fulfil(actor=world.actor("worker_a"), request=done, version=1)
    html = web("hq").get("/quarantine/assistance/").content.decode()
    assert _ids(html) == [first.pk, second.pk, done.pk]
    assert (
        'data-testid="open-count"' in html and "2" in html.split('data-testid="open-count"')[1][:40]
    )
    html = web("hq").get("/quarantine/assistance/?kind=medicine").content.decode()
    assert _ids(html) == [second.pk]
    html = web("hq").get("/quarantine/assistance/?status=fulfilled").content.decode()
    assert _ids(html) == [done.pk]
    html = web("hq").get("/quarantine/assistance/?status=waiting&kind=bogus").content.decode()
    assert _ids(html) == [first.pk, second.pk]
    assert web("hq").get("/quarantine/assistance/?cursor=%%%").status_code == 302


def test_workers_see_only_their_grids_requests(world, web):
    a = _request(world, make_case(world))
    b = _request(world, make_case(world, grid="grid_b", name="乙"), actor="worker_b")
    assert _ids(web("worker_a").get("/quarantine/assistance/").content.decode()) == [a.pk]
    assert _ids(web("worker_b").get("/quarantine/assistance/").content.decode()) == [b.pk]
    assert web("worker_b").get(f"/quarantine/assistance/{a.pk}/").status_code == 404
    assert web("analyst").get(f"/quarantine/assistance/{a.pk}/").status_code == 200


@pytest.mark.parametrize("limit", [1, 2, 3, 50])
def test_keyset_pages_cross_from_open_to_closed_exactly_once(world, limit):
    case = make_case(world)
    actor = world.actor("worker_a")
    made = [_request(world, case, detail=f"r{i}") for i in range(5)]
    for r in (made[1], made[3]):
        services.request_cancel(actor=actor, request=r, note="不需要了", version=1)
    seen, cursor = [], None
    while True:
        page = selectors.request_page(actor=actor, cursor=cursor, limit=limit)
        seen += [r.pk for r in page.items]
        cursor = page.next
        if not cursor:
            break
    assert seen == [made[0].pk, made[2].pk, made[4].pk, made[3].pk, made[1].pk]


def test_create_a_request_from_the_case(world, web):
    case = make_case(world)
    client = web("worker_a")
    form = client.get(f"/quarantine/cases/{case.pk}/assistance/new/")
    assert form.status_code == 200
    response = client.post(
        f"/quarantine/cases/{case.pk}/assistance/new/", {"kind": "medicine", "detail": "降压药"}
    )
    assert response.status_code == 302
    req = AssistanceRequest.objects.get()
    assert (req.kind, req.detail, req.case) == ("medicine", "降压药", case)
    response = client.post(f"/quarantine/cases/{case.pk}/assistance/new/", {"kind": "x"})
    assert response.status_code == 200 and AssistanceRequest.objects.count() == 1
    html = response.content.decode()
    assert "此项为必填项。" in html


def test_take_fulfil_and_cancel_from_the_request_page(world, web):
    case = make_case(world)
    req = _request(world, case)
    client = web("worker_a")
    url = f"/quarantine/assistance/{req.pk}/"
    html = client.get(url).content.decode()
    assert 'data-testid="take"' in html and "grid_a-police" in html
    assert "grid_b-police" not in html
    police = world.staff["grid_a.police"]
    response = client.post(url + "take/", {"version": 1, "staff": police.pk})
    assert response.status_code == 302 and response["Location"] == url
    req.refresh_from_db()
    assert req.taken_by == police
    # A stale form: refused with the conflict message, nothing changed.
    response = client.post(url + "fulfil/", {"version": 1, "note": "x"}, follow=True)
    assert 'class="error"' in response.content.decode()
    req.refresh_from_db()
    assert req.fulfilled_at is None
    response = client.post(url + "cancel/", {"version": 2, "note": ""}, follow=True)
    req.refresh_from_db()
    assert req.cancelled_at is None
    response = client.post(
        url + "fulfil/", {"version": 2, "note": "已送达", "next": "/quarantine/assistance/"}
    )
    assert response["Location"] == "/quarantine/assistance/"
    req.refresh_from_db()
    assert req.fulfilled_at is not None and req.result_note == "已送达"
    html = client.get(url).content.decode()
    assert 'data-testid="take"' not in html
    # An outside "next" is ignored.
    other = _request(world, case)
    response = client.post(
        f"/quarantine/assistance/{other.pk}/cancel/",
        {"version": 1, "note": "重复", "next": "https://evil.example/"},
    )
    assert response["Location"] == f"/quarantine/assistance/{other.pk}/"


def test_analyst_reads_but_gets_no_forms(world, web):
    req = _request(world, make_case(world))
    html = web("analyst").get(f"/quarantine/assistance/{req.pk}/").content.decode()
    assert 'data-testid="take"' not in html
    assert (
        web("analyst").post(f"/quarantine/assistance/{req.pk}/take/", {"version": 1}).status_code
        == 403
    )


def test_care_notes_from_the_case(world, web):
    case = make_case(world)
    client = web("worker_a")
    url = f"/quarantine/cases/{case.pk}/care/new/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"kind": "health_education", "text": "讲解居家消毒方法"})
    assert response.status_code == 302
    note = CareNote.objects.get()
    assert note.kind == "health_education" and note.staff is None
    response = client.post(url, {"kind": "counselling", "text": ""})
    assert response.status_code == 200 and CareNote.objects.count() == 1
    html = client.get(url).content.decode()
    assert "讲解居家消毒方法" in html


def test_hostile_strings_are_escaped_everywhere(world, web):
    case = make_case(world, name=HOSTILE)
    req = _request(world, case, detail=HOSTILE)
    services.care_note_add(
        actor=world.actor("worker_a"), case=case, kind="counselling", text=HOSTILE
    )
    client = web("hq")
    pages = [
        client.get("/quarantine/assistance/").content.decode(),
        client.get(f"/quarantine/assistance/{req.pk}/").content.decode(),
        client.get(f"/quarantine/cases/{case.pk}/assistance/new/").content.decode(),
        client.get(f"/quarantine/cases/{case.pk}/care/new/").content.decode(),
        render_to_string(
            "quarantine/_case_assistance.html",
            selectors.case_assistance(actor=world.actor("hq"), case=case),
        ),
    ]
    for html in pages:
        assert HOSTILE not in html
        assert "&lt;script&gt;" in html


def test_the_case_section_renders_from_its_selector(world):
    case = make_case(world)
    req = _request(world, case, detail="买菜")
    services.care_note_add(
        actor=world.actor("worker_a"), case=case, kind="counselling", text="心理疏导"
    )
    context = selectors.case_assistance(actor=world.actor("worker_a"), case=case)
    html = render_to_string("quarantine/_case_assistance.html", context)
    assert f"/quarantine/assistance/{req.pk}/" in html and "买菜" in html and "心理疏导" in html
    assert f"/quarantine/cases/{case.pk}/assistance/new/" in html
    assert f"/quarantine/cases/{case.pk}/care/new/" in html
    html = render_to_string(
        "quarantine/_case_assistance.html",
        selectors.case_assistance(actor=world.actor("analyst"), case=case),
    )
    assert "/assistance/new/" not in html and "买菜" in html


def _grow(world, n: int) -> None:
    actor = world.actor("hq")
    for i in range(n):
        case = make_case(world, name=f"增{i}", grid=("grid_a", "grid_a2", "grid_b")[i % 3])
        r = services.request_create(actor=actor, case=case, kind="food", detail=f"d{i}")
        if i % 2:
            big = "big_a" if case.jpath.startswith(world.nodes["big_a"].path) else "big_b"
            leader = world.staff[f"{big}.leader"]
            services.request_take(actor=actor, request=r, staff=leader, version=1)
        if i % 3 == 0:
            services.request_fulfil(actor=actor, request=r, version=r.version)
        services.care_note_add(actor=actor, case=case, kind="counselling", text="t")


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_query_counts_do_not_grow_with_the_data(world, web, api):
    case = make_case(world, name="固定")
    req = _request(world, case)
    urls = [
        "/quarantine/assistance/",
        "/quarantine/assistance/?status=open",
        "/quarantine/assistance/?status=fulfilled",
        f"/quarantine/assistance/{req.pk}/",
        f"/quarantine/cases/{case.pk}/assistance/new/",
        f"/quarantine/cases/{case.pk}/care/new/",
    ]
    endpoints = [
        "/quarantine/assistance",
        f"/quarantine/assistance/{req.pk}",
        f"/quarantine/cases/{case.pk}/care-notes",
    ]
    client, hq = web("hq"), api("hq")

    def api_count(path):
        with CaptureQueriesContext(connection) as ctx:
            assert hq.get(path).status_code == 200
        return len(ctx.captured_queries)

    hq.get("/quarantine/assistance")  # the token's last use is written once a minute
    _grow(world, 3)
    before = [_count(client, u) for u in urls] + [api_count(p) for p in endpoints]
    _grow(world, 12)
    after = [_count(client, u) for u in urls] + [api_count(p) for p in endpoints]
    assert before == after, (before, after)


def test_the_case_page_carries_both_sections(world, web):
    case = make_case(world)
    req = _request(world, case, detail="送菜上门")
    html = web("worker_a").get(f"/quarantine/cases/{case.pk}/").content.decode()
    assert 'data-testid="case-assistance"' in html and 'data-testid="case-selfreport"' in html
    assert f"/quarantine/assistance/{req.pk}/" in html and "送菜上门" in html
    assert f"/quarantine/cases/{case.pk}/selfreport/" in html
    assert f"/quarantine/cases/{case.pk}/notice/" in html
