"""Help with daily needs (food and supplies, medicine, counselling, other) and the
counselling / health-education notes of a case under observation.

A request moves open -> taken -> fulfilled, or is cancelled while open. Fulfilling an open
request nobody took is allowed: whoever delivers the shopping at the door need not press
"take" first; the request then records them as its taker too. Each transition is version
checked (two people acting on one request never overwrite each other silently) and audited.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.writes import clean_text, versioned_update
from epigrid.workforce.models import StaffMember

from ..models import AssistanceRequest, CareKind, CareNote, NeedKind, ObservationCase
from ..rules import local_midnight
from ..selectors.assistance import staff_of

# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=5)


def _fresh_case(case: ObservationCase) -> ObservationCase:
    """The case as it is now (locked): a case closed a moment ago refuses new work."""
    return ObservationCase.objects.select_for_update().get(pk=case.pk)


def _when(
    value: dt.datetime | None, field: str, not_before: dt.datetime, errors: dict[str, str]
) -> dt.datetime:
    """A time given by the user (default now): not in the future, not before `not_before`."""
    now = timezone.now()
    if value is None:
        return now
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + CLOCK_SKEW:
        errors[field] = _("This time is in the future.")
    elif value < not_before:
        errors[field] = _("This time is before the case started.")
    return value


def _check_staff(staff: StaffMember | None, path: str, errors: dict[str, str]) -> None:
    """Someone of the case's grid or above it (a big grid's or a village's people help too)."""
    if staff is None:
        errors["staff"] = _("Choose who takes this request.")
    elif staff.active_until is not None or not path.startswith(staff.jpath):
        errors["staff"] = _("%(name)s does not work in this case's grid.") % {"name": staff.name}


def _request_state(request: AssistanceRequest) -> dict:
    keep = ("version", "taken_by_id", "taken_at", "fulfilled_at", "cancelled_at", "result_note")
    return {k: v for k, v in snapshot(request).items() if k in keep}


def _require_open(request: AssistanceRequest) -> None:
    if request.fulfilled_at is not None:
        raise ValidationError({"__all__": _("This request was already fulfilled.")})
    if request.cancelled_at is not None:
        raise ValidationError({"__all__": _("This request was cancelled.")})


@transaction.atomic
def request_create(
    *,
    actor: Actor,
    case: ObservationCase,
    kind: str,
    detail: str,
    requested_at: dt.datetime | None = None,
) -> AssistanceRequest:
    """Records a request for help from a person under observation; refused on a closed case."""
    require_can(actor, Capability.FOLLOWUPS_RECORD, case.jpath)
    case = _fresh_case(case)
    errors: dict[str, str] = {}
    if not case.is_open:
        errors["__all__"] = _("This case is closed.")
    if kind not in NeedKind.values:
        errors["kind"] = _("Choose one of the allowed values.")
    try:
        detail = clean_text(detail, "detail", 300)
    except ValidationError as exc:
        errors["detail"] = " ".join(exc.messages)
    requested_at = _when(requested_at, "requested_at", local_midnight(case.start_date), errors)
    if errors:
        raise ValidationError(errors)
    request = AssistanceRequest.objects.create(
        case=case,
        jpath=case.jpath,
        kind=kind,
        detail=detail,
        requested_at=requested_at,
        recorded_by=actor.user,
    )
    audit_record(
        actor=actor,
        action="assistance.create",
        obj=request,
        jpath=request.jpath,
        after=snapshot(request),
    )
    return request


@transaction.atomic
def request_take(
    *,
    actor: Actor,
    request: AssistanceRequest,
    staff: StaffMember | None = None,
    version: int,
    at: dt.datetime | None = None,
) -> AssistanceRequest:
    """Hands an open request to a grid worker of the case's grid (default: the actor's own
    record); taking it again hands it over to someone else. Refused once the case is closed."""
    require_can(actor, Capability.FOLLOWUPS_RECORD, request.jpath)
    _require_open(request)
    case = ObservationCase.objects.get(pk=request.case_id)
    errors: dict[str, str] = {}
    if not case.is_open:
        errors["__all__"] = _("This case is closed: fulfil or cancel the request instead.")
    staff = staff or staff_of(actor)
    _check_staff(staff, request.jpath, errors)
    taken_at = _when(at, "taken_at", request.requested_at, errors)
    if errors:
        raise ValidationError(errors)
    before = _request_state(request)
    versioned_update(request, version, taken_by=staff, taken_at=taken_at)
    audit_record(
        actor=actor,
        action="assistance.take",
        obj=request,
        jpath=request.jpath,
        before=before,
        after=_request_state(request),
    )
    return request


@transaction.atomic
def request_fulfil(
    *,
    actor: Actor,
    request: AssistanceRequest,
    note: str = "",
    version: int,
    at: dt.datetime | None = None,
) -> AssistanceRequest:
    """Marks an open request fulfilled with what was done. A request nobody took is taken by
    the actor's own grid-worker record, if they have one, at the same time."""
    require_can(actor, Capability.FOLLOWUPS_RECORD, request.jpath)
    _require_open(request)
    errors: dict[str, str] = {}
    try:
        note = clean_text(note, "note", 300, required=False)
    except ValidationError as exc:
        errors["note"] = " ".join(exc.messages)
    fulfilled_at = _when(at, "fulfilled_at", request.requested_at, errors)
    if errors:
        raise ValidationError(errors)
    changes: dict[str, object] = {"fulfilled_at": fulfilled_at, "result_note": note}
    if request.taken_by_id is None:
        me = staff_of(actor)
        if me is not None and request.jpath.startswith(me.jpath):
            changes.update(taken_by=me, taken_at=fulfilled_at)
    before = _request_state(request)
    versioned_update(request, version, **changes)
    audit_record(
        actor=actor,
        action="assistance.fulfil",
        obj=request,
        jpath=request.jpath,
        before=before,
        after=_request_state(request),
    )
    return request


@transaction.atomic
def request_cancel(
    *, actor: Actor, request: AssistanceRequest, note: str, version: int
) -> AssistanceRequest:
    """Cancels an open request (no longer needed, asked twice, ...); the reason is required."""
    require_can(actor, Capability.FOLLOWUPS_RECORD, request.jpath)
    _require_open(request)
    try:
        note = clean_text(note, "note", 300)
    except ValidationError as exc:
        raise ValidationError({"note": _("Say why the request is cancelled.")}) from exc
    before = _request_state(request)
    versioned_update(request, version, cancelled_at=timezone.now(), result_note=note)
    audit_record(
        actor=actor,
        action="assistance.cancel",
        obj=request,
        jpath=request.jpath,
        before=before,
        after=_request_state(request),
    )
    return request


@transaction.atomic
def care_note_add(
    *,
    actor: Actor,
    case: ObservationCase,
    kind: str,
    text: str,
    given_at: dt.datetime | None = None,
    staff: StaffMember | None = None,
) -> CareNote:
    """Records counselling or health education given to the person; refused on a closed
    case. `staff` (default: the actor's own record) must work in the case's grid or above."""
    require_can(actor, Capability.FOLLOWUPS_RECORD, case.jpath)
    case = _fresh_case(case)
    errors: dict[str, str] = {}
    if not case.is_open:
        errors["__all__"] = _("This case is closed.")
    if kind not in CareKind.values:
        errors["kind"] = _("Choose one of the allowed values.")
    try:
        text = clean_text(text, "text", 1000)
    except ValidationError as exc:
        errors["text"] = " ".join(exc.messages)
    given_at = _when(given_at, "given_at", local_midnight(case.start_date), errors)
    staff = staff or staff_of(actor)
    if staff is not None and (
        staff.active_until is not None or not case.jpath.startswith(staff.jpath)
    ):
        errors["staff"] = _("%(name)s does not work in this case's grid.") % {"name": staff.name}
    if errors:
        raise ValidationError(errors)
    note = CareNote.objects.create(
        case=case,
        jpath=case.jpath,
        kind=kind,
        text=text,
        given_at=given_at,
        staff=staff,
        recorded_by=actor.user,
    )
    audit_record(actor=actor, action="care.add", obj=note, jpath=note.jpath, after=snapshot(note))
    return note
