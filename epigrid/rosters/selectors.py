"""Reads of duty rosters, always through the actor's scope, in a constant number of queries
however many posts, shifts and people there are.

A shift is visible to those who may see its post's node, and also to the people on it: a
grid worker on the village's monitoring desk sees their own shift and the notes handed over
to it, without seeing the rest of the village's roster.
"""

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, get_for_actor, scope
from epigrid.accounts.roles import Capability
from epigrid.core.pagination import Page, decode_cursor, encode_cursor
from epigrid.geo.models import path_of, within_q
from epigrid.workforce.selectors import staff_of  # noqa: F401 - used here and by callers

from . import coverage
from .coverage import Gap
from .models import HandoverNote, Post, Shift, ShiftMember

# Shifts are at most this long, so those overlapping a window started at most this long
# before it: an indexed range on (post, starts_at) finds them.
MAX_SHIFT = dt.timedelta(hours=24)
# The longest window a coverage check or a shift list answers for at once.
MAX_SPAN = dt.timedelta(days=62)


def tz() -> dt.tzinfo:
    """The deployment's time zone: days and required hours are counted on its clock."""
    return timezone.get_default_timezone()


def check_span(start: dt.datetime, end: dt.datetime) -> None:
    if end <= start:
        raise ValidationError({"until": _("The end must be after the start.")})
    if end - start > MAX_SPAN:
        raise ValidationError({"until": _("At most %(n)d days at a time.") % {"n": MAX_SPAN.days}})


# --- posts --------------------------------------------------------------------------------


def post_list(
    *,
    actor: Actor,
    within: str | None = None,
    kind: str | None = None,
    include_inactive: bool = False,
    capability: Capability = Capability.ROSTERS_VIEW,
) -> QuerySet[Post]:
    """Posts inside the actor's scope (`within` a node code, of a kind); current ones unless
    asked otherwise."""
    qs = scope(Post.objects.select_related("jurisdiction"), actor, capability)
    if within:
        qs = qs.filter(within_q(path_of(within)))
    if kind:
        qs = qs.filter(kind=kind)
    if not include_inactive:
        qs = qs.filter(Q(active_until__isnull=True) | Q(active_until__gt=timezone.localdate()))
    return qs


def post_get(*, actor: Actor, pk: int, capability: Capability = Capability.ROSTERS_VIEW) -> Post:
    """A post in the actor's scope, else 404 (unknown and hidden answer alike)."""
    return get_for_actor(Post.objects.select_related("jurisdiction"), actor, capability, pk=pk)


# --- coverage -----------------------------------------------------------------------------


def _staffed(shifts: QuerySet[Shift]) -> QuerySet[Shift]:
    """Shifts that hold their post: not cancelled, with somebody on them."""
    return shifts.filter(cancelled_at__isnull=True).filter(
        Exists(ShiftMember.objects.filter(shift=OuterRef("pk")))
    )


def _overlapping(qs: QuerySet[Shift], start: dt.datetime, end: dt.datetime) -> QuerySet[Shift]:
    return qs.filter(starts_at__lt=end, starts_at__gt=start - MAX_SHIFT, ends_at__gt=start)


def uncovered(*, post: Post, start: dt.datetime, end: dt.datetime) -> list[Gap]:
    """The hours in [start, end) during which `post` must be held and no staffed shift
    holds it, merged across midnight, on the deployment's clock. One query. The caller got
    `post` through `post_get` (scoped)."""
    check_span(start, end)
    shifts = _overlapping(_staffed(Shift.objects.filter(post=post)), start, end)
    return coverage.gaps(post, start, end, shifts.values_list("starts_at", "ends_at"), tz())


def gaps_by_post(
    *, posts: list[Post] | QuerySet[Post], start: dt.datetime, end: dt.datetime
) -> dict[int, list[Gap]]:
    """`uncovered` for many posts at once, in one query for their shifts: each post's id
    maps to its gaps (an empty list when fully covered)."""
    check_span(start, end)
    posts = list(posts)
    intervals: dict[int, list[coverage.Interval]] = defaultdict(list)
    rows = _overlapping(_staffed(Shift.objects.filter(post__in=[p.pk for p in posts])), start, end)
    for post_id, s, e in rows.values_list("post_id", "starts_at", "ends_at"):
        intervals[post_id].append((s, e))
    zone = tz()
    return {p.pk: coverage.gaps(p, start, end, intervals[p.pk], zone) for p in posts}


def posts_with_gaps(
    *,
    actor: Actor,
    hours: int = 24,
    now: dt.datetime | None = None,
    within: str | None = None,
) -> list[tuple[Post, list[Gap]]]:
    """The actor's active posts with uncovered hours in the next `hours` hours, the first
    gap soonest. Two queries whatever the number of posts."""
    start = (now or timezone.now()).replace(second=0, microsecond=0)
    end = start + dt.timedelta(hours=hours)
    posts = list(post_list(actor=actor, within=within).order_by("jpath", "name", "id"))
    found = gaps_by_post(posts=posts, start=start, end=end)
    rows = [(p, found[p.pk]) for p in posts if found[p.pk]]
    return sorted(rows, key=lambda row: (row[1][0].starts_at, row[0].jpath, row[0].pk))


# --- shifts -------------------------------------------------------------------------------


def _with_duty(qs: QuerySet[Shift]) -> QuerySet[Shift]:
    duty = ShiftMember.objects.select_related("staff").order_by("staff__name", "staff_id")
    return qs.select_related("post", "post__jurisdiction").prefetch_related(  # type: ignore[no-redef]
        Prefetch("shift_members", queryset=duty, to_attr="duty")
    )


def _member_of(actor: Actor) -> Q:
    return Q(Exists(ShiftMember.objects.filter(shift=OuterRef("pk"), staff__user=actor.user)))


def visible_shifts(
    actor: Actor, capability: Capability = Capability.ROSTERS_VIEW
) -> QuerySet[Shift]:
    """Shifts at posts in the actor's scope, and shifts the actor is on (with the view
    capability somewhere)."""
    qs = Shift.objects.all()
    if actor.system:
        return qs
    condition = Q(pk__in=[])
    for path in actor.paths(capability):
        condition |= within_q(path)
    if actor.user is not None and capability == Capability.ROSTERS_VIEW and actor.has(capability):
        condition |= _member_of(actor)
    return qs.filter(condition)


def shift_list(
    *,
    actor: Actor,
    post: Post,
    start: dt.datetime,
    end: dt.datetime,
    include_cancelled: bool = True,
) -> QuerySet[Shift]:
    """The post's shifts overlapping [start, end), earliest first, with who is on each
    (`shift.duty`) in one more query."""
    check_span(start, end)
    qs = _overlapping(visible_shifts(actor).filter(post=post), start, end)
    if not include_cancelled:
        qs = qs.filter(cancelled_at__isnull=True)
    return _with_duty(qs).order_by("starts_at", "id")


def shift_get(*, actor: Actor, pk: int, capability: Capability = Capability.ROSTERS_VIEW) -> Shift:
    """A shift the actor may see (see `visible_shifts`), with who is on it; else 404."""
    try:
        return _with_duty(visible_shifts(actor, capability)).get(pk=pk)
    except (Shift.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


def shift_page(qs: QuerySet[Shift], *, cursor: str | None, limit: int | None) -> Page:
    """Keyset pages over (starts_at, id); the cursor is "<epoch microseconds>-<id>"."""
    size = min(max(int(limit or 50), 1), 500)
    qs = qs.order_by("starts_at", "id")
    if cursor:
        try:
            micros, last = (int(v) for v in str(decode_cursor(cursor)).split("-"))
            when = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(microseconds=micros)
        except (ValueError, OverflowError) as exc:
            raise ValidationError({"cursor": _("This page link is not valid.")}) from exc
        qs = qs.filter(Q(starts_at__gt=when) | Q(starts_at=when, id__gt=last))
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    nxt = None
    if more and rows:
        last_row = rows[-1]
        delta = last_row.starts_at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
        micros = (delta.days * 86400 + delta.seconds) * 10**6 + delta.microseconds
        nxt = encode_cursor(f"{micros}-{last_row.pk}")
    return Page(items=rows, next=nxt)


def my_shifts(*, actor: Actor, start: dt.datetime, end: dt.datetime) -> QuerySet[Shift]:
    """Shifts the acting user is on (not cancelled) overlapping [start, end), earliest first."""
    if actor.user is None or not actor.has(Capability.ROSTERS_VIEW):
        return Shift.objects.none()
    check_span(start, end)
    qs = _overlapping(Shift.objects.filter(_member_of(actor)), start, end)
    return _with_duty(qs.filter(cancelled_at__isnull=True)).order_by("starts_at", "id")


def previous_shift(*, shift: Shift) -> Shift | None:
    """The shift of the same post that hands over to `shift`: the latest-ending one (not
    cancelled) that started before it."""
    return (
        Shift.objects.filter(
            post_id=shift.post_id, cancelled_at__isnull=True, starts_at__lt=shift.starts_at
        )
        .exclude(pk=shift.pk)
        .order_by("-ends_at", "-starts_at", "-id")
        .first()
    )


def next_shift(*, shift: Shift) -> Shift | None:
    """The shift `shift` hands over to: the earliest one (not cancelled) starting after it
    started."""
    return (
        Shift.objects.filter(
            post_id=shift.post_id, cancelled_at__isnull=True, starts_at__gt=shift.starts_at
        )
        .order_by("starts_at", "id")
        .first()
    )


# --- hand-over notes ----------------------------------------------------------------------


def handovers(*, shift: Shift) -> QuerySet[HandoverNote]:
    """The notes written on `shift`, oldest first. The caller got `shift` through
    `shift_get` (visible to the actor)."""
    return HandoverNote.objects.filter(shift=shift).order_by("written_at", "id")


def staff_is_on(*, actor: Actor, shift: Shift) -> bool:
    """Whether the acting user is one of the people on `shift`."""
    if actor.user is None:
        return False
    return ShiftMember.objects.filter(shift=shift, staff__user=actor.user).exists()
