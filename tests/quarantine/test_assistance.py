"""Help with daily needs and care notes: every service, every refusal (and that a refusal
changes nothing), version conflicts, and the audit trail."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from epigrid.audit.models import AuditEvent
from epigrid.core.errors import ConcurrentEditError
from epigrid.quarantine.models import AssistanceRequest, CareNote, EndReason, ObservationCase
from epigrid.quarantine.services import assistance as services
from epigrid.workforce.models import StaffMember

from .world import local, make_case

pytestmark = pytest.mark.django_db


def _state() -> tuple:
    """Everything these services may write."""
    return (
        sorted(AssistanceRequest.objects.values_list()),
        sorted(CareNote.objects.values_list()),
        AuditEvent.objects.count(),
    )


def _close(case: ObservationCase, reason: str = EndReason.COMPLETED) -> None:
    ObservationCase.objects.filter(pk=case.pk).update(closed_at=timezone.now(), end_reason=reason)
    case.refresh_from_db()


def _request(world, case, actor="worker_a", **kw):
    data = {"kind": "food", "detail": "大米 10 斤, 食用油"} | kw
    return services.request_create(actor=world.actor(actor), case=case, **data)


def _refused(call, exc_type=ValidationError):
    before = _state()
    with pytest.raises(exc_type) as info:
        call()
    assert _state() == before, "a refused write changed something"
    return info.value


def _fields(exc: ValidationError) -> dict[str, str]:
    return {k: " ".join(str(m) for e in v for m in e.messages) for k, v in exc.error_dict.items()}


# --- create -------------------------------------------------------------------------------


def test_a_request_is_recorded_in_the_cases_grid_and_audited(world):
    case = make_case(world)
    req = _request(world, case, detail="  大米  10 斤 ")
    assert req.jpath == case.jpath == world.nodes["grid_a"].path
    assert req.detail == "大米 10 斤"  # white space tidied
    assert req.is_open and req.taken_by is None and req.version == 1
    assert req.recorded_by == world.users["worker_a"]
    assert abs((req.requested_at - timezone.now()).total_seconds()) < 5
    event = AuditEvent.objects.get(action="assistance.create")
    assert event.actor_username == "worker_a"
    assert event.entity_id == str(req.pk) and event.jpath == case.jpath
    assert event.after["kind"] == "food"


def test_a_request_may_be_dated_earlier_in_the_case(world):
    case = make_case(world, start=dt.date(2020, 2, 3))
    at = local(dt.date(2020, 2, 5), 8, 30)
    req = _request(world, case, requested_at=at)
    assert req.requested_at == at


def test_no_request_on_a_closed_case(world):
    case = make_case(world)
    _close(case)
    exc = _refused(lambda: _request(world, case))
    assert "closed" in " ".join(exc.messages)


def test_bad_request_input_is_refused_by_field(world):
    case = make_case(world, start=dt.date(2020, 2, 3))
    exc = _refused(
        lambda: _request(
            world,
            case,
            kind="weapons",
            detail="x" * 301,
            requested_at=timezone.now() + dt.timedelta(hours=1),
        )
    )
    errors = _fields(exc)
    assert set(errors) == {"kind", "detail", "requested_at"}
    assert "300" in errors["detail"]
    assert "future" in errors["requested_at"]
    exc = _refused(
        lambda: _request(world, case, detail="   ", requested_at=local(dt.date(2020, 2, 2), 23))
    )
    errors = _fields(exc)
    assert errors["detail"] == "This field is required."
    assert "before the case started" in errors["requested_at"]


def test_only_the_cases_people_may_record_a_request(world):
    case = make_case(world)
    _refused(lambda: _request(world, case, actor="worker_b"), Http404)
    _refused(lambda: _request(world, case, actor="analyst"), PermissionDenied)
    assert _request(world, case, actor="secretary").pk
    assert _request(world, case, actor="hq").pk


# --- take, fulfil, cancel -----------------------------------------------------------------


def test_take_hands_the_request_to_a_worker_of_the_grid(world):
    case = make_case(world)
    req = _request(world, case)
    doctor = world.staff["grid_a.family_doctor"]
    services.request_take(actor=world.actor("worker_a"), request=req, staff=doctor, version=1)
    req.refresh_from_db()
    assert req.taken_by == doctor and req.taken_at is not None and req.version == 2
    event = AuditEvent.objects.get(action="assistance.take")
    assert event.before["taken_by_id"] is None and event.after["taken_by_id"] == doctor.pk
    # Handed over to the big grid's leader (above the grid): allowed.
    leader = world.staff["big_a.leader"]
    services.request_take(actor=world.actor("hq"), request=req, staff=leader, version=2)
    req.refresh_from_db()
    assert req.taken_by == leader and req.version == 3


def test_take_refuses_someone_of_another_grid_or_nobody(world):
    case = make_case(world)
    req = _request(world, case)
    other = world.staff["grid_b.cadre"]
    actor = world.actor("hq")
    exc = _refused(lambda: services.request_take(actor=actor, request=req, staff=other, version=1))
    assert _fields(exc)["staff"] == f"{other.name} does not work in this case's grid."
    # hq has no grid-worker record of its own: somebody must be chosen.
    exc = _refused(lambda: services.request_take(actor=actor, request=req, version=1))
    assert _fields(exc)["staff"] == "Choose who takes this request."
    gone = world.staff["grid_a.police"]
    StaffMember.objects.filter(pk=gone.pk).update(active_until=dt.date(2020, 2, 1))
    gone.refresh_from_db()
    _refused(lambda: services.request_take(actor=actor, request=req, staff=gone, version=1))


def test_take_defaults_to_the_actors_own_record(world):
    cadre = world.staff["grid_a.cadre"]
    StaffMember.objects.filter(pk=cadre.pk).update(user=world.users["worker_a"])
    req = _request(world, make_case(world))
    services.request_take(actor=world.actor("worker_a"), request=req, version=1)
    req.refresh_from_db()
    assert req.taken_by == cadre


def test_two_people_taking_one_request_never_overwrite_each_other(world):
    req = _request(world, make_case(world))
    stale = AssistanceRequest.objects.get(pk=req.pk)
    actor = world.actor("worker_a")
    services.request_take(
        actor=actor, request=req, staff=world.staff["grid_a.cadre"], version=req.version
    )
    exc = _refused(
        lambda: services.request_take(
            actor=actor, request=stale, staff=world.staff["grid_a.police"], version=stale.version
        ),
        ConcurrentEditError,
    )
    assert "Someone else changed this record" in str(exc)
    req.refresh_from_db()
    assert req.taken_by == world.staff["grid_a.cadre"]


def test_fulfil_records_what_was_done(world):
    req = _request(world, make_case(world))
    actor = world.actor("worker_a")
    services.request_take(actor=actor, request=req, staff=world.staff["grid_a.cadre"], version=1)
    services.request_fulfil(actor=actor, request=req, note="已送到门口", version=2)
    req.refresh_from_db()
    assert not req.is_open and req.fulfilled_at is not None and req.result_note == "已送到门口"
    assert req.taken_by == world.staff["grid_a.cadre"]
    exc = _refused(lambda: services.request_fulfil(actor=actor, request=req, version=3))
    assert "already fulfilled" in " ".join(exc.messages)
    _refused(lambda: services.request_cancel(actor=actor, request=req, note="x", version=3))
    _refused(
        lambda: services.request_take(
            actor=actor, request=req, staff=world.staff["grid_a.cadre"], version=3
        )
    )


def test_fulfil_before_take_is_allowed_and_names_the_actor_as_taker(world):
    cadre = world.staff["grid_a.cadre"]
    StaffMember.objects.filter(pk=cadre.pk).update(user=world.users["worker_a"])
    req = _request(world, make_case(world))
    services.request_fulfil(actor=world.actor("worker_a"), request=req, version=1)
    req.refresh_from_db()
    assert req.fulfilled_at is not None and req.taken_by == cadre
    assert req.taken_at == req.fulfilled_at
    # Without a grid-worker record the request is fulfilled with nobody named.
    other = _request(world, make_case(world, name="隔离乙"))
    services.request_fulfil(actor=world.actor("hq"), request=other, version=1)
    other.refresh_from_db()
    assert other.fulfilled_at is not None and other.taken_by is None


def test_fulfil_with_a_stale_version_is_refused(world):
    req = _request(world, make_case(world))
    actor = world.actor("worker_a")
    services.request_take(actor=actor, request=req, staff=world.staff["grid_a.cadre"], version=1)
    stale = AssistanceRequest.objects.get(pk=req.pk)
    stale.version = 1
    _refused(
        lambda: services.request_fulfil(actor=actor, request=stale, version=1), ConcurrentEditError
    )


def test_cancel_needs_a_reason_and_ends_the_request(world):
    req = _request(world, make_case(world))
    actor = world.actor("worker_a")
    exc = _refused(lambda: services.request_cancel(actor=actor, request=req, note=" ", version=1))
    assert _fields(exc) == {"note": "Say why the request is cancelled."}
    services.request_cancel(actor=actor, request=req, note="家属已送", version=1)
    req.refresh_from_db()
    assert req.cancelled_at is not None and req.result_note == "家属已送" and not req.is_open
    assert AuditEvent.objects.filter(action="assistance.cancel").count() == 1
    exc = _refused(lambda: services.request_fulfil(actor=actor, request=req, version=2))
    assert "cancelled" in " ".join(exc.messages)


def test_a_closed_case_refuses_take_but_lets_open_requests_be_finished(world):
    case = make_case(world)
    first, second = _request(world, case), _request(world, case, kind="medicine")
    _close(case, EndReason.REFERRED)
    actor = world.actor("worker_a")
    _refused(
        lambda: services.request_take(
            actor=actor, request=first, staff=world.staff["grid_a.cadre"], version=1
        )
    )
    services.request_fulfil(actor=actor, request=first, note="送达", version=1)
    services.request_cancel(actor=actor, request=second, note="已转诊", version=1)
    assert not AssistanceRequest.objects.filter(fulfilled_at=None, cancelled_at=None).exists()


def test_transitions_are_refused_outside_ones_area(world):
    req = _request(world, make_case(world))
    cadre = world.staff["grid_a.cadre"]
    for who, exc in (("worker_b", Http404), ("analyst", PermissionDenied)):
        actor = world.actor(who)
        _refused(
            lambda a=actor: services.request_take(actor=a, request=req, staff=cadre, version=1),
            exc,
        )
        _refused(lambda a=actor: services.request_fulfil(actor=a, request=req, version=1), exc)
        _refused(
            lambda a=actor: services.request_cancel(actor=a, request=req, note="x", version=1),
            exc,
        )


# --- care notes ---------------------------------------------------------------------------


def test_a_care_note_is_recorded_and_audited(world):
    case = make_case(world)
    note = services.care_note_add(
        actor=world.actor("worker_a"),
        case=case,
        kind="counselling",
        text="情绪稳定，已进行心理疏导",
        staff=world.staff["grid_a.family_doctor"],
    )
    assert note.jpath == case.jpath and note.staff == world.staff["grid_a.family_doctor"]
    assert note.recorded_by == world.users["worker_a"]
    event = AuditEvent.objects.get(action="care.add")
    assert event.actor_username == "worker_a" and event.after["kind"] == "counselling"


def test_care_note_refusals_change_nothing(world):
    case = make_case(world, start=dt.date(2020, 2, 3))
    actor = world.actor("worker_a")
    exc = _refused(
        lambda: services.care_note_add(
            actor=actor,
            case=case,
            kind="gossip",
            text="",
            given_at=timezone.now() + dt.timedelta(days=1),
            staff=world.staff["grid_b.cadre"],
        )
    )
    assert set(_fields(exc)) == {"kind", "text", "given_at", "staff"}
    _refused(
        lambda: services.care_note_add(
            actor=world.actor("worker_b"), case=case, kind="counselling", text="x"
        ),
        Http404,
    )
    _refused(
        lambda: services.care_note_add(
            actor=world.actor("analyst"), case=case, kind="counselling", text="x"
        ),
        PermissionDenied,
    )
    _close(case)
    exc = _refused(
        lambda: services.care_note_add(actor=actor, case=case, kind="health_education", text="x")
    )
    assert "closed" in " ".join(exc.messages)
