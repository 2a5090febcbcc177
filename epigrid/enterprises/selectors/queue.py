"""The desk's reads: the review queue (pending applications, overdue first), the applications
returned and waiting for the enterprise, the approvals not yet published, one application
to decide on, and its history.

Lists are keyset-paginated on (a time, id) so a page costs the same at any depth, and each
page is a constant number of queries whatever its size: the rows (with their enterprise and
grid), the supplement counts of the page, and the working-calendar changes ahead. The
pending queue stays on the partial index `application_queue` (jpath, due_at).
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import BooleanField, Count, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, decode_cursor, encode_cursor
from epigrid.geo.models import Jurisdiction, Kind, path_of, within_q

from ..access import get_reached
from ..models import PENDING, Action, Application, ApplicationEvent, Status
from .applications import application_clock, calendar_overrides

REVIEW = Capability.APPLICATIONS_REVIEW
SEARCH_MAX = 50


@dataclass
class QueueRow:
    application: Application
    clock: dict[str, Any] | None = None
    supplements: int = 0
    # For a returned application: its supplement deadline has passed.
    supplement_overdue: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def round(self) -> int:
        """The round of review: 1 for a first submission, 2 after one supplement..."""
        return self.supplements + 1


def pair_page(qs: QuerySet, *, cursor: str | None, limit: int | None, key: str) -> Page:
    """One page ordered by (`key`, id) ascending; `key` is a non-null date or time field.
    The cursor carries both values of the last row."""
    size = min(max(int(limit or DEFAULT_LIMIT), 1), MAX_LIMIT)
    qs = qs.order_by(key, "id")
    if cursor:
        raw = decode_cursor(cursor)
        try:
            value_text, id_text = str(raw).rsplit("|", 1)
            value = qs.model._meta.get_field(key).to_python(value_text)
            last_id = int(id_text)
        except (ValueError, ValidationError) as exc:
            raise ValidationError({"cursor": _("This page link is not valid.")}) from exc
        if value is None:
            raise ValidationError({"cursor": _("This page link is not valid.")})
        qs = qs.filter(Q(**{f"{key}__gt": value}) | Q(**{key: value, "id__gt": last_id}))
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    if not more:
        return Page(items=rows, next=None)
    last = rows[-1]
    stamp = getattr(last, key)
    return Page(items=rows, next=encode_cursor(f"{stamp.isoformat()}|{last.pk}"))


def _scoped(actor: Actor, *, ordered_by_time: bool = False) -> QuerySet[Application]:
    """The applications in the subtrees where the actor reviews, by the application's own
    `jpath` (a copy of its enterprise's, moved with it), so no join decides the scope.
    Staff only: the desk's lists never include an enterprise user's own rows.

    `ordered_by_time`: for a list read in time order. SQLite's planner, given a range on
    `jpath`, always takes the path index and sorts every pending row of the scope (10,000
    at 50,000 applications, ~70 ms for a subdistrict's desk); written as a prefix
    comparison it cannot use that index and walks the covering index
    `application_queue_due` (due_at, id, jpath, status) in order instead, stopping after one page
    (well under a millisecond for a broad scope, a scan of the pending entries at worst for
    a narrow one). PostgreSQL's planner weighs the two by its statistics itself.
    """
    if actor.system:
        return Application.objects.all()
    paths = actor.paths(REVIEW)
    if not paths:
        return Application.objects.none()
    condition = Q()
    for path in paths:
        if ordered_by_time and connection.vendor == "sqlite":
            condition |= Q(Exact(Substr("jpath", 1, len(path)), Value(path)))
        else:
            condition |= within_q(path)
    return Application.objects.filter(condition)


def _filter(qs: QuerySet[Application], *, q: str, grid: str | None, mine: bool, actor: Actor):
    q = " ".join((q or "").split())[:SEARCH_MAX]
    if q:
        qs = qs.filter(Q(enterprise__name__contains=q) | Q(enterprise__uscc__startswith=q.upper()))
    if grid:
        qs = qs.filter(within_q(path_of(str(grid)[:64])))
    if mine:
        qs = qs.filter(reviewer_id=actor.user.pk if actor.user else None)
    return qs.select_related("enterprise", "enterprise__jurisdiction", "reviewer")


def _supplements(ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = (
        ApplicationEvent.objects.filter(application_id__in=ids, action=Action.SUPPLEMENT)
        .values("application_id")
        .annotate(n=Count("id"))
    )
    return {r["application_id"]: r["n"] for r in rows}


def _rows(items: list[Application], now: dt.datetime, *, clocks: bool) -> list[QueueRow]:
    counts = _supplements([a.pk for a in items])
    # The clock is the application page's (selectors.applications), with the calendar's
    # local changes read once for the page.
    local = calendar_overrides(now) if clocks and items else {}
    today = timezone.localtime(now).date()
    return [
        QueueRow(
            application=a,
            clock=application_clock(a, now, local) if clocks else None,
            supplements=counts.get(a.pk, 0),
            supplement_overdue=bool(
                a.status == Status.RETURNED and a.supplement_by and a.supplement_by < today
            ),
        )
        for a in items
    ]


def review_queue(
    *,
    actor: Actor,
    status: str | None = None,
    q: str = "",
    grid: str | None = None,
    mine: bool = False,
    cursor: str | None = None,
    limit: int = 50,
    now: dt.datetime | None = None,
) -> Page:
    """Pending applications (submitted, in review) the actor may decide on, the most urgent
    first: ordered by due_at, so overdue ones are on top, then by id. Rows are QueueRow with
    the clock and the number of supplements."""
    if status and status not in PENDING:
        raise ValidationError({"status": _("Choose one of the allowed values.")})
    # The status condition is the partial index's own, so the index answers it.
    statuses = [status] if status else list(PENDING)
    qs = _filter(
        # due_at is set on every pending row (a constraint); saying so lets SQLite walk
        # the application_queue_due index from its first non-null entry.
        _scoped(actor, ordered_by_time=True).filter(status__in=statuses, due_at__isnull=False),
        q=q,
        grid=grid,
        mine=mine,
        actor=actor,
    )
    page = pair_page(qs, cursor=cursor, limit=limit, key="due_at")
    return Page(items=_rows(page.items, now or timezone.now(), clocks=True), next=page.next)


def returned_list(
    *,
    actor: Actor,
    q: str = "",
    grid: str | None = None,
    mine: bool = False,
    cursor: str | None = None,
    limit: int = 50,
    now: dt.datetime | None = None,
) -> Page:
    """Applications returned and waiting for the enterprise's supplement, the earliest
    deadline first; rows whose deadline passed are marked."""
    qs = _filter(
        _scoped(actor).filter(status=Status.RETURNED), q=q, grid=grid, mine=mine, actor=actor
    )
    page = pair_page(qs, cursor=cursor, limit=limit, key="supplement_by")
    return Page(items=_rows(page.items, now or timezone.now(), clocks=False), next=page.next)


def unpublished_list(
    *,
    actor: Actor,
    q: str = "",
    grid: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page:
    """Approved applications not yet in a published batch, in order of approval."""
    qs = _filter(
        _scoped(actor).filter(status=Status.APPROVED, batch__isnull=True),
        q=q,
        grid=grid,
        mine=False,
        actor=actor,
    )
    page = pair_page(qs, cursor=cursor, limit=limit, key="decided_at")
    return Page(items=_rows(page.items, timezone.now(), clocks=False), next=page.next)


# The partial indexes' own conditions as literal SQL: a condition with bound parameters
# (`status = %s`) never matches a partial index's WHERE on SQLite, so the counts would
# walk every application in scope instead of the few the index holds.
_TABLE = '"enterprises_application"'
PENDING_SQL = f"{_TABLE}.\"status\" IN ('submitted', 'in_review')"
RETURNED_SQL = f"{_TABLE}.\"status\" = 'returned'"
UNBATCHED_SQL = f'{_TABLE}."status" = \'approved\' AND {_TABLE}."batch_id" IS NULL'


def _literal(sql: str) -> RawSQL:
    # Only the constant conditions of this module, never user input.
    return RawSQL(sql, (), output_field=BooleanField())  # noqa: S611


def queue_counts(*, actor: Actor) -> dict[str, int]:
    """How many are pending, returned, and approved but unpublished: three counts, each
    answered from its own index over the scope (the partial indexes application_queue,
    application_returned and application_unbatched), never a pass over
    every application the actor reaches."""
    scoped = _scoped(actor)
    return {
        "pending": scoped.filter(_literal(PENDING_SQL)).count(),
        "returned": scoped.filter(_literal(RETURNED_SQL)).count(),
        "unpublished": scoped.filter(_literal(UNBATCHED_SQL)).count(),
    }


def publishable_subdistricts(*, actor: Actor) -> list[tuple[Jurisdiction, int]]:
    """The subdistricts where the actor may publish a batch (APPLICATIONS_REVIEW over the
    whole subdistrict), each with its number of approved, unpublished applications; two
    queries whatever their number."""
    paths = actor.paths(REVIEW)
    if not paths:
        return []
    condition = Q()
    for p in paths:
        condition |= within_q(p, "path")
    nodes = list(
        Jurisdiction.objects.filter(
            condition, kind=Kind.SUBDISTRICT, active_until__isnull=True
        ).order_by("path")
    )
    if not nodes:
        return []
    counts = Application.objects.filter(status=Status.APPROVED, batch__isnull=True).aggregate(
        **{f"n{i}": Count("id", filter=within_q(n.path)) for i, n in enumerate(nodes)}
    )
    return [(n, counts[f"n{i}"]) for i, n in enumerate(nodes)]


def subdistrict_get(*, actor: Actor, code: str) -> Jurisdiction:
    """A subdistrict where the actor may publish; 404 otherwise."""
    for node, _count in publishable_subdistricts(actor=actor):
        if node.code == code:
            return node
    raise Http404


def application_for_review(*, actor: Actor, pk: Any) -> Application:
    """An application the actor may decide on (APPLICATIONS_REVIEW over its grid); 404 when
    it does not exist or lies outside that reach."""
    return get_reached(
        Application.objects.select_related("enterprise", "reviewer"),
        actor,
        REVIEW,
        self_ok=False,
        pk=pk,
    )


def application_seen(*, actor: Actor, pk: Any) -> Application:
    """An application the actor sees: staff with ENTERPRISES_VIEW over its grid, an
    enterprise user its own; 404 otherwise."""
    return get_reached(
        Application.objects.select_related("enterprise"),
        actor,
        Capability.ENTERPRISES_VIEW,
        pk=pk,
    )


def application_events(*, application: Application) -> list[ApplicationEvent]:
    """The application's history, oldest first, with who made each step (one query)."""
    return list(
        ApplicationEvent.objects.filter(application=application)
        .select_related("actor")
        .order_by("at", "id")
    )
