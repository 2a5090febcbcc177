"""The ingest service: idempotency, per-field refusals, fever and non-local flags, hourly
figures, one audit event per batch, the fever hook."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from epigrid.accounts.access import SYSTEM
from epigrid.audit.models import AuditEvent
from epigrid.checkpoints.models import Check, CheckHour, CheckPerson, Checkpoint
from epigrid.checkpoints.services import checks as services
from epigrid.checkpoints.services.checks import check_record, checks_ingest
from epigrid.policy.services import policy_set

from .ingest_world import AT, RID2, expected_hour_sums, figures, item, vehicle

pytestmark = pytest.mark.django_db


def ingest(cworld, items, who="worker_a", point="a", source="api"):
    return checks_ingest(
        actor=cworld.actor(who), checkpoint=cworld.checkpoints[point], items=items, source=source
    )


def statuses(answers):
    return [a["status"] for a in answers]


def test_stores_a_check_with_its_persons_hour_and_one_audit_event(cworld):
    body = vehicle("粤j·１２３４５", temps=(36.5, 36.8), origin="  开平  市 ", note="")
    body["people"][0].update(doc_number="11010519491231002x", phone="138 0013 8000")
    [answer] = ingest(cworld, [body])
    assert answer == {"uuid": body["uuid"], "status": "stored", "errors": {}}
    check = Check.objects.get()
    assert check.uuid == uuid.UUID(body["uuid"])
    assert check.checkpoint == cworld.checkpoints["a"]
    assert check.jpath == cworld.checkpoints["a"].jpath
    assert check.checked_at == dt.datetime(2020, 2, 10, 0, 15, tzinfo=dt.UTC)
    assert (check.mode, check.plate, check.plate_prefix) == ("vehicle", "粤J12345", "粤J")
    assert check.nonlocal_vehicle is False  # 粤J is the default local prefix
    assert (check.persons, check.result, check.source) == (2, "passed", "api")
    assert check.origin == "开平 市"
    assert check.recorded_by == cworld.users["worker_a"]
    people = list(CheckPerson.objects.filter(check_row=check).order_by("seq"))
    assert [(p.seq, p.name, p.temperature, p.fever) for p in people] == [
        (1, "乘客0", Decimal("36.5"), False),
        (2, "乘客1", Decimal("36.8"), False),
    ]
    assert (people[0].doc_type, people[0].doc_number, people[0].phone) == (
        "resident_id",
        "11010519491231002X",
        "13800138000",
    )
    assert (people[1].doc_type, people[1].doc_number) == ("", "")
    hour = CheckHour.objects.get()
    # The start of the local hour (08:00 in Asia/Shanghai), aware.
    assert hour.hour == timezone.make_aware(dt.datetime(2020, 2, 10, 8, 0))
    assert (hour.checks, hour.persons, hour.vehicles, hour.nonlocal_vehicles) == (1, 2, 1, 0)
    assert (hour.fevers, hour.turned_back, hour.jpath) == (0, 0, check.jpath)
    assert hour.last_check_at == check.checked_at
    event = AuditEvent.objects.get(action="checks.ingest")
    assert event.actor_username == "worker_a"
    assert event.entity_id == str(cworld.checkpoints["a"].pk)
    assert event.after["stored"] == 1
    assert event.after["uuids"] == [body["uuid"], body["uuid"]]


def test_same_batch_twice_is_known_and_changes_nothing(cworld):
    batch = [item(), vehicle(), vehicle("粤A12345", temps=(38.0,)), item(result="turned_back")]
    assert statuses(ingest(cworld, batch)) == ["stored"] * 4
    before = figures()
    again = ingest(cworld, batch)
    assert statuses(again) == ["known"] * 4
    assert [a["uuid"] for a in again] == [b["uuid"] for b in batch]
    assert figures() == before
    assert before["checks"] == 4 and before["audit"] == 1


def test_a_uuid_twice_in_one_batch_is_stored_once(cworld):
    first = item()
    answers = ingest(cworld, [first, dict(first, note="again")])
    assert statuses(answers) == ["stored", "known"]
    assert Check.objects.get().note == ""


def test_a_known_uuid_is_known_even_if_sent_with_other_content(cworld):
    first = item()
    ingest(cworld, [first])
    [answer] = ingest(cworld, [dict(first, mode="bicycle")])
    assert answer["status"] == "known"
    assert Check.objects.count() == 1


def test_mixed_batch_stores_the_good_and_reports_each_bad_field(cworld):
    good1, good2 = item(), vehicle("粤A·88888")
    bad = [
        item(uuid="not-a-uuid"),
        item(uuid=""),
        item(mode="bicycle"),
        item(mode="vehicle", plate=""),
        item(mode="vehicle", plate="粤I12345"),
        item(plate="粤J12345"),
        item(people=[]),
        item(people=[{"temperature": 36.5}] * 10),
        item(people=[{"name": "甲", "temperature": 44.1}, {"name": "乙", "temperature": None}]),
        item(people=[{"temperature": "abc"}]),
        item(people=[{"temperature": 36.5, "doc_number": "440785199001011234"}]),
        item(people=[{"temperature": 36.5, "doc_type": "card", "doc_number": "X1"}]),
        item(people=[{"temperature": 36.5, "phone": "12345"}]),
        item(people=["张三"]),
        item(result="maybe"),
        item(result="fever"),
        item(checked_at="yesterday"),
        item(checked_at="2020-02-10T08:15:00"),
        item(checked_at=None),
        item(note="很" * 201, origin=["x"]),
        item(
            mode="vehicle", plate="粤J12345", people=[{"temperature": 36.5}], selffill_code="X" * 13
        ),
        "not an object",
    ]
    answers = ingest(cworld, [good1, *bad[:5], good2, *bad[5:]])
    assert statuses(answers) == ["stored"] + ["refused"] * 5 + ["stored"] + ["refused"] * 17
    errors = [a["errors"] for a in answers if a["status"] == "refused"]
    assert errors == [
        {"uuid": "This is not a UUID."},
        {"uuid": "Give the check's UUID (made on the device)."},
        {"mode": "Choose on foot or vehicle."},
        {"plate": "Enter the vehicle's plate, such as 粤J12345."},
        {
            "plate": "粤I12345 is not a plate: a province character, a city letter and 5 or 6 "
            "letters or digits, such as 粤J12345."
        },
        {"plate": "A check on foot has no plate: choose vehicle or clear the plate."},
        {"people": "Add at least one person with their temperature."},
        {"people": "At most 9 persons in one check: log the others as more checks."},
        {
            "people.0.temperature": "44.1 °C is not a possible body temperature: enter a "
            "reading between 34.0 and 43.0 °C.",
            "people.1.temperature": "Enter a temperature such as 36.5.",
        },
        {"people.0.temperature": "Enter a temperature such as 36.5."},
        {
            "people.0.doc_number": "The check character does not match: a digit was "
            "probably mistyped."
        },
        {"people.0.doc_type": "Choose one of the allowed values."},
        {"people.0.phone": "This phone number is not valid."},
        {"people.0": "Each person is an object with a name, a document and a temperature."},
        {"result": "Choose let through or turned back."},
        {
            "result": "No reading of this check is a fever (37.3 °C): choose let through or "
            "turned back."
        },
        {
            "checked_at": "Give the time of the check as a date and time, such as "
            "2020-02-10T08:15:00+08:00."
        },
        {
            "checked_at": "Give the time with its offset from UTC, such as "
            "2020-02-10T08:15:00+08:00."
        },
        {"checked_at": "Give the time of the check."},
        {"note": "At most 200 characters.", "origin": "Enter text."},
        {"selffill_code": "This is not a self-fill code."},
        {"__all__": "Each check is an object."},
    ]
    assert answers[1]["uuid"] == "not-a-uuid" and answers[-1]["uuid"] == ""
    assert Check.objects.count() == 2
    assert CheckPerson.objects.count() == 2
    assert AuditEvent.objects.get(action="checks.ingest").after["refused"] == 22


def test_a_batch_of_refusals_changes_nothing(cworld):
    before = figures()
    answers = ingest(cworld, [item(mode="x"), item(checked_at="2019-01-01T08:00:00+08:00")])
    assert statuses(answers) == ["refused", "refused"]
    assert figures() == before


def test_time_in_the_future_before_opening_and_after_closing(cworld):
    now = timezone.now()
    point = cworld.checkpoints["a"]
    Checkpoint.objects.filter(pk=point.pk).update(active_until=dt.date(2020, 3, 1))
    point.refresh_from_db()
    answers = ingest(
        cworld,
        [
            item(checked_at=(now + dt.timedelta(minutes=4)).isoformat()),  # clock skew
            item(checked_at=(now + dt.timedelta(minutes=6)).isoformat()),
            item(checked_at="2020-01-24T23:59:00+08:00"),
            item(checked_at="2020-01-25T00:00:00+08:00"),
            item(checked_at="2020-01-24T16:00:00Z"),  # 2020-01-25 00:00 local
            item(checked_at="2020-02-29T23:59:00+08:00"),
            item(checked_at="2020-03-01T00:00:00+08:00"),
        ],
    )
    # The checkpoint closed on 1 March: the skewed "now" is after that, refused too.
    assert statuses(answers) == [
        "refused",
        "refused",
        "refused",
        "stored",
        "stored",
        "stored",
        "refused",
    ]
    assert answers[1]["errors"] == {
        "checked_at": "This time is in the future: check the clock of the phone that made it."
    }
    assert answers[0]["errors"] == {
        "checked_at": "The checkpoint closed on 2020-03-01: a check cannot be later."
    }
    assert answers[2]["errors"] == {
        "checked_at": "The checkpoint opened on 2020-01-25: a check cannot be earlier."
    }


def test_clock_skew_of_a_few_minutes_is_accepted(cworld):
    now = timezone.now()
    answers = ingest(
        cworld,
        [
            item(checked_at=(now + dt.timedelta(minutes=4, seconds=50)).isoformat()),
            item(checked_at=(now + dt.timedelta(minutes=5, seconds=30)).isoformat()),
        ],
    )
    assert statuses(answers) == ["stored", "refused"]


@pytest.mark.parametrize(
    ("inclusive", "temperature", "fever"),
    [
        (True, 37.2, False),
        (True, 37.3, True),
        (True, 37.4, True),
        (False, 37.3, False),
        (False, 37.4, True),
    ],
)
def test_fever_at_the_threshold_edges(cworld, inclusive, temperature, fever):
    policy_set(
        actor=SYSTEM, key="fever_inclusive", value=inclusive, active_from=dt.date(2020, 2, 1)
    )
    body = vehicle(temps=(36.5, temperature), result="turned_back")
    [answer] = ingest(cworld, [body])
    assert answer["status"] == "stored"
    check = Check.objects.get()
    assert check.result == ("fever" if fever else "turned_back")
    assert list(CheckPerson.objects.order_by("seq").values_list("fever", flat=True)) == [
        False,
        fever,
    ]
    hour = CheckHour.objects.get()
    assert (hour.fevers, hour.turned_back) == (int(fever), int(not fever))


def test_fever_follows_the_policy_of_the_checks_local_day(cworld):
    policy_set(actor=SYSTEM, key="fever_threshold", value=37.5, active_from=dt.date(2020, 2, 11))
    answers = ingest(
        cworld,
        [
            vehicle(temps=(37.4,), checked_at="2020-02-10T23:59:00+08:00"),
            # 2020-02-10 16:30 UTC is already 11 February in Shanghai: the new threshold.
            vehicle(temps=(37.4,), checked_at="2020-02-10T16:30:00Z"),
            vehicle(temps=(37.5,), checked_at="2020-02-11T08:00:00+08:00"),
        ],
    )
    assert statuses(answers) == ["stored"] * 3
    results = {str(c.uuid): c.result for c in Check.objects.all()}
    assert [results[a["uuid"]] for a in answers] == ["fever", "passed", "fever"]


def test_a_check_sent_as_fever_with_a_fever_reading_is_a_fever(cworld):
    [answer] = ingest(cworld, [vehicle(temps=(38.2,), result="fever")])
    assert answer["status"] == "stored"
    assert Check.objects.get().result == "fever"


def test_nonlocal_vehicles_follow_the_local_prefixes_policy(cworld):
    batch = [vehicle("粤J00001"), vehicle("粤A00001"), vehicle("湘A12345"), item()]
    ingest(cworld, batch)
    flags = {str(c.uuid): c.nonlocal_vehicle for c in Check.objects.all()}
    assert [flags[b["uuid"]] for b in batch] == [False, True, True, False]
    assert CheckHour.objects.get().nonlocal_vehicles == 2

    policy_set(
        actor=SYSTEM, key="checkpoint_local_plates", value=["粤"], active_from=dt.date(2020, 2, 11)
    )
    later = "2020-02-11T09:00:00+08:00"
    batch = [vehicle("粤J00002", checked_at=later), vehicle("粤A00002", checked_at=later),
             vehicle("湘A00002", checked_at=later)]  # fmt: skip
    ingest(cworld, batch)
    flags = {str(c.uuid): c.nonlocal_vehicle for c in Check.objects.all()}
    assert [flags[b["uuid"]] for b in batch] == [False, False, True]


def test_hourly_figures_add_up_across_batches_and_hours(cworld):
    def at(day, hour, minute):
        return f"2020-02-{day:02d}T{hour:02d}:{minute:02d}:00+08:00"

    batches = [
        [item(checked_at=at(10, 8, 5)), vehicle(checked_at=at(10, 8, 59)),
         vehicle("湘A11111", temps=(36.5, 38.0, 38.5), checked_at=at(10, 9, 0))],
        [item(checked_at=at(10, 8, 30), result="turned_back"),
         vehicle("粤B22222", temps=(36.1, 36.2), checked_at=at(10, 23, 59)),
         item(checked_at=at(11, 0, 0))],
        [vehicle("粤J33333", checked_at=at(10, 8, 10), result="turned_back"),
         item(checked_at=at(10, 9, 45), people=[{"temperature": 37.9}])],
    ]  # fmt: skip
    for batch in batches:
        assert statuses(ingest(cworld, batch)) == ["stored"] * len(batch)
    ingest(cworld, batches[1])  # a resend adds nothing
    got = figures()
    assert {k: v for k, v in got.items() if k.startswith("hour_")} == expected_hour_sums()
    hours = {
        timezone.localtime(h.hour).strftime("%d %H"): (
            h.checks,
            h.persons,
            h.fevers,
            h.last_check_at,
        )
        for h in CheckHour.objects.all()
    }
    assert sorted(hours) == ["10 08", "10 09", "10 23", "11 00"]
    assert hours["10 08"][:3] == (4, 4, 0)
    assert hours["10 09"][:3] == (2, 4, 3)
    assert timezone.localtime(hours["10 08"][3]).strftime("%H:%M") == "08:59"
    assert timezone.localtime(hours["10 09"][3]).strftime("%H:%M") == "09:45"
    assert got["audit"] == 3


def test_access_is_checked_once_for_the_batch(cworld):
    before = figures()
    with pytest.raises(Http404):
        ingest(cworld, [item()], who="worker_b", point="a")
    with pytest.raises(PermissionDenied):
        ingest(cworld, [item()], who="analyst", point="a")
    assert figures() == before
    assert statuses(ingest(cworld, [item()], who="secretary", point="a")) == ["stored"]
    assert statuses(ingest(cworld, [item()], who="hq", point="b")) == ["stored"]


def test_more_than_500_checks_are_refused_as_a_whole(cworld):
    with pytest.raises(ValidationError) as exc:
        ingest(cworld, [item() for _ in range(501)])
    assert exc.value.message_dict == {"checks": ["At most 500 checks in one batch."]}
    assert Check.objects.count() == 0


def test_check_record_answers_for_one_check(cworld):
    body = item()
    answer = check_record(
        actor=cworld.actor("worker_a"), checkpoint=cworld.checkpoints["a"], item=body
    )
    assert answer == {"uuid": body["uuid"], "status": "stored", "errors": {}}
    assert Check.objects.get().source == "device"


def test_fever_hook_gets_the_stored_check_and_its_fever_readings(cworld, monkeypatch):
    calls = []

    def spy(*, actor, check, entries):
        # Inside the transaction: the rows are there already.
        assert Check.objects.filter(pk=check.pk, result="fever").exists()
        assert all(CheckPerson.objects.filter(pk=e.pk, fever=True).exists() for e in entries)
        calls.append((actor.label, check.uuid, [(e.seq, e.temperature) for e in entries]))

    monkeypatch.setattr(services.fever, "fever_found", spy)
    batch = [vehicle(temps=(36.5, 38.1, 39.0)), item(), vehicle(temps=(37.3,))]
    ingest(cworld, batch)
    ingest(cworld, batch)  # known: no second call
    assert sorted(calls) == sorted(
        [
            ("worker_a", uuid.UUID(batch[0]["uuid"]), [(2, Decimal("38.1")), (3, Decimal("39.0"))]),
            ("worker_a", uuid.UUID(batch[2]["uuid"]), [(1, Decimal("37.3"))]),
        ]
    )


def test_documents_other_than_resident_ids_and_sources(cworld):
    body = item(
        people=[
            {"name": "Lee", "doc_type": "passport", "doc_number": " e 1234-5678 ",
             "temperature": "36,6"},
            {"name": "王五", "doc_number": RID2, "temperature": 36.7},
        ]
    )  # fmt: skip
    [answer] = ingest(cworld, [body], source="paper")
    assert answer["status"] == "stored"
    people = list(
        CheckPerson.objects.order_by("seq").values_list("doc_type", "doc_number", "temperature")
    )
    assert people == [
        ("passport", "E12345678", Decimal("36.6")),
        ("resident_id", RID2, Decimal("36.7")),
    ]
    assert Check.objects.get().source == "paper"
    with pytest.raises(ValueError):
        ingest(cworld, [item()], source="carrier pigeon")


def test_at_500_checks_every_answer_is_in_order(cworld):
    batch = [item(checked_at=AT) for _ in range(500)]
    batch[250]["mode"] = "x"
    answers = ingest(cworld, batch)
    assert [a["uuid"] for a in answers] == [b["uuid"] for b in batch]
    assert statuses(answers).count("stored") == 499
    assert CheckHour.objects.get().checks == 499
