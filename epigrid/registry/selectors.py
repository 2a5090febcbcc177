"""Reads of the register, always through the actor's scope."""

import datetime as dt

from django.db.models import Count, Q, QuerySet

from epigrid.accounts.access import Actor, get_for_actor, scope
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record
from epigrid.core.queries import any_of_q, prefix_q
from epigrid.geo.models import path_of, within_q

from .identity import normalize
from .models import (
    Arrival,
    Building,
    CategoryAssignment,
    HousingUnit,
    Person,
    PersonCategory,
    Residency,
    RiskArea,
)
from .normalize import name_norm


def person_list(
    *,
    actor: Actor,
    q: str | None = None,
    within: str | None = None,
    category: str | None = None,
    include_merged: bool = False,
) -> QuerySet[Person]:
    """Persons in scope. `q` matches a name prefix, a phone prefix or a document-number prefix;
    a full number of someone outside the actor's scope finds nothing, like any other miss."""
    qs = scope(
        Person.objects.select_related("jurisdiction", "current_unit__building"),
        actor,
        Capability.REGISTRY_VIEW,
    )
    if not include_merged:
        qs = qs.filter(merged_into__isnull=True)
    if within:
        qs = qs.filter(within_q(path_of(within)))
    if q:
        q = q.strip()[:32]
        doc = normalize(q)
        branches = [prefix_q("name_norm", name_norm(q))]
        if doc.isalnum():
            branches.append(prefix_q("doc_number", doc))
        digits = "".join(ch for ch in q if ch.isdigit())
        if len(digits) >= 3:
            branches.append(prefix_q("phone", digits))
        qs = qs.filter(any_of_q(Person, branches))
    if category:
        qs = qs.filter(
            categories__category__code=category, categories__active_until__isnull=True
        ).distinct()
    return qs


def person_get(
    *,
    actor: Actor,
    pk: int,
    capability: Capability = Capability.REGISTRY_VIEW,
    audit_read: bool = False,
) -> Person:
    """One person in scope (else 404). A full read by someone who sees identity numbers is
    audited: who looked at whose record, when."""
    person = get_for_actor(
        Person.objects.select_related("jurisdiction", "current_unit__building", "merged_into"),
        actor,
        capability,
        pk=pk,
    )
    if audit_read and actor.can(Capability.IDS_VIEW, person.jpath):
        audit_record(actor=actor, action="person.view", obj=person, jpath=person.jpath)
    return person


def building_list(
    *, actor: Actor, within: str | None = None, q: str | None = None
) -> QuerySet[Building]:
    qs = scope(Building.objects.select_related("jurisdiction"), actor, Capability.REGISTRY_VIEW)
    if within:
        qs = qs.filter(within_q(path_of(within)))
    if q:
        qs = qs.filter(address__contains=q.strip()[:50])
    return qs


def building_get(
    *, actor: Actor, pk: int, capability: Capability = Capability.REGISTRY_VIEW
) -> Building:
    return get_for_actor(Building.objects.select_related("jurisdiction"), actor, capability, pk=pk)


def unit_list(
    *,
    actor: Actor,
    within: str | None = None,
    building: int | None = None,
    use: str | None = None,
    rental_kind: str | None = None,
) -> QuerySet[HousingUnit]:
    qs = scope(
        HousingUnit.objects.select_related("building", "landlord"), actor, Capability.REGISTRY_VIEW
    )
    if within:
        qs = qs.filter(within_q(path_of(within)))
    if building:
        qs = qs.filter(building_id=building)
    if use:
        qs = qs.filter(use=use)
    if rental_kind:
        qs = qs.filter(rental_kind=rental_kind)
    return qs


def unit_get(
    *, actor: Actor, pk: int, capability: Capability = Capability.REGISTRY_VIEW
) -> HousingUnit:
    return get_for_actor(
        HousingUnit.objects.select_related("building", "landlord"), actor, capability, pk=pk
    )


def occupants_on(*, actor: Actor, unit: HousingUnit, on: dt.date) -> list[Residency]:
    """Who lived in the unit on a date."""
    qs = scope(
        Residency.objects.filter(unit=unit).select_related("person"),
        actor,
        Capability.REGISTRY_VIEW,
    )
    return list(
        qs.filter(Q(move_in__isnull=True) | Q(move_in__lte=on))
        .filter(Q(move_out__isnull=True) | Q(move_out__gt=on))
        .filter(recorded_on__lte=on)
        .order_by("role", "id")
    )


def residency_list(
    *,
    actor: Actor,
    person: int | None = None,
    unit: int | None = None,
    within: str | None = None,
    role: str | None = None,
) -> QuerySet[Residency]:
    qs = scope(
        Residency.objects.select_related("person", "unit__building"),
        actor,
        Capability.REGISTRY_VIEW,
    )
    if person:
        qs = qs.filter(person_id=person)
    if unit:
        qs = qs.filter(unit_id=unit)
    if within:
        qs = qs.filter(within_q(path_of(within)))
    if role:
        qs = qs.filter(role=role)
    return qs


def arrival_list(
    *,
    actor: Actor,
    person: int | None = None,
    within: str | None = None,
    risk_only: bool = False,
    since: dt.date | None = None,
) -> QuerySet[Arrival]:
    qs = scope(Arrival.objects.select_related("person"), actor, Capability.REGISTRY_VIEW)
    if person:
        qs = qs.filter(person_id=person)
    if within:
        qs = qs.filter(within_q(path_of(within)))
    if risk_only:
        qs = qs.filter(touches_risk_area=True)
    if since:
        qs = qs.filter(arrived_on__gte=since)
    return qs


def risk_area_list(*, on: dt.date | None = None) -> QuerySet[RiskArea]:
    """The list is policy for everyone who may read the register."""
    qs = RiskArea.objects.all()
    return qs.filter(RiskArea.active_on_q(on)) if on else qs


def categories() -> list[PersonCategory]:
    return list(PersonCategory.objects.filter(active=True).order_by("id"))


def category_assignments(*, actor: Actor, person: Person) -> list[CategoryAssignment]:
    return list(
        scope(
            CategoryAssignment.objects.filter(person=person).select_related("category"),
            actor,
            Capability.REGISTRY_VIEW,
        ).order_by("-active_from")
    )


def from_risk_area_person_ids(*, path: str, as_of: dt.date, days: int) -> QuerySet:
    """Persons inside `path` with an arrival touching a risk area in the observation window
    ending on `as_of` (and recorded by then)."""
    start = as_of - dt.timedelta(days=days - 1)
    return (
        Arrival.objects.filter(
            within_q(path),
            touches_risk_area=True,
            arrived_on__gte=start,
            arrived_on__lte=as_of,
            recorded_on__lte=as_of,
        )
        .values("person_id")
        .annotate(n=Count("pk"))
        .values_list("person_id", flat=True)
    )
