"""Finding records that may be the same person: the review queue before a merge.

Found by the same phone, or the same normalised name at the same normalised address;
the same document number cannot occur twice among active records (a constraint forbids it).
Each rule is one grouped query on indexed columns, scoped to the actor.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q

from epigrid.accounts.access import Actor, require_can, scope
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record
from epigrid.geo.models import path_of, within_q

from .models import DuplicateDismissal, Person


@dataclass(frozen=True)
class Candidate:
    reason: str  # "phone" or "name_address"
    key: str
    persons: list[Person]


def _active(actor: Actor, within: str | None):
    qs = scope(Person.objects.filter(merged_into__isnull=True), actor, Capability.DUPLICATES_MERGE)
    return qs.filter(within_q(path_of(within))) if within else qs


def duplicate_candidates(
    *, actor: Actor, within: str | None = None, limit: int = 50
) -> list[Candidate]:
    """Groups of active records in scope that look like one person, minus dismissed pairs."""
    base = _active(actor, within)
    phones = list(
        base.exclude(phone="")
        .values("phone")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("phone")
        .values_list("phone", flat=True)[:limit]
    )
    places = list(
        base.filter(current_unit__isnull=False)
        .values("name_norm", "current_unit__building__address_norm")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .order_by("name_norm")
        .values_list("name_norm", "current_unit__building__address_norm")[:limit]
    )
    condition = Q(phone__in=phones)
    for name, address in places:
        condition |= Q(name_norm=name, current_unit__building__address_norm=address)
    if not phones and not places:
        return []
    rows = list(base.filter(condition).select_related("current_unit__building").order_by("id"))
    dismissed = set(
        DuplicateDismissal.objects.filter(person_low__in=[p.pk for p in rows]).values_list(
            "person_low_id", "person_high_id"
        )
    )
    groups: list[Candidate] = []
    for phone in phones:
        groups.append(Candidate("phone", phone, [p for p in rows if p.phone == phone]))
    for name, address in places:
        groups.append(
            Candidate(
                "name_address",
                f"{name}@{address}",
                [
                    p
                    for p in rows
                    if p.name_norm == name
                    and p.current_unit
                    and p.current_unit.building.address_norm == address
                ],
            )
        )

    def open_pairs(persons: list[Person]) -> bool:
        ids = sorted(p.pk for p in persons)
        return any((a, b) not in dismissed for i, a in enumerate(ids) for b in ids[i + 1 :])

    return [g for g in groups if len(g.persons) > 1 and open_pairs(g.persons)][:limit]


def different_documents(a: Person, b: Person) -> bool:
    """Two records with different numbers of the same kind of document are two people (a
    family sharing one phone, namesakes at one address): the queue shows them as not
    mergeable, for someone to dismiss; a merge refuses them."""
    return bool(
        a.doc_number and b.doc_number and a.doc_type == b.doc_type and a.doc_number != b.doc_number
    )


@transaction.atomic
def duplicate_dismiss(*, actor: Actor, first: Person, second: Person) -> None:
    """Records that two records are different people, so the queue stops showing them."""
    require_can(actor, Capability.DUPLICATES_MERGE, first.jpath)
    require_can(actor, Capability.DUPLICATES_MERGE, second.jpath)
    low, high = sorted((first, second), key=lambda p: p.pk)
    if low.pk == high.pk:
        return
    _row, created = DuplicateDismissal.objects.get_or_create(
        person_low=low, person_high=high, defaults={"dismissed_by": actor.user}
    )
    if created:
        audit_record(
            actor=actor,
            action="person.not_duplicate",
            obj=low,
            jpath=low.jpath,
            after={"other": high.pk},
        )
