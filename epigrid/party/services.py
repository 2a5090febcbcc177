"""Writes for party committees and their member units; each audited."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.phones import normalize_phone
from epigrid.core.writes import check_end_date, clean_text, versioned_update
from epigrid.geo.models import Jurisdiction, Kind

from .models import MemberUnit, PartyCommittee, UnitKind


@transaction.atomic
def committee_create(
    *,
    actor: Actor,
    jurisdiction: Jurisdiction,
    name: str,
    secretary: str = "",
    active_from: dt.date | None = None,
) -> PartyCommittee:
    """Sets up a community's big party committee (one current committee per community)."""
    require_can(actor, Capability.PARTY_MANAGE, jurisdiction.path)
    if jurisdiction.kind != Kind.COMMUNITY:
        raise ValidationError({"jurisdiction": _("A big party committee belongs to a community.")})
    if PartyCommittee.objects.filter(jurisdiction=jurisdiction, active_until__isnull=True).exists():
        raise ValidationError({"jurisdiction": _("This community already has a party committee.")})
    committee = PartyCommittee.objects.create(
        name=clean_text(name, "name", 100),
        secretary=clean_text(secretary, "secretary", 50, False),
        jurisdiction=jurisdiction,
        jpath=jurisdiction.path,
        active_from=active_from or timezone.localdate(),
    )
    audit_record(
        actor=actor,
        action="party.create",
        obj=committee,
        jpath=committee.jpath,
        after=snapshot(committee),
    )
    return committee


@transaction.atomic
def committee_update(
    *, actor: Actor, committee: PartyCommittee, version: int, name: str, secretary: str = ""
) -> PartyCommittee:
    """Edits a committee's name and secretary."""
    require_can(actor, Capability.PARTY_MANAGE, committee.jpath)
    before = snapshot(committee)
    versioned_update(
        committee,
        version,
        name=clean_text(name, "name", 100),
        secretary=clean_text(secretary, "secretary", 50, False),
    )
    audit_record(
        actor=actor,
        action="party.update",
        obj=committee,
        jpath=committee.jpath,
        before=before,
        after=snapshot(committee),
    )
    return committee


@transaction.atomic
def committee_dissolve(
    *, actor: Actor, committee: PartyCommittee, version: int, on: dt.date | None = None
) -> PartyCommittee:
    """Ends a committee from `on` with its member units; history kept."""
    require_can(actor, Capability.PARTY_MANAGE, committee.jpath)
    on = on or timezone.localdate()
    if committee.active_until is not None:
        raise ValidationError({"committee": _("Already dissolved.")})
    check_end_date(committee.active_from, on)
    before = snapshot(committee)
    versioned_update(committee, version, active_until=on)
    MemberUnit.objects.filter(committee=committee, active_until__isnull=True).update(
        active_until=on
    )
    audit_record(
        actor=actor,
        action="party.dissolve",
        obj=committee,
        jpath=committee.jpath,
        before=before,
        after=snapshot(committee),
    )
    return committee


@transaction.atomic
def unit_add(
    *,
    actor: Actor,
    committee: PartyCommittee,
    name: str,
    kind: str,
    contact_name: str = "",
    contact_phone: str = "",
    active_from: dt.date | None = None,
) -> MemberUnit:
    """A unit (agency, clinic, state firm...) joins the committee."""
    require_can(actor, Capability.PARTY_MANAGE, committee.jpath)
    if committee.active_until is not None:
        raise ValidationError({"committee": _("Already dissolved.")})
    if kind not in UnitKind.values:
        raise ValidationError({"kind": _("Choose one of the allowed values.")})
    unit = MemberUnit.objects.create(
        committee=committee,
        jpath=committee.jpath,
        name=clean_text(name, "name", 100),
        kind=kind,
        contact_name=clean_text(contact_name, "contact_name", 50, False),
        contact_phone=normalize_phone(contact_phone, field="contact_phone"),
        active_from=active_from or timezone.localdate(),
    )
    audit_record(
        actor=actor, action="party.unit_add", obj=unit, jpath=unit.jpath, after=snapshot(unit)
    )
    return unit


@transaction.atomic
def unit_remove(
    *, actor: Actor, unit: MemberUnit, version: int, on: dt.date | None = None
) -> MemberUnit:
    """A unit leaves the committee from `on` (kept as history)."""
    require_can(actor, Capability.PARTY_MANAGE, unit.jpath)
    on = on or timezone.localdate()
    if unit.active_until is not None:
        raise ValidationError({"unit": _("This unit has already left.")})
    check_end_date(unit.active_from, on)
    before = snapshot(unit)
    versioned_update(unit, version, active_until=on)
    audit_record(
        actor=actor,
        action="party.unit_remove",
        obj=unit,
        jpath=unit.jpath,
        before=before,
        after=snapshot(unit),
    )
    return unit
