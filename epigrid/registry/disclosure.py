"""What of a person's identifiers an actor may read: on screen and in the API a document
number needs IDS_VIEW over the row and a phone number CONTACTS_VIEW; in an export both need
EXPORT_UNMASKED (a file travels further than a screen)."""

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.core.masking import mask_phone

from .masking import mask_doc_number


def shows_ids(actor: Actor, jpath: str) -> bool:
    return actor.can(Capability.IDS_VIEW, jpath)


def doc_for(actor: Actor, jpath: str, number: str) -> str:
    return number if actor.can(Capability.IDS_VIEW, jpath) else mask_doc_number(number)


def phone_for(actor: Actor, jpath: str, phone: str) -> str:
    return phone if actor.can(Capability.CONTACTS_VIEW, jpath) else mask_phone(phone)


def birth_for(actor: Actor, jpath: str, birth):
    """A birth date is most of a resident identity number: shown with the number only."""
    return birth if actor.can(Capability.IDS_VIEW, jpath) else None


def exports_unmasked(actor: Actor, jpath: str) -> bool:
    return actor.can(Capability.EXPORT_UNMASKED, jpath)
