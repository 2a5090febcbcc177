"""What the register's endpoints share: object lookups in scope, the export response shape."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Schema

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability

from .. import exports, selectors
from ..models import HousingUnit, Person

XLSX_RESPONSE = {
    "responses": {
        200: {
            "description": "The list as an .xlsx workbook.",
            "content": {exports.XLSX: {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def code_of(jpath: str) -> str:
    """The code of the node a row belongs to (its path without the trailing separator)."""
    return jpath[:-1]


def person_in_scope(
    actor: Actor, person_id: int, capability: Capability = Capability.REGISTRY_VIEW
) -> Person:
    return selectors.person_get(actor=actor, pk=person_id, capability=capability)


def active_person(actor: Actor, person_id: int) -> Person:
    """A person the actor may write to; a record merged into another takes no new facts."""
    person = person_in_scope(actor, person_id, Capability.REGISTRY_MANAGE)
    if person.is_merged:
        raise ValidationError({"person": _("This record was merged into another one.")})
    return person


def unit_in_scope(
    actor: Actor, unit_id: int, capability: Capability = Capability.REGISTRY_VIEW
) -> HousingUnit:
    return selectors.unit_get(actor=actor, pk=unit_id, capability=capability)


class EndIn(Schema):
    on: dt.date
