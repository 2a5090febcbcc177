"""The pages of this part as their users meet them: the enterprise user's health screen
(save all, a fever alerts, who is still missing), the roster form's refusals on the page,
the portal's application status, and hostile text shown escaped."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.enterprises.models import Application, Employee, Enterprise, HealthReport
from epigrid.enterprises.services import employees as employee_services
from epigrid.quarantine.models import Alert
from tests.access_runner import db_fingerprint
from tests.world_register import resident_id

pytestmark = pytest.mark.django_db


def client(world, who: str) -> Client:
    web = Client(HTTP_ACCEPT_LANGUAGE="en")
    web.force_login(world.users[who])
    return web


def staff(world, n: int) -> list[Employee]:
    return [
        employee_services.employee_add(
            actor=SYSTEM,
            enterprise=world.enterprises["a"],
            name=f"员工{i}",
            doc_type="resident_id",
            doc_number=resident_id("440785", "19900101", f"{101 + 2 * i:03d}"),
        )
        for i in range(n)
    ]


def test_health_screen_saves_all_typed_and_alerts_a_fever(eworld):
    one, two, three = staff(eworld, 3)
    web = client(eworld, "ent_a")
    pk = eworld.enterprises["a"].pk
    page = web.get(f"/enterprises/{pk}/health/").content.decode()
    assert "3 employees have not reported yet." in page
    response = web.post(
        f"/enterprises/{pk}/health/",
        {
            "employee": [one.pk, two.pk, three.pk],
            "temperature": ["36.5", "38.1", ""],
            "symptoms": ["", "咳嗽", ""],
        },
        follow=True,
    )
    text = response.content.decode()
    assert "2 temperatures saved. 1 fever: the grid was alerted." in text
    assert "1 employee has not reported yet." in text
    assert HealthReport.objects.count() == 2
    assert Alert.objects.get().person_id == two.person_id


def test_health_screen_refusal_saves_nothing_and_marks_the_row(eworld):
    [one] = staff(eworld, 1)
    web = client(eworld, "ent_a")
    pk = eworld.enterprises["a"].pk
    before = db_fingerprint()
    response = web.post(f"/enterprises/{pk}/health/", {"employee": [one.pk], "temperature": ["47"]})
    assert response.status_code == 200
    text = response.content.decode()
    assert "Nothing was saved; correct the rows marked below." in text
    assert "Enter a temperature from 34.0 to 43.0 °C." in text
    assert db_fingerprint() == before


def test_roster_form_shows_the_registers_refusal(eworld):
    web = client(eworld, "ent_a")
    pk = eworld.enterprises["a"].pk
    before = db_fingerprint()
    number = resident_id("440785", "19900101", "101")
    wrong = number[:17] + ("1" if number[17] != "1" else "2")
    response = web.post(
        f"/enterprises/{pk}/employees/new/",
        {"name": "周", "doc_type": "resident_id", "doc_number": wrong, "health": "healthy"},
    )
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    assert db_fingerprint() == before
    response = web.post(
        f"/enterprises/{pk}/employees/new/",
        {
            "name": "周",
            "doc_type": "resident_id",
            "doc_number": number,
            "health": "healthy",
            "origin": "武汉",
            "origin_code": "420100",
            "returned_on": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        },
        follow=True,
    )
    assert "Flagged: arrived from an epidemic source area." in response.content.decode()
    assert Employee.objects.get().from_risk_area is True


def test_portal_shows_the_latest_application(eworld):
    web = client(eworld, "ent_a")
    assert "No application yet." in web.get("/enterprises/portal/").content.decode()
    a = eworld.enterprises["a"]
    Application.objects.create(
        enterprise=a,
        jpath=a.jpath,
        status="submitted",
        planned_on=timezone.localdate(),
        due_at=timezone.now(),
    )
    page = web.get("/enterprises/portal/").content.decode()
    assert 'data-testid="application-status">Submitted<' in page


def test_hostile_text_is_escaped(eworld):
    Enterprise.objects.filter(pk=eworld.enterprises["a"].pk).update(name="<script>x</script>")
    web = client(eworld, "hq")
    for url in ("/enterprises/", f"/enterprises/{eworld.enterprises['a'].pk}/"):
        text = web.get(url).content.decode()
        assert "<script>x</script>" not in text
        assert "&lt;script&gt;x&lt;/script&gt;" in text
