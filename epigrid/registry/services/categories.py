import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.writes import check_end_date, clean_text

from ..models import CategoryAssignment, Person, PersonCategory


@transaction.atomic
def category_assign(
    *,
    actor: Actor,
    person: Person,
    category: PersonCategory,
    active_from: dt.date | None = None,
    reason: str = "",
) -> tuple[CategoryAssignment, bool]:
    """Puts a person in a key-person category from a date; already there changes nothing."""
    require_can(actor, Capability.REGISTRY_MANAGE, person.jpath)
    if person.is_merged:
        raise ValidationError({"person": _("This record was merged into another one.")})
    if not category.active:
        raise ValidationError({"category": _("This category is no longer used.")})
    current = CategoryAssignment.objects.filter(
        person=person, category=category, active_until__isnull=True
    ).first()
    if current is not None:
        return current, False
    row = CategoryAssignment.objects.create(
        person=person,
        category=category,
        jpath=person.jpath,
        active_from=active_from or timezone.localdate(),
        reason=clean_text(reason, "reason", 200, required=False),
    )
    audit_record(
        actor=actor, action="category.assign", obj=row, jpath=row.jpath, after=snapshot(row)
    )
    return row, True


@transaction.atomic
def category_end(
    *, actor: Actor, assignment: CategoryAssignment, on: dt.date
) -> CategoryAssignment:
    """Takes a person out of a category from `on` (history kept)."""
    require_can(actor, Capability.REGISTRY_MANAGE, assignment.jpath)
    if assignment.active_until is not None:
        raise ValidationError({"on": _("Already ended.")})
    check_end_date(assignment.active_from, on)
    before = snapshot(assignment)
    CategoryAssignment.objects.filter(pk=assignment.pk).update(active_until=on)
    assignment.refresh_from_db()
    audit_record(
        actor=actor,
        action="category.end",
        obj=assignment,
        jpath=assignment.jpath,
        before=before,
        after=snapshot(assignment),
    )
    return assignment
