"""Lists of this part: the enterprise register and a roster answer in a constant number of
queries (3 rows or 30), search and filters narrow them, identity numbers and phones are
masked for roles without IDS_VIEW / CONTACTS_VIEW (the enterprise sees its own staff in
full), the .xlsx export is a real workbook and audited, and bad API input is a 422 with
per-field messages."""

import io

import openpyxl
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.audit.models import AuditEvent
from epigrid.enterprises.models import Enterprise, HealthReport
from epigrid.enterprises.services import employees as employee_services
from epigrid.quarantine.models import Alert
from tests.conftest import Api
from tests.world_register import resident_id

pytestmark = pytest.mark.django_db


def more_enterprises(world, n: int) -> None:
    grid = world.nodes["grid_a"]
    Enterprise.objects.bulk_create(
        Enterprise(
            name=f"锦岗{i:02d}厂",
            uscc=f"9144078500000{i:05d}",
            address="工业路",
            jurisdiction=grid,
            jpath=grid.path,
            industry="retail" if i % 2 else "services",
            size="micro",
            legal_rep="陈",
            contact_name="李",
            contact_phone="13712345678",
        )
        for i in range(n)
    )


def more_employees(world, n: int, start: int = 0) -> None:
    for i in range(start, start + n):
        employee_services.employee_add(
            actor=SYSTEM,
            enterprise=world.enterprises["a"],
            name=f"员工{i:02d}",
            doc_type="resident_id",
            doc_number=resident_id("440785", "19900101", f"{100 + i * 2:03d}"),
            phone=f"139123{i:05d}",
        )


def count_queries(request) -> int:
    request()  # warm: the first request of a session or token writes its last use
    with CaptureQueriesContext(connection) as ctx:
        response = request()
    assert response.status_code == 200, response.content[:300]
    return len(ctx.captured_queries)


def test_enterprise_lists_take_constant_queries(eworld, django_assert_num_queries):
    api = Api(eworld.tokens["hq"])
    web = Client()
    web.force_login(eworld.users["hq"])
    api_3 = count_queries(lambda: api.get("/enterprises"))
    page_3 = count_queries(lambda: web.get("/enterprises/"))
    more_enterprises(eworld, 27)
    with django_assert_num_queries(api_3):
        body = api.get("/enterprises", limit=50).json()
    assert len(body["items"]) == 30
    with django_assert_num_queries(page_3):
        web.get("/enterprises/")


def test_roster_lists_take_constant_queries(eworld, django_assert_num_queries):
    more_employees(eworld, 3)
    api = Api(eworld.tokens["ent_a"])
    web = Client()
    web.force_login(eworld.users["ent_a"])
    pk = eworld.enterprises["a"].pk
    api_3 = count_queries(lambda: api.get(f"/enterprises/{pk}/employees"))
    page_3 = count_queries(lambda: web.get(f"/enterprises/{pk}/employees/"))
    health_3 = count_queries(lambda: web.get(f"/enterprises/{pk}/health/"))
    more_employees(eworld, 27, start=3)
    with django_assert_num_queries(api_3):
        body = api.get(f"/enterprises/{pk}/employees", limit=50).json()
    assert len(body["items"]) == 30
    with django_assert_num_queries(page_3):
        web.get(f"/enterprises/{pk}/employees/")
    with django_assert_num_queries(health_3):
        web.get(f"/enterprises/{pk}/health/")


def test_search_and_filters(eworld):
    more_enterprises(eworld, 4)
    api = Api(eworld.tokens["hq"])

    def names(**params):
        return sorted(e["name"] for e in api.all("/enterprises", **params))

    assert names(q="五金") == ["锦岗五金厂"]
    assert names(q="91440785ma4uj8xy") == ["郁文制衣厂"]  # a code prefix, any case
    assert names(within=eworld.nodes["grid_a2"].code) == ["锦岗食品厂"]
    assert names(industry="retail") == ["锦岗01厂", "锦岗03厂"]
    Enterprise.objects.filter(pk=eworld.enterprises["b"].pk).update(
        approved_on=timezone.localdate()
    )
    assert names(approved=True) == ["郁文制衣厂"]
    assert len(names(approved=False)) == 6
    # The worker of grid A sees only its grid's enterprises, whatever it asks for.
    worker = Api(eworld.tokens["worker_a"])
    assert [e["name"] for e in worker.all("/enterprises", q="郁文")] == []


def test_numbers_are_masked_by_role_and_shown_to_the_enterprise(eworld):
    more_employees(eworld, 1)
    pk = eworld.enterprises["a"].pk
    number = resident_id("440785", "19900101", "100")

    def first(who):
        return Api(eworld.tokens[who]).get(f"/enterprises/{pk}/employees").json()["items"][0]

    own = first("ent_a")
    assert (own["doc_number"], own["phone"]) == (number, "13912300000")
    worker = first("worker_a")  # IDS_VIEW and CONTACTS_VIEW in grid A
    assert (worker["doc_number"], worker["phone"]) == (number, "13912300000")
    desk = first("desk")  # CONTACTS_VIEW only
    assert (desk["doc_number"], desk["phone"]) == (
        number[:6] + "********" + number[-4:],
        "13912300000",
    )
    analyst = first("analyst")
    assert (analyst["doc_number"], analyst["phone"]) == (
        number[:6] + "********" + number[-4:],
        "139****0000",
    )
    web = Client()
    web.force_login(eworld.users["inspector"])
    page = web.get(f"/enterprises/{pk}/employees/").content.decode()
    assert number not in page and number[:6] + "********" + number[-4:] in page


def test_export_is_a_workbook_and_audited(eworld):
    web = Client()
    web.force_login(eworld.users["analyst"])
    response = web.get("/enterprises/", {"format": "xlsx", "q": "锦岗"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["锦岗五金厂", "锦岗食品厂"]
    assert rows[1][9] == "137****5678"  # the analyst holds no CONTACTS_VIEW
    event = AuditEvent.objects.get(action="export.create")
    assert event.after == {
        "list": "enterprises",
        "filters": {"q": "锦岗"},
        "rows": 2,
        "unmasked": False,
    }


def english(token: str) -> Api:
    api = Api(token)
    api.headers["Accept-Language"] = "en"
    return api


def test_api_refusals_are_422_by_field_and_409_on_a_stale_version(eworld):
    api = english(eworld.tokens["secretary"])
    response = api.send(
        "POST",
        "/enterprises",
        {
            "name": "x",
            "uscc": "91440785MA4UJ8XT01",
            "address": "y",
            "jurisdiction": eworld.nodes["grid_b"].code,
            "industry": "retail",
            "size": "huge",
            "legal_rep": "z",
            "contact_name": "z",
            "contact_phone": "1",
        },
    )
    assert response.status_code == 422
    assert response.json()["errors"] == {"size": ["Choose one of the allowed values."]}
    body = {
        "name": "x",
        "uscc": "91440785MA4UJ8XT01",
        "address": "y",
        "jurisdiction": eworld.nodes["grid_b"].code,
        "industry": "retail",
        "size": "small",
        "legal_rep": "z",
        "contact_name": "z",
        "contact_phone": "13712345678",
    }
    response = api.send("POST", "/enterprises", body)
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "jurisdiction": ["No small grid with this code in your area."]
    }
    body["jurisdiction"] = eworld.nodes["grid_a"].code
    response = api.send("POST", "/enterprises", body)
    assert response.json()["errors"] == {
        "uscc": ["The check character of this credit code is wrong; check the code."]
    }
    pk = eworld.enterprises["a"].pk
    assert (
        api.send("PATCH", f"/enterprises/{pk}", {"version": 1, "employees": 9}).status_code == 200
    )
    stale = api.send("PATCH", f"/enterprises/{pk}", {"version": 1, "employees": 8})
    assert stale.status_code == 409
    assert Enterprise.objects.get(pk=pk).employees == 9


def test_a_fever_through_the_api_raises_one_alert(eworld):
    more_employees(eworld, 1)
    api = english(eworld.tokens["ent_a"])
    pk = eworld.enterprises["a"].pk
    employee = api.get(f"/enterprises/{pk}/employees").json()["items"][0]
    body = {"rows": [{"employee": employee["id"], "temperature": "38.5"}]}
    first = api.send("POST", f"/enterprises/{pk}/health-reports", body)
    assert first.status_code == 201, first.content
    assert first.json()[0]["fever"] is True
    again = api.send("POST", f"/enterprises/{pk}/health-reports", body)
    assert again.status_code == 201
    assert Alert.objects.count() == 1
    assert HealthReport.objects.count() == 1
    listed = api.get(f"/enterprises/{pk}/health-reports").json()
    assert [(r["name"], r["temperature"], r["fever"]) for r in listed] == [("员工00", "38.5", True)]
    bad = api.send(
        "POST",
        f"/enterprises/{pk}/health-reports",
        {"rows": [{"employee": 1, "temperature": "abc"}]},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"] == {"rows.0.temperature": ["Enter a number."]}
