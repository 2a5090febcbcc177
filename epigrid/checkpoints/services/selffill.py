"""Writes: a traveller's self-fill from the checkpoint's printed QR, and its use in a check.

A traveller scans the QR at the gate, fills in their own details on their phone (mode,
plate, where from and to, each person's name and optionally document and phone) and gets a
short code. The worker types the code on the logging page, sees the names and masked
document numbers, adds each temperature, and the check is stored with source "self_fill";
the fill is then marked used and points at its check.

- The public form needs no account: `selffill_create` takes no actor, is throttled per
  client address (a flood from one address is refused for a while, as the quarantine
  self-report link is) and is audited as the system without any personal data.
- A code is CODE_LENGTH characters of ALPHABET (no 0/O, 1/I: read aloud or typed with cold
  hands they are mistaken), unique per checkpoint (the table's constraint holds across all
  the checkpoint's fills; fills are deleted PURGE_AFTER their expiry, so codes free up).
- A fill expires LIFETIME after it was made. A check made on the gate phone before the
  expiry may reach the server later (the phone was offline): it is accepted as long as its
  checked_at is not after the expiry and the fill still exists.
- Only the sync view of the logging page resolves codes (the ingest service takes the code
  but does not use it): `selffill_check_record` puts the fill's details into the check's
  people and calls the ingest service, in one transaction with the marking.
"""

import datetime as dt
import hashlib
import secrets
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from epigrid.accounts.access import SYSTEM, Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record
from epigrid.core.phones import normalize_phone
from epigrid.core.writes import clean_text
from epigrid.registry.identity import check_resident_id
from epigrid.registry.identity import normalize as normalize_document
from epigrid.registry.masking import mask_doc_number
from epigrid.registry.models import DocType

from .. import rules
from ..models import Check, Checkpoint, Mode, SelfFill, Source
from . import checks as check_services

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0, O, 1, I
CODE_LENGTH = 6
LIFETIME = dt.timedelta(hours=6)
PURGE_AFTER = dt.timedelta(days=1)
MAX_PEOPLE = 9


class Throttled(Exception):
    """Too many self-fills from one address in the throttle window."""

    def __init__(self) -> None:
        super().__init__(
            gettext_lazy("Too many forms were sent from this network. Please wait a few minutes.")
        )


def _limits() -> tuple[int, int]:
    return (
        int(getattr(settings, "SELFFILL_THROTTLE_POSTS", 30)),
        int(getattr(settings, "SELFFILL_THROTTLE_WINDOW_SECONDS", 600)),
    )


def _count_attempt(client: str) -> bool:
    """Counts one form sent from `client` (an address); True when it is over its limit.
    Many travellers may share a carrier's address, hence a limit per ten minutes that a
    queue of cars does not reach, but a script does."""
    limit, window = _limits()
    key = "selffill:" + hashlib.sha256(client.encode()).hexdigest()[:32]
    if cache.add(key, 1, timeout=window):
        return limit < 1
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)
        count = 1
    return count > limit


def normalize_code(raw: object) -> str:
    """What a worker typed as a code: full-width folded, spaces out, upper case."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    return "".join(text.split()).upper()[:16]


# --------------------------------------------------------------------------- validation


def _text(data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    return value if isinstance(value, str) else ""


def _person(raw: object, i: int, errors: dict[str, str], today: dt.date) -> dict[str, str]:
    key = f"people.{i}"
    if not isinstance(raw, Mapping):
        errors[key] = _("Each person is an object with a name, a document and a phone.")
        return {}
    try:
        name = clean_text(_text(raw, "name"), f"{key}.name", 50)
    except ValidationError as exc:
        errors[f"{key}.name"] = (
            _("Enter the name.")
            if not " ".join(_text(raw, "name").split())
            else exc.message_dict[f"{key}.name"][0]
        )
        name = ""
    doc_type = _text(raw, "doc_type") or DocType.RESIDENT_ID
    if doc_type not in DocType.values:
        errors[f"{key}.doc_type"] = _("Choose one of the allowed values.")
    number = _text(raw, "doc_number").strip()
    if number and doc_type == DocType.RESIDENT_ID:
        try:
            number = check_resident_id(number, today=today).number
        except ValidationError as exc:
            errors[f"{key}.doc_number"] = exc.messages[0]
    elif number:
        number = normalize_document(number)
        if not 5 <= len(number) <= 32 or not number.isalnum():
            errors[f"{key}.doc_number"] = _("A document number is 5 to 32 letters or digits.")
    phone = _text(raw, "phone").strip()
    if phone:
        try:
            phone = normalize_phone(phone, f"{key}.phone")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    return {
        "name": name,
        "doc_type": doc_type if number else "",
        "doc_number": number,
        "phone": phone,
    }


def clean_fill(data: Mapping[str, Any], *, today: dt.date) -> dict[str, Any]:
    """The fill as it will be kept, or ValidationError with a message per field (keys
    mode, plate, origin, destination, people, people.<i>.<field>): like a check, without
    temperatures; a name for every person."""
    errors: dict[str, str] = {}
    mode = _text(data, "mode") or Mode.FOOT
    if mode not in Mode.values:
        errors["mode"] = _("Choose on foot or vehicle.")
    plate = ""
    if mode == Mode.VEHICLE:
        raw = _text(data, "plate")
        if not raw.strip():
            errors["plate"] = _("Enter the plate of the vehicle.")
        elif (parsed := rules.parse_plate(raw)) is None:
            errors["plate"] = _(
                "This is not a plate: a province character, a letter, then 5 or 6 letters "
                "or digits, such as 粤J12345."
            )
        else:
            plate = parsed.plate
    texts = {}
    for key in ("origin", "destination"):
        try:
            texts[key] = clean_text(_text(data, key), key, 100, required=False)
        except ValidationError as exc:
            errors[key] = exc.message_dict[key][0]
    raw_people = data.get("people")
    people: list[dict[str, str]] = []
    if not isinstance(raw_people, list | tuple) or not raw_people:
        errors["people"] = _("Add at least one person.")
    elif len(raw_people) > MAX_PEOPLE:
        errors["people"] = _("At most %(n)d persons: the others fill in a form of their own.") % {
            "n": MAX_PEOPLE
        }
    else:
        people = [_person(p, i, errors, today) for i, p in enumerate(raw_people)]
    if errors:
        raise ValidationError(errors)
    return {"mode": mode, "plate": plate, **texts, "people": people}


# --------------------------------------------------------------------------- services


def _new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH))


def selffill_create(
    *,
    checkpoint: Checkpoint,
    data: Mapping[str, Any],
    client: str = "",
    now: dt.datetime | None = None,
) -> SelfFill:
    """Keeps a traveller's details for the worker under a new short code (public: no
    actor). Refuses a checkpoint not in force, raises Throttled when `client` sent too many
    forms, ValidationError with a message per field for bad details; audited as the system
    with no personal data. Deletes the checkpoint's fills that expired a day ago."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not checkpoint.is_active_on(today):
        raise ValidationError({"__all__": _("This checkpoint is closed.")})
    if _count_attempt(client or "-"):
        raise Throttled
    clean = clean_fill(data, today=today)
    with transaction.atomic():
        SelfFill.objects.filter(checkpoint=checkpoint, expires_at__lt=now - PURGE_AFTER).delete()
        fill = None
        for _attempt in range(20):
            try:
                with transaction.atomic():  # a savepoint: a taken code is tried again
                    fill = SelfFill.objects.create(
                        checkpoint=checkpoint,
                        code=_new_code(),
                        mode=clean["mode"],
                        plate=clean["plate"],
                        origin=clean["origin"],
                        destination=clean["destination"],
                        people=clean["people"],
                        created_at=now,
                        expires_at=now + LIFETIME,
                    )
                break
            except IntegrityError:
                continue
        if fill is None:  # 20 taken codes in a row: the code space is full
            raise ValidationError({"__all__": _("Please try again in a minute.")})
        audit_record(
            actor=SYSTEM,
            action="selffill.create",
            obj=fill,
            jpath=checkpoint.jpath,
            after={
                "mode": fill.mode,
                "people": len(fill.people),
                "expires_at": fill.expires_at.isoformat(),
            },
        )
    return fill


@dataclass(frozen=True)
class FillForWorker:
    """A self-fill as the worker's page shows it: names and masked document numbers."""

    code: str
    mode: str
    plate: str
    origin: str
    destination: str
    people: tuple[dict[str, str], ...]  # {name, doc_type, doc_masked}
    expires_at: dt.datetime


def _unknown_code() -> ValidationError:
    return ValidationError(
        {"code": _("No self-fill with this code at this checkpoint, or it has expired.")}
    )


def selffill_take(
    *, actor: Actor, checkpoint: Checkpoint, code: str, now: dt.datetime | None = None
) -> FillForWorker:
    """The unexpired, unused fill with `code` at `checkpoint` for the worker's page (names,
    masked document numbers, plate, origin, destination); ValidationError on `code` for an
    unknown, expired or used one. Marks nothing: the fill is used when its check is stored."""
    require_can(actor, Capability.CHECKS_RECORD, checkpoint.jpath)
    now = now or timezone.now()
    code = normalize_code(code)
    fill = (
        SelfFill.objects.filter(
            checkpoint=checkpoint, code=code, expires_at__gt=now, used_at__isnull=True
        ).first()
        if len(code) == CODE_LENGTH
        else None
    )
    if fill is None:
        raise _unknown_code()
    return FillForWorker(
        code=fill.code,
        mode=fill.mode,
        plate=fill.plate,
        origin=fill.origin,
        destination=fill.destination,
        people=tuple(
            {
                "name": str(p.get("name", "")),
                "doc_type": str(p.get("doc_type", "")),
                "doc_masked": mask_doc_number(str(p.get("doc_number", ""))),
            }
            for p in fill.people
        ),
        expires_at=fill.expires_at,
    )


def _checked_at(item: Mapping[str, Any]) -> dt.datetime | None:
    raw = item.get("checked_at")
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    try:
        value = dt.datetime.fromisoformat(raw.strip())
    except ValueError:
        return None
    return value if value.tzinfo is not None else None


def selffill_merge(fill: SelfFill, item: Mapping[str, Any]) -> dict[str, Any]:
    """The check `item` with the fill's details: each of the first len(fill.people)
    persons gets the traveller's name, document and phone (the page sends only their
    temperature); mode, plate, origin and destination come from the item (the worker's
    final word) or, when the item leaves them empty, from the fill."""
    merged = dict(item)
    for key in ("origin", "destination"):
        if not merged.get(key):
            merged[key] = getattr(fill, key)
    if not merged.get("mode"):
        merged["mode"] = fill.mode
    if merged.get("mode") == Mode.VEHICLE and not merged.get("plate"):
        merged["plate"] = fill.plate
    people = merged.get("people")
    if isinstance(people, list):
        out = []
        for i, person in enumerate(people):
            if i < len(fill.people) and isinstance(person, Mapping):
                person = {
                    **{k: v for k, v in person.items() if k != "ref"},
                    "name": fill.people[i].get("name", ""),
                    "doc_type": fill.people[i].get("doc_type", ""),
                    "doc_number": fill.people[i].get("doc_number", ""),
                    "phone": fill.people[i].get("phone", ""),
                }
            out.append(person)
        merged["people"] = out
    return merged


def _refusal(item: Mapping[str, Any], message: str) -> dict[str, Any]:
    uuid = item.get("uuid")
    return {
        "uuid": uuid[:64] if isinstance(uuid, str) else "",
        "status": check_services.REFUSED,
        "errors": {"selffill_code": message},
    }


@transaction.atomic
def selffill_check_record(
    *, actor: Actor, checkpoint: Checkpoint, item: Mapping[str, Any]
) -> dict[str, Any]:
    """Stores the check `item` whose `selffill_code` names a fill at `checkpoint`: the
    fill's details go into the check (selffill_merge), the ingest service stores it with
    source "self_fill", and the fill is marked used with its check, all in one transaction.
    Answers as the ingest service does; a code that is unknown, used by another check or
    expired before the check was made is refused on `selffill_code` and changes nothing."""
    require_can(actor, Capability.CHECKS_RECORD, checkpoint.jpath)
    code = normalize_code(item.get("selffill_code"))
    fill = SelfFill.objects.select_for_update().filter(checkpoint=checkpoint, code=code).first()
    if fill is None:
        return _refusal(item, str(_unknown_code().message_dict["code"][0]))
    if fill.used_at is not None:
        # (The check is read apart: FOR UPDATE cannot take the nullable side of a join.)
        used_by = fill.check_row.uuid if fill.check_row is not None else None
        if str(used_by) != str(item.get("uuid", "")).strip().lower():
            return _refusal(item, _("This code was already used for another check."))
    checked_at = _checked_at(item)
    if checked_at is not None and checked_at > fill.expires_at:
        return _refusal(item, _("This code had expired when the check was made."))
    merged = selffill_merge(fill, item)
    answer = check_services.checks_ingest(
        actor=actor, checkpoint=checkpoint, items=[merged], source=Source.SELF_FILL
    )[0]
    if answer["status"] == check_services.STORED and fill.used_at is None:
        check = Check.objects.get(uuid=answer["uuid"])
        now = timezone.now()
        SelfFill.objects.filter(pk=fill.pk).update(used_at=now, check_row=check)
        audit_record(
            actor=actor,
            action="selffill.use",
            obj=fill,
            jpath=checkpoint.jpath,
            after={"check": str(check.uuid), "used_at": now.isoformat()},
        )
    return answer
