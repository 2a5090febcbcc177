"""The checkpoint register's pages: list with search and export, the forms (per-field
refusals, the version conflict), one checkpoint with its posts' roster coverage today, the
QR poster, the paper sheet; hostile text is shown as text."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from epigrid.accounts.access import SYSTEM
from epigrid.checkpoints.models import Checkpoint, CheckpointPost
from epigrid.checkpoints.services import checkpoints as services
from epigrid.core.errors import ConcurrentEditError
from epigrid.rosters import services as rosters

from .register_world import DAY, frozen, last_audit, register_state
from .world import local, make_checkpoint

pytestmark = pytest.mark.django_db
HOSTILE = '<script>alert("x")</script>'


def get(web, who, path, **params):
    with frozen():
        return web(who).get(path, params)


def post(web, who, path, data):
    with frozen():
        return web(who).post(path, data)


def text(response) -> str:
    return response.content.decode()


# --- the list -----------------------------------------------------------------------------


def test_list_shows_the_actors_checkpoints_with_search_and_filters(cworld, web):
    make_checkpoint(cworld, grid="grid_a2", name="锦岗村东路口", kind="road")
    page = text(get(web, "secretary", "/checkpoints/"))
    assert "锦岗村口" in page and "锦岗村东路口" in page and "郁文村口" not in page
    assert 'data-testid="checkpoint-create-link"' in page  # the secretary may set one up
    found = text(get(web, "hq", "/checkpoints/", q="东路"))
    assert "锦岗村东路口" in found and "锦岗村口<" not in found and "郁文村口" not in found
    roads = text(get(web, "hq", "/checkpoints/", kind="road"))
    assert "锦岗村东路口" in roads and "郁文村口" not in roads
    village_b = text(get(web, "hq", "/checkpoints/", within=cworld.nodes["village_b"].code))
    assert "郁文村口" in village_b and "锦岗村口" not in village_b
    assert "checkpoint-create-link" not in text(get(web, "analyst", "/checkpoints/"))


def test_ended_checkpoints_are_listed_on_request_and_by_day(cworld, web):
    ended = make_checkpoint(cworld, name="旧卡口", active_from=dt.date(2020, 1, 25))
    Checkpoint.objects.filter(pk=ended.pk).update(active_until=dt.date(2020, 2, 1))
    assert "旧卡口" not in text(get(web, "hq", "/checkpoints/"))
    assert "旧卡口" in text(get(web, "hq", "/checkpoints/", ended="1"))
    assert "旧卡口" in text(get(web, "hq", "/checkpoints/", active_on="2020-01-30"))
    assert "旧卡口" not in text(get(web, "hq", "/checkpoints/", active_on="2020-02-05"))


def test_list_pages_through_every_checkpoint_once(cworld, web):
    for i in range(35):
        make_checkpoint(cworld, name=f"卡口{i:02d}")
    first = get(web, "hq", "/checkpoints/")
    names = set()
    body = text(first)
    names |= {f"卡口{i:02d}" for i in range(35) if f"卡口{i:02d}<" in body}
    cursor = first.context["page"].next
    assert cursor
    body = text(get(web, "hq", "/checkpoints/", cursor=cursor))
    names |= {f"卡口{i:02d}" for i in range(35) if f"卡口{i:02d}<" in body}
    assert len(names) == 35
    assert get(web, "hq", "/checkpoints/", cursor="garbage!").status_code == 302


def _count_queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx, frozen():
        assert client.get(path).status_code == 200
    return len(ctx)


def test_list_page_and_endpoint_cost_the_same_queries_for_2_or_30_checkpoints(cworld, web, api):
    client = web("hq")
    small_page = _count_queries(client, "/checkpoints/")
    hq = api("hq")
    with frozen():
        hq.get("/checkpoints/")  # the token's first use is written down once
    with CaptureQueriesContext(connection) as ctx, frozen():
        hq.get("/checkpoints/")
    small_api = len(ctx)
    for i in range(28):
        make_checkpoint(cworld, grid="grid_a" if i % 2 else "grid_c", name=f"卡口{i}")
    assert _count_queries(client, "/checkpoints/") == small_page
    with CaptureQueriesContext(connection) as ctx, frozen():
        assert len(hq.get("/checkpoints/").json()["items"]) == 30
    assert len(ctx) == small_api


def test_export_writes_the_filtered_list_and_is_audited(cworld, web):
    make_checkpoint(cworld, grid="grid_a2", name='=HYPERLINK("x")')
    response = get(web, "secretary", "/checkpoints/", format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "名称"
    names = sorted(r[0] for r in rows[1:])
    assert names == sorted(['\'=HYPERLINK("x")', "锦岗村口"])  # never a formula, never B
    event = last_audit("export.create")
    assert event.actor_username == "secretary" and event.after["rows"] == 2
    assert event.entity_type == "checkpoints.checkpoint"


# --- set up and edit ----------------------------------------------------------------------


def form_data(**kw):
    data = {
        "name": "锦岗村西口",
        "kind": "road",
        "opens_at": "06:00",
        "closes_at": "22:00",
        "active_from": "2020-02-10",
    }
    data.update(kw)
    return data


def test_create_page_sets_up_a_checkpoint_in_an_own_grid(cworld, web):
    form = text(get(web, "secretary", "/checkpoints/new/"))
    assert cworld.nodes["grid_a2"].code in form and cworld.nodes["grid_b"].code not in form
    response = post(
        web, "secretary", "/checkpoints/new/", form_data(jurisdiction=cworld.nodes["grid_a2"].code)
    )
    created = Checkpoint.objects.get(name="锦岗村西口")
    assert response.status_code == 302
    assert response["Location"] == f"/checkpoints/{created.pk}/"
    assert created.jpath == cworld.nodes["grid_a2"].path


def test_create_page_refuses_bad_input_by_field_in_chinese(cworld, web):
    before = register_state()
    response = post(
        web,
        "secretary",
        "/checkpoints/new/",
        form_data(
            jurisdiction=cworld.nodes["grid_a"].code,
            opens_at="25:00",
            latitude="22.1",
        ),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"opens_at", "longitude"}
    assert "请按“时:分”格式输入时间" in text(response)
    assert register_state() == before
    # a grid outside the area is not among the choices: refused, nothing made
    response = post(
        web, "secretary", "/checkpoints/new/", form_data(jurisdiction=cworld.nodes["grid_b"].code)
    )
    assert response.status_code == 200 and register_state() == before
    assert set(response.context["form"].errors) == {"jurisdiction"}


def test_edit_page_saves_and_reports_a_concurrent_edit(cworld, web):
    c = cworld.checkpoints["a"]
    data = {
        "name": "锦岗村口",
        "kind": "village_entrance",
        "location": "村委会",
        "opens_at": "00:00",
        "closes_at": "24:00",
        "version": str(c.version),
    }
    assert post(web, "hq", f"/checkpoints/{c.pk}/edit/", data).status_code == 302
    before = register_state()
    stale = post(web, "secretary", f"/checkpoints/{c.pk}/edit/", {**data, "location": "旧"})
    assert stale.status_code == 200
    conflict = str(ConcurrentEditError())
    assert stale.context["form"].non_field_errors() == [conflict]
    assert conflict in text(stale)
    assert register_state() == before


def test_end_page_ends_the_checkpoint(cworld, web):
    c = cworld.checkpoints["a"]
    response = post(web, "hq", f"/checkpoints/{c.pk}/end/", {"on": "2020-02-12", "version": "1"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.active_until == dt.date(2020, 2, 12)
    page = text(get(web, "hq", f"/checkpoints/{c.pk}/"))
    assert "add-posts" not in page and "edit-link" not in page
    assert 'data-testid="ending"' in page and "2020-02-12" in page


# --- one checkpoint -----------------------------------------------------------------------


def test_detail_shows_posts_with_todays_coverage_and_links(cworld, web):
    c = cworld.checkpoints["a"]
    page = text(get(web, "hq", f"/checkpoints/{c.pk}/"))
    assert 'data-testid="add-post-persuasion"' in page
    assert f"/checkpoints/{c.pk}/log/" in page  # the logging page of the field part
    response = post(web, "hq", f"/checkpoints/{c.pk}/posts/", {"role": "persuasion"})
    assert response.status_code == 302
    link = CheckpointPost.objects.get(checkpoint=c)
    page = text(get(web, "hq", f"/checkpoints/{c.pk}/"))
    assert "劝导岗" in page and f"/rosters/{link.post_id}/" in page
    assert 'data-testid="uncovered"' in page and "00:00–24:00" in page
    assert 'data-testid="add-post-persuasion"' not in page
    with frozen():
        rosters.shift_create(
            actor=SYSTEM,
            post=link.post,
            starts_at=local(DAY, 0),
            ends_at=local(DAY, 12),
            members=[cworld.staff["grid_a.cadre"]],
        )
    page = text(get(web, "hq", f"/checkpoints/{c.pk}/"))
    assert "12:00–24:00" in page and "00:00–12:00" not in page
    with frozen():
        rosters.shift_create(
            actor=SYSTEM,
            post=link.post,
            starts_at=local(DAY, 12),
            ends_at=local(DAY + dt.timedelta(days=1), 0),
            members=[cworld.staff["grid_a.police"]],
        )
    assert 'data-testid="covered"' in text(get(web, "hq", f"/checkpoints/{c.pk}/"))


def test_detail_offers_management_only_to_managers(cworld, web):
    c = cworld.checkpoints["a"]
    worker = text(get(web, "worker_a", f"/checkpoints/{c.pk}/"))
    assert "edit-link" not in worker and "add-posts" not in worker
    assert "paper-entry-link" in worker and "log-link" in worker
    analyst = text(get(web, "analyst", f"/checkpoints/{c.pk}/"))
    assert "paper-entry-link" not in analyst and "log-link" not in analyst


def test_a_repeated_post_add_is_refused_with_a_message(cworld, web):
    c = cworld.checkpoints["a"]
    post(web, "hq", f"/checkpoints/{c.pk}/posts/", {"role": "tracking"})
    before = register_state()
    response = post(web, "hq", f"/checkpoints/{c.pk}/posts/", {"role": "tracking"})
    assert response.status_code == 302 and register_state() == before
    response = post(web, "hq", f"/checkpoints/{c.pk}/posts/", {"role": "nonsense"})
    assert response.status_code == 302 and register_state() == before


def test_qr_poster_carries_the_self_fill_link_and_instructions(cworld, web):
    c = cworld.checkpoints["a"]
    response = get(web, "worker_a", f"/checkpoints/{c.pk}/qr/")
    page = text(response)
    assert 'src="data:image/svg+xml' in page
    assert f"/checkpoints/f/{c.public_code}/" in page
    assert "register.css" in page and 'data-testid="qr-poster"' in page


def test_paper_sheet_prints_the_day_and_25_rows(cworld, web):
    c = cworld.checkpoints["a"]
    page = text(get(web, "worker_a", f"/checkpoints/{c.pk}/paper/", day="2020-02-11", temps="3"))
    assert "2020-02-11" in page and "锦岗村口" in page
    assert page.count('<td class="n">') == 25
    assert page.count('<td class="tp">') == 75
    fallback = text(get(web, "worker_a", f"/checkpoints/{c.pk}/paper/", day="nonsense", temps="x"))
    assert "2020-02-10" in fallback and fallback.count('<td class="tp">') == 50


def test_hostile_text_is_shown_as_text(cworld, web):
    with frozen():
        c = services.checkpoint_create(
            actor=SYSTEM,
            jurisdiction=cworld.nodes["grid_a"],
            name=HOSTILE,
            kind="road",
            location=HOSTILE,
            active_from=DAY,
        )
        services.checkpoint_post_add(actor=SYSTEM, checkpoint=c, role="publicity")
    for path in (
        "/checkpoints/",
        f"/checkpoints/{c.pk}/",
        f"/checkpoints/{c.pk}/qr/",
        f"/checkpoints/{c.pk}/paper/",
        f"/checkpoints/{c.pk}/paper/entry/",
        f"/checkpoints/{c.pk}/edit/",
        f"/checkpoints/checks/?checkpoint={c.pk}",
    ):
        page = text(get(web, "hq", path))
        assert HOSTILE not in page, path
        assert "&lt;script&gt;" in page, path


def test_english_pages_render(cworld, web):
    c = cworld.checkpoints["a"]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cworld.users["hq"])
    with frozen():
        page = client.get(f"/checkpoints/{c.pk}/").content.decode()
    assert "Posts and their duty today" in page


def test_detail_costs_the_same_queries_with_one_post_or_four_with_shifts(cworld, web):
    c = cworld.checkpoints["a"]
    client = web("hq")
    with frozen():
        services.checkpoint_post_add(actor=SYSTEM, checkpoint=c, role="checking")
    one = _count_queries(client, f"/checkpoints/{c.pk}/")
    with frozen():
        for role, who in (
            ("publicity", "cadre"),
            ("persuasion", "family_doctor"),
            ("tracking", "police"),
        ):
            link = services.checkpoint_post_add(actor=SYSTEM, checkpoint=c, role=role)
            for hour in (0, 8, 16):
                rosters.shift_create(
                    actor=SYSTEM,
                    post=link.post,
                    starts_at=local(DAY, hour),
                    ends_at=local(DAY, hour + 6),
                    members=[cworld.staff[f"grid_a.{who}"]],
                )
    assert _count_queries(client, f"/checkpoints/{c.pk}/") == one
