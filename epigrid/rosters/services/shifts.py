"""Writes of shifts and who is on them (see the package's rules)."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.writes import clean_text, versioned_update
from epigrid.workforce.models import StaffMember

from .. import selectors
from ..models import Post, Shift, ShiftMember

MAX_SHIFT = dt.timedelta(hours=24)
MAX_MEMBERS = 20


# --- shifts -------------------------------------------------------------------------------


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    """A naive time is on the deployment's clock. Kept in UTC: Python compares and subtracts
    two datetimes of one zone on the wall clock, an hour off across a DST change."""
    if value is None:
        return None
    if timezone.is_naive(value):
        value = timezone.make_aware(value, selectors.tz())
    return value.astimezone(dt.UTC)


def _check_times(
    post: Post, starts_at: dt.datetime | None, ends_at: dt.datetime | None
) -> tuple[dt.datetime, dt.datetime]:
    """A shift's times: both given, end after start, at most 24 hours, inside the post's
    active dates."""
    starts_at, ends_at = _aware(starts_at), _aware(ends_at)
    errors: dict[str, str] = {}
    if starts_at is None:
        errors["starts_at"] = _("This field is required.")
    if ends_at is None:
        errors["ends_at"] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    assert starts_at is not None and ends_at is not None
    zone = selectors.tz()
    if ends_at <= starts_at:
        errors["ends_at"] = _("A shift must end after it starts.")
    elif ends_at - starts_at > MAX_SHIFT:
        errors["ends_at"] = _("A shift lasts at most 24 hours.")
    elif starts_at.astimezone(zone).date() < post.active_from:
        errors["starts_at"] = _("The post is not held before %(day)s.") % {
            "day": post.active_from.isoformat()
        }
    elif post.active_until is not None and ends_at > dt.datetime.combine(
        post.active_until, dt.time()
    ).replace(tzinfo=zone):
        last = post.active_until - dt.timedelta(days=1)
        errors["ends_at"] = _("The post is closed after %(day)s.") % {"day": last.isoformat()}
    if errors:
        raise ValidationError(errors)
    return starts_at, ends_at


def _when(value: dt.datetime) -> str:
    return timezone.localtime(value, selectors.tz()).strftime("%m-%d %H:%M")


def _member_problem(
    actor: Actor,
    post: Post,
    staff: StaffMember,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude_shift: int | None = None,
) -> str | None:
    """Why `staff` cannot be on duty at `post` from `starts_at` until `ends_at`, or None."""
    zone = selectors.tz()
    first_day = starts_at.astimezone(zone).date()
    last_day = (ends_at - dt.timedelta(microseconds=1)).astimezone(zone).date()
    if not (staff.is_active_on(first_day) and staff.is_active_on(last_day)):
        return _("%(name)s is off duty.") % {"name": staff.name}
    if not (staff.jpath.startswith(post.jpath) or post.jpath.startswith(staff.jpath)):
        return _("%(name)s does not work in this post's area.") % {"name": staff.name}
    others = ShiftMember.objects.filter(
        staff=staff,
        shift__cancelled_at__isnull=True,
        shift__starts_at__lt=ends_at,
        shift__ends_at__gt=starts_at,
    )
    if exclude_shift is not None:
        others = others.exclude(shift_id=exclude_shift)
    clash = others.select_related("shift__post").order_by("shift__starts_at").first()
    if clash is None:
        return None
    other = clash.shift
    # Name the other post only to someone who may see it.
    where = (
        other.post.name
        if actor.can(Capability.ROSTERS_VIEW, other.jpath)
        else _("a post outside your area")
    )
    return _(
        "%(name)s is already on duty at %(post)s from %(start)s to %(end)s (shift %(id)d)."
    ) % {
        "name": staff.name,
        "post": where,
        "start": _when(other.starts_at),
        "end": _when(other.ends_at),
        "id": other.pk,
    }


def _lock_staff(staff: Sequence[StaffMember]) -> None:
    """Serialises concurrent rostering of the same people (PostgreSQL; SQLite writes are
    serial anyway), so two managers cannot put one person on two overlapping shifts."""
    ids = sorted({s.pk for s in staff})
    if ids:
        list(StaffMember.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def _check_members(
    actor: Actor,
    post: Post,
    members: Sequence[StaffMember],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    exclude_shift: int | None = None,
    field: str = "members",
) -> None:
    if len(members) > MAX_MEMBERS:
        raise ValidationError({field: _("At most %(n)d people per shift.") % {"n": MAX_MEMBERS}})
    seen: set[int] = set()
    problems: list[str] = []
    for staff in members:
        if staff.pk in seen:
            problems.append(_("%(name)s is listed twice.") % {"name": staff.name})
            continue
        seen.add(staff.pk)
        problem = _member_problem(actor, post, staff, starts_at, ends_at, exclude_shift)
        if problem:
            problems.append(problem)
    if problems:
        raise ValidationError({field: problems})


def _shift_facts(shift: Shift) -> dict:
    members = sorted(ShiftMember.objects.filter(shift=shift).values_list("staff_id", flat=True))
    return {**snapshot(shift), "members": members}


@transaction.atomic
def shift_create(
    *,
    actor: Actor,
    post: Post,
    starts_at: dt.datetime | None,
    ends_at: dt.datetime | None,
    members: Sequence[StaffMember] = (),
    note: str = "",
) -> Shift:
    """Puts a shift on a post's roster with the people on it (none yet is allowed: such a
    shift does not count as cover until someone is on it)."""
    require_can(actor, Capability.ROSTERS_MANAGE, post.jpath)
    starts_at, ends_at = _check_times(post, starts_at, ends_at)
    note = clean_text(note, "note", 200, required=False)
    _lock_staff(members)
    _check_members(actor, post, members, starts_at, ends_at)
    shift = Shift.objects.create(
        post=post,
        jpath=post.jpath,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note,
        created_by=actor.user,
    )
    ShiftMember.objects.bulk_create([ShiftMember(shift=shift, staff=s) for s in members])
    audit_record(
        actor=actor,
        action="duty_shift.create",
        obj=shift,
        jpath=shift.jpath,
        entity_label=f"{post.name} {shift}",
        after=_shift_facts(shift),
    )
    return shift


def _locked(shift: Shift) -> Shift:
    """The shift's row, locked for the rest of the transaction, with its post."""
    return Shift.objects.select_for_update(of=("self",)).select_related("post").get(pk=shift.pk)


def require_open(shift: Shift) -> None:
    if shift.cancelled_at is not None:
        raise ValidationError({"shift": _("This shift was cancelled.")})


@transaction.atomic
def shift_update(
    *,
    actor: Actor,
    shift: Shift,
    version: int,
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    note: str | None = None,
) -> Shift:
    """Moves a shift or edits its note (None leaves a field as it is); everyone on it must
    still be free at the new times."""
    require_can(actor, Capability.ROSTERS_MANAGE, shift.jpath)
    current = _locked(shift)
    require_open(current)
    new_start, new_end = _check_times(
        current.post,
        starts_at if starts_at is not None else current.starts_at,
        ends_at if ends_at is not None else current.ends_at,
    )
    changes: dict[str, object] = {"starts_at": new_start, "ends_at": new_end}
    if note is not None:
        changes["note"] = clean_text(note, "note", 200, required=False)
    if (new_start, new_end) != (current.starts_at, current.ends_at):
        members = list(StaffMember.objects.filter(pk__in=current.members.values("pk")))
        _lock_staff(members)
        _check_members(actor, current.post, members, new_start, new_end, current.pk, "starts_at")
    before = _shift_facts(current)
    versioned_update(shift, version, **changes)
    audit_record(
        actor=actor,
        action="duty_shift.update",
        obj=shift,
        jpath=shift.jpath,
        entity_label=f"{current.post.name} {shift}",
        before=before,
        after=_shift_facts(shift),
    )
    return shift


@transaction.atomic
def shift_cancel(*, actor: Actor, shift: Shift, version: int, reason: str = "") -> Shift:
    """Cancels a shift: it no longer covers its post nor binds its people. Kept on record."""
    require_can(actor, Capability.ROSTERS_MANAGE, shift.jpath)
    current = _locked(shift)
    require_open(current)
    reason = clean_text(reason, "reason", 200, required=False)
    before = snapshot(current)
    versioned_update(shift, version, cancelled_at=timezone.now(), cancel_reason=reason)
    audit_record(
        actor=actor,
        action="duty_shift.cancel",
        obj=shift,
        jpath=shift.jpath,
        entity_label=f"{current.post.name} {shift}",
        before=before,
        after=snapshot(shift),
    )
    return shift


@transaction.atomic
def shift_member_add(*, actor: Actor, shift: Shift, staff: StaffMember) -> ShiftMember:
    """Puts a grid worker on a shift (see the module's rules)."""
    require_can(actor, Capability.ROSTERS_MANAGE, shift.jpath)
    current = _locked(shift)
    require_open(current)
    _lock_staff([staff])
    if ShiftMember.objects.filter(shift=current, staff=staff).exists():
        raise ValidationError(
            {"staff": _("%(name)s is already on this shift.") % {"name": staff.name}}
        )
    if current.shift_members.count() >= MAX_MEMBERS:
        raise ValidationError({"staff": _("At most %(n)d people per shift.") % {"n": MAX_MEMBERS}})
    problem = _member_problem(actor, current.post, staff, current.starts_at, current.ends_at)
    if problem:
        raise ValidationError({"staff": problem})
    member = ShiftMember.objects.create(shift=current, staff=staff)
    audit_record(
        actor=actor,
        action="duty_shift.member_add",
        obj=current,
        jpath=current.jpath,
        entity_label=f"{current.post.name} {current}",
        after={"staff": staff.pk, "name": staff.name},
    )
    return member


@transaction.atomic
def shift_member_remove(*, actor: Actor, shift: Shift, staff: StaffMember) -> None:
    """Takes a grid worker off a shift. A shift left with nobody no longer covers its post."""
    require_can(actor, Capability.ROSTERS_MANAGE, shift.jpath)
    current = _locked(shift)
    require_open(current)
    deleted, _rows = ShiftMember.objects.filter(shift=current, staff=staff).delete()
    if not deleted:
        raise ValidationError({"staff": _("%(name)s is not on this shift.") % {"name": staff.name}})
    audit_record(
        actor=actor,
        action="duty_shift.member_remove",
        obj=current,
        jpath=current.jpath,
        entity_label=f"{current.post.name} {current}",
        before={"staff": staff.pk, "name": staff.name},
    )
