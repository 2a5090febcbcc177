"""Reads: remembered column mappings, import jobs in the actor's scope, their row errors."""

from collections.abc import Iterator

from django.db.models import QuerySet
from django.http import Http404

from epigrid.accounts.access import Actor, get_for_actor, scope
from epigrid.accounts.roles import Capability
from epigrid.core.pagination import Page, keyset_page

from .kinds import get_kind
from .models import ColumnMapping, ImportJob, ImportRowError


def saved_mappings(*, kind: str, signatures: list[str]) -> dict[str, dict]:
    """{header signature: mapping} for those of `signatures` someone has confirmed."""
    if not signatures:
        return {}
    rows = ColumnMapping.objects.filter(kind=kind, header_signature__in=set(signatures))
    return {row.header_signature: row.mapping for row in rows}


def _jobs(actor: Actor) -> QuerySet[ImportJob]:
    return scope(ImportJob.objects.all(), actor, Capability.IMPORTS_RUN)


def import_job_get(*, actor: Actor, job_id: int) -> ImportJob:
    """The job, or 404 when it does not exist or is outside what the actor may import."""
    job = get_for_actor(ImportJob.objects.all(), actor, Capability.IMPORTS_RUN, pk=job_id)
    capability = get_kind(job.kind).capability
    if not actor.can(capability, job.jpath):
        raise Http404
    return job


def import_job_list(
    *, actor: Actor, kind: str | None = None, cursor: str | None = None, limit: int | None = None
) -> Page:
    """The actor's scope's import jobs, newest first, one keyset page at a time."""
    jobs = _jobs(actor)
    if kind:
        jobs = jobs.filter(kind=kind)
    return keyset_page(jobs, cursor=cursor, limit=limit, key="-id")


def import_row_errors(job: ImportJob) -> Iterator[ImportRowError]:
    """The job's row errors in sheet order, streamed (a bad file can have many)."""
    return job.row_errors.order_by("row_number", "id").iterator(chunk_size=2000)
