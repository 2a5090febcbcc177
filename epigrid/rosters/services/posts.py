"""Writes of duty posts: set up, edit, close."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.writes import clean_text, versioned_update
from epigrid.geo.models import Jurisdiction

from .. import selectors
from ..models import DAY_MINUTES, Post, PostKind, Shift, hhmm

_HHMM = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")


def parse_hhmm(value: str | dt.time | None, field: str, *, end: bool = False) -> int:
    """A wall-clock time "HH:MM" as minutes after midnight. As an end, "24:00" and "00:00"
    both mean midnight at the end of the day (1440)."""
    if isinstance(value, dt.time):
        minutes = value.hour * 60 + value.minute
    else:
        match = _HHMM.match((value or "").strip())
        if not match:
            raise ValidationError({field: _("Enter a time as HH:MM, for example 08:00.")})
        minutes = int(match.group(1)) * 60 + int(match.group(2))
        if minutes > DAY_MINUTES:
            raise ValidationError({field: _("Enter a time as HH:MM, for example 08:00.")})
    if end and minutes == 0:
        return DAY_MINUTES
    if not end and minutes == DAY_MINUTES:
        raise ValidationError({field: _("A day's hours start at 00:00 at the earliest.")})
    return minutes


def _window(covers_from: str | dt.time, covers_until: str | dt.time) -> tuple[int, int]:
    errors: dict[str, str] = {}
    start = end = 0
    try:
        start = parse_hhmm(covers_from, "covers_from")
    except ValidationError as exc:
        errors["covers_from"] = " ".join(exc.messages)
    try:
        end = parse_hhmm(covers_until, "covers_until", end=True)
    except ValidationError as exc:
        errors["covers_until"] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    if end % DAY_MINUTES == start:
        return 0, DAY_MINUTES  # the same time twice: round the clock
    return start, end


def _kind(kind: str) -> str:
    if kind not in PostKind.values:
        raise ValidationError({"kind": _("Choose one of the allowed values.")})
    return kind


# --- posts --------------------------------------------------------------------------------


@transaction.atomic
def post_create(
    *,
    actor: Actor,
    jurisdiction: Jurisdiction,
    name: str,
    kind: str = PostKind.MONITORING_DESK,
    covers_from: str | dt.time = "00:00",
    covers_until: str | dt.time = "24:00",
    note: str = "",
    active_from: dt.date | None = None,
) -> Post:
    """Sets up a duty post at a node (any level) that must be held every day from
    `covers_from` until `covers_until` ("00:00"–"24:00": round the clock; "22:00"–"06:00":
    overnight)."""
    require_can(actor, Capability.ROSTERS_MANAGE, jurisdiction.path)
    name = clean_text(name, "name", 100)
    kind = _kind(kind)
    start, end = _window(covers_from, covers_until)
    note = clean_text(note, "note", 200, required=False)
    active_from = active_from or timezone.localdate()
    if not jurisdiction.is_active_on(active_from):
        raise ValidationError({"jurisdiction": _("This jurisdiction is not active on that date.")})
    post = Post.objects.create(
        name=name,
        kind=kind,
        jurisdiction=jurisdiction,
        jpath=jurisdiction.path,
        covers_from=start,
        covers_until=end,
        note=note,
        active_from=active_from,
        created_by=actor.user,
    )
    audit_record(
        actor=actor, action="duty_post.create", obj=post, jpath=post.jpath, after=snapshot(post)
    )
    return post


@transaction.atomic
def post_update(
    *,
    actor: Actor,
    post: Post,
    version: int,
    name: str | None = None,
    kind: str | None = None,
    covers_from: str | dt.time | None = None,
    covers_until: str | dt.time | None = None,
    note: str | None = None,
) -> Post:
    """Edits a post's name, kind, daily hours or note (None leaves a field as it is)."""
    require_can(actor, Capability.ROSTERS_MANAGE, post.jpath)
    changes: dict[str, object] = {}
    if name is not None:
        changes["name"] = clean_text(name, "name", 100)
    if kind is not None:
        changes["kind"] = _kind(kind)
    if covers_from is not None or covers_until is not None:
        start, end = _window(
            covers_from if covers_from is not None else hhmm(post.covers_from),
            covers_until if covers_until is not None else hhmm(post.covers_until),
        )
        changes.update(covers_from=start, covers_until=end)
    if note is not None:
        changes["note"] = clean_text(note, "note", 200, required=False)
    before = snapshot(post)
    versioned_update(post, version, **changes)
    audit_record(
        actor=actor,
        action="duty_post.update",
        obj=post,
        jpath=post.jpath,
        before=before,
        after=snapshot(post),
    )
    return post


@transaction.atomic
def post_close(*, actor: Actor, post: Post, version: int, on: dt.date | None = None) -> Post:
    """Stops a post after its last day `on` (default today): it need no longer be held, and
    its shifts starting later are cancelled. History is kept."""
    require_can(actor, Capability.ROSTERS_MANAGE, post.jpath)
    on = on or timezone.localdate()
    if post.active_until is not None:
        raise ValidationError({"on": _("This post is already closed.")})
    if on < post.active_from:
        raise ValidationError({"on": _("The end date must not be before the start date.")})
    until = on + dt.timedelta(days=1)
    end = dt.datetime.combine(until, dt.time()).replace(tzinfo=selectors.tz())
    before = snapshot(post)
    versioned_update(post, version, active_until=until)
    later = Shift.objects.filter(post=post, cancelled_at__isnull=True, starts_at__gte=end)
    # Each cancelled shift's version moves on, so an editor holding an old copy is told.
    cancelled = later.update(
        cancelled_at=timezone.now(),
        cancel_reason=_("The post was closed."),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="duty_post.close",
        obj=post,
        jpath=post.jpath,
        before=before,
        after={**snapshot(post), "shifts_cancelled": cancelled},
    )
    return post
