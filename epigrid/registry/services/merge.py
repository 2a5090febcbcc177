"""Merging duplicate person records: every linked record moves to the survivor."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot

from ..duplicates import different_documents
from ..models import Arrival, CategoryAssignment, HousingUnit, Person, Residency

# Other apps link to persons too (visits, quarantine cases): they register a mover that
# re-points their rows from the duplicate to the survivor and returns how many moved.
Mover = Callable[[Person, Person], int]
_MOVERS: dict[str, Mover] = {}


def register_mover(name: str, mover: Mover) -> None:
    _MOVERS[name] = mover


FILLED = ("doc_number", "doc_note", "birth_date", "sex", "phone", "hukou_place", "current_unit_id")


@transaction.atomic
def person_merge(*, actor: Actor, survivor: Person, duplicate: Person) -> dict[str, int]:
    """Merges `duplicate` into `survivor`: its residencies, arrivals, categories and every
    registered link move over, empty fields of the survivor are filled from it, and the
    duplicate is kept, marked as merged. Returns what moved, by kind."""
    require_can(actor, Capability.DUPLICATES_MERGE, survivor.jpath)
    require_can(actor, Capability.DUPLICATES_MERGE, duplicate.jpath)
    survivor = Person.objects.select_for_update().get(pk=survivor.pk)
    duplicate = Person.objects.select_for_update().get(pk=duplicate.pk)
    if survivor.pk == duplicate.pk:
        raise ValidationError({"duplicate": _("A record cannot be merged into itself.")})
    if survivor.is_merged or duplicate.is_merged:
        raise ValidationError({"duplicate": _("One of these records was already merged.")})
    if different_documents(survivor, duplicate):
        raise ValidationError(
            {
                "duplicate": _(
                    "The two records have different document numbers: they are different people."
                )
            }
        )
    before = {"survivor": snapshot(survivor), "duplicate": snapshot(duplicate)}
    moved = {
        "residencies": Residency.objects.filter(person=duplicate).update(person=survivor),
        "arrivals": Arrival.objects.filter(person=duplicate).update(person=survivor),
        "categories": CategoryAssignment.objects.filter(person=duplicate).update(person=survivor),
        "landlord_of": HousingUnit.objects.filter(landlord=duplicate).update(landlord=survivor),
    }
    for name, mover in _MOVERS.items():
        moved[name] = mover(survivor, duplicate)
    fill = {
        f: getattr(duplicate, f)
        for f in FILLED
        if getattr(duplicate, f) not in ("", None) and getattr(survivor, f) in ("", None)
    }
    # The duplicate leaves the one-record-per-document rule before the survivor takes its number.
    Person.objects.filter(pk=duplicate.pk).update(
        merged_into=survivor, version=duplicate.version + 1, updated_at=timezone.now()
    )
    Person.objects.filter(pk=survivor.pk).update(
        **fill, version=survivor.version + 1, updated_at=timezone.now()
    )
    survivor.refresh_from_db()
    moved["residencies_closed"] = _one_current_home(survivor)
    audit_record(
        actor=actor,
        action="person.merge",
        obj=survivor,
        jpath=survivor.jpath,
        before=before,
        after={**snapshot(survivor), "merged": duplicate.pk, "moved": moved},
    )
    return moved


def _one_current_home(person: Person) -> int:
    """After a merge a person may hold two open residencies: keep the one of their current
    dwelling (else the latest recorded), close the others today. Returns how many closed."""
    open_rows = list(
        Residency.objects.filter(person=person, move_out__isnull=True).order_by(
            "-recorded_on", "-id"
        )
    )
    if len(open_rows) < 2:
        return 0
    keep = next((r for r in open_rows if r.unit_id == person.current_unit_id), open_rows[0])
    closing = [r.pk for r in open_rows if r.pk != keep.pk]
    Residency.objects.filter(pk__in=closing).update(move_out=timezone.localdate())
    if person.current_unit_id != keep.unit_id:
        Person.objects.filter(pk=person.pk).update(current_unit_id=keep.unit_id)
    return len(closing)
