import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot

from ..models import HousingUnit, Person, Residency, ResidencyRole, UnitUse


@transaction.atomic
def residency_start(
    *,
    actor: Actor,
    person: Person,
    unit: HousingUnit,
    role: str,
    move_in: dt.date | None = None,
    recorded_on: dt.date | None = None,
) -> tuple[Residency, bool]:
    """Records that `person` lives in `unit` from `move_in`; ends any other current dwelling
    and brings the person's record to this unit's grid. Returns (residency, created)."""
    require_can(actor, Capability.REGISTRY_MANAGE, unit.jpath)
    if role not in ResidencyRole.values:
        raise ValidationError({"role": _("Choose one of the allowed values.")})
    if role == ResidencyRole.TENANT and unit.use != UnitUse.RENTAL:
        raise ValidationError(
            {"role": _("A tenant lives in a rental unit: change the unit's use first.")}
        )
    if person.is_merged:
        raise ValidationError({"person": _("This record was merged into another one.")})
    recorded_on = recorded_on or timezone.localdate()
    current = Residency.objects.filter(person=person, unit=unit, move_out__isnull=True).first()
    if current is not None:
        return current, False
    ended_on = move_in or recorded_on
    Residency.objects.filter(person=person, move_out__isnull=True).exclude(unit=unit).update(
        move_out=ended_on
    )
    residency = Residency.objects.create(
        person=person,
        unit=unit,
        jpath=unit.jpath,
        role=role,
        move_in=move_in,
        recorded_on=recorded_on,
    )
    grid_id = unit.building.jurisdiction_id
    Person.objects.filter(pk=person.pk).update(
        current_unit=unit, jurisdiction_id=grid_id, jpath=unit.jpath, updated_at=timezone.now()
    )
    person.current_unit, person.jurisdiction_id, person.jpath = unit, grid_id, unit.jpath
    audit_record(
        actor=actor,
        action="residency.start",
        obj=residency,
        jpath=residency.jpath,
        after=snapshot(residency),
    )
    return residency, True


@transaction.atomic
def residency_end(*, actor: Actor, residency: Residency, move_out: dt.date) -> Residency:
    """Records that the person moved out (history kept)."""
    require_can(actor, Capability.REGISTRY_MANAGE, residency.jpath)
    if residency.move_out is not None:
        raise ValidationError({"move_out": _("This residency has already ended.")})
    if residency.move_in and move_out < residency.move_in:
        raise ValidationError({"move_out": _("Moving out cannot come before moving in.")})
    before = snapshot(residency)
    Residency.objects.filter(pk=residency.pk).update(move_out=move_out)
    residency.refresh_from_db()
    Person.objects.filter(pk=residency.person_id, current_unit=residency.unit_id).update(
        current_unit=None, updated_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="residency.end",
        obj=residency,
        jpath=residency.jpath,
        before=before,
        after=snapshot(residency),
    )
    return residency
