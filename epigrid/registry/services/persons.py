import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.phones import normalize_phone
from epigrid.core.writes import clean_text, versioned_update
from epigrid.geo.models import Jurisdiction, Kind

from ..identity import check_resident_id, normalize
from ..models import DocType, Person, Sex
from ..normalize import name_norm

# Fields an upsert may fill in or refresh on a record found by its document number. The name
# is not among them: the same number under another name is a typo for a person to review.
REFRESHED = ("phone", "hukou_place", "birth_date", "sex", "doc_note")


DOC_TYPES = frozenset(DocType.values)
SEXES = frozenset(("", *Sex.values))


@dataclass(frozen=True)
class PersonInput:
    """What a form, a visit or a spreadsheet row says about a person, as typed."""

    name: str
    doc_type: str = DocType.RESIDENT_ID
    doc_number: str = ""
    phone: str = ""
    hukou_place: str = ""
    birth_date: dt.date | None = None
    sex: str = ""


def clean_person(data: PersonInput, *, today: dt.date | None = None) -> dict:
    """Validated, normalised fields; birth date and sex come from a resident ID number.
    `today` (the local date) may be given by a caller that cleans many persons at once."""
    fields: dict = {
        "name": clean_text(data.name, "name", 50),
        "doc_type": data.doc_type,
        "phone": normalize_phone(data.phone),
        "hukou_place": clean_text(data.hukou_place, "hukou_place", 100, required=False),
        "birth_date": data.birth_date,
        "sex": data.sex or "",
        "doc_note": "",
        "doc_number": "",
    }
    if data.doc_type not in DOC_TYPES:
        raise ValidationError({"doc_type": _("Choose one of the allowed values.")})
    if fields["sex"] not in SEXES:
        raise ValidationError({"sex": _("Choose one of the allowed values.")})
    raw = (data.doc_number or "").strip()
    today = today or timezone.localdate()
    if data.doc_type == DocType.RESIDENT_ID:
        if raw:
            try:
                rid = check_resident_id(raw, today=today)
            except ValidationError as exc:
                raise ValidationError({"doc_number": exc.messages}) from exc
            fields.update(
                doc_number=rid.number, birth_date=rid.birth_date, sex=rid.sex, doc_note=rid.note
            )
    elif raw:
        number = normalize(raw)
        if not 5 <= len(number) <= 32 or not number.isalnum():
            raise ValidationError(
                {"doc_number": _("A document number is 5 to 32 letters or digits.")}
            )
        fields["doc_number"] = number
    if fields["birth_date"] and fields["birth_date"] > today:
        raise ValidationError({"birth_date": _("A birth date cannot be in the future.")})
    return fields


def find_by_document(doc_type: str, doc_number: str, *, lock: bool = False) -> Person | None:
    """The active record with this document number, wherever it lives (callers decide what
    the actor may learn of it)."""
    if not doc_number:
        return None
    qs = Person.objects.filter(doc_type=doc_type, doc_number=doc_number, merged_into__isnull=True)
    return (qs.select_for_update() if lock else qs).first()


@transaction.atomic
def person_register(
    *,
    actor: Actor,
    jurisdiction: Jurisdiction,
    data: PersonInput,
    recorded_on: dt.date | None = None,
) -> Person:
    """Creates a person's master record in a small grid; refuses a document number already held."""
    require_can(actor, Capability.REGISTRY_MANAGE, jurisdiction.path)
    if jurisdiction.kind != Kind.SMALL_GRID:
        raise ValidationError({"jurisdiction": _("A person is registered in a small grid.")})
    fields = clean_person(data)
    if find_by_document(fields["doc_type"], fields["doc_number"]):
        raise ValidationError(
            {
                "doc_number": _(
                    "A person with this document number is already registered. Record where they "
                    "live now (a visit or a residency) to bring their record here."
                )
            }
        )
    try:
        with transaction.atomic():
            person = Person.objects.create(
                **fields,
                name_norm=name_norm(fields["name"]),
                jurisdiction=jurisdiction,
                jpath=jurisdiction.path,
                registered_on=recorded_on or timezone.localdate(),
            )
    except IntegrityError as exc:  # a concurrent registration of the same number won
        raise ValidationError(
            {"doc_number": _("A person with this document number was registered a moment ago.")}
        ) from exc
    audit_record(
        actor=actor, action="person.create", obj=person, jpath=person.jpath, after=snapshot(person)
    )
    return person


@transaction.atomic
def person_upsert(
    *,
    actor: Actor,
    jurisdiction: Jurisdiction,
    data: PersonInput,
    recorded_on: dt.date | None = None,
) -> tuple[Person, str]:
    """The person's one record: found by document number (refreshed where the actor may
    edit it) or created. Returns (person, "created" | "updated" | "unchanged")."""
    fields = clean_person(data)
    existing = find_by_document(fields["doc_type"], fields["doc_number"], lock=True)
    if existing is None:
        try:
            return person_register(
                actor=actor, jurisdiction=jurisdiction, data=data, recorded_on=recorded_on
            ), "created"
        except ValidationError:
            existing = find_by_document(fields["doc_type"], fields["doc_number"], lock=True)
            if existing is None:
                raise
    if not actor.can(Capability.REGISTRY_MANAGE, existing.jpath):
        # Someone else's grid: link to the record, change nothing the actor may not edit.
        return existing, "unchanged"
    changes = {
        key: fields[key]
        for key in REFRESHED
        if fields[key] not in ("", None) and fields[key] != getattr(existing, key)
    }
    if not changes:
        return existing, "unchanged"
    before = snapshot(existing)
    versioned_update(existing, existing.version, **changes)
    audit_record(
        actor=actor,
        action="person.update",
        obj=existing,
        jpath=existing.jpath,
        before=before,
        after=snapshot(existing),
    )
    return existing, "updated"


@transaction.atomic
def person_update(*, actor: Actor, person: Person, version: int, data: PersonInput) -> Person:
    """Edits a person's record (version-checked); a document number held by another record
    is refused: that is a duplicate to merge."""
    require_can(actor, Capability.REGISTRY_MANAGE, person.jpath)
    if person.is_merged:
        raise ValidationError({"person": _("This record was merged into another one.")})
    fields = clean_person(data)
    other = find_by_document(fields["doc_type"], fields["doc_number"])
    if other is not None and other.pk != person.pk:
        raise ValidationError(
            {
                "doc_number": _(
                    "Another record has this document number: merge the two records instead."
                )
            }
        )
    before = snapshot(person)
    versioned_update(person, version, **fields, name_norm=name_norm(fields["name"]))
    audit_record(
        actor=actor,
        action="person.update",
        obj=person,
        jpath=person.jpath,
        before=before,
        after=snapshot(person),
    )
    return person
