"""The register's spreadsheet imports: tenant registers and arrival lists made by villages.

Each batch is committed set-wise (a handful of queries per thousand rows, not per row) so a
100,000-row register imports in seconds; the rules are the services' own: one record per
document number, a residency per person and dwelling, nothing new when a file comes again.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record
from epigrid.core.bulk import fast_insert
from epigrid.geo.models import Jurisdiction, Kind, within_q
from epigrid.spreadsheets.columns import Schema
from epigrid.spreadsheets.engine import ParsedRow, RowError
from epigrid.spreadsheets.kinds import BatchResult, ImportKind, register_kind

from ..models import (
    Arrival,
    Building,
    BuildingKind,
    DocType,
    HousingUnit,
    Person,
    RentalKind,
    Residency,
    ResidencyRole,
    UnitUse,
)
from ..normalize import address_norm, name_norm
from ..services.arrivals import touches_risk_area
from ..services.persons import PersonInput, clean_person
from .schemas import ARRIVALS, TENANTS


@dataclass
class _Row:
    source: ParsedRow
    grid: Jurisdiction
    person: dict[str, Any]
    # Set by the matching step before anything reads it.
    person_obj: Person = None  # type: ignore[assignment]


def _label(schema: Schema, key: str) -> str:
    return str(schema.column(key).label)


class _Grids:
    """Small grids inside the job's jurisdiction, by code and by name (one query a batch)."""

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


def _people(
    schema: Schema, rows: list[ParsedRow], job_path: str, result: BatchResult
) -> list[_Row]:
    """Rows with their grid and their person's checked fields; the rest become row errors."""
    grids = _Grids(job_path)
    taken: list[_Row] = []
    for row in rows:
        v = row.values
        grid = grids.find(v.get("grid"))
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
        try:
            person = clean_person(
                PersonInput(
                    name=v["name"] or "",
                    doc_type=v.get("doc_type") or DocType.RESIDENT_ID,
                    doc_number=v.get("doc_number") or "",
                    phone=v.get("phone") or "",
                    hukou_place=v.get("hukou") or "",
                )
            )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                column = {
                    "doc_number": "doc_number",
                    "phone": "phone",
                    "name": "name",
                    "hukou_place": "hukou",
                }.get(key, "name")
                result.errors.append(
                    RowError(
                        row.row_number,
                        _label(schema, column),
                        str(v.get(column) or ""),
                        " ".join(messages),
                    )
                )
            continue
        taken.append(_Row(row, grid, person))
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
    actor: Actor,
    rows: list[_Row],
    today: dt.date,
    homes: dict[int, HousingUnit] | None = None,
) -> tuple[set[int], set[int]]:
    """Finds or creates each row's person (rows whose person is already known keep it); a new
    person is created living in the row's dwelling (`homes` by row number), if any.
    Returns (ids created, ids updated)."""
    numbers = {r.person["doc_number"] for r in rows if r.person["doc_number"]}
    existing = {
        (p.doc_type, p.doc_number): p
        for p in Person.objects.filter(doc_number__in=numbers, merged_into__isnull=True)
    }
    created: list[Person] = []
    updated: dict[int, Person] = {}
    for row in rows:
        f = row.person
        if row.person_obj is not None:
            continue
        found = existing.get((f["doc_type"], f["doc_number"])) if f["doc_number"] else None
        if found is None:
            home = homes.get(row.source.row_number) if homes else None
            found = Person(
                **f,
                name_norm=name_norm(f["name"]),
                jurisdiction=row.grid,
                jpath=home.jpath if home else row.grid.path,
                current_unit=home,
                registered_on=today,
            )
            created.append(found)
            if f["doc_number"]:
                existing[(f["doc_type"], f["doc_number"])] = found
        elif actor.can(Capability.REGISTRY_MANAGE, found.jpath):
            for key in ("phone", "hukou_place", "birth_date", "sex", "doc_note"):
                if f[key] not in ("", None) and f[key] != getattr(found, key):
                    setattr(found, key, f[key])
                    updated[found.pk] = found
        row.person_obj = found
    fast_insert(created)
    if updated:
        for p in updated.values():
            p.version += 1
        Person.objects.bulk_update(
            list(updated.values()),
            ["phone", "hukou_place", "birth_date", "sex", "doc_note", "version"],
        )
    return {p.pk for p in created}, set(updated)


def _units(rows: list[_Row], schema: Schema, result: BatchResult) -> dict[int, HousingUnit]:
    """The dwelling of each row (by grid, normalised address and unit label), created when new."""
    keys = {(r.grid.path, address_norm(r.source.values["address"])) for r in rows}
    buildings = {
        (b.jpath, b.address_norm): b
        for b in Building.objects.filter(
            jpath__in={k[0] for k in keys}, address_norm__in={k[1] for k in keys}
        )
    }
    new_buildings = []
    for row in rows:
        key = (row.grid.path, address_norm(row.source.values["address"]))
        if key not in buildings:
            buildings[key] = Building(
                jurisdiction=row.grid,
                jpath=row.grid.path,
                address=row.source.values["address"][:200],
                address_norm=key[1],
                kind=BuildingKind.HOUSE,
            )
            new_buildings.append(buildings[key])
    fast_insert(new_buildings)
    wanted = {
        (
            buildings[(r.grid.path, address_norm(r.source.values["address"]))].pk,
            (r.source.values.get("unit") or "出租")[:50],
        )
        for r in rows
    }
    units = {
        (u.building_id, u.label): u
        for u in HousingUnit.objects.filter(
            building_id__in={w[0] for w in wanted}, label__in={w[1] for w in wanted}
        )
    }
    new_units, changed = [], []
    result_units: dict[int, HousingUnit] = {}
    for row in rows:
        v = row.source.values
        building = buildings[(row.grid.path, address_norm(v["address"]))]
        ukey = (building.pk, (v.get("unit") or "出租")[:50])
        unit = units.get(ukey)
        if unit is None:
            unit = HousingUnit(
                building=building,
                jpath=building.jpath,
                label=ukey[1],
                use=UnitUse.RENTAL,
                rental_kind=v.get("rental_kind") or RentalKind.SINGLE_HOUSEHOLD,
            )
            units[ukey] = unit
            new_units.append(unit)
        elif unit.use == UnitUse.VACANT:
            unit.use = UnitUse.RENTAL
            unit.rental_kind = v.get("rental_kind") or RentalKind.SINGLE_HOUSEHOLD
            changed.append(unit)
        elif unit.use != UnitUse.RENTAL:
            result.errors.append(
                RowError(
                    row.source.row_number,
                    _label(schema, "unit"),
                    ukey[1],
                    _("This dwelling is registered as not rented out."),
                )
            )
            continue
        result_units[row.source.row_number] = unit
    fast_insert(new_units)
    if changed:
        HousingUnit.objects.bulk_update(changed, ["use", "rental_kind"])
    return result_units


def commit_tenants(actor: Actor, rows: list[ParsedRow], job: Any) -> BatchResult:
    result = BatchResult()
    today = timezone.localdate()
    taken = _dedupe(_people(TENANTS, rows, job.jpath, result), result)
    units = _units(taken, TENANTS, result)
    taken = [r for r in taken if r.source.row_number in units]
    _known_without_number(taken, units)
    created_ids, updated_ids = _match_persons(actor, taken, today, homes=units)
    pairs = {(r.person_obj.pk, units[r.source.row_number].pk) for r in taken}
    open_pairs = set(
        Residency.objects.filter(
            person_id__in={p for p, _u in pairs}, move_out__isnull=True
        ).values_list("person_id", "unit_id")
    )
    starting, seen_pairs, repeated = [], set(), set()
    for r in taken:
        pair = (r.person_obj.pk, units[r.source.row_number].pk)
        if pair in seen_pairs:  # the same person in the same dwelling twice in one batch
            repeated.add(r.source.row_number)
            continue
        seen_pairs.add(pair)
        if pair not in open_pairs:
            starting.append(r)
    result.duplicates += len(repeated)
    taken = [r for r in taken if r.source.row_number not in repeated]
    # Moving in ends the person's other current dwelling, as residency_start does.
    new_home = {r.person_obj.pk: units[r.source.row_number].pk for r in starting}
    ending = [
        pk
        for pk, person_id, unit_id in Residency.objects.filter(
            person_id__in=new_home, move_out__isnull=True
        ).values_list("pk", "person_id", "unit_id")
        if unit_id != new_home[person_id]
    ]
    if ending:
        Residency.objects.filter(pk__in=ending).update(move_out=today)
    fast_insert(
        [
            Residency(
                person=r.person_obj,
                unit=units[r.source.row_number],
                jpath=units[r.source.row_number].jpath,
                role=ResidencyRole.TENANT,
                move_in=r.source.values.get("move_in"),
                recorded_on=today,
            )
            for r in starting
        ]
    )
    # People created above already live there; those who moved in from elsewhere follow.
    for r in starting:
        unit = units[r.source.row_number]
        p = r.person_obj
        if p.current_unit_id != unit.pk:
            Person.objects.filter(pk=p.pk).update(
                current_unit=unit, jurisdiction_id=unit.building.jurisdiction_id, jpath=unit.jpath
            )
            p.current_unit, p.jpath = unit, unit.jpath
    _landlords(actor, taken, units, today)
    starting_rows = {r.source.row_number for r in starting}
    for r in taken:
        if r.person_obj.pk in created_ids or getattr(r, "created_here", False):
            result.created += 1
        elif r.person_obj.pk in updated_ids or r.source.row_number in starting_rows:
            result.updated += 1
        else:
            result.unchanged += 1
    _audit(actor, job, rows, result)
    return result


def _known_without_number(rows: list[_Row], units: dict[int, HousingUnit]) -> None:
    """A row without a document number is the person of that name already living in that
    dwelling, if there is one: importing the same register again must not add them twice."""
    blind = [r for r in rows if not r.person["doc_number"]]
    if not blind:
        return
    living = {
        (res.unit_id, res.person.name_norm): res.person
        for res in Residency.objects.filter(
            unit_id__in={units[r.source.row_number].pk for r in blind}, move_out__isnull=True
        ).select_related("person")
    }
    seen: dict[tuple[int, str], Person] = {}
    for r in blind:
        key = (units[r.source.row_number].pk, name_norm(r.person["name"]))
        found = living.get(key) or seen.get(key)
        if found is not None:
            r.person_obj = found
        else:
            r.person_obj = Person(
                **r.person,
                name_norm=key[1],
                jurisdiction=r.grid,
                jpath=r.grid.path,
                registered_on=timezone.localdate(),
            )
            r.person_obj.save()
            seen[key] = r.person_obj
            r.created_here = True  # type: ignore[attr-defined]


def _landlords(
    actor: Actor, rows: list[_Row], units: dict[int, HousingUnit], today: dt.date
) -> None:
    """Links a named landlord (found or registered by ID number) to dwellings that have none."""
    wanted = [
        r
        for r in rows
        if r.source.values.get("landlord_doc") and units[r.source.row_number].landlord_id is None
    ]
    if not wanted:
        return
    set_units = []
    for r in wanted:
        try:
            fields = clean_person(
                PersonInput(
                    name=r.source.values.get("landlord") or "?",
                    doc_number=r.source.values["landlord_doc"],
                )
            )
        except ValidationError:
            continue  # the tenant row stands; a bad landlord number is left for review
        landlord = Person.objects.filter(
            doc_type=fields["doc_type"], doc_number=fields["doc_number"], merged_into__isnull=True
        ).first()
        if landlord is None:
            landlord = Person.objects.create(
                **fields,
                name_norm=name_norm(fields["name"]),
                jurisdiction=r.grid,
                jpath=r.grid.path,
                registered_on=today,
            )
        unit = units[r.source.row_number]
        unit.landlord = landlord
        set_units.append(unit)
    HousingUnit.objects.bulk_update(set_units, ["landlord"])


def commit_arrivals(actor: Actor, rows: list[ParsedRow], job: Any) -> BatchResult:
    result = BatchResult()
    today = timezone.localdate()
    taken = _people(ARRIVALS, rows, job.jpath, result)
    future = [r for r in taken if r.source.values["arrived_on"] > today]
    for r in future:
        result.errors.append(
            RowError(
                r.source.row_number,
                _label(ARRIVALS, "arrived_on"),
                str(r.source.values["arrived_on"]),
                _("An arrival cannot be in the future."),
            )
        )
    taken = [r for r in taken if r not in future]
    created_ids, updated_ids = _match_persons(actor, taken, today)
    keys = {
        (r.person_obj.pk, r.source.values["arrived_on"], r.source.values["from_place"][:100])
        for r in taken
    }
    existing = set(
        Arrival.objects.filter(
            person_id__in={k[0] for k in keys}, arrived_on__in={k[1] for k in keys}
        ).values_list("person_id", "arrived_on", "from_place")
    )
    new = []
    for r in taken:
        v = r.source.values
        key = (r.person_obj.pk, v["arrived_on"], v["from_place"][:100])
        if key in existing:
            result.unchanged += 1 if r.person_obj.pk not in updated_ids else 0
            result.updated += 1 if r.person_obj.pk in updated_ids else 0
            continue
        existing.add(key)
        via = [c for c in (v.get("via") or "").replace("，", ",").split(",") if c.strip().isdigit()]
        codes = [v.get("from_code") or "", *via]
        new.append(
            Arrival(
                person=r.person_obj,
                jpath=r.person_obj.jpath,
                arrived_on=v["arrived_on"],
                from_place=v["from_place"][:100],
                from_code=(v.get("from_code") or "")[:12],
                via_codes=via,
                transport=v.get("transport") or "",
                trip_number=(v.get("trip_number") or "")[:30],
                touches_risk_area=touches_risk_area(v["arrived_on"], codes),
                recorded_on=today,
            )
        )
        if r.person_obj.pk in created_ids:
            result.created += 1
        else:
            result.updated += 1
    Arrival.objects.bulk_create(new, batch_size=1000)
    _audit(actor, job, rows, result)
    return result


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


def register() -> None:
    register_kind(
        ImportKind(
            kind="tenants",
            label=_lazy("Tenant register"),
            schema=TENANTS,
            commit_batch=commit_tenants,
        )
    )
    register_kind(
        ImportKind(
            kind="arrivals",
            label=_lazy("Arrival list"),
            schema=ARRIVALS,
            commit_batch=commit_arrivals,
        )
    )
