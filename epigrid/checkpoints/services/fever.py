"""Writes: a fever found at a checkpoint ("five earlies"): the person's registry record, the
key-person category, and an alert with its referral in the quarantine app.

`fever_found` is called by the ingest service inside the transaction that stores the check,
once per stored check that has at least one fever reading.

Rules decided here (tested in tests/checkpoints/test_fever_*.py):
- Who acts. The caller checked that the actor may record checks at this checkpoint
  (CHECKS_RECORD). A fever is then a fact, and what follows from it follows by rule,
  wherever the traveller's own record lives (often in another grid, or another village):
  the registry writes and the alert are made with the system's trust *in the actor's name*
  (an Actor with the actor's user and `system=True`), so the audit trail says which worker's
  check caused them, and a worker of grid A recording the fever of a person registered in
  grid B does not fail, nor learn anything of that record (nothing of it is returned to
  the page).
- The person. Found by exact document number (registry `find_by_document`, the typed
  number normalised as the register normalises it); never by phone alone (a family shares
  one). A person already linked to the entry (a repeat visitor the logging page looked up)
  is kept. Without a document, a fever of the same name and phone at the same checkpoint on
  the same local day that is already linked gives the same person (the traveller re-tested
  after a rest). Otherwise a new record is registered in the checkpoint's grid (the first
  small grid under it when the checkpoint stands on a larger node): where they were found;
  a later residency or merge takes them home. A traveller who gave no name is registered as
  "Fever at <checkpoint> <time>" (in the deployment's language), so the record can be found
  and renamed. A typed number or phone the register refuses is left off the new record (the
  check keeps what was typed).
- The category "fever" (发热人员) is assigned from the check's local date (already there:
  unchanged). A deployment that retired the category still gets the alert.
- The alert: trigger "checkpoint_fever", raised at the check's time in the checkpoint's grid
  (the grid, its village and headquarters see it by path scope), detail "<checkpoint>
  <temperature>°C <plate> <time>", origin the check's page; its referral opens with the
  "reported" step at the check's time (quarantine.services.external.alert_raise, which adds
  a second fever of a person with an open checkpoint alert to that alert instead).
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor
from epigrid.geo.models import Jurisdiction, Kind, within_q
from epigrid.quarantine.models import Alert, Trigger
from epigrid.quarantine.services.external import alert_raise
from epigrid.registry.models import DocType, Person, PersonCategory
from epigrid.registry.services import PersonInput, category_assign, person_register
from epigrid.registry.services.persons import clean_person, find_by_document

from ..models import Check, CheckPerson

CATEGORY = "fever"
NAME_MAX = 50


def on_behalf(actor: Actor) -> Actor:
    """The system's trust, in the actor's name (see the module's rules)."""
    return Actor(user=actor.user, grants=actor.grants, system=True)


def fever_found(*, actor: Actor, check: Check, entries: list[CheckPerson]) -> list[Alert]:
    """For each fever reading among `entries` (persons of `check`): links or registers the
    person, puts them in the "fever" key-person category and raises a checkpoint-fever alert
    with its referral opened. Runs in the caller's transaction; the caller checked
    CHECKS_RECORD. Audited by the services it calls, in the actor's name. Returns the
    alerts raised or added to, one per fever reading."""
    fevers = [e for e in entries if e.fever]
    if not fevers:
        return []
    trusted = on_behalf(actor)
    checkpoint = check.checkpoint
    grid = checkpoint.jurisdiction
    local = timezone.localtime(check.checked_at)
    category = PersonCategory.objects.filter(code=CATEGORY, active=True).first()
    alerts = []
    for entry in fevers:
        person = _person(trusted, check, entry, local)
        if entry.person_id != person.pk:
            CheckPerson.objects.filter(pk=entry.pk).update(person=person)
            entry.person = person
        detail = _detail(check, entry, local)
        if category is not None:
            category_assign(
                actor=trusted,
                person=person,
                category=category,
                active_from=local.date(),
                reason=detail,
            )
        alerts.append(
            alert_raise(
                actor=trusted,
                person=person,
                jurisdiction=grid,
                trigger=Trigger.CHECKPOINT_FEVER,
                raised_at=check.checked_at,
                detail=detail,
                origin=f"checkpoints:check_detail:{check.pk}",
            )
        )
    return alerts


def _detail(check: Check, entry: CheckPerson, local: dt.datetime) -> str:
    parts = [check.checkpoint.name, f"{entry.temperature}°C"]
    if check.plate:
        parts.append(check.plate)
    parts.append(f"{local:%m-%d %H:%M}")
    return " ".join(parts)


def _person(actor: Actor, check: Check, entry: CheckPerson, local: dt.datetime) -> Person:
    if entry.person_id is not None:
        linked = Person.objects.get(pk=entry.person_id)
        while linked.merged_into_id is not None:
            linked = Person.objects.get(pk=linked.merged_into_id)
        return linked
    name = _name(check, entry, local)
    data = _clean_input(name, entry)
    if data.doc_number:
        fields = clean_person(data)
        found = find_by_document(fields["doc_type"], fields["doc_number"], lock=True)
        if found is not None:
            return found
    elif entry.name.strip() and entry.phone.strip():
        same = _same_day_fever(check, entry, local)
        if same is not None:
            return same
    grid = _home_grid(check.checkpoint.jurisdiction)
    try:
        return person_register(actor=actor, jurisdiction=grid, data=data, recorded_on=local.date())
    except ValidationError:
        # The same number registered a moment ago by a concurrent check: link to it.
        found = find_by_document(data.doc_type, clean_person(data)["doc_number"], lock=True)
        if found is None:
            raise
        return found


def _name(check: Check, entry: CheckPerson, local: dt.datetime) -> str:
    name = " ".join((entry.name or "").split())
    if name:
        return name[:NAME_MAX]
    # Stored data, so in the deployment's language whatever the request's.
    with translation.override(settings.LANGUAGE_CODE):
        text = _("Fever at %(checkpoint)s %(time)s") % {
            "checkpoint": check.checkpoint.name,
            "time": f"{local:%m-%d %H:%M}",
        }
    return text[:NAME_MAX]


def _clean_input(name: str, entry: CheckPerson) -> PersonInput:
    """What the register accepts of what was typed: the document and the phone each left
    off when the register refuses it (the check keeps them as typed)."""
    doc_type = entry.doc_type if entry.doc_type in DocType.values else DocType.RESIDENT_ID
    doc_number = (entry.doc_number or "").strip()
    phone = (entry.phone or "").strip()
    for number, tel in ((doc_number, phone), ("", phone), (doc_number, ""), ("", "")):
        data = PersonInput(name=name, doc_type=doc_type, doc_number=number, phone=tel)
        try:
            clean_person(data)
        except ValidationError:
            continue
        return data
    return PersonInput(name=name, doc_type=doc_type)


def _same_day_fever(check: Check, entry: CheckPerson, local: dt.datetime) -> Person | None:
    start = timezone.make_aware(dt.datetime.combine(local.date(), dt.time.min))
    person_id = (
        CheckPerson.objects.filter(
            check_row__checkpoint_id=check.checkpoint_id,
            check_row__checked_at__gte=start,
            check_row__checked_at__lt=start + dt.timedelta(days=1),
            fever=True,
            name=entry.name,
            phone=entry.phone,
            person__isnull=False,
        )
        .exclude(pk=entry.pk)
        .order_by("id")
        .values_list("person_id", flat=True)
        .first()
    )
    return None if person_id is None else Person.objects.get(pk=person_id)


def _home_grid(node: Jurisdiction) -> Jurisdiction:
    """The small grid a new record is registered in: the checkpoint's own, else the first
    active one under it."""
    if node.kind == Kind.SMALL_GRID:
        return node
    grid = (
        Jurisdiction.objects.filter(within_q(node.path, "path"), kind=Kind.SMALL_GRID)
        .filter(active_until__isnull=True)
        .order_by("path")
        .first()
    )
    if grid is None:
        raise ValidationError({"checkpoint": _("The checkpoint's area has no small grid.")})
    return grid


def move_checked_persons(survivor: Person, duplicate: Person) -> int:
    """Registered with the register's merge: checks that named the duplicate name the
    survivor."""
    return CheckPerson.objects.filter(person=duplicate).update(person=survivor)
