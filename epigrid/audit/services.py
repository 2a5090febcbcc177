"""Writing the audit trail. Every service that writes calls `audit_record` in its transaction."""

import datetime as dt
import decimal
import uuid
from typing import Any, TypedDict, Unpack

from django.db import models

from epigrid.accounts.access import Actor
from epigrid.core.rows import insert_one

from .models import AuditEvent


def snapshot(obj: models.Model, exclude: tuple[str, ...] = ("created_at", "updated_at")) -> dict:
    """The row's concrete fields as JSON-safe values (foreign keys by id)."""
    data: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.name in exclude:
            continue
        data[f.attname] = _jsonable(getattr(obj, f.attname))
    return data


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    return value


class EventFields(TypedDict, total=False):
    """What an audit event says besides who, what and where (audit_event's keywords)."""

    obj: models.Model | None
    jurisdiction_code: str
    before: dict | None
    after: dict | None
    entity_type: str
    entity_id: str
    entity_label: str


def audit_record(
    *, actor: Actor, action: str, jpath: str, **fields: Unpack[EventFields]
) -> AuditEvent:
    """Appends one audit event; call inside the write's transaction so both land or neither."""
    # insert_one: the trail is written by every service, so its INSERT is compiled once.
    return insert_one(audit_event(actor=actor, action=action, jpath=jpath, **fields))


def audit_event(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    jpath: str,
    jurisdiction_code: str = "",
    before: dict | None = None,
    after: dict | None = None,
    entity_type: str = "",
    entity_id: str = "",
    entity_label: str = "",
) -> AuditEvent:
    """The event audit_record appends, unsaved: for a hot write path that sends its INSERT
    together with the write's own statements (core.rows.insert_statement, run_together)."""
    if obj is not None:
        entity_type = entity_type or obj._meta.label_lower
        entity_id = entity_id or str(obj.pk)
        entity_label = entity_label or str(obj)[:200]
    return AuditEvent(
        actor=actor.user,
        actor_username=actor.label,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        entity_label=entity_label[:200],
        jpath=jpath,
        jurisdiction_code=jurisdiction_code or jpath.rstrip("."),
        before=before,
        after=after,
    )
