"""Writes of enterprise needs and problems: raised by the enterprise itself (its own only),
by its liaison or by staff with NEEDS_MANAGE; worked on by NEEDS_MANAGE staff, who set
the status, the owner and the resolution (a resolved need says how; it may be reopened).
Edits are version-checked; each write is one transaction with its audit event."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, actor_for
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.writes import clean_text, versioned_update

from ..access import require_reach
from ..models import Enterprise, Liaison, Need, NeedKind, NeedStatus

DESCRIPTION_MAX = 500
RESOLUTION_MAX = 500


def is_liaison(actor: Actor, enterprise_id: int) -> bool:
    """The actor is a current liaison of the enterprise."""
    if actor.user is None:
        return False
    today = timezone.localdate()
    return (
        Liaison.objects.filter(enterprise_id=enterprise_id, leader_id=actor.user.pk)
        .filter(Liaison.active_on_q(today))
        .exists()
    )


@transaction.atomic
def need_raise(*, actor: Actor, enterprise: Enterprise, kind: str, description: str) -> Need:
    """Logs a need of `enterprise`, open; by its own user, its liaison (who must see it) or
    NEEDS_MANAGE staff. Audited "need.raise"."""
    liaison_ok = actor.can(Capability.ENTERPRISES_VIEW, enterprise.jpath) and is_liaison(
        actor, enterprise.pk
    )
    if not liaison_ok:
        require_reach(
            actor, Capability.NEEDS_MANAGE, enterprise_id=enterprise.pk, path=enterprise.jpath
        )
    errors: dict[str, str] = {}
    if kind not in NeedKind.values:
        errors["kind"] = _("Choose one of the allowed values.")
    try:
        description = clean_text(description, "description", DESCRIPTION_MAX)
    except ValidationError as exc:
        errors["description"] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    need = Need.objects.create(
        enterprise=enterprise,
        jpath=enterprise.jpath,
        kind=kind,
        description=description,
        raised_at=timezone.now(),
        raised_by=actor.user,
    )
    audit_record(actor=actor, action="need.raise", obj=need, jpath=need.jpath, after=snapshot(need))
    return need


_UNSET: Any = object()


@transaction.atomic
def need_update(
    *,
    actor: Actor,
    need: Need,
    version: int,
    status: str | None = None,
    owner: Any = _UNSET,
    resolution: str | None = None,
) -> Need:
    """Sets the status, owner (a user who sees the enterprise, or None) and resolution
    given; "resolved" needs a resolution and stamps resolved_at, reopening clears it.
    NEEDS_MANAGE only (an enterprise user may not). Audited "need.update"."""
    require_reach(
        actor,
        Capability.NEEDS_MANAGE,
        enterprise_id=need.enterprise_id,
        path=need.jpath,
        self_ok=False,
    )
    if need.version != version:
        raise ConcurrentEditError
    errors: dict[str, str] = {}
    new_status = need.status if status is None else status
    if new_status not in NeedStatus.values:
        errors["status"] = _("Choose one of the allowed values.")
    new_resolution = need.resolution
    if resolution is not None:
        try:
            new_resolution = clean_text(resolution, "resolution", RESOLUTION_MAX, required=False)
        except ValidationError as exc:
            errors["resolution"] = " ".join(exc.messages)
    if new_status == NeedStatus.RESOLVED and not new_resolution and "resolution" not in errors:
        errors["resolution"] = _("Say how the need was resolved.")
    new_owner_id = need.owner_id
    if owner is not _UNSET:
        new_owner_id = owner.pk if owner is not None else None
        if owner is not None and not actor_for(owner).can(Capability.ENTERPRISES_VIEW, need.jpath):
            errors["owner"] = _("The owner must be a staff user who can see this enterprise.")
    if errors:
        raise ValidationError(errors)
    changes: dict[str, Any] = {
        "status": new_status,
        "owner_id": new_owner_id,
        "resolution": new_resolution,
    }
    if new_status == NeedStatus.RESOLVED and need.status != NeedStatus.RESOLVED:
        changes["resolved_at"] = timezone.now()
    elif new_status != NeedStatus.RESOLVED:
        changes["resolved_at"] = None
    before = snapshot(need)
    versioned_update(need, version, **changes)
    audit_record(
        actor=actor,
        action="need.update",
        obj=need,
        jpath=need.jpath,
        before=before,
        after=snapshot(need),
    )
    return need
