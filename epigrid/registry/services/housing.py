from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.writes import clean_text, versioned_update
from epigrid.geo.models import Jurisdiction, Kind

from ..models import Building, BuildingKind, HousingUnit, Person, RentalKind, UnitUse
from ..normalize import address_norm


def _check_grid(node: Jurisdiction) -> None:
    if node.kind != Kind.SMALL_GRID:
        raise ValidationError({"jurisdiction": _("Buildings are registered in a small grid.")})
    if node.active_until is not None:
        raise ValidationError({"jurisdiction": _("This grid is no longer active.")})


@transaction.atomic
def building_create(
    *, actor: Actor, jurisdiction: Jurisdiction, address: str, kind: str = BuildingKind.HOUSE
) -> Building:
    """Registers a building in a small grid; one building per normalised address and grid."""
    require_can(actor, Capability.REGISTRY_MANAGE, jurisdiction.path)
    _check_grid(jurisdiction)
    if kind not in BuildingKind.values:
        raise ValidationError({"kind": _("Choose one of the allowed values.")})
    address = clean_text(address, "address", 200)
    norm = address_norm(address)
    if Building.objects.filter(jpath=jurisdiction.path, address_norm=norm).exists():
        raise ValidationError({"address": _("This address is already registered in this grid.")})
    building = Building.objects.create(
        jurisdiction=jurisdiction,
        jpath=jurisdiction.path,
        address=address,
        address_norm=norm,
        kind=kind,
    )
    audit_record(
        actor=actor,
        action="building.create",
        obj=building,
        jpath=building.jpath,
        after=snapshot(building),
    )
    return building


def building_find_or_create(
    *, actor: Actor, jurisdiction: Jurisdiction, address: str, kind: str = BuildingKind.HOUSE
) -> tuple[Building, bool]:
    """The grid's building at this address, registering it when new."""
    require_can(actor, Capability.REGISTRY_MANAGE, jurisdiction.path)
    norm = address_norm(clean_text(address, "address", 200))
    found = Building.objects.filter(jpath=jurisdiction.path, address_norm=norm).first()
    if found:
        return found, False
    return building_create(actor=actor, jurisdiction=jurisdiction, address=address, kind=kind), True


def _check_use(use: str, rental_kind: str) -> str:
    if use not in UnitUse.values:
        raise ValidationError({"use": _("Choose one of the allowed values.")})
    if use == UnitUse.RENTAL:
        if rental_kind not in RentalKind.values:
            raise ValidationError({"rental_kind": _("Choose the kind of rental.")})
        return rental_kind
    return ""


@transaction.atomic
def unit_create(
    *,
    actor: Actor,
    building: Building,
    label: str,
    use: str,
    rental_kind: str = "",
    landlord: Person | None = None,
) -> HousingUnit:
    """Adds a dwelling (or room) to a building."""
    require_can(actor, Capability.REGISTRY_MANAGE, building.jpath)
    label = clean_text(label, "label", 50)
    rental_kind = _check_use(use, rental_kind)
    if HousingUnit.objects.filter(building=building, label=label).exists():
        raise ValidationError({"label": _("This building already has a unit with this label.")})
    unit = HousingUnit.objects.create(
        building=building,
        jpath=building.jpath,
        label=label,
        use=use,
        rental_kind=rental_kind,
        landlord=landlord,
    )
    audit_record(
        actor=actor, action="unit.create", obj=unit, jpath=unit.jpath, after=snapshot(unit)
    )
    return unit


@transaction.atomic
def unit_update(
    *,
    actor: Actor,
    unit: HousingUnit,
    version: int,
    label: str,
    use: str,
    rental_kind: str = "",
    landlord: Person | None = None,
) -> HousingUnit:
    """Changes a dwelling's label, use or landlord (version-checked)."""
    require_can(actor, Capability.REGISTRY_MANAGE, unit.jpath)
    label = clean_text(label, "label", 50)
    rental_kind = _check_use(use, rental_kind)
    if (
        HousingUnit.objects.filter(building=unit.building_id, label=label)
        .exclude(pk=unit.pk)
        .exists()
    ):
        raise ValidationError({"label": _("This building already has a unit with this label.")})
    before = snapshot(unit)
    versioned_update(
        unit, version, label=label, use=use, rental_kind=rental_kind, landlord=landlord
    )
    audit_record(
        actor=actor,
        action="unit.update",
        obj=unit,
        jpath=unit.jpath,
        before=before,
        after=snapshot(unit),
    )
    return unit
