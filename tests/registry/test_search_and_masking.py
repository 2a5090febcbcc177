"""Person search (name, phone, ID prefix) and what each role sees of identifiers."""

import pytest

from epigrid.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def names(items) -> set[str]:
    return {p["name"] for p in items}


def page_text(web, user, url) -> str:
    response = web(user).get(url)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


@pytest.mark.parametrize(
    ("q", "expected"),
    [("张", {"张三"}), ("李", {"李四"}), ("1391234000", {"张三", "李四"}), ("420102", {"张三"})],
)
def test_search_by_name_phone_and_id_prefix(world, api, q, expected):
    assert names(api("worker_a").all("/persons", q=q)) == expected


def test_search_on_the_page(world, web):
    page = page_text(web, "worker_a", "/register/persons/?q=420102")
    assert "张三" in page and "王五" not in page
    page = page_text(web, "worker_a", "/register/persons/?q=13912340001")
    assert "张三" in page and "李四" not in page


def test_a_full_id_from_another_grid_finds_nothing_for_a_grid_worker(world, api, web):
    number = world.register["person_b"].doc_number
    assert api("worker_a").all("/persons", q=number) == []
    assert "赵六" not in page_text(web, "worker_a", f"/register/persons/?q={number}")
    assert names(api("hq").all("/persons", q=number)) == {"赵六"}
    assert "赵六" in page_text(web, "hq", f"/register/persons/?q={number}")


def test_the_analyst_sees_masked_numbers_and_cannot_probe_them(world, api, web):
    person = world.register["person_a"]
    [row] = [p for p in api("analyst").all("/persons") if p["id"] == person.pk]
    assert row["doc_number"] == person.doc_number[:6] + "********" + person.doc_number[-4:]
    assert row["phone"] == "139****0001"
    assert row["birth_date"] is None and row["doc_note"] == ""
    page = page_text(web, "analyst", "/register/persons/")
    assert person.doc_number not in page and "13912340001" not in page
    assert row["doc_number"] in page
    detail = page_text(web, "analyst", f"/register/persons/{person.pk}/")
    assert person.doc_number not in detail and "13912340001" not in detail
    # Prefixes of a masked number would reveal it digit by digit: they match nothing.
    assert api("analyst").all("/persons", q=person.doc_number[:10]) == []
    assert api("analyst").all("/persons", q="1391234") == []
    assert names(api("analyst").all("/persons", q="张")) == {"张三"}


def test_a_grid_worker_sees_identifiers_in_their_own_grid(world, api, web):
    person = world.register["person_a"]
    body = api("worker_a").get(f"/persons/{person.pk}").json()
    assert body["doc_number"] == person.doc_number
    assert body["phone"] == "13912340001"
    assert body["jurisdiction"] == world.nodes["grid_a"].code
    page = page_text(web, "worker_a", f"/register/persons/{person.pk}/")
    assert person.doc_number in page and "13912340001" in page
    # ...and nothing of grid B at all.
    assert api("worker_a").get(f"/persons/{world.register['person_b'].pk}").status_code == 404
    assert (
        web("worker_a").get(f"/register/persons/{world.register['person_b'].pk}/").status_code
        == 404
    )


def test_reading_a_full_record_is_audited(world, api, web):
    person = world.register["person_a"]
    before = AuditEvent.objects.filter(action="person.view").count()
    web("worker_a").get(f"/register/persons/{person.pk}/")
    api("hq").get(f"/persons/{person.pk}")
    events = AuditEvent.objects.filter(action="person.view").order_by("id")
    assert events.count() == before + 2
    assert [e.actor_username for e in events][-2:] == ["worker_a", "hq"]
    # The analyst sees masked numbers only: nothing to audit.
    web("analyst").get(f"/register/persons/{person.pk}/")
    assert AuditEvent.objects.filter(action="person.view").count() == before + 2


def test_filters_by_grid_and_category(world, api, web):
    grid_a = world.nodes["grid_a"].code
    assert names(api("hq").all("/persons", category="source_area")) == {"张三"}
    assert names(api("hq").all("/persons", within=world.nodes["grid_b"].code)) == {"赵六"}
    assert "赵六" not in names(api("hq").all("/persons", within=grid_a))
    page = page_text(web, "hq", f"/register/persons/?within={grid_a}&category=source_area")
    assert "张三" in page and "王五" not in page
    # A grid outside one's area is not a filter one may use.
    assert (
        web("worker_a").get(f"/register/persons/?within={world.nodes['grid_b'].code}").status_code
        == 404
    )


def test_pages_follow_the_keyset(world, api):
    everyone = api("hq").all("/persons", limit=2)
    assert len(everyone) == len({p["id"] for p in everyone}) == 6
    assert api("hq").get("/persons", cursor="garbage").status_code == 422


def test_hostile_names_are_escaped(world, web):
    from epigrid.accounts.access import SYSTEM
    from epigrid.registry import services as reg
    from epigrid.registry.services import PersonInput

    hostile = '<script>alert("x")</script>'
    person = reg.person_register(
        actor=SYSTEM, jurisdiction=world.nodes["grid_a"], data=PersonInput(name=hostile)
    )
    reg.residency_start(actor=SYSTEM, person=person, unit=world.register["unit_a2"], role="owner")
    escaped = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    for url in (
        "/register/persons/",
        f"/register/persons/{person.pk}/",
        f"/register/buildings/{world.register['building_a'].pk}/",
        "/register/residencies/",
    ):
        page = page_text(web, "hq", url)
        assert "<script>alert" not in page, url
        assert escaped in page, url
