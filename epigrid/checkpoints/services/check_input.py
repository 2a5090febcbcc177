"""Cleaning of one check as a device, a paper sheet or the API sent it: every field checked
in plain Python, with a message per field (see services.checks for the rules)."""

import datetime as dt
import uuid as uuidlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from epigrid.core.phones import normalize_phone
from epigrid.core.writes import clean_text
from epigrid.policy.registry import FEVER_INCLUSIVE, FEVER_THRESHOLD, KEYS, LOCAL_PLATES
from epigrid.policy.selectors import policy_history
from epigrid.quarantine import rules as quarantine_rules
from epigrid.quarantine.services.followups import clean_temperature
from epigrid.registry.identity import check_resident_id
from epigrid.registry.identity import normalize as normalize_document
from epigrid.registry.models import DocType

from .. import rules
from ..models import Checkpoint, CheckResult, Mode, Source

MAX_BATCH = 500
MAX_PEOPLE = 9
# A phone's clock may run a little ahead of the server's.
CLOCK_SKEW = dt.timedelta(minutes=5)
DOC_TYPES = frozenset(DocType.values)
RESULTS = frozenset((CheckResult.PASSED, CheckResult.TURNED_BACK))
MODES = frozenset(Mode.values)
SOURCES = frozenset(Source.values)
SELFFILL_CODE_MAX = 12

STORED, KNOWN, REFUSED = "stored", "known", "refused"


# --------------------------------------------------------------------------- policy


class _PolicyBook:
    """The policy values a batch needs, per local day: three small reads for the whole batch
    (each key's history), however many days its checks span."""

    def __init__(self) -> None:
        self._history = {
            key: [(row.active_from, row.value) for row in policy_history(key)]
            for key in (FEVER_THRESHOLD.key, FEVER_INCLUSIVE.key, LOCAL_PLATES.key)
        }
        self._days: dict[dt.date, tuple[dict[str, Any], tuple[str, ...]]] = {}

    def _value(self, key: str, day: dt.date) -> Any:
        for active_from, value in self._history[key]:  # newest first
            if active_from <= day:
                return value
        return KEYS[key].default

    def on(self, day: dt.date) -> tuple[dict[str, Any], tuple[str, ...]]:
        """(the fever policy for quarantine_rules.is_fever, the local plate prefixes)."""
        if day not in self._days:
            self._days[day] = (
                {
                    FEVER_THRESHOLD.key: self._value(FEVER_THRESHOLD.key, day),
                    FEVER_INCLUSIVE.key: self._value(FEVER_INCLUSIVE.key, day),
                },
                tuple(self._value(LOCAL_PLATES.key, day)),
            )
        return self._days[day]


# --------------------------------------------------------------------------- validation


@dataclass(slots=True)
class _Clean:
    """A check that passed validation, ready to insert."""

    index: int
    uuid: uuidlib.UUID
    checked_at: dt.datetime
    hour: dt.datetime  # start of its local hour
    mode: str
    plate: str
    prefix: str
    nonlocal_vehicle: bool
    origin: str
    destination: str
    result: str
    note: str
    # (name, doc_type, doc_number, phone, temperature, fever) in order; the first is the
    # driver or the walker
    people: list[tuple[str, str, str, str, Decimal, bool]]

    @property
    def fevers(self) -> int:
        return sum(1 for p in self.people if p[5])


def _uuid(raw: object) -> tuple[uuidlib.UUID | None, str]:
    if isinstance(raw, uuidlib.UUID):
        return raw, ""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, _("Give the check's UUID (made on the device).")
    if not isinstance(raw, str) or len(raw) > 64:
        return None, _("This is not a UUID.")
    try:
        return uuidlib.UUID(raw.strip()), ""
    except ValueError:
        return None, _("This is not a UUID.")


def _text(raw: object) -> str | None:
    """Text as given (numbers as their digits); None for anything else (a list, an object)."""
    if raw is None:
        return ""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, int | float | Decimal) and not isinstance(raw, bool):
        return str(raw)
    return None


def _clean_text(raw: object, field: str, max_length: int, errors: dict[str, str]) -> str:
    value = _text(raw)
    if value is None:
        errors[field] = _("Enter text.")
        return ""
    try:
        return clean_text(value, field, max_length, required=False)
    except ValidationError as exc:
        errors[field] = exc.message_dict[field][0]
        return ""


def _checked_at(raw: object, errors: dict[str, str]) -> dt.datetime | None:
    value: dt.datetime | None = None
    if isinstance(raw, dt.datetime):
        value = raw
    elif raw is None or raw == "":
        errors["checked_at"] = _("Give the time of the check.")
        return None
    elif isinstance(raw, str) and len(raw) <= 40:
        try:
            value = dt.datetime.fromisoformat(raw.strip())
        except ValueError:
            value = None
    if value is None:
        errors["checked_at"] = _(
            "Give the time of the check as a date and time, such as 2020-02-10T08:15:00+08:00."
        )
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        errors["checked_at"] = _(
            "Give the time with its offset from UTC, such as 2020-02-10T08:15:00+08:00."
        )
        return None
    return value


def _person(
    raw: object,
    i: int,
    errors: dict[str, str],
    today: dt.date,
) -> tuple[str, str, str, str, Decimal | None]:
    key = f"people.{i}"
    if not isinstance(raw, dict):
        errors[key] = _("Each person is an object with a name, a document and a temperature.")
        return ("", "", "", "", None)
    name = _clean_text(raw.get("name"), f"{key}.name", 50, errors)
    doc_type = _text(raw.get("doc_type"))
    number = _text(raw.get("doc_number"))
    if doc_type is None or (doc_type and doc_type not in DOC_TYPES):
        errors[f"{key}.doc_type"] = _("Choose one of the allowed values.")
        doc_type = None  # the number cannot be judged without its type
    if number is None:
        errors[f"{key}.doc_number"] = _("Enter text.")
        number = ""
    number = number.strip()
    if doc_type is None:
        doc_type = ""
    elif number:
        doc_type = doc_type or DocType.RESIDENT_ID
        if doc_type == DocType.RESIDENT_ID:
            try:
                number = check_resident_id(number, today=today).number
            except ValidationError as exc:
                errors[f"{key}.doc_number"] = exc.messages[0]
        else:
            number = normalize_document(number)
            if not 5 <= len(number) <= 32 or not number.isalnum():
                errors[f"{key}.doc_number"] = _("A document number is 5 to 32 letters or digits.")
    else:
        doc_type = ""  # a document type without a number says nothing
    phone = _text(raw.get("phone"))
    if phone is None:
        errors[f"{key}.phone"] = _("Enter text.")
        phone = ""
    elif phone:
        try:
            phone = normalize_phone(phone, f"{key}.phone")
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
    temperature: Decimal | None = None
    raw_t = raw.get("temperature")
    if isinstance(raw_t, list | dict):
        errors[f"{key}.temperature"] = _("Enter a temperature such as 36.5.")
    else:
        try:
            temperature = clean_temperature(raw_t)
        except ValidationError as exc:
            errors[f"{key}.temperature"] = exc.message_dict["temperature"][0]
        else:
            if temperature is None:
                errors[f"{key}.temperature"] = _("Enter a temperature such as 36.5.")
    return (name, doc_type, number, phone, temperature)


def _clean(
    item: dict[str, Any],
    index: int,
    uuid: uuidlib.UUID,
    *,
    checkpoint: Checkpoint,
    now: dt.datetime,
    today: dt.date,
    policy: "_PolicyBook",
) -> tuple[_Clean | None, dict[str, str]]:
    """The check ready to store, or the message of each bad field."""
    errors: dict[str, str] = {}
    zone = quarantine_rules.zone()
    checked_at = _checked_at(item.get("checked_at"), errors)
    local_day = None
    hour = None
    if checked_at is not None:
        local = checked_at.astimezone(zone)
        local_day = local.date()
        hour = local.replace(minute=0, second=0, microsecond=0)
        if checked_at > now + CLOCK_SKEW:
            errors["checked_at"] = _(
                "This time is in the future: check the clock of the phone that made it."
            )
        elif local_day < checkpoint.active_from:
            errors["checked_at"] = _(
                "The checkpoint opened on %(date)s: a check cannot be earlier."
            ) % {"date": checkpoint.active_from.isoformat()}
        elif checkpoint.active_until is not None and local_day >= checkpoint.active_until:
            errors["checked_at"] = _(
                "The checkpoint closed on %(date)s: a check cannot be later."
            ) % {"date": checkpoint.active_until.isoformat()}

    mode = item.get("mode")
    if not isinstance(mode, str) or mode not in MODES:
        errors["mode"] = _("Choose on foot or vehicle.")
    raw_plate = _text(item.get("plate"))
    plate = prefix = ""
    if raw_plate is None:
        errors["plate"] = _("Enter text.")
    elif mode == Mode.VEHICLE:
        if not raw_plate.strip():
            errors["plate"] = _("Enter the vehicle's plate, such as 粤J12345.")
        else:
            parsed = rules.parse_plate(raw_plate)
            if parsed is None:
                errors["plate"] = _(
                    "%(plate)s is not a plate: a province character, a city letter and 5 or 6 "
                    "letters or digits, such as 粤J12345."
                ) % {"plate": raw_plate.strip()[:20]}
            else:
                plate, prefix = parsed.plate, parsed.prefix
    elif mode == Mode.FOOT and raw_plate.strip():
        errors["plate"] = _("A check on foot has no plate: choose vehicle or clear the plate.")

    origin = _clean_text(item.get("origin"), "origin", 100, errors)
    destination = _clean_text(item.get("destination"), "destination", 100, errors)
    note = _clean_text(item.get("note"), "note", 200, errors)
    code = _text(item.get("selffill_code"))
    if code is None or len(code.strip()) > SELFFILL_CODE_MAX:
        errors["selffill_code"] = _("This is not a self-fill code.")

    result = item.get("result") or CheckResult.PASSED
    if not isinstance(result, str) or (result not in RESULTS and result != CheckResult.FEVER):
        errors["result"] = _("Choose let through or turned back.")

    raw_people = item.get("people")
    people: list[tuple[str, str, str, str, Decimal | None]] = []
    if not isinstance(raw_people, list) or not raw_people:
        errors["people"] = _("Add at least one person with their temperature.")
    elif len(raw_people) > MAX_PEOPLE:
        errors["people"] = _(
            "At most %(n)d persons in one check: log the others as more checks."
        ) % {"n": MAX_PEOPLE}
    else:
        people = [_person(p, i, errors, today) for i, p in enumerate(raw_people)]

    if errors:
        return None, errors
    assert checked_at is not None and local_day is not None and hour is not None
    fever_policy, local_plates = policy.on(local_day)
    readings = [
        (name, doc_type, number, phone, t, quarantine_rules.is_fever(fever_policy, t))
        for name, doc_type, number, phone, t in people
        if t is not None
    ]
    if any(r[5] for r in readings):
        result = CheckResult.FEVER
    elif result == CheckResult.FEVER:
        return None, {
            "result": _(
                "No reading of this check is a fever (%(threshold)s °C): choose let through "
                "or turned back."
            )
            % {"threshold": quarantine_rules.fever_threshold(fever_policy)}
        }
    return (
        _Clean(
            index=index,
            uuid=uuid,
            checked_at=checked_at,
            hour=hour,
            mode=str(mode),
            plate=plate,
            prefix=prefix,
            nonlocal_vehicle=bool(prefix) and not rules.is_local(prefix, local_plates),
            origin=origin,
            destination=destination,
            result=str(result),
            note=note,
            people=readings,  # type: ignore[arg-type]  # t is not None here
        ),
        {},
    )
