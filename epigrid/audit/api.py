import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Schema

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.pagination import keyset_page

from .labels import action_label
from .selectors import audit_event_list

router = CapabilityRouter(tags=["audit"])


class AuditEventOut(Schema):
    id: int
    at: dt.datetime
    actor: str
    action: str
    action_label: str
    entity_type: str
    entity_id: str
    entity_label: str
    jurisdiction: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class AuditFilters(Schema):
    within: str | None = None
    action: str | None = None
    actor: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    cursor: str | None = None
    limit: int = 50


@router.get("/audit-events", response=PageOut[AuditEventOut])
@requires(Capability.AUDIT_VIEW)
def audit_events(request: HttpRequest, filters: Query[AuditFilters]):
    qs = audit_event_list(
        actor=request_actor(request),
        within=filters.within,
        action=filters.action,
        actor_username=filters.actor,
        entity_type=filters.entity_type,
        entity_id=filters.entity_id,
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit, key="-id")
    return {
        "items": [
            AuditEventOut(
                id=e.id,
                at=e.at,
                actor=e.actor_username,
                action=e.action,
                action_label=action_label(e.action),
                entity_type=e.entity_type,
                entity_id=e.entity_id,
                entity_label=e.entity_label,
                jurisdiction=e.jurisdiction_code,
                before=e.before,
                after=e.after,
            )
            for e in page.items
        ],
        "next": page.next,
    }
