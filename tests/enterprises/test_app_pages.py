"""The application pages: making one (the enterprise's own, the desk's for a walk-in), the
detail page with its checklist forms, uploads and state steps by POST with conflicts as
messages, the staff list (filters, constant queries, audited .xlsx), and 404 for an
enterprise user on another enterprise's pages."""

import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from epigrid.audit.models import AuditEvent
from epigrid.enterprises.models import Application, Enterprise, Status

from ..access_runner import db_fingerprint
from .app_helpers import HTML, PDF, draft, file_items, hire, returned, submitted, upload
from .world import make_enterprise

pytestmark = pytest.mark.django_db


def login(world, who: str) -> Client:
    # English pages: the messages asserted below are the English ones.
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.users[who])
    return client


def form_data(**extra) -> dict:
    return {
        "planned_on": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
        "masks": "100",
        "thermometers": "2",
        "disinfectant_litres": "5",
        "sanitizer_bottles": "6",
        "isolation_room": "on",
        "isolation_note": "三楼",
        "note": "",
        **extra,
    }


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_enterprise_makes_its_own_application(eworld):
    web = login(eworld, "ent_a")
    page = web.get("/enterprises/applications/new/")
    assert page.status_code == 200 and "锦岗五金厂" in page.content.decode()
    response = web.post("/enterprises/applications/new/", form_data())
    app = Application.objects.get(enterprise=eworld.enterprises["a"])
    assert response.status_code == 302
    assert response["Location"] == f"/enterprises/applications/{app.pk}/"
    assert (app.masks, app.isolation_room, app.created_by) == (100, True, eworld.users["ent_a"])
    # A second one while the first is open: the form says why.
    again = web.post("/enterprises/applications/new/", form_data())
    assert again.status_code == 200
    assert "already has an open application" in str(again.context["form"].non_field_errors())
    assert Application.objects.count() == 1


def test_bad_form_input_is_shown_on_the_form(eworld):
    web = login(eworld, "ent_a")
    before = db_fingerprint()
    response = web.post(
        "/enterprises/applications/new/", form_data(planned_on="2020-01-01", masks="-3")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "masks" in form.errors
    assert db_fingerprint() == before
    response = web.post("/enterprises/applications/new/", form_data(planned_on="2020-01-01"))
    assert "planned_on" in response.context["form"].errors


def test_the_desk_applies_for_a_walk_in_and_only_in_its_scope(eworld):
    desk = login(eworld, "desk")
    url = f"/enterprises/applications/new/?enterprise={eworld.enterprises['b'].pk}"
    assert desk.post(url, form_data()).status_code == 302
    assert Application.objects.get().enterprise == eworld.enterprises["b"]
    assert desk.get("/enterprises/applications/new/").status_code == 404
    secretary = login(eworld, "secretary")
    url_a = f"/enterprises/applications/new/?enterprise={eworld.enterprises['a'].pk}"
    assert secretary.get(url_a).status_code == 403
    ent = login(eworld, "ent_b")
    # An enterprise user always applies for its own, whatever the query says.
    assert ent.get(url_a).context["enterprise"] == eworld.enterprises["b"]


def test_the_detail_page_carries_the_forms_the_browser_test_drives(eworld):
    app = draft(eworld)
    hire(eworld)
    web = login(eworld, "ent_a")
    html = web.get(f"/enterprises/applications/{app.pk}/").content.decode()
    for code in file_items():
        assert f'data-item="{code}"' in html
    assert html.count('name="file"') == len(file_items())
    assert 'data-action="submit"' in html
    assert 'data-action="supplement"' not in html
    assert "1 employee on the roster" in html
    # Upload every file through the page, then submit.
    for code in file_items():
        response = web.post(
            f"/enterprises/applications/{app.pk}/materials/",
            {"item": code, "file": upload(f"{code}.pdf", PDF)},
        )
        assert response.status_code == 302
    response = web.post(
        f"/enterprises/applications/{app.pk}/submit/", {"version": app.version}, follow=True
    )
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED
    assert any("submitted" in m for m in messages_of(response))
    assert 'data-testid="clock"' in response.content.decode()
    assert 'name="file"' not in response.content.decode()


def test_a_bad_upload_and_a_stale_submit_come_back_as_messages(eworld):
    app = draft(eworld)
    web = login(eworld, "ent_a")
    before = db_fingerprint()
    response = web.post(
        f"/enterprises/applications/{app.pk}/materials/",
        {"item": "mechanism", "file": upload("plan.pdf", HTML)},
        follow=True,
    )
    assert any("not accepted" in m for m in messages_of(response))
    assert db_fingerprint() == before
    response = web.post(
        f"/enterprises/applications/{app.pk}/submit/", {"version": app.version + 7}, follow=True
    )
    assert response.status_code == 200
    assert messages_of(response)  # a refusal shown, not a 500
    assert Application.objects.get(pk=app.pk).status == Status.DRAFT
    hire(eworld)
    for code in file_items():
        web.post(
            f"/enterprises/applications/{app.pk}/materials/",
            {"item": code, "file": upload(f"{code}.pdf", PDF)},
        )
    response = web.post(
        f"/enterprises/applications/{app.pk}/submit/", {"version": app.version + 7}, follow=True
    )
    assert any("已有他人修改" in m or "Someone else" in m for m in messages_of(response))
    assert Application.objects.get(pk=app.pk).status == Status.DRAFT


def test_a_returned_application_highlights_the_missing_items_and_is_supplemented(eworld):
    app = returned(eworld, missing=("training",))
    web = login(eworld, "ent_a")
    html = web.get(f"/enterprises/applications/{app.pk}/").content.decode()
    assert 'data-testid="return-notice"' in html
    assert 'data-testid="missing-training"' in html
    assert 'data-action="supplement"' in html
    response = web.post(
        f"/enterprises/applications/{app.pk}/supplement/", {"version": app.version}, follow=True
    )
    assert Application.objects.get(pk=app.pk).status == Status.RETURNED
    # English page: the item in the checklist's English words.
    assert any("Publicity and training" in m for m in messages_of(response))
    web.post(
        f"/enterprises/applications/{app.pk}/materials/",
        {"item": "training", "file": upload("t.pdf", PDF)},
    )
    web.post(f"/enterprises/applications/{app.pk}/supplement/", {"version": app.version})
    assert Application.objects.get(pk=app.pk).status == Status.SUBMITTED


def test_an_enterprise_user_gets_404_on_another_enterprises_pages(eworld):
    web = login(eworld, "ent_a")
    for key in ("b", "a2"):
        app = draft(eworld, key)
        before = db_fingerprint()
        for url in (
            f"/enterprises/applications/{app.pk}/",
            f"/enterprises/applications/{app.pk}/edit/",
        ):
            assert web.get(url).status_code == 404, url
        for url, data in (
            (f"/enterprises/applications/{app.pk}/edit/", form_data(version=1)),
            (f"/enterprises/applications/{app.pk}/submit/", {"version": 1}),
            (f"/enterprises/applications/{app.pk}/supplement/", {"version": 1}),
            (f"/enterprises/applications/{app.pk}/withdraw/", {"version": 1}),
            (
                f"/enterprises/applications/{app.pk}/materials/",
                {"item": "mechanism", "file": upload("x.pdf", PDF)},
            ),
        ):
            assert web.post(url, data).status_code == 404, url
        assert db_fingerprint() == before
    assert web.get("/enterprises/applications/").status_code == 403


def extra_enterprises(world, count: int, start: int) -> list[Enterprise]:
    return [
        make_enterprise(
            world, key=f"x{i}", grid="grid_a", name=f"新厂{i}", uscc=f"9144078500000{i:05d}"
        )
        for i in range(start, start + count)
    ]


def list_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_staff_list_filters_and_keeps_its_query_count(eworld, django_assert_num_queries):
    submitted(eworld, "a")
    draft(eworld, "b")
    web = login(eworld, "desk")
    url = "/enterprises/applications/"
    few = list_queries(web, url)
    for enterprise in extra_enterprises(eworld, 6, 0):
        app = Application.objects.create(
            enterprise=enterprise,
            jpath=enterprise.jpath,
            planned_on=timezone.localdate(),
            status=Status.SUBMITTED,
            due_at=timezone.now() + dt.timedelta(days=1),
        )
        assert app.pk
    with django_assert_num_queries(few):
        response = web.get(url)
    assert len(response.context["page"].items) == 8
    html = web.get(url, {"q": "郁文"}).content.decode()
    assert "郁文制衣厂" in html and "锦岗五金厂" not in html
    page = web.get(url, {"status": "draft"}).context["page"]
    assert [a.enterprise.name for a in page.items] == ["郁文制衣厂"]
    page = web.get(url, {"within": eworld.nodes["grid_b"].code}).context["page"]
    assert [a.enterprise.name for a in page.items] == ["郁文制衣厂"]
    secretary = login(eworld, "secretary").get(url).context["page"]
    assert "郁文制衣厂" not in [a.enterprise.name for a in secretary.items]


def test_the_list_pages_on(eworld):
    for enterprise in extra_enterprises(eworld, 32, 100):
        Application.objects.create(
            enterprise=enterprise, jpath=enterprise.jpath, planned_on=timezone.localdate()
        )
    web = login(eworld, "desk")
    first = web.get("/enterprises/applications/").context["page"]
    assert len(first.items) == 30 and first.next
    second = web.get("/enterprises/applications/", {"cursor": first.next}).context["page"]
    assert len(second.items) == 2 and second.next is None
    assert web.get("/enterprises/applications/", {"cursor": "bogus!"}).status_code == 302


def test_the_export_is_a_real_xlsx_and_audited(eworld):
    submitted(eworld, "a")
    draft(eworld, "b")
    web = login(eworld, "secretary")
    response = web.get("/enterprises/applications/", {"format": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert len(rows) == 2  # the header and enterprise A (B lies outside village A)
    assert rows[1][0] == "锦岗五金厂"
    audit = AuditEvent.objects.get(action="export.create")
    assert audit.actor_username == "secretary" and audit.after["rows"] == 1
