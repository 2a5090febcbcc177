"""Reads the register's pages, API and exports need beyond `selectors`: search that respects
masking, single rows by id, a building's occupants in one query, counts for panels.

Kept apart from `selectors` (owned with the services) so the two can change independently;
every function takes the actor and applies the jurisdiction scope like a selector does.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet

from epigrid.accounts.access import Actor, get_for_actor, scope
from epigrid.accounts.roles import Capability
from epigrid.core.queries import any_of_q, prefix_q
from epigrid.geo.models import Jurisdiction, Kind, path_of, within_q

from .identity import normalize
from .models import (
    Building,
    CategoryAssignment,
    HousingUnit,
    Person,
    PersonCategory,
    Residency,
    RiskArea,
    UnitUse,
)
from .normalize import name_norm
from .selectors import person_list

MAX_QUERY = 32


def _paths_q(actor: Actor, capability: Capability) -> Q | None:
    """Rows inside the subtrees where the actor holds `capability`; None: nowhere."""
    if actor.system:
        return Q()
    paths = actor.paths(capability)
    if not paths:
        return None
    condition = Q()
    for path in paths:
        condition |= within_q(path)
    return condition


def search_q(actor: Actor, q: str) -> Q:
    """A name prefix anywhere in scope; a document-number prefix only where the actor may read
    document numbers, a phone prefix only where they may read phone numbers. Matching a
    prefix of a masked number would reveal it one digit at a time."""
    q = q.strip()[:MAX_QUERY]
    branches = [prefix_q("name_norm", name_norm(q))]
    doc = normalize(q)
    if doc.isalnum():
        ids = _paths_q(actor, Capability.IDS_VIEW)
        if ids is not None:
            branches.append(prefix_q("doc_number", doc) & ids)
    digits = "".join(ch for ch in q if ch.isdigit())
    if len(digits) >= 3:
        contacts = _paths_q(actor, Capability.CONTACTS_VIEW)
        if contacts is not None:
            branches.append(prefix_q("phone", digits) & contacts)
    return any_of_q(Person, branches)


def person_search(
    *,
    actor: Actor,
    q: str | None = None,
    within: str | None = None,
    category: str | None = None,
    with_categories: bool = False,
) -> QuerySet[Person]:
    """Active persons in scope matching `q` (see `search_q`); a full number of someone
    outside the actor's scope finds nothing, like any other miss."""
    qs = person_list(actor=actor, within=within, category=category)
    if q and q.strip():
        qs = qs.filter(search_q(actor, q))
    if with_categories:
        qs = qs.prefetch_related(
            Prefetch(
                "categories",
                queryset=CategoryAssignment.objects.filter(active_until__isnull=True)
                .select_related("category")
                .order_by("id"),
                to_attr="current_categories",
            )
        )
    return qs


def person_by_document(*, actor: Actor, number: str) -> Person | None:
    """The active person in scope holding this document number (any document type)."""
    number = normalize(number)
    if not number:
        return None
    return person_list(actor=actor).filter(doc_number=number).order_by("id").first()


def grid_choices(
    *, actor: Actor, capability: Capability, small_only: bool = False, coarse: bool = False
) -> list[Jurisdiction]:
    """Active villages, communities and grids where the actor holds `capability`, in tree
    order: what a filter or a "which grid" field offers (`coarse`: down to villages only)."""
    kinds = (
        [Kind.SMALL_GRID]
        if small_only
        else [Kind.SUBDISTRICT, Kind.VILLAGE, Kind.COMMUNITY]
        if coarse
        else [Kind.SUBDISTRICT, Kind.VILLAGE, Kind.COMMUNITY, Kind.BIG_GRID, Kind.SMALL_GRID]
    )
    qs = scope(
        Jurisdiction.objects.filter(kind__in=kinds, active_until__isnull=True),
        actor,
        capability,
        field="path",
    )
    return list(qs.order_by("path"))


def building_list_counted(
    *, actor: Actor, within: str | None = None, q: str | None = None
) -> QuerySet[Building]:
    """Buildings in scope with how many dwellings each has (`n_units`)."""
    qs = scope(Building.objects.select_related("jurisdiction"), actor, Capability.REGISTRY_VIEW)
    if within:
        qs = qs.filter(within_q(path_of(within)))
    if q and q.strip():
        qs = qs.filter(address__contains=q.strip()[:50])
    return qs.annotate(n_units=Count("units"))


def building_occupants(
    *, actor: Actor, building: Building, on: dt.date
) -> dict[int, list[Residency]]:
    """Who lived in each dwelling of a building on a date, in one query (the rule of
    `selectors.occupants_on`, for every unit at once)."""
    qs = scope(
        Residency.objects.filter(unit__building=building).select_related("person"),
        actor,
        Capability.REGISTRY_VIEW,
    )
    rows = (
        qs.filter(Q(move_in__isnull=True) | Q(move_in__lte=on))
        .filter(Q(move_out__isnull=True) | Q(move_out__gt=on))
        .filter(recorded_on__lte=on)
        .order_by("unit_id", "role", "id")
    )
    found: dict[int, list[Residency]] = {}
    for row in rows:
        found.setdefault(row.unit_id, []).append(row)
    return found


def units_in_grid(*, actor: Actor, grid: Jurisdiction, limit: int = 1000) -> list[HousingUnit]:
    """The dwellings of one grid the actor may register people into, by address."""
    qs = scope(
        HousingUnit.objects.filter(jpath=grid.path).select_related("building"),
        actor,
        Capability.REGISTRY_MANAGE,
    )
    return list(qs.order_by("building__address", "label", "id")[:limit])


def residency_get(
    *, actor: Actor, pk: int, capability: Capability = Capability.REGISTRY_VIEW
) -> Residency:
    return get_for_actor(
        Residency.objects.select_related("person", "unit__building"), actor, capability, pk=pk
    )


def assignment_get(
    *, actor: Actor, pk: int, capability: Capability = Capability.REGISTRY_VIEW
) -> CategoryAssignment:
    return get_for_actor(
        CategoryAssignment.objects.select_related("category", "person"), actor, capability, pk=pk
    )


def risk_area_get(*, pk: int) -> RiskArea | None:
    return RiskArea.objects.filter(pk=pk).first()


def category_by_code(code: str) -> PersonCategory | None:
    return PersonCategory.objects.filter(code=code, active=True).first()


def category_counts(*, actor: Actor, within: str | None = None) -> dict[int, int]:
    """Persons currently in each key-person category, inside the actor's scope."""
    qs = scope(
        CategoryAssignment.objects.filter(
            active_until__isnull=True, person__merged_into__isnull=True
        ),
        actor,
        Capability.REGISTRY_VIEW,
    )
    if within:
        qs = qs.filter(within_q(path_of(within)))
    return dict(qs.values("category_id").annotate(n=Count("pk")).values_list("category_id", "n"))


def tree_root() -> Jurisdiction | None:
    """The top of the tree: policy such as the risk-area list is set there."""
    return Jurisdiction.objects.filter(parent__isnull=True).order_by("code").first()


def register_counts(*, actor: Actor, node: Jurisdiction) -> dict[str, int]:
    """The register inside a node, as far as the actor sees it: indexed counts only."""
    inside = within_q(node.path)
    persons = scope(
        Person.objects.filter(inside, merged_into__isnull=True), actor, Capability.REGISTRY_VIEW
    )
    buildings = scope(Building.objects.filter(inside), actor, Capability.REGISTRY_VIEW)
    units = scope(HousingUnit.objects.filter(inside), actor, Capability.REGISTRY_VIEW)
    unit_counts = units.aggregate(
        total=Count("pk"), rentals=Count("pk", filter=Q(use=UnitUse.RENTAL))
    )
    tenants = scope(
        Residency.objects.filter(inside, role="tenant", move_out__isnull=True),
        actor,
        Capability.REGISTRY_VIEW,
    )
    return {
        "persons": persons.count(),
        "buildings": buildings.count(),
        "units": unit_counts["total"],
        "rentals": unit_counts["rentals"],
        "tenants": tenants.count(),
    }


@dataclass(frozen=True)
class ReviewGroup:
    """Records the duplicates queue shows together, with every reason they were found for."""

    reasons: tuple[str, ...]
    persons: list[Person]

    @property
    def mergeable(self) -> bool:
        """False for a pair holding two different numbers of one kind of document: two
        people, whatever else they share (a merge would be refused)."""
        if len(self.persons) != 2:
            return True
        from .duplicates import different_documents

        return not different_documents(*self.persons)


def review_queue(*, actor: Actor, within: str | None = None) -> list[ReviewGroup]:
    """`duplicate_candidates`, each set of records once: a pair found by its phone and by its
    name and address is one entry with both reasons."""
    from .duplicates import duplicate_candidates

    found: dict[tuple[int, ...], ReviewGroup] = {}
    for candidate in duplicate_candidates(actor=actor, within=within):
        key = tuple(sorted(p.pk for p in candidate.persons))
        seen = found.get(key)
        reasons = (*seen.reasons, candidate.reason) if seen else (candidate.reason,)
        found[key] = ReviewGroup(reasons=reasons, persons=candidate.persons)
    return list(found.values())
