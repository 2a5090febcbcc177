"""Reads of published batches: the staff list and detail (with codes and grids), and the
public list and page (enterprise names and approval dates only, no login).

A batch belongs to a subdistrict. Staff with ENTERPRISES_VIEW anywhere in or above that
subdistrict see it (a village secretary sees the subdistrict's published list, as the
public does, with codes and grids added). Entries are keyset-paginated on (decided_at, id)
along the index `application_batch` (batch, decided_at): one query a page.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.core.pagination import Page, keyset_page
from epigrid.geo.models import SEPARATOR, within_q

from ..models import Application, Batch
from .queue import pair_page

VIEW = Capability.ENTERPRISES_VIEW


def _ancestors(path: str) -> list[str]:
    """The path and the paths of every node above it ("a.b.c." -> "a.", "a.b.", "a.b.c.")."""
    parts = [p for p in path.split(SEPARATOR) if p]
    return [SEPARATOR.join(parts[: i + 1]) + SEPARATOR for i in range(len(parts))]


def _reached(actor: Actor) -> QuerySet[Batch]:
    if actor.system:
        return Batch.objects.all()
    condition, reached = Q(), False
    for path in actor.paths(VIEW):
        condition |= within_q(path) | Q(jpath__in=_ancestors(path))
        reached = True
    return Batch.objects.filter(condition) if reached else Batch.objects.none()


def batch_list(*, actor: Actor, cursor: str | None = None, limit: int = 50) -> Page:
    """Batches the actor sees, newest first, each with `size` (its number of entries);
    one query a page."""
    qs = _reached(actor).select_related("jurisdiction").annotate(size=Count("applications"))
    return keyset_page(qs, cursor=cursor, limit=limit, key="-id")


def batch_get(*, actor: Actor, pk: Any) -> Batch:
    """A batch the actor sees, with `size`; 404 otherwise."""
    try:
        return (
            _reached(actor)
            .select_related("jurisdiction", "published_by")
            .annotate(size=Count("applications"))
            .get(pk=pk)
        )
    except (Batch.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def batch_entries(
    *, batch: Batch, cursor: str | None = None, limit: int = 100, public: bool = False
) -> Page:
    """The approved applications of `batch` in order of approval, with their enterprise
    (and, for staff, its grid). `public` reads only what the public page shows: the
    enterprise's name and the approval time."""
    qs = Application.objects.filter(batch=batch)
    if public:
        qs = qs.select_related("enterprise").only("id", "decided_at", "enterprise__name")
    else:
        qs = qs.select_related("enterprise", "enterprise__jurisdiction")
    return pair_page(qs, cursor=cursor, limit=limit, key="decided_at")


def batch_rows_all(*, batch: Batch):
    """Every entry of `batch` for the export, streamed in approval order."""
    return (
        Application.objects.filter(batch=batch)
        .select_related("enterprise", "enterprise__jurisdiction")
        .order_by("decided_at", "id")
        .iterator(chunk_size=2000)
    )


def public_batch_list(*, cursor: str | None = None, limit: int = 50) -> Page:
    """Every published batch, newest first (public: title, number, day)."""
    qs = Batch.objects.only("id", "number", "title", "published_on", "public_code").annotate(
        size=Count("applications")
    )
    return keyset_page(qs, cursor=cursor, limit=limit, key="-id")


def public_batch_get(*, code: Any) -> Batch:
    """A batch by its public code; 404 for anything else."""
    try:
        return Batch.objects.only("id", "number", "title", "published_on", "public_code").get(
            public_code=code
        )
    except (Batch.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc
