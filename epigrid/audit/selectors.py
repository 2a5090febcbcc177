from django.db.models import QuerySet

from epigrid.accounts.access import Actor, scope
from epigrid.accounts.roles import Capability

from .models import AuditEvent


def audit_event_list(
    *,
    actor: Actor,
    within: str | None = None,
    action: str | None = None,
    actor_username: str | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
) -> QuerySet[AuditEvent]:
    """Audit events inside the actor's audit scope, newest first when paged by -id."""
    from epigrid.geo.models import path_of, within_q

    qs = scope(AuditEvent.objects.all(), actor, Capability.AUDIT_VIEW)
    if within:
        qs = qs.filter(within_q(path_of(within)))
    if action:
        qs = qs.filter(action=action)
    if actor_username:
        qs = qs.filter(actor_username=actor_username)
    if entity_type:
        qs = qs.filter(entity_type=entity_type)
    if entity_id:
        qs = qs.filter(entity_id=entity_id)
    return qs
