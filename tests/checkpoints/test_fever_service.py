"""A fever at a checkpoint reaches a referral with the person in the registry: the person is
found by document number or registered in the checkpoint's grid, put in the "fever"
key-person category, and an alert without an observation case is raised to the grid, the
village and headquarters with its referral opened ("reported" at the check's time)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from epigrid.audit.models import AuditEvent
from epigrid.checkpoints.models import CheckPerson
from epigrid.checkpoints.services.fever import fever_found
from epigrid.quarantine.models import Alert, ReferralEvent, Trigger
from epigrid.quarantine.selectors import escalation as alerts
from epigrid.quarantine.services.escalation import alert_close, referral_record
from epigrid.quarantine.services.external import alert_raise
from epigrid.registry.models import CategoryAssignment, Person
from epigrid.registry.services import person_merge
from tests.world_register import resident_id

from .fever_world import DAY, make_check
from .world import local

NEW_ID = resident_id("440785", "19880808", "357")


def fever(world, *, who="worker_a", point="a", at=None, **person):
    person.setdefault("temperature", "38.2")
    check, entries = make_check(
        world.checkpoints[point], at=at, people=[person], recorded_by=world.users[who]
    )
    return check, entries, fever_found(actor=world.actor(who), check=check, entries=entries)


def counts():
    return (
        Person.objects.count(),
        CategoryAssignment.objects.filter(category__code="fever").count(),
        Alert.objects.count(),
        ReferralEvent.objects.count(),
    )


def test_a_fever_registers_the_person_categorises_them_and_opens_the_referral(cworld):
    before = counts()
    last_event = AuditEvent.objects.order_by("-id").values_list("id", flat=True)[0]
    check, (entry,), (alert,) = fever(
        cworld, name="陈发热", doc_number=NEW_ID, phone="13900001111", at=local(DAY, 8, 15)
    )
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 1)

    person = Person.objects.get(doc_number=NEW_ID)
    assert (person.name, person.phone, person.jurisdiction_id) == (
        "陈发热",
        "13900001111",
        cworld.nodes["grid_a"].pk,
    )
    assert CheckPerson.objects.get(pk=entry.pk).person_id == person.pk
    (assignment,) = CategoryAssignment.objects.filter(person=person)
    assert assignment.category.code == "fever" and assignment.active_from == DAY

    alert.refresh_from_db()
    assert alert.case_id is None and alert.person_id == person.pk
    assert alert.trigger == Trigger.CHECKPOINT_FEVER
    assert alert.jurisdiction_id == cworld.nodes["grid_a"].pk
    assert alert.jpath == cworld.nodes["grid_a"].path
    assert alert.raised_at == local(DAY, 8, 15) and alert.closed_at is None
    assert alert.detail == "锦岗村口 38.2°C 02-10 08:15"
    assert alert.origin == f"checkpoints:check_detail:{check.pk}"
    steps = list(ReferralEvent.objects.filter(alert=alert).values_list("step", "at"))
    assert steps == [("reported", local(DAY, 8, 15))]

    # The worker who recorded the check is named in the trail of everything it caused.
    trail = AuditEvent.objects.filter(pk__gt=last_event)
    assert sorted(trail.values_list("action", "actor_username")) == [
        ("alert.raise", "worker_a"),
        ("category.assign", "worker_a"),
        ("person.create", "worker_a"),
    ]


@pytest.mark.parametrize(
    "who, sees", [("worker_a", True), ("secretary", True), ("hq", True), ("worker_b", False)]
)
def test_the_alert_reaches_the_grid_the_village_and_headquarters_only(cworld, who, sees):
    _check, _entries, (alert,) = fever(cworld, name="陈发热", doc_number=NEW_ID)
    actor = cworld.actor(who)
    listed = [a.pk for a in alerts.alert_list(actor=actor, open_only=True)]
    assert listed == ([alert.pk] if sees else [])
    assert alerts.open_alert_counts(actor=actor)["checkpoint_fever"] == (1 if sees else 0)
    if sees:
        assert alerts.alert_detail(actor=actor, pk=alert.pk).next_steps == [
            "isolated",
            "transported",
            "diagnosed",
        ]
    else:
        with pytest.raises(Http404):
            alerts.alert_get(actor=actor, pk=alert.pk)


def test_a_second_fever_of_the_same_person_the_same_day_adds_to_the_one_alert(cworld):
    _c1, (e1,), (first,) = fever(cworld, name="陈发热", doc_number=NEW_ID, at=local(DAY, 8, 15))
    before = counts()
    _c2, (e2,), (second,) = fever(
        cworld,
        point="b",
        who="worker_b",
        name="陈发热",
        doc_number=NEW_ID,
        temperature="38.6",
        at=local(DAY, 9, 40),
    )
    assert counts() == before  # no second person, category, alert or step
    assert second.pk == first.pk
    assert CheckPerson.objects.get(pk=e2.pk).person_id == e1.person_id
    second.refresh_from_db()
    assert second.detail == "锦岗村口 38.2°C 02-10 08:15, 郁文村口 38.6°C 02-10 09:40"
    assert second.version == first.version + 1  # an editor holding the old page gets a conflict


def test_the_same_check_twice_changes_nothing(cworld):
    check, entries, (alert,) = fever(cworld, name="陈发热", doc_number=NEW_ID)
    before = counts()
    again = fever_found(actor=cworld.actor("worker_a"), check=check, entries=entries)
    assert [a.pk for a in again] == [alert.pk]
    assert counts() == before
    assert Alert.objects.get(pk=alert.pk).version == alert.version


def test_a_person_registered_elsewhere_is_linked_not_copied_nor_changed(cworld):
    person_b = cworld.register["person_b"]  # lives in grid B
    before = counts()
    _check, (entry,), (alert,) = fever(
        cworld, name="赵六", doc_number=person_b.doc_number, phone="13000000000"
    )
    assert counts()[0] == before[0]
    assert CheckPerson.objects.get(pk=entry.pk).person_id == person_b.pk
    person_b.refresh_from_db()
    assert person_b.phone == "13912340002"  # the gate does not edit a person's record
    assert CategoryAssignment.objects.get(person=person_b, category__code="fever")
    # Raised to the checkpoint's grid: grid A sees it, grid B's worker does not.
    assert alert.jpath == cworld.nodes["grid_a"].path
    assert [a.pk for a in alerts.alert_list(actor=cworld.actor("worker_b"))] == []


def test_a_resident_id_typed_with_spaces_and_a_small_x_finds_the_record(cworld):
    number = resident_id("440785", "19700101", "999")
    fever(cworld, name="甲", doc_number=number)
    before = counts()
    typed = " ".join([number[:6], number[6:14], number[14:].lower()])
    fever(cworld, name="甲", doc_number=typed, at=local(DAY, 10, 0))
    assert counts()[0] == before[0]


def test_without_a_document_the_same_name_and_phone_that_day_is_the_same_person(cworld):
    fever(cworld, name="无证者", phone="13911112222", at=local(DAY, 8, 0))
    before = counts()
    fever(cworld, name="无证者", phone="13911112222", at=local(DAY, 8, 20))
    assert counts()[0] == before[0]
    # Another phone, or the next day: nobody can say it is the same person.
    fever(cworld, name="无证者", phone="13911113333", at=local(DAY, 8, 30))
    fever(cworld, name="无证者", phone="13911112222", at=local(DAY + dt.timedelta(days=1), 8))
    assert counts()[0] == before[0] + 2


def test_a_traveller_without_a_name_is_registered_under_the_checkpoint_and_time(cworld):
    _check, (entry,), (alert,) = fever(cworld, at=local(DAY, 7, 5))
    person = Person.objects.get(pk=CheckPerson.objects.get(pk=entry.pk).person_id)
    with translation.override("zh-hans"):  # stored in the deployment's language
        expected = gettext("Fever at %(checkpoint)s %(time)s") % {
            "checkpoint": "锦岗村口",
            "time": "02-10 07:05",
        }
    assert person.name == expected and "锦岗村口 02-10 07:05" in person.name
    assert person.doc_number == "" and alert.person_id == person.pk


def test_a_number_the_register_refuses_is_left_off_the_new_record(cworld):
    bad = NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")  # wrong check character
    _check, (entry,), _alerts = fever(cworld, name="错号", doc_number=bad, phone="12")
    person = Person.objects.get(pk=CheckPerson.objects.get(pk=entry.pk).person_id)
    assert (person.name, person.doc_number, person.phone) == ("错号", "", "")
    assert CheckPerson.objects.get(pk=entry.pk).doc_number == bad  # the check keeps it


def test_only_the_fever_readings_of_a_vehicle_count(cworld):
    before = counts()
    check, entries = make_check(
        cworld.checkpoints["a"],
        plate="粤A12345",
        people=[
            {"name": "司机", "temperature": "36.4"},
            {"name": "乘客甲", "temperature": "37.3", "doc_number": NEW_ID},
            {"name": "乘客乙", "temperature": "36.9"},
        ],
    )
    (alert,) = fever_found(actor=cworld.actor("worker_a"), check=check, entries=entries)
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 1)
    assert alert.detail == "锦岗村口 37.3°C 粤A12345 02-10 08:15"
    assert [e.person_id for e in CheckPerson.objects.filter(check_row=check).order_by("seq")] == [
        None,
        Person.objects.get(doc_number=NEW_ID).pk,
        None,
    ]
    assert fever_found(actor=cworld.actor("worker_a"), check=check, entries=[entries[0]]) == []
    assert counts()[2] == before[2] + 1


def test_the_grid_carries_the_referral_through_to_an_outcome(cworld):
    _check, _entries, (alert,) = fever(cworld, name="陈发热", doc_number=NEW_ID)
    worker = cworld.actor("worker_a")
    referral_record(actor=worker, alert=alert, step="isolated", at=local(DAY, 8, 40))
    referral_record(
        actor=worker, alert=alert, step="diagnosed", at=local(DAY, 12), diagnosis="excluded"
    )
    alert.refresh_from_db()
    alert_close(actor=worker, alert=alert, outcome="excluded", version=alert.version)
    alert.refresh_from_db()
    assert alert.outcome == "excluded" and alert.closed_at is not None
    # Closed: a new fever of the person opens a new alert.
    _c, _e, (again,) = fever(cworld, name="陈发热", doc_number=NEW_ID, at=local(DAY, 18))
    assert again.pk != alert.pk


def test_a_merge_moves_the_alerts_and_the_checks_to_the_surviving_record(cworld):
    dup1, dup2 = cworld.register["dup_a1"], cworld.register["dup_a2"]
    check, entries = make_check(
        cworld.checkpoints["a"], people=[{"name": "李四", "temperature": "38", "person": dup2}]
    )
    (alert,) = fever_found(actor=cworld.actor("worker_a"), check=check, entries=entries)
    assert alert.person_id == dup2.pk
    moved = person_merge(actor=cworld.actor("secretary"), survivor=dup1, duplicate=dup2)
    assert Alert.objects.get(pk=alert.pk).person_id == dup1.pk
    assert CheckPerson.objects.get(pk=entries[0].pk).person_id == dup1.pk
    assert (moved["quarantine.alerts"], moved["checkpoints.checked_persons"]) == (1, 1)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"trigger": "fever"}, "trigger"),
        ({"origin": ""}, "origin"),
        ({"origin": "x" * 81}, "origin"),
        ({"raised_at": local(dt.date(2099, 1, 1))}, "raised_at"),
    ],
)
def test_alert_raise_refuses_bad_input_and_changes_nothing(cworld, change, field):
    args = {
        "actor": cworld.actor("worker_a"),
        "person": cworld.register["person_a"],
        "jurisdiction": cworld.nodes["grid_a"],
        "trigger": Trigger.CHECKPOINT_FEVER,
        "raised_at": local(DAY, 8),
        "detail": "x",
        "origin": "checkpoints:check_detail:1",
        **change,
    }
    before = counts()
    with pytest.raises(ValidationError) as exc:
        alert_raise(**args)
    assert field in exc.value.message_dict
    assert counts() == before


@pytest.mark.parametrize("who, error", [("worker_b", Http404), ("analyst", PermissionDenied)])
def test_alert_raise_needs_alerts_manage_over_the_grid(cworld, who, error):
    before = counts()
    with pytest.raises(error):
        alert_raise(
            actor=cworld.actor(who),
            person=cworld.register["person_a"],
            jurisdiction=cworld.nodes["grid_a"],
            trigger=Trigger.CHECKPOINT_FEVER,
            raised_at=local(DAY, 8),
            detail="x",
            origin="checkpoints:check_detail:1",
        )
    assert counts() == before


def test_the_alert_pages_and_the_api_show_an_alert_without_a_case(cworld, api):
    _check, _entries, (alert,) = fever(cworld, name="陈发热", doc_number=NEW_ID)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cworld.users["worker_a"])
    page = client.get(f"/quarantine/alerts/{alert.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Fever at a checkpoint" in html and "陈发热" in html
    assert 'data-testid="no-case"' in html and 'data-testid="alert-origin"' in html
    assert "锦岗村口 38.2°C" in html
    assert 'data-testid="referral-form"' in html
    listing = client.get("/quarantine/alerts/?open=1").content.decode()
    assert f'data-alert="{alert.pk}"' in listing and "锦岗村第1网格" in listing
    (item,) = [i for i in api("hq").all("/quarantine/alerts") if i["id"] == alert.pk]
    assert item["case_id"] is None
    assert (item["person_name"], item["jurisdiction_name"]) == ("陈发热", "锦岗村第1网格")
    assert item["trigger"] == "checkpoint_fever" and item["last_step"] == "reported"
    assert item["origin"] == alert.origin
    other = Client()
    other.force_login(cworld.users["worker_b"])
    assert other.get(f"/quarantine/alerts/{alert.pk}/").status_code == 404
    assert api("worker_b").get(f"/quarantine/alerts/{alert.pk}").status_code == 404


def test_end_to_end_a_fever_sent_through_the_ingest_api_reaches_a_referral(cworld, api):
    from .ingest_world import vehicle

    point = cworld.checkpoints["a"]
    body = vehicle("湘A12345", temps=(36.6, 38.4), checked_at="2020-02-10T09:10:00+08:00")
    body["people"][1].update(doc_type="resident_id", doc_number=NEW_ID, phone="13900002222")
    before = counts()
    response = api("worker_a").send("POST", f"/checkpoints/{point.pk}/checks", {"checks": [body]})
    assert response.status_code == 200, response.content
    assert response.json()["stored"] == 1
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 1)
    person = Person.objects.get(doc_number=NEW_ID)
    (alert,) = Alert.objects.filter(person=person)
    assert alert.trigger == "checkpoint_fever" and alert.raised_at == local(DAY, 9, 10)
    assert alert.detail.startswith("锦岗村口 38.4°C 湘A12345")
    # Sent again (a phone that lost its answer): known, nothing more.
    again = api("worker_a").send("POST", f"/checkpoints/{point.pk}/checks", {"checks": [body]})
    assert again.json()["known"] == 1 and counts() == (
        before[0] + 1,
        before[1] + 1,
        before[2] + 1,
        before[3] + 1,
    )
    # The referral is carried on the quarantine pages by the grid.
    seen = api("secretary").all("/quarantine/alerts", trigger="checkpoint_fever")
    assert [a["id"] for a in seen] == [alert.pk]
    assert api("worker_b").all("/quarantine/alerts", trigger="checkpoint_fever") == []
