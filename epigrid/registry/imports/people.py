"""What the register's imports share: each row's grid and person, checked (ahead, in the
reading thread, where no database is needed) and matched to the register set-wise.

New persons go in as plain tuples (`core.bulk.insert_rows`): building a model instance per row
cost more than inserting it. Existing records a batch touches are few and stay model
instances. What every batch of a run needs (the grids of the job's area, who may edit where)
is looked up once per run.
"""

import datetime as dt
import json
from collections.abc import Iterable
from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record
from epigrid.core.bulk import in_values, insert_rows
from epigrid.geo.models import Jurisdiction, Kind, within_q
from epigrid.spreadsheets.columns import Schema
from epigrid.spreadsheets.engine import ParsedRow, RowError
from epigrid.spreadsheets.kinds import BatchResult

from ..models import DocType, Person
from ..normalize import address_norm, name_norm
from ..services.persons import PersonInput, clean_person
from .schemas import TENANTS

_PERSON_COLUMNS = {"doc_number": "doc_number", "phone": "phone", "name": "name"}
_PERSON_COLUMNS["hukou_place"] = "hukou"
NEW_PERSON_FIELDS = (
    "name",
    "name_norm",
    "doc_type",
    "doc_number",
    "doc_note",
    "birth_date",
    "sex",
    "phone",
    "hukou_place",
    "jurisdiction",
    "jpath",
    "current_unit",
    "registered_on",
)


@dataclass(slots=True)
class _Unit:
    """A dwelling as a batch needs it."""

    pk: int
    jpath: str
    jurisdiction_id: int  # its building's grid
    landlord_id: int | None


@dataclass(slots=True)
class _Row:
    source: ParsedRow
    grid: Jurisdiction
    person: dict[str, Any]
    name_norm: str
    address_norm: str
    # Set by the matching steps before anything reads them.
    person_id: int = 0
    person_jpath: str = ""
    person_unit_id: int | None = None
    created: bool = False


def _label(schema: Schema, key: str) -> str:
    return str(schema.column(key).label)


class _Grids:
    """Small grids inside the job's jurisdiction, by code and by name."""

    def __init__(self, job_path: str) -> None:
        nodes = list(
            Jurisdiction.objects.filter(
                within_q(job_path, "path"), kind=Kind.SMALL_GRID, active_until__isnull=True
            )
        )
        self.by_key = {n.code: n for n in nodes} | {n.name: n for n in nodes}
        self.only = next((n for n in nodes if n.path == job_path), None)

    def find(self, text: str | None) -> Jurisdiction | None:
        if text:
            return self.by_key.get(text.strip())
        return self.only


class _Run:
    """What the batches of one run of a job share: looked up by the first, kept on the job
    instance the run passes to every batch (a new run, a new instance, fresh lookups)."""

    def __init__(self, actor: Actor, job: Any) -> None:
        self.key = (id(actor), job.jpath)
        self.grids = _Grids(job.jpath)
        self.actor = actor
        self._may_edit: dict[str, bool] = {}

    def may_edit(self, jpath: str) -> bool:
        allowed = self._may_edit.get(jpath)
        if allowed is None:
            allowed = self._may_edit[jpath] = self.actor.can(Capability.REGISTRY_MANAGE, jpath)
        return allowed


def _run(actor: Actor, job: Any) -> _Run:
    run = getattr(job, "_register_import_run", None)
    if run is None or run.key != (id(actor), job.jpath):
        run = _Run(actor, job)
        with suppress(AttributeError):  # a job that takes no attributes: looked up per batch
            job._register_import_run = run
    return run


@lru_cache(maxsize=4096)
def _address_norm(address: str) -> str:
    # A register lists a building's tenants one under another: the same address many times.
    return address_norm(address)


@dataclass(slots=True)
class _Checked:
    """A row's person as `clean_person` left it (or why it refused), with the normalised
    forms duplicate detection compares: all computable without the database."""

    person: dict[str, Any] | None
    refused: dict[str, list[str]] | None
    name_norm: str
    address_norm: str

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled with its row from the reading process (spreadsheets/feed.py).
        return (_Checked, (self.person, self.refused, self.name_norm, self.address_norm))


def _check(values: dict[str, Any], today: dt.date, address: bool) -> _Checked:
    try:
        person = clean_person(
            PersonInput(
                name=values["name"] or "",
                doc_type=values.get("doc_type") or DocType.RESIDENT_ID.value,
                doc_number=values.get("doc_number") or "",
                phone=values.get("phone") or "",
                hukou_place=values.get("hukou") or "",
            ),
            today=today,
        )
    except ValidationError as exc:
        return _Checked(None, exc.message_dict, "", "")
    return _Checked(
        person,
        None,
        name_norm(person["name"]),
        _address_norm(values["address"]) if address else "",
    )


def _people(
    schema: Schema, rows: list[ParsedRow], run: _Run, today: dt.date, result: BatchResult
) -> list[_Row]:
    """Rows with their grid and their person's checked fields; the rest become row errors."""
    taken: list[_Row] = []
    address = schema is TENANTS
    for row in rows:
        v = row.values
        grid = run.grids.find(v.get("grid"))
        if grid is None:
            result.errors.append(
                RowError(
                    row.row_number,
                    _label(schema, "grid"),
                    v.get("grid") or "",
                    _("Say which small grid of your area this row belongs to."),
                )
            )
            continue
        checked = row.prepared if isinstance(row.prepared, _Checked) else None
        if checked is None:
            checked = _check(v, today, address)
        if checked.person is None:
            for key, messages in (checked.refused or {}).items():
                column = _PERSON_COLUMNS.get(key, "name")
                result.errors.append(
                    RowError(
                        row.row_number,
                        _label(schema, column),
                        str(v.get(column) or ""),
                        " ".join(messages),
                    )
                )
            continue
        taken.append(_Row(row, grid, checked.person, checked.name_norm, checked.address_norm))
    return taken


def _dedupe(rows: list[_Row], result: BatchResult) -> list[_Row]:
    """A document number a second time in the same batch repeats a row already taken."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for row in rows:
        key = (row.person["doc_type"], row.person["doc_number"])
        if row.person["doc_number"] and key in seen:
            result.duplicates += 1
            continue
        seen.add(key)
        kept.append(row)
    return kept


def _match_persons(
    run: _Run, rows: list[_Row], today: dt.date, homes: dict[int, _Unit] | None = None
) -> tuple[set[int], set[int]]:
    """Finds or creates each row's person (rows whose person is already known keep it); a new
    person is created living in the row's dwelling (`homes` by row number), if any.
    Returns (ids created, ids updated)."""
    numbers = {r.person["doc_number"] for r in rows if r.person["doc_number"] and not r.person_id}
    known = _active_with_numbers(sorted(numbers))
    existing = (
        {(p.doc_type, p.doc_number): p for p in Person.objects.filter(in_values("pk", known))}
        if known
        else {}
    )
    new: list[tuple[Any, ...]] = []
    new_rows: list[list[_Row]] = []  # the rows of each new person (one: numbers are deduped)
    new_by_key: dict[tuple[str, str], int] = {}
    updated: dict[int, Person] = {}
    for row in rows:
        if row.person_id:
            continue
        f = row.person
        key = (f["doc_type"], f["doc_number"])
        found = existing.get(key) if f["doc_number"] else None
        if found is None:
            at = new_by_key.get(key) if f["doc_number"] else None
            if at is not None:
                new_rows[at].append(row)
                continue
            home = homes.get(row.source.row_number) if homes else None
            jpath = home.jpath if home else row.grid.path
            new.append(
                (
                    f["name"],
                    row.name_norm,
                    f["doc_type"],
                    f["doc_number"],
                    f["doc_note"],
                    f["birth_date"],
                    f["sex"],
                    f["phone"],
                    f["hukou_place"],
                    row.grid.pk,
                    jpath,
                    home.pk if home else None,
                    today,
                )
            )
            row.person_jpath, row.person_unit_id = jpath, home.pk if home else None
            if f["doc_number"]:
                new_by_key[key] = len(new_rows)
            new_rows.append([row])
            continue
        if run.may_edit(found.jpath):
            for name in ("phone", "hukou_place", "birth_date", "sex", "doc_note"):
                if f[name] not in ("", None) and f[name] != getattr(found, name):
                    setattr(found, name, f[name])
                    updated[found.pk] = found
        row.person_id, row.person_jpath = found.pk, found.jpath
        row.person_unit_id = found.current_unit_id
    created = set()
    for pk, group in zip(insert_rows(Person, NEW_PERSON_FIELDS, new), new_rows, strict=True):
        created.add(pk)
        for row in group:
            row.person_id = pk
            row.person_jpath, row.person_unit_id = group[0].person_jpath, group[0].person_unit_id
    if updated:
        for p in updated.values():
            p.version += 1
        Person.objects.bulk_update(
            list(updated.values()),
            ["phone", "hukou_place", "birth_date", "sex", "doc_note", "version"],
        )
    return created, set(updated)


def _active_with_numbers(numbers: list[str]) -> list[int]:
    """Ids of the active persons holding any of these document numbers, in one plain query
    (the ORM's preparation of thousands of values costs more than the query, which on a first
    import finds nobody)."""
    if not numbers:
        return []
    table = connection.ops.quote_name(Person._meta.db_table)
    params: list[Any]
    if connection.vendor == "postgresql":
        where, params = "doc_number = ANY(%s)", [numbers]
    else:
        where = "doc_number IN (SELECT value FROM json_each(%s))"
        params = [json.dumps(numbers)]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {table} WHERE {where} AND merged_into_id IS NULL",  # noqa: S608 - names from the code, values bound
            params,
        )
        return [pk for (pk,) in cursor.fetchall()]


def _audit(actor: Actor, job: Any, rows: Iterable[ParsedRow], result: BatchResult) -> None:
    numbers = [r.row_number for r in rows]
    if not numbers:
        return
    audit_record(
        actor=actor,
        action="import.batch",
        entity_type="spreadsheets.importjob",
        entity_id=str(job.pk),
        entity_label=f"{job.kind} {job.filename}"[:200],
        jpath=job.jpath,
        after={
            "rows": [min(numbers), max(numbers)],
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "duplicates": result.duplicates,
            "errors": len(result.errors),
        },
    )
