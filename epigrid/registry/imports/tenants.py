"""Tenant registers: each row a person in a dwelling of a building, in a small grid.

A batch finds or creates the buildings (by grid and normalised address), the dwellings (by
building and unit label), the persons (by document number, or by name in that dwelling when
the row has none) and the residencies, set-wise: a handful of queries per batch.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor
from epigrid.core.bulk import in_values, insert_rows
from epigrid.spreadsheets.columns import Schema
from epigrid.spreadsheets.engine import ParsedRow, RowError
from epigrid.spreadsheets.kinds import BatchResult

from ..models import (
    Building,
    BuildingKind,
    HousingUnit,
    Person,
    RentalKind,
    Residency,
    ResidencyRole,
    UnitUse,
)
from ..normalize import name_norm
from ..services.persons import PersonInput, clean_person
from .people import (
    _audit,
    _check,
    _dedupe,
    _label,
    _match_persons,
    _people,
    _Row,
    _run,
    _Unit,
)
from .schemas import TENANTS


def prepare_tenants(rows: list[ParsedRow]) -> None:
    """The kind's `prepare`: each row's person checked ahead, in the reading thread."""
    today = timezone.localdate()
    for row in rows:
        row.prepared = _check(row.values, today, True)


def _units(rows: list[_Row], schema: Schema, result: BatchResult) -> dict[int, _Unit]:
    """The dwelling of each row (by grid, normalised address and unit label), created when
    new; by row number."""
    keyed = [(r, (r.grid.path, r.address_norm)) for r in rows]
    keys = {k for _r, k in keyed}
    buildings: dict[tuple[str, str], tuple[int, int]] = {
        (jpath, norm): (pk, grid)
        for pk, jpath, norm, grid in Building.objects.filter(
            in_values("address_norm", {k[1] for k in keys})
        ).values_list("pk", "jpath", "address_norm", "jurisdiction_id")
        if (jpath, norm) in keys
    }
    new: dict[tuple[str, str], tuple[Any, ...]] = {}
    for row, key in keyed:
        if key not in buildings and key not in new:
            new[key] = (
                row.grid.pk,
                key[0],
                row.source.values["address"][:200],
                key[1],
                BuildingKind.HOUSE,
            )
    fields = ("jurisdiction", "jpath", "address", "address_norm", "kind")
    for key, pk in zip(new, insert_rows(Building, fields, list(new.values())), strict=True):
        buildings[key] = (pk, new[key][0])

    labelled = [(r, key, (r.source.values.get("unit") or "出租")[:50]) for r, key in keyed]
    wanted = {(buildings[key][0], label) for _r, key, label in labelled}
    units: dict[tuple[int, str], _Unit] = {}
    uses: dict[tuple[int, str], str] = {}
    labels = {w[1] for w in wanted}
    found = HousingUnit.objects.filter(in_values("building", {w[0] for w in wanted})).values_list(
        "pk", "building_id", "label", "jpath", "use", "landlord_id", "building__jurisdiction_id"
    )
    for pk, building_id, label, jpath, use, landlord, grid in found:
        if label not in labels:
            continue
        units[(building_id, label)] = _Unit(pk, jpath, grid, landlord)
        uses[(building_id, label)] = use
    new_units: dict[tuple[int, str], tuple[Any, ...]] = {}
    vacant: dict[str, list[int]] = {}
    by_row: dict[int, _Unit] = {}
    placed: list[tuple[int, tuple[int, str]]] = []
    for row, key, label in labelled:
        v = row.source.values
        ukey = (buildings[key][0], label)
        current = uses.get(ukey)
        if current is None and ukey not in new_units:
            new_units[ukey] = (
                ukey[0],
                key[0],
                label,
                UnitUse.RENTAL,
                v.get("rental_kind") or RentalKind.SINGLE_HOUSEHOLD,
            )
        elif current == UnitUse.VACANT:
            uses[ukey] = UnitUse.RENTAL
            kind = v.get("rental_kind") or RentalKind.SINGLE_HOUSEHOLD
            vacant.setdefault(kind, []).append(units[ukey].pk)
        elif current is not None and current != UnitUse.RENTAL:
            result.errors.append(
                RowError(
                    row.source.row_number,
                    _label(schema, "unit"),
                    label,
                    _("This dwelling is registered as not rented out."),
                )
            )
            continue
        placed.append((row.source.row_number, ukey))
    fields = ("building", "jpath", "label", "use", "rental_kind")
    grid_of = dict(buildings.values())  # building pk -> its grid
    made = insert_rows(HousingUnit, fields, list(new_units.values()))
    for ukey, pk in zip(new_units, made, strict=True):
        units[ukey] = _Unit(pk, new_units[ukey][1], grid_of[ukey[0]], None)
    for kind, pks in vacant.items():
        HousingUnit.objects.filter(in_values("pk", pks)).update(
            use=UnitUse.RENTAL, rental_kind=kind
        )
    for number, ukey in placed:
        by_row[number] = units[ukey]
    return by_row


def commit_tenants(actor: Actor, rows: list[ParsedRow], job: Any) -> BatchResult:
    result = BatchResult()
    today = timezone.localdate()
    run = _run(actor, job)
    taken = _dedupe(_people(TENANTS, rows, run, today, result), result)
    units = _units(taken, TENANTS, result)
    taken = [r for r in taken if r.source.row_number in units]
    _known_without_number(taken, units, today)
    created_ids, updated_ids = _match_persons(run, taken, today, homes=units)
    # Only persons who existed before this batch can have residencies already.
    known = {r.person_id for r in taken if r.person_id not in created_ids and not r.created}
    open_pairs = (
        set(
            Residency.objects.filter(in_values("person", known), move_out__isnull=True).values_list(
                "person_id", "unit_id"
            )
        )
        if known
        else set()
    )
    starting, seen_pairs, repeated = [], set(), set()
    for r in taken:
        pair = (r.person_id, units[r.source.row_number].pk)
        if pair in seen_pairs:  # the same person in the same dwelling twice in one batch
            repeated.add(r.source.row_number)
            continue
        seen_pairs.add(pair)
        if pair not in open_pairs:
            starting.append(r)
    result.duplicates += len(repeated)
    taken = [r for r in taken if r.source.row_number not in repeated]
    # Moving in ends the person's other current dwelling, as residency_start does.
    new_home = {r.person_id: units[r.source.row_number].pk for r in starting}
    movers = [pk for pk in new_home if pk in known]
    if movers:
        ending = [
            pk
            for pk, person_id, unit_id in Residency.objects.filter(
                in_values("person", movers), move_out__isnull=True
            ).values_list("pk", "person_id", "unit_id")
            if unit_id != new_home[person_id]
        ]
        if ending:
            Residency.objects.filter(in_values("pk", ending)).update(move_out=today)
    insert_rows(
        Residency,
        ("person", "unit", "jpath", "role", "move_in", "recorded_on"),
        [
            (
                r.person_id,
                units[r.source.row_number].pk,
                units[r.source.row_number].jpath,
                ResidencyRole.TENANT,
                r.source.values.get("move_in"),
                today,
            )
            for r in starting
        ],
    )
    # People created above already live there; those who moved in from elsewhere follow.
    moving: dict[int, list[int]] = {}
    for r in starting:
        unit = units[r.source.row_number]
        if r.person_unit_id != unit.pk:
            moving.setdefault(unit.pk, []).append(r.person_id)
            r.person_unit_id, r.person_jpath = unit.pk, unit.jpath
    by_pk = {u.pk: u for u in units.values()}
    for unit_pk, person_ids in moving.items():
        unit = by_pk[unit_pk]
        Person.objects.filter(in_values("pk", person_ids)).update(
            current_unit_id=unit.pk, jurisdiction_id=unit.jurisdiction_id, jpath=unit.jpath
        )
    _landlords(taken, units, today)
    starting_rows = {r.source.row_number for r in starting}
    for r in taken:
        if r.person_id in created_ids or r.created:
            result.created += 1
        elif r.person_id in updated_ids or r.source.row_number in starting_rows:
            result.updated += 1
        else:
            result.unchanged += 1
    _audit(actor, job, rows, result)
    return result


def _known_without_number(rows: list[_Row], units: dict[int, _Unit], today: dt.date) -> None:
    """A row without a document number is the person of that name already living in that
    dwelling, if there is one: importing the same register again must not add them twice."""
    blind = [r for r in rows if not r.person["doc_number"]]
    if not blind:
        return
    living = {
        (unit_id, norm): (person_id, jpath, current)
        for unit_id, norm, person_id, jpath, current in Residency.objects.filter(
            in_values("unit", {units[r.source.row_number].pk for r in blind}),
            move_out__isnull=True,
        ).values_list(
            "unit_id", "person__name_norm", "person_id", "person__jpath", "person__current_unit_id"
        )
    }
    seen: dict[tuple[int, str], _Row] = {}
    for r in blind:
        key = (units[r.source.row_number].pk, r.name_norm)
        if key in living:
            r.person_id, r.person_jpath, r.person_unit_id = living[key]
        elif key in seen:
            first = seen[key]
            r.person_id, r.person_jpath, r.person_unit_id = (
                first.person_id,
                first.person_jpath,
                first.person_unit_id,
            )
        else:
            person = Person.objects.create(
                **r.person,
                name_norm=key[1],
                jurisdiction=r.grid,
                jpath=r.grid.path,
                registered_on=today,
            )
            r.person_id, r.person_jpath, r.person_unit_id = person.pk, person.jpath, None
            r.created = True
            seen[key] = r


def _landlords(rows: list[_Row], units: dict[int, _Unit], today: dt.date) -> None:
    """Links a named landlord (found or registered by ID number) to dwellings that have none;
    of several rows naming one for the same dwelling, the last stands."""
    wanted = [
        r
        for r in rows
        if r.source.values.get("landlord_doc") and units[r.source.row_number].landlord_id is None
    ]
    if not wanted:
        return
    chosen: dict[int, int] = {}  # unit pk -> landlord pk
    found: dict[tuple[str, str], int] = {}
    for r in wanted:
        try:
            fields = clean_person(
                PersonInput(
                    name=r.source.values.get("landlord") or "?",
                    doc_number=r.source.values["landlord_doc"],
                ),
                today=today,
            )
        except ValidationError:
            continue  # the tenant row stands; a bad landlord number is left for review
        key = (fields["doc_type"], fields["doc_number"])
        landlord = found.get(key)
        if landlord is None:
            landlord = (
                Person.objects.filter(doc_type=key[0], doc_number=key[1], merged_into__isnull=True)
                .values_list("pk", flat=True)
                .first()
            )
        if landlord is None:
            landlord = Person.objects.create(
                **fields,
                name_norm=name_norm(fields["name"]),
                jurisdiction=r.grid,
                jpath=r.grid.path,
                registered_on=today,
            ).pk
        found[key] = landlord
        chosen[units[r.source.row_number].pk] = landlord
    by_landlord: dict[int, list[int]] = {}
    for unit_pk, landlord in chosen.items():
        by_landlord.setdefault(landlord, []).append(unit_pk)
    for landlord, unit_pks in by_landlord.items():
        HousingUnit.objects.filter(in_values("pk", unit_pks)).update(landlord_id=landlord)
    for unit in units.values():
        if unit.pk in chosen:
            unit.landlord_id = chosen[unit.pk]
