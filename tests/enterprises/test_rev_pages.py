"""The desk's pages: the queue (overdue rows marked, tabs with counts, constant queries),
the review panel's decisions with their messages (a conflict is a message, not a 500), the
batch pages, the print view without navigation, the .xlsx export (real, audited) and the
public pages (names and dates, hostile names escaped)."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from epigrid.accounts.access import SYSTEM
from epigrid.audit.models import AuditEvent
from epigrid.enterprises.services.batches import batch_publish
from tests.access_runner import db_fingerprint

from .rev_world import NOW, frozen, make_application

pytestmark = pytest.mark.django_db


def login(world, name):
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(world.users[name])
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_queue_page_marks_overdue_rows_and_counts_tabs(eworld):
    make_application(eworld, "a", due_at=NOW + dt.timedelta(hours=30))
    make_application(eworld, "b", due_at=NOW - dt.timedelta(hours=2))
    make_application(eworld, "a2", status="returned", supplement_by=NOW.date())
    client = login(eworld, "desk")
    with frozen():
        page = client.get("/enterprises/review/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("郁文制衣厂") < html.index("锦岗五金厂")
    assert html.count('class="overdue"') == 1
    assert "Overdue by 2 hours" in html
    assert "Waiting for an answer (2)" in html and "(1)" in html
    with frozen():
        returned = client.get("/enterprises/review/?tab=returned").content.decode()
    assert "锦岗食品厂" in returned and "Supplement by 2020-02-10" in returned
    with frozen():
        assert client.get("/enterprises/review/?cursor=broken").status_code == 302


def test_queue_page_query_count_does_not_grow(eworld):
    from .test_rev_queue import more_enterprises

    client = login(eworld, "desk")

    def queries() -> int:
        with frozen(), CaptureQueriesContext(connection) as ctx:
            assert client.get("/enterprises/review/").status_code == 200
        return len(ctx)

    make_application(eworld, "a")
    one = queries()
    for i, enterprise in enumerate(more_enterprises(eworld, 8)):
        eworld.enterprises[f"x{i}"] = enterprise
        make_application(eworld, f"x{i}", due_at=NOW + dt.timedelta(hours=i))
    assert queries() == one


def test_panel_decisions_redirect_back_with_messages(eworld):
    app = make_application(eworld)
    client = login(eworld, "desk")
    with frozen():
        page = client.get(f"/enterprises/applications/{app.pk}/")
    assert 'data-testid="review-panel"' in page.content.decode()
    with frozen():
        started = client.post(f"/enterprises/review/{app.pk}/start/", {"version": "1"}, follow=True)
    assert started.redirect_chain[-1][0] == f"/enterprises/applications/{app.pk}/"
    assert messages_of(started) == ["You are now reviewing the application of 锦岗五金厂."]
    before = db_fingerprint()
    with frozen():
        stale = client.post(f"/enterprises/review/{app.pk}/approve/", {"version": "1"}, follow=True)
    assert messages_of(stale)[0].startswith("Someone else changed this record")
    with frozen():
        empty = client.post(
            f"/enterprises/review/{app.pk}/return/",
            {"version": "2", "deadline": "2020-02-01"},
            follow=True,
        )
    assert messages_of(empty) == [
        "Tick at least one missing item. The deadline cannot be in the past."
    ]
    with frozen():
        junk = client.post(f"/enterprises/review/{app.pk}/reject/", {"version": "abc"}, follow=True)
    assert junk.status_code == 200 and messages_of(junk)
    assert db_fingerprint() == before
    with frozen():
        returned = client.post(
            f"/enterprises/review/{app.pk}/return/",
            {"version": "2", "items": ["training", "mechanism"], "note": "<b>补</b>"},
            follow=True,
        )
    assert messages_of(returned) == ["The application of 锦岗五金厂 was returned for supplement."]
    app.refresh_from_db()
    assert (app.status, app.missing_items) == ("returned", ["mechanism", "training"])
    assert client.get(f"/enterprises/review/{app.pk}/approve/").status_code == 405


def test_batch_pages_print_and_export(eworld):
    make_application(eworld, "a", status="approved", decided_at=NOW, green_channel=True)
    eworld.enterprises["b"].name = "<script>alert(1)</script>厂"
    eworld.enterprises["b"].save()
    make_application(eworld, "b", status="approved", decided_at=NOW)
    client = login(eworld, "desk")
    with frozen():
        published = client.post(
            "/enterprises/batches/publish/", {"subdistrict": eworld.nodes["sub"].code}, follow=True
        )
    batch = published.context["batch"]
    assert published.redirect_chain[-1][0] == f"/enterprises/batches/{batch.pk}/"
    html = published.content.decode()
    assert "91440785MA4UJ8XX0G" in html and "Green channel" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
    with frozen():
        again = client.post(
            "/enterprises/batches/publish/", {"subdistrict": eworld.nodes["sub"].code}, follow=True
        )
    assert messages_of(again) == ["There is no approved application waiting to be published."]
    printed = client.get(f"/enterprises/batches/{batch.pk}/print/").content.decode()
    assert 'class="topbar"' not in printed and "锦岗五金厂 ※" in printed
    audits = AuditEvent.objects.filter(action="export.create").count()
    export = client.get(f"/enterprises/batches/{batch.pk}/export/")
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(b"".join(export.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("No.", "Enterprise", "Unified social credit code")
    assert [r[1] for r in rows[1:]] == ["锦岗五金厂", "<script>alert(1)</script>厂"]
    assert rows[1][5] == "yes"
    assert AuditEvent.objects.filter(action="export.create").count() == audits + 1


def test_public_pages_show_names_and_dates_only(eworld):
    make_application(eworld, "a", status="approved", decided_at=NOW)
    with frozen():
        batch = batch_publish(actor=SYSTEM, subdistrict=eworld.nodes["sub"])
    anonymous = Client(headers={"Accept-Language": "en"})
    listing = anonymous.get("/enterprises/public/batches/").content.decode()
    assert batch.title in listing
    page = anonymous.get(f"/enterprises/public/batches/{batch.public_code}/")
    html = page.content.decode()
    assert "锦岗五金厂" in html and "2020-02-10" in html
    for secret in ("91440785", "陈法人", "李联系", "13712345678", "锦岗村"):
        assert secret not in html.replace(batch.title, "")
    assert (
        anonymous.get(
            "/enterprises/public/batches/6f1c2a52-0f7e-4d65-9d0b-6f0e7b1a2c3d/"
        ).status_code
        == 404
    )
