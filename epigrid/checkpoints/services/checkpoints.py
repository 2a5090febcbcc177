"""Writes of the checkpoint register: set up, edit and end a checkpoint, and add or end its
duty posts (宣传岗, 劝导岗, 跟踪岗, 测温岗).

A checkpoint's post is a rosters Post (kind "checkpoint") in the checkpoint's grid, held
during the checkpoint's open hours and made through the rosters services, so its duty
rotation, uncovered hours and hand-over notes are the rosters'. Editing the checkpoint's
name or hours carries over to its current posts; ending the checkpoint ends them.

Each service validates, runs in one transaction and writes an audit event; a refusal
changes nothing.
"""

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.writes import clean_text, versioned_update
from epigrid.geo.models import Jurisdiction, Kind
from epigrid.rosters import services as rosters
from epigrid.rosters.models import DAY_MINUTES, Post, PostKind, hhmm

from ..models import Check, Checkpoint, CheckpointKind, CheckpointPost, PostRole

# The post's name on the roster: "<checkpoint> · <post>", in the words used at the gate.
ROLE_NAMES = {
    PostRole.PUBLICITY: "宣传岗",
    PostRole.PERSUASION: "劝导岗",
    PostRole.TRACKING: "跟踪岗",
    PostRole.CHECKING: "测温岗",
}
SEPARATOR = " · "
NAME_MAX = 100
LOCATION_MAX = 200
CODE_TRIES = 8
# Fields `checkpoint_update` may change; the grid stays (moving a checkpoint is ending it
# and setting up another, so its checks keep the grid they were made in).
EDITABLE = ("name", "kind", "location", "latitude", "longitude", "opens_at", "closes_at")


def new_public_code() -> str:
    """Eight URL-safe characters from `secrets` (48 random bits)."""
    return secrets.token_urlsafe(6)[:8]


def post_name(checkpoint_name: str, role: str) -> str:
    suffix = SEPARATOR + ROLE_NAMES.get(role, role)  # type: ignore[call-overload]
    return checkpoint_name[: NAME_MAX - len(suffix)] + suffix


def _kind(kind: str) -> str:
    if kind not in CheckpointKind.values:
        raise ValidationError({"kind": _("Choose one of the allowed values.")})
    return kind


def _minutes(value: Any, field: str, *, end: bool) -> int:
    """Minutes after midnight from an int or "HH:MM" (as an end, 00:00 and 24:00 are the
    midnight closing the day)."""
    if isinstance(value, bool):
        raise ValidationError({field: _("Enter a time as HH:MM, for example 08:00.")})
    if isinstance(value, int):
        low, high = (1, DAY_MINUTES) if end else (0, DAY_MINUTES - 1)
        if end and value == 0:
            return DAY_MINUTES
        if not low <= value <= high:
            raise ValidationError({field: _("Enter a time as HH:MM, for example 08:00.")})
        return value
    try:
        return rosters.parse_hhmm(value, field, end=end)
    except ValidationError as exc:
        raise ValidationError({field: " ".join(exc.messages)}) from exc


def _window(opens_at: Any, closes_at: Any) -> tuple[int, int]:
    errors: dict[str, str] = {}
    start = end = 0
    try:
        start = _minutes(opens_at, "opens_at", end=False)
    except ValidationError as exc:
        errors["opens_at"] = " ".join(exc.messages)
    try:
        end = _minutes(closes_at, "closes_at", end=True)
    except ValidationError as exc:
        errors["closes_at"] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    if end % DAY_MINUTES == start:
        return 0, DAY_MINUTES  # the same time twice: round the clock, as for duty posts
    return start, end


def _coordinate(value: Any, field: str, limit: int) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError({field: _("Enter a number.")})
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("Enter a number.")}) from exc
    if not number.is_finite() or not -limit <= number <= limit:
        raise ValidationError({field: _("Enter a number between -%(n)d and %(n)d.") % {"n": limit}})
    return number.quantize(Decimal("0.000001"))


def _position(latitude: Any, longitude: Any) -> tuple[Decimal | None, Decimal | None]:
    errors: dict[str, str] = {}
    lat = lon = None
    try:
        lat = _coordinate(latitude, "latitude", 90)
    except ValidationError as exc:
        errors["latitude"] = " ".join(exc.messages)
    try:
        lon = _coordinate(longitude, "longitude", 180)
    except ValidationError as exc:
        errors["longitude"] = " ".join(exc.messages)
    if not errors and (lat is None) != (lon is None):
        missing = "longitude" if lon is None else "latitude"
        errors[missing] = _("Give both latitude and longitude, or neither.")
    if errors:
        raise ValidationError(errors)
    return lat, lon


def _check_grid(jurisdiction: Jurisdiction, on: dt.date) -> None:
    if jurisdiction.kind != Kind.SMALL_GRID:
        raise ValidationError({"jurisdiction": _("A checkpoint belongs to a small grid.")})
    if not jurisdiction.is_active_on(on):
        raise ValidationError({"jurisdiction": _("This jurisdiction is not active on that date.")})


def _name_taken(name: str, path: str, exclude: int | None = None) -> bool:
    qs = Checkpoint.objects.filter(jpath=path, name=name, active_until__isnull=True)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


def _name_taken_error() -> ValidationError:
    return ValidationError({"name": _("This grid already has a checkpoint with this name.")})


@transaction.atomic
def checkpoint_create(
    *,
    actor: Actor,
    jurisdiction: Jurisdiction,
    name: str,
    kind: str,
    location: str = "",
    latitude: Any = None,
    longitude: Any = None,
    opens_at: Any = 0,
    closes_at: Any = DAY_MINUTES,
    active_from: dt.date,
) -> Checkpoint:
    """Registers a checkpoint in the small grid `jurisdiction`, open every day from
    `opens_at` until `closes_at` (minutes after midnight or "HH:MM"; a window past
    midnight wraps), in force from `active_from`. Its public code (printed on the QR) is
    made here, unique."""
    require_can(actor, Capability.CHECKPOINTS_MANAGE, jurisdiction.path)
    if not isinstance(active_from, dt.date) or isinstance(active_from, dt.datetime):
        raise ValidationError({"active_from": _("Enter a valid date (YYYY-MM-DD).")})
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    for field, clean in (
        ("name", lambda: clean_text(name, "name", NAME_MAX)),
        ("kind", lambda: _kind(kind)),
        ("location", lambda: clean_text(location, "location", LOCATION_MAX, required=False)),
        ("window", lambda: _window(opens_at, closes_at)),
        ("position", lambda: _position(latitude, longitude)),
        ("jurisdiction", lambda: _check_grid(jurisdiction, active_from)),
    ):
        try:
            values[field] = clean()
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if not errors and _name_taken(values["name"], jurisdiction.path):
        raise _name_taken_error()
    if errors:
        raise ValidationError(errors)
    start, end = values["window"]
    lat, lon = values["position"]
    checkpoint = None
    for _attempt in range(CODE_TRIES):
        code = new_public_code()
        if Checkpoint.objects.filter(public_code=code).exists():
            continue
        try:
            with transaction.atomic():
                checkpoint = Checkpoint.objects.create(
                    name=values["name"],
                    kind=values["kind"],
                    jurisdiction=jurisdiction,
                    jpath=jurisdiction.path,
                    location=values["location"],
                    latitude=lat,
                    longitude=lon,
                    opens_at=start,
                    closes_at=end,
                    active_from=active_from,
                    public_code=code,
                    created_by=actor.user,
                )
        except IntegrityError:  # the same code drawn concurrently: draw again
            continue
        break
    if checkpoint is None:  # pragma: no cover - 2**48 codes; only a broken RNG lands here
        raise ValidationError({"name": _("Could not make a unique code. Try again.")})
    audit_record(
        actor=actor,
        action="checkpoint.create",
        obj=checkpoint,
        jpath=checkpoint.jpath,
        after=snapshot(checkpoint),
    )
    return checkpoint


def _locked(checkpoint: Checkpoint) -> Checkpoint:
    return Checkpoint.objects.select_for_update().get(pk=checkpoint.pk)


def _current_posts(checkpoint: Checkpoint, on: dt.date | None = None) -> list[CheckpointPost]:
    """The checkpoint's posts still held on `on` (default today) or later."""
    on = on or timezone.localdate()
    return [
        link
        for link in CheckpointPost.objects.filter(checkpoint=checkpoint)
        .select_related("post")
        .order_by("id")
        if link.post.active_until is None or link.post.active_until > on
    ]


@transaction.atomic
def checkpoint_update(
    *, actor: Actor, checkpoint: Checkpoint, version: int, **fields: Any
) -> Checkpoint:
    """Edits name, kind, location, position or open hours (fields left out stay); the
    `version` read by the editor must still be current (else ConcurrentEditError). A new
    name or new hours carry over to the checkpoint's current posts."""
    require_can(actor, Capability.CHECKPOINTS_MANAGE, checkpoint.jpath)
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in unknown})
    locked = _locked(checkpoint)
    if locked.active_until is not None:
        raise ValidationError({"__all__": _("This checkpoint has ended.")})
    changes: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}

    def collect(clean) -> Any:
        try:
            return clean()
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
            return None

    if "name" in fields:
        changes["name"] = collect(lambda: clean_text(fields["name"], "name", NAME_MAX))
    if "kind" in fields:
        changes["kind"] = collect(lambda: _kind(fields["kind"]))
    if "location" in fields:
        changes["location"] = collect(
            lambda: clean_text(fields["location"], "location", LOCATION_MAX, required=False)
        )
    if "opens_at" in fields or "closes_at" in fields:
        window = collect(
            lambda: _window(
                fields.get("opens_at", locked.opens_at), fields.get("closes_at", locked.closes_at)
            )
        )
        if window:
            changes["opens_at"], changes["closes_at"] = window
    if "latitude" in fields or "longitude" in fields:
        position = collect(
            lambda: _position(
                fields.get("latitude", locked.latitude), fields.get("longitude", locked.longitude)
            )
        )
        if position:
            changes["latitude"], changes["longitude"] = position
    if errors:
        raise ValidationError(errors)
    if "name" in changes and _name_taken(changes["name"], locked.jpath, exclude=locked.pk):
        raise _name_taken_error()
    before = snapshot(locked)
    versioned_update(locked, version, **changes)
    renamed = locked.name != before["name"]
    rehoured = (locked.opens_at, locked.closes_at) != (before["opens_at"], before["closes_at"])
    posts_changed = 0
    if renamed or rehoured:
        for link in _current_posts(locked):
            post = link.post
            rosters.post_update(
                actor=actor,
                post=post,
                version=post.version,
                name=post_name(locked.name, link.role) if renamed else None,
                covers_from=hhmm(locked.opens_at) if rehoured else None,
                covers_until=hhmm(locked.closes_at) if rehoured else None,
            )
            posts_changed += 1
    audit_record(
        actor=actor,
        action="checkpoint.update",
        obj=locked,
        jpath=locked.jpath,
        before=before,
        after={**snapshot(locked), "posts_changed": posts_changed},
    )
    checkpoint.refresh_from_db()
    return checkpoint


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


@transaction.atomic
def checkpoint_end(
    *, actor: Actor, checkpoint: Checkpoint, on: dt.date, version: int | None = None
) -> Checkpoint:
    """Ends the checkpoint from `on` (the first day it is no longer open; history is
    kept) and ends its current posts with it. Refused when checks were made there on or
    after that day. `version`, when given, must still be current."""
    require_can(actor, Capability.CHECKPOINTS_MANAGE, checkpoint.jpath)
    locked = _locked(checkpoint)
    if locked.active_until is not None:
        raise ValidationError({"on": _("This checkpoint has already ended.")})
    if not isinstance(on, dt.date) or isinstance(on, dt.datetime):
        raise ValidationError({"on": _("Enter a valid date (YYYY-MM-DD).")})
    if on <= locked.active_from:
        raise ValidationError({"on": _("The end date must be after the start date.")})
    last = (
        Check.objects.filter(checkpoint=locked, checked_at__gte=_day_start(on))
        .order_by("-checked_at")
        .values_list("checked_at", flat=True)
        .first()
    )
    if last is not None:
        raise ValidationError(
            {
                "on": _("Checks were recorded here on %(day)s: end the checkpoint after that day.")
                % {"day": timezone.localtime(last).date().isoformat()}
            }
        )
    before = snapshot(locked)
    if version is None:
        version = locked.version
    versioned_update(locked, version, active_until=on)
    ended = 0
    for link in _current_posts(locked, on - dt.timedelta(days=1)):
        if link.post.active_until is None:  # one closed already keeps its own end
            _close_post(actor, link.post, on)
            ended += 1
    audit_record(
        actor=actor,
        action="checkpoint.end",
        obj=locked,
        jpath=locked.jpath,
        before=before,
        after={**snapshot(locked), "posts_ended": ended},
    )
    checkpoint.refresh_from_db()
    return checkpoint


def _close_post(actor: Actor, post: Post, until: dt.date) -> None:
    """Ends a roster post so that `until` is its first day not held. A post set up to
    start on or after that day never gets held: its first day is the earliest it can end."""
    last_day = max(until - dt.timedelta(days=1), post.active_from)
    rosters.post_close(actor=actor, post=post, version=post.version, on=last_day)


# --- posts --------------------------------------------------------------------------------


@transaction.atomic
def checkpoint_post_add(*, actor: Actor, checkpoint: Checkpoint, role: str) -> CheckpointPost:
    """Adds a post of `role` to the checkpoint: a duty post of the checkpoint's grid on
    the roster, named "<checkpoint> · <post>", held during the checkpoint's open hours
    from today (or from the checkpoint's first day, if later). One current post per role;
    a role whose post was ended gets a new roster post (the old one keeps its history)."""
    require_can(actor, Capability.CHECKPOINTS_MANAGE, checkpoint.jpath)
    if role not in PostRole.values:
        raise ValidationError({"role": _("Choose one of the allowed values.")})
    locked = _locked(checkpoint)
    today = timezone.localdate()
    if locked.active_until is not None:
        raise ValidationError({"role": _("This checkpoint has ended.")})
    existing = (
        CheckpointPost.objects.select_for_update()
        .select_related("post")
        .filter(checkpoint=locked, role=role)
        .first()
    )
    if existing is not None and (
        existing.post.active_until is None or existing.post.active_until > today
    ):
        raise ValidationError({"role": _("This checkpoint already has this post.")})
    post = rosters.post_create(
        actor=actor,
        jurisdiction=locked.jurisdiction,
        name=post_name(locked.name, role),
        kind=PostKind.CHECKPOINT,
        covers_from=hhmm(locked.opens_at),
        covers_until=hhmm(locked.closes_at),
        active_from=max(today, locked.active_from),
    )
    before = None
    if existing is None:
        link = CheckpointPost.objects.create(checkpoint=locked, post=post, role=role)
    else:
        before = snapshot(existing)
        existing.post = post
        existing.save(update_fields=["post"])
        link = existing
    audit_record(
        actor=actor,
        action="checkpoint_post.add",
        obj=link,
        jpath=locked.jpath,
        before=before,
        after=snapshot(link),
        entity_label=post.name,
    )
    return link


@transaction.atomic
def checkpoint_post_end(
    *, actor: Actor, checkpoint_post: CheckpointPost, on: dt.date | None = None
) -> CheckpointPost:
    """Ends a checkpoint's post from `on` (the first day it is no longer held; default
    tomorrow, i.e. held through today): its roster post is closed and its later shifts
    cancelled."""
    checkpoint = checkpoint_post.checkpoint
    require_can(actor, Capability.CHECKPOINTS_MANAGE, checkpoint.jpath)
    link = CheckpointPost.objects.select_related("post").get(pk=checkpoint_post.pk)
    post = Post.objects.select_for_update().get(pk=link.post_id)
    today = timezone.localdate()
    on = on or today + dt.timedelta(days=1)
    if post.active_until is not None:
        raise ValidationError({"on": _("This post has already ended.")})
    if on <= post.active_from:
        raise ValidationError({"on": _("The end date must be after the start date.")})
    rosters.post_close(actor=actor, post=post, version=post.version, on=on - dt.timedelta(days=1))
    link.refresh_from_db()
    audit_record(
        actor=actor,
        action="checkpoint_post.end",
        obj=link,
        jpath=checkpoint.jpath,
        after={**snapshot(link), "active_until": on.isoformat()},
        entity_label=post.name,
    )
    return link
