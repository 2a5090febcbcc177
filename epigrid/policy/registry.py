"""The policy keys the system knows, with their defaults, bounds, validators and labels."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Key:
    key: str
    label: str | Promise
    default: Any
    minimum: float | None = None
    maximum: float | None = None
    # Cleans a non-numeric value (lists, flags) or raises ValidationError with a message.
    clean: Callable[[Any], Any] | None = None


KEYS: dict[str, Key] = {}


def define(key: Key) -> Key:
    KEYS[key.key] = key
    return key


OBSERVATION_DAYS = define(
    Key(
        "observation_days",
        _("Observation period (days)"),
        14,
        minimum=1,
        maximum=60,
    )
)

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def clean_deadlines(value: Any) -> list[str]:
    """Follow-up deadlines of a day: 1 to 6 distinct "HH:MM" times, kept in order."""
    if isinstance(value, str):
        value = [v.strip() for v in re.split(r"[,，;；\s]+", value) if v.strip()]
    if not isinstance(value, list) or not 1 <= len(value) <= 6:
        raise ValidationError(_g("Give one to six deadlines such as 10:00, 17:00."))
    times = []
    for item in value:
        text = str(item).strip()
        if len(text) == 4 and text[1] == ":":
            text = "0" + text
        if not _HHMM.match(text):
            raise ValidationError(_g("“%(v)s” is not a time such as 10:00.") % {"v": item})
        times.append(text)
    if len(set(times)) != len(times):
        raise ValidationError(_g("The deadlines must differ."))
    return sorted(times)


def clean_flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).strip().lower() in ("1", "true", "yes", "on", ">="):
        return True
    if str(value).strip().lower() in ("0", "false", "no", "off", ">"):
        return False
    raise ValidationError(_g("Answer yes or no."))


def clean_symptoms(value: Any) -> list[dict]:
    """The symptom list: [{"code", "zh", "en", "serious"}], codes unique, 1 to 40 entries."""
    if not isinstance(value, list) or not 1 <= len(value) <= 40:
        raise ValidationError(_g("Give between one and forty symptoms."))
    out, seen = [], set()
    for item in value:
        if not isinstance(item, dict):
            raise ValidationError(_g("Each symptom needs a code and a name."))
        code = str(item.get("code", "")).strip()
        zh = str(item.get("zh", "")).strip()[:40]
        en = str(item.get("en", "")).strip()[:60]
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,29}", code) or not (zh or en):
            raise ValidationError(_g("Each symptom needs a code and a name."))
        if code in seen:
            raise ValidationError(_g("Symptom codes must differ."))
        seen.add(code)
        out.append(
            {"code": code, "zh": zh or en, "en": en or zh, "serious": bool(item.get("serious"))}
        )
    return out


FOLLOWUP_DEADLINES = define(
    Key(
        "followup_deadlines",
        _("Follow-up deadlines of each day"),
        ["10:00", "17:00"],
        clean=clean_deadlines,
    )
)

FEVER_THRESHOLD = define(
    Key("fever_threshold", _("Fever threshold (°C)"), 37.3, minimum=36.0, maximum=40.0)
)

# True: a reading equal to the threshold is a fever (>=); False: only above it (>).
FEVER_INCLUSIVE = define(
    Key(
        "fever_inclusive",
        _("A reading equal to the threshold counts as fever"),
        True,
        clean=clean_flag,
    )
)

SYMPTOMS = define(
    Key(
        "symptoms",
        _("Symptom list"),
        [
            {"code": "fever", "zh": "发热", "en": "Fever", "serious": False},
            {"code": "cough", "zh": "干咳", "en": "Dry cough", "serious": False},
            {"code": "fatigue", "zh": "乏力", "en": "Fatigue", "serious": False},
            {"code": "sore_throat", "zh": "咽痛", "en": "Sore throat", "serious": False},
            {"code": "diarrhoea", "zh": "腹泻", "en": "Diarrhoea", "serious": False},
            {
                "code": "loss_of_smell",
                "zh": "嗅觉味觉减退",
                "en": "Loss of smell or taste",
                "serious": False,
            },
            {
                "code": "short_breath",
                "zh": "呼吸困难",
                "en": "Shortness of breath",
                "serious": True,
            },
            {
                "code": "chest_pain",
                "zh": "胸闷胸痛",
                "en": "Chest tightness or pain",
                "serious": True,
            },
        ],
        clean=clean_symptoms,
    )
)


PLATE_PREFIX = re.compile(r"^[\u4e00-\u9fff][A-Z]?$")


def clean_plate_prefixes(value: Any) -> list[str]:
    """A list like ["粤J"]: a province character, optionally with the city letter."""
    if isinstance(value, str):
        value = [part for part in re.split(r"[\s,，、]+", value) if part]
    if not isinstance(value, list) or not value:
        raise ValidationError(_g("Give at least one plate prefix, such as 粤J."))
    out: list[str] = []
    for item in value:
        text = str(item).strip().upper()
        if not PLATE_PREFIX.match(text):
            raise ValidationError(
                _g(
                    "%(value)s is not a plate prefix "
                    "(a province character and a letter, such as 粤J)."
                )
                % {"value": str(item)[:20]}
            )
        if text not in out:
            out.append(text)
    return out


# Plates whose prefix is here are local at checkpoints; any other vehicle is flagged.
LOCAL_PLATES = define(
    Key(
        "checkpoint_local_plates",
        _("Local plate prefixes at checkpoints"),
        ["粤J"],
        clean=clean_plate_prefixes,
    )
)

# A checkpoint that logged nothing for this long during its open hours is flagged on the board.
SILENCE_MINUTES = define(
    Key(
        "checkpoint_silence_minutes",
        _("Minutes without a check before a checkpoint is flagged as silent"),
        30,
        minimum=5,
        maximum=720,
    )
)
