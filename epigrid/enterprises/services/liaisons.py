"""Writes of liaisons (挂钩联系): assign a leader to an enterprise, end the assignment.
ENTERPRISES_MANAGE over the enterprise's grid.

Decision: a liaison is a staff user who holds ENTERPRISES_VIEW over the enterprise (a
subdistrict leader usually holds it over the whole subdistrict), so the leader reaches the
enterprise, its needs and its inspections through the ordinary scope; no special reach is
given for being a liaison."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, actor_for
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.writes import clean_text

from ..access import require_reach
from ..models import Enterprise, Liaison

NOTE_MAX = 200


def _manage(actor: Actor, enterprise_id: int, path: str) -> None:
    require_reach(
        actor,
        Capability.ENTERPRISES_MANAGE,
        enterprise_id=enterprise_id,
        path=path,
        self_ok=False,
    )


@transaction.atomic
def liaison_assign(
    *,
    actor: Actor,
    enterprise: Enterprise,
    leader: Any,
    note: str = "",
    active_from: dt.date | None = None,
) -> Liaison:
    """Makes `leader` the enterprise's liaison from `active_from` (default today); one
    current assignment per leader and enterprise. Audited "liaison.assign"."""
    _manage(actor, enterprise.pk, enterprise.jpath)
    note = clean_text(note, "note", NOTE_MAX, required=False)
    if leader is None:
        raise ValidationError({"leader": _("This field is required.")})
    if not actor_for(leader).can(Capability.ENTERPRISES_VIEW, enterprise.jpath):
        raise ValidationError(
            {"leader": _("A liaison must be a staff user who can see this enterprise.")}
        )
    if Liaison.objects.filter(
        enterprise=enterprise, leader=leader, active_until__isnull=True
    ).exists():
        raise ValidationError({"leader": _("This leader is already this enterprise's liaison.")})
    try:
        with transaction.atomic():
            liaison = Liaison.objects.create(
                enterprise=enterprise,
                leader=leader,
                jpath=enterprise.jpath,
                note=note,
                active_from=active_from or timezone.localdate(),
            )
    except IntegrityError as exc:  # the same assignment made at the same moment
        raise ValidationError(
            {"leader": _("This leader is already this enterprise's liaison.")}
        ) from exc
    audit_record(
        actor=actor,
        action="liaison.assign",
        obj=liaison,
        jpath=liaison.jpath,
        after=snapshot(liaison),
    )
    return liaison


@transaction.atomic
def liaison_end(*, actor: Actor, liaison: Liaison, on: dt.date | None = None) -> Liaison:
    """Ends the assignment from `on` (default today); the row stays for the history.
    Audited "liaison.end"."""
    _manage(actor, liaison.enterprise_id, liaison.jpath)
    liaison = Liaison.objects.select_for_update().get(pk=liaison.pk)
    if liaison.active_until is not None:
        raise ValidationError(_("This liaison has already ended."))
    on = on or timezone.localdate()
    if on < liaison.active_from:
        raise ValidationError({"on": _("The end date must not be before the start date.")})
    before = snapshot(liaison)
    liaison.active_until = on
    liaison.save(update_fields=["active_until"])
    audit_record(
        actor=actor,
        action="liaison.end",
        obj=liaison,
        jpath=liaison.jpath,
        before=before,
        after=snapshot(liaison),
    )
    return liaison
