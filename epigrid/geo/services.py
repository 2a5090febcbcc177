"""Writes to the jurisdiction tree. Codes are stable: a node is renamed or deactivated."""

import datetime as dt
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.writes import check_end_date, clean_text, versioned_update

from .models import CHILD_KINDS, SEPARATOR, Jurisdiction, Kind, path_of

SEGMENT_RE = re.compile(r"^[0-9A-Za-z]{1,12}$")
ROOT_CODE_RE = re.compile(r"^[0-9]{6,12}$")


def _next_segment(parent: Jurisdiction) -> str:
    width = 3 if parent.kind == Kind.CITY else 2
    numbers = [
        int(code.rsplit(SEPARATOR, 1)[1])
        for code in Jurisdiction.objects.filter(parent=parent).values_list("code", flat=True)
        if code.rsplit(SEPARATOR, 1)[1].isdigit()
    ]
    return str(max(numbers, default=0) + 1).zfill(width)


@transaction.atomic
def jurisdiction_create(
    *,
    actor: Actor,
    parent: Jurisdiction | None,
    kind: str,
    name: str,
    segment: str | None = None,
    code: str | None = None,
    active_from: dt.date | None = None,
) -> Jurisdiction:
    """Adds a node under `parent` (a root only from the command line); audited."""
    name = clean_text(name, "name", 100)
    if parent is None:
        if not actor.system:
            raise PermissionDenied
        if not code or not ROOT_CODE_RE.match(code):
            raise ValidationError({"code": _("A top-level code is 6 to 12 digits.")})
    else:
        require_can(actor, Capability.GRIDS_MANAGE, parent.path)
        if parent.active_until is not None:
            raise ValidationError({"parent": _("This jurisdiction is no longer active.")})
        segment = (segment or "").strip() or _next_segment(parent)
        if not SEGMENT_RE.match(segment):
            raise ValidationError(
                {"segment": _("A code part is 1 to 12 letters or digits, without dots.")}
            )
        code = parent.code + SEPARATOR + segment
    if kind not in CHILD_KINDS.get(parent.kind if parent else None, ()):
        raise ValidationError({"kind": _("This kind of unit cannot be placed here.")})
    if Jurisdiction.objects.filter(code=code).exists():
        raise ValidationError({"segment": _("Code %(code)s is already taken.") % {"code": code}})
    node = Jurisdiction.objects.create(
        code=code,
        path=path_of(code),
        parent=parent,
        kind=kind,
        name=name,
        depth=(parent.depth + 1) if parent else 0,
        active_from=active_from or timezone.localdate(),
    )
    audit_record(
        actor=actor, action="jurisdiction.create", obj=node, jpath=node.path, after=snapshot(node)
    )
    return node


@transaction.atomic
def jurisdiction_rename(
    *, actor: Actor, node: Jurisdiction, version: int, name: str
) -> Jurisdiction:
    """Renames a node; refuses a stale `version` so concurrent edits are never lost silently."""
    require_can(actor, Capability.GRIDS_MANAGE, node.path)
    name = clean_text(name, "name", 100)
    before = snapshot(node)
    versioned_update(node, version, name=name)
    audit_record(
        actor=actor,
        action="jurisdiction.rename",
        obj=node,
        jpath=node.path,
        before=before,
        after=snapshot(node),
    )
    return node


@transaction.atomic
def jurisdiction_deactivate(
    *, actor: Actor, node: Jurisdiction, version: int, on: dt.date | None = None
) -> Jurisdiction:
    """Ends a node from date `on` (history kept); refuses while it has active children."""
    require_can(actor, Capability.GRIDS_MANAGE, node.path)
    if node.parent_id is None:
        raise ValidationError({"node": _("The top of the tree cannot be deactivated.")})
    if node.active_until is not None:
        raise ValidationError({"node": _("This unit is already deactivated.")})
    on = on or timezone.localdate()
    check_end_date(node.active_from, on)
    if Jurisdiction.objects.filter(parent=node, active_until__isnull=True).exists():
        raise ValidationError({"node": _("Deactivate the units inside it first.")})
    before = snapshot(node)
    versioned_update(node, version, active_until=on)
    audit_record(
        actor=actor,
        action="jurisdiction.deactivate",
        obj=node,
        jpath=node.path,
        before=before,
        after=snapshot(node),
    )
    return node
