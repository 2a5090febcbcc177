"""The staff roster and daily health: employees are registry persons (found or registered),
a return is a registry arrival, the source-area flag comes from arrivals in the
observation window, and a fever report raises exactly one quarantine alert."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.audit.models import AuditEvent
from epigrid.enterprises.models import Employee, Health, HealthReport
from epigrid.enterprises.services import employees as services
from epigrid.enterprises.services import health
from epigrid.quarantine.models import Alert, Trigger
from epigrid.registry.models import Arrival, Person
from epigrid.registry.services import arrivals as reg_arrivals
from tests.access_runner import db_fingerprint
from tests.world_register import resident_id

pytestmark = pytest.mark.django_db

WUHAN_ID = resident_id("420102", "19950505", "357")
LOCAL_ID = resident_id("440785", "19880808", "246")


def add(world, who="ent_a", enterprise="a", **overrides):
    values = {
        "name": "周工人",
        "doc_type": "resident_id",
        "doc_number": LOCAL_ID,
        "phone": "13912345670",
        "job": "车工",
        **overrides,
    }
    return services.employee_add(
        actor=world.actor(who), enterprise=world.enterprises[enterprise], **values
    )


def test_a_new_person_is_registered_in_the_enterprises_grid_and_audited(eworld):
    before = Person.objects.count()
    e = add(eworld)
    assert Person.objects.count() == before + 1
    assert e.person.jpath == eworld.nodes["grid_a"].path
    assert e.person.doc_number == LOCAL_ID
    assert (e.jpath, e.active_from, e.from_risk_area) == (
        eworld.enterprises["a"].jpath,
        timezone.localdate(),
        False,
    )
    # The registry write is in the enterprise user's name (the trusted actor keeps it).
    assert (
        AuditEvent.objects.get(action="person.create", entity_id=str(e.person_id)).actor_username
        == "ent_a"
    )
    assert AuditEvent.objects.get(action="employee.create").actor_username == "ent_a"


def test_a_known_person_is_found_by_document_number_not_duplicated(eworld):
    person_b = eworld.register["person_b"]  # lives in grid B: ent_a never sees the record
    before = Person.objects.count()
    e = add(eworld, doc_number=" " + person_b.doc_number.lower() + " ", name="赵六")
    assert e.person_id == person_b.pk
    assert Person.objects.count() == before


def test_a_return_from_hubei_is_an_arrival_and_flags_the_employee(eworld):
    today = timezone.localdate()
    e = add(
        eworld,
        doc_number=WUHAN_ID,
        origin="湖北省武汉市",
        origin_code="420102",
        returned_on=today - dt.timedelta(days=3),
    )
    arrival = Arrival.objects.get(person=e.person)
    assert (arrival.from_code, arrival.arrived_on, arrival.touches_risk_area) == (
        "420102",
        today - dt.timedelta(days=3),
        True,
    )
    assert e.from_risk_area is True
    # A return from Guangzhou is an arrival too, but no flag.
    other = add(
        eworld,
        doc_number=resident_id("440785", "19900909", "111"),
        origin="广州",
        origin_code="4401",
        returned_on=today - dt.timedelta(days=1),
    )
    assert other.from_risk_area is False


def test_the_flag_comes_from_any_arrival_in_the_observation_window(eworld):
    today = timezone.localdate()
    person = eworld.register["other_a"]  # 王五, no arrivals yet
    reg_arrivals.arrival_record(
        actor=SYSTEM,
        person=person,
        arrived_on=today - dt.timedelta(days=20),  # outside 14 days
        from_place="武汉",
        from_code="420100",
    )
    e = add(eworld, doc_number=person.doc_number, name="王五")
    assert e.from_risk_area is False
    reg_arrivals.arrival_record(
        actor=SYSTEM,
        person=person,
        arrived_on=today - dt.timedelta(days=5),
        from_place="孝感",
        from_code="420900",
    )
    assert services.employees_risk_refresh(enterprise=eworld.enterprises["a"]) == 1
    assert Employee.objects.get(pk=e.pk).from_risk_area is True
    assert services.employees_risk_refresh() == 0  # idempotent


def test_roster_refusals_have_exact_messages_and_change_nothing(eworld):
    add(eworld)
    before = db_fingerprint()
    with pytest.raises(ValidationError) as info:
        add(eworld)
    assert info.value.message_dict == {"doc_number": ["This person is already on the roster."]}
    with pytest.raises(ValidationError) as info:
        add(
            eworld,
            doc_number="",
            returned_on=timezone.localdate() + dt.timedelta(days=1),
            health="zombie",
            origin_code="湖北",
        )
    assert info.value.message_dict == {
        "doc_number": ["This field is required."],
        "origin_code": ["A region code is 2 to 12 digits."],
        "returned_on": ["This date cannot be in the future."],
        "health": ["Choose one of the allowed values."],
    }
    bad_check = LOCAL_ID[:17] + ("0" if LOCAL_ID[17] != "0" else "1")
    with pytest.raises(ValidationError) as info:
        add(eworld, doc_number=bad_check)
    assert list(info.value.message_dict) == ["doc_number"]
    with pytest.raises(ValidationError) as info:
        add(eworld, doc_number=WUHAN_ID, returned_on=timezone.localdate())
    assert info.value.message_dict == {"origin": ["Say where the employee returned from."]}
    assert db_fingerprint() == before


def test_who_may_write_a_roster(eworld):
    before = db_fingerprint()
    with pytest.raises(Http404):
        add(eworld, who="ent_a", enterprise="a2")  # same big grid, another enterprise
    with pytest.raises(Http404):
        add(eworld, who="ent_a", enterprise="b")
    with pytest.raises(PermissionDenied):
        add(eworld, who="worker_a")  # sees A, does not manage it
    with pytest.raises(PermissionDenied):
        add(eworld, who="desk")
    assert db_fingerprint() == before
    assert add(eworld, who="secretary").enterprise == eworld.enterprises["a"]


def test_update_and_end(eworld):
    e = add(eworld)
    actor = eworld.actor("ent_a")
    today = timezone.localdate()
    services.employee_update(
        actor=actor,
        employee=e,
        origin="武汉",
        origin_code="4201",
        returned_on=today - dt.timedelta(days=2),
    )
    e.refresh_from_db()
    assert e.from_risk_area is True
    assert Arrival.objects.filter(person=e.person, from_code="4201").count() == 1
    services.employee_end(actor=actor, employee=e)
    e.refresh_from_db()
    assert e.active_until == today + dt.timedelta(days=1)  # added today: through today
    with pytest.raises(ValidationError) as info:
        services.employee_end(actor=actor, employee=e)
    assert info.value.message_dict == {"on": ["This employee has already left."]}
    # Off the roster, the same person may be taken on again.
    assert add(eworld).pk != e.pk
    assert AuditEvent.objects.filter(action__startswith="employee.").count() == 4


def test_a_fever_raises_exactly_one_alert_and_a_same_day_repeat_replaces_the_report(eworld):
    e = add(eworld)
    actor = eworld.actor("ent_a")
    today = timezone.localdate()
    enterprise = eworld.enterprises["a"]
    [report] = health.health_reports_record(
        actor=actor,
        enterprise=enterprise,
        day=today,
        rows=[{"employee": e.pk, "temperature": "38.2"}],
    )
    assert report.fever is True
    assert Employee.objects.get(pk=e.pk).health == Health.FEVER
    alert = Alert.objects.get()
    assert (alert.trigger, alert.person_id, alert.jpath) == (
        Trigger.ENTERPRISE_FEVER,
        e.person_id,
        enterprise.jpath,
    )
    assert alert.origin == f"enterprises:health:{report.pk}"
    # The same employee again today: the report is replaced in place, no second alert.
    [again] = health.health_reports_record(
        actor=actor,
        enterprise=enterprise,
        day=today,
        rows=[{"employee": e.pk, "temperature": "38.6", "symptoms": "咳嗽"}],
    )
    assert again.pk == report.pk
    assert HealthReport.objects.get().temperature == Decimal("38.6")
    assert Alert.objects.count() == 1
    assert AuditEvent.objects.filter(action="health_report.update").count() == 1
    # Corrected to normal: the report and the employee's health follow.
    health.health_reports_record(
        actor=actor,
        enterprise=enterprise,
        day=today,
        rows=[{"employee": e.pk, "temperature": 36.6}],
    )
    assert HealthReport.objects.get().fever is False
    assert Employee.objects.get(pk=e.pk).health == Health.HEALTHY


def test_health_threshold_follows_policy(eworld):
    e = add(eworld)
    today = timezone.localdate()
    [r] = health.health_reports_record(
        actor=eworld.actor("ent_a"),
        enterprise=eworld.enterprises["a"],
        day=today,
        rows=[{"employee": e.pk, "temperature": "37.3"}],  # default 37.3, inclusive
    )
    assert r.fever is True


def test_health_refusals_are_by_row_and_all_or_nothing(eworld):
    e = add(eworld)
    other = add(eworld, who="ent_b", enterprise="b", doc_number=WUHAN_ID)
    today = timezone.localdate()
    before = db_fingerprint()
    with pytest.raises(ValidationError) as info:
        health.health_reports_record(
            actor=eworld.actor("ent_a"),
            enterprise=eworld.enterprises["a"],
            day=today,
            rows=[
                {"employee": e.pk, "temperature": "36.5"},
                {"employee": other.pk, "temperature": "36.5"},  # enterprise B's employee
                {"employee": "x", "temperature": "36.5"},
            ],
        )
    unknown = ["No current employee of this enterprise with this id."]
    assert info.value.message_dict == {"rows.1.employee": unknown, "rows.2.employee": unknown}
    with pytest.raises(ValidationError) as info:
        health.health_reports_record(
            actor=eworld.actor("ent_a"),
            enterprise=eworld.enterprises["a"],
            day=today,
            rows=[{"employee": e.pk, "temperature": "45"}],
        )
    assert info.value.message_dict == {
        "rows.0.temperature": ["Enter a temperature from 34.0 to 43.0 °C."]
    }
    with pytest.raises(ValidationError) as info:
        health.health_reports_record(
            actor=eworld.actor("ent_a"),
            enterprise=eworld.enterprises["a"],
            day=today + dt.timedelta(days=1),
            rows=[{"employee": e.pk, "temperature": "36.5"}],
        )
    assert info.value.message_dict == {"day": ["This date cannot be in the future."]}
    with pytest.raises(Http404):
        health.health_reports_record(
            actor=eworld.actor("ent_b"),
            enterprise=eworld.enterprises["a"],
            day=today,
            rows=[{"employee": e.pk, "temperature": "36.5"}],
        )
    assert db_fingerprint() == before
