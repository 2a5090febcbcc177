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


_ITEM_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def clean_checklist(value: Any) -> list[dict]:
    """A checklist: [{"code", "zh", "en", "file"}], codes unique (lower-case letters, digits,
    underscores), 1 to 30 items; "file" says the item is met by an uploaded document."""
    if not isinstance(value, list) or not 1 <= len(value) <= 30:
        raise ValidationError(_g("Give between one and thirty checklist items."))
    out, seen = [], set()
    for item in value:
        if not isinstance(item, dict):
            raise ValidationError(_g("Each checklist item needs a code and a name."))
        code = str(item.get("code", "")).strip()
        zh = str(item.get("zh", "")).strip()[:100]
        en = str(item.get("en", "")).strip()[:100] or zh
        if not _ITEM_CODE.match(code) or not zh:
            raise ValidationError(
                _g("“%(v)s” needs a code of lower-case letters and a Chinese name.")
                % {"v": code[:40]}
            )
        if code in seen:
            raise ValidationError(_g("The item codes must differ."))
        seen.add(code)
        out.append({"code": code, "zh": zh, "en": en, "file": bool(item.get("file", False))})
    return out


# The conditions an enterprise must meet to reopen, as the materials it uploads. The default
# is the national 四到位 (mechanism, staff screening, facilities and supplies, internal
# management) as the seed's five documents; a deployment sets its own (a local 八个一) here.
RESUMPTION_CHECKLIST = define(
    Key(
        "resumption_checklist",
        _("Work-resumption conditions checklist"),
        [
            {
                "code": "mechanism",
                "zh": "内部防控责任机制",
                "en": "Internal responsibility mechanism",
                "file": True,
            },
            {
                "code": "emergency_plan",
                "zh": "疫情防控应急预案",
                "en": "Emergency plan",
                "file": True,
            },
            {
                "code": "staff_health",
                "zh": "员工健康信息台账",
                "en": "Employee health information",
                "file": True,
            },
            {
                "code": "training",
                "zh": "防控宣传培训",
                "en": "Publicity and training",
                "file": True,
            },
            {
                "code": "disinfection",
                "zh": "清洁消毒方案",
                "en": "Cleaning and disinfection plan",
                "file": True,
            },
        ],
        clean=clean_checklist,
    )
)

# What a task force checks on site.
INSPECTION_CHECKLIST = define(
    Key(
        "inspection_checklist",
        _("Enterprise inspection checklist"),
        [
            {
                "code": "supplies",
                "zh": "口罩、体温计、消毒液、洗手液储备到位",
                "en": "Masks, thermometers, disinfectant and hand sanitiser on hand",
            },
            {
                "code": "plans",
                "zh": "防控方案和应急预案到位",
                "en": "Prevention and emergency plans in place",
            },
            {
                "code": "screening",
                "zh": "员工排查和健康登记台账",
                "en": "Employee screening and health registers",
            },
            {"code": "door_checks", "zh": "进门测温登记", "en": "Temperature checks at the door"},
            {"code": "staggered", "zh": "错峰上下班、分餐", "en": "Staggered shifts and meals"},
            {"code": "isolation_room", "zh": "设置临时隔离室", "en": "Isolation room"},
        ],
        clean=clean_checklist,
    )
)

# The answer rule: working days from a submission until the desk must have answered.
ANSWER_DAYS = define(
    Key(
        "resumption_answer_days",
        _("Working days to answer a work-resumption application"),
        2,
        minimum=1,
        maximum=20,
    )
)

# A return for supplement sets a deadline this many days ahead by default (green channel:
# papers completed on site the next day).
SUPPLEMENT_DAYS = define(
    Key(
        "resumption_supplement_days",
        _("Days an enterprise has to supplement a returned application"),
        1,
        minimum=1,
        maximum=30,
    )
)

UPLOAD_MAX_MB = define(
    Key(
        "resumption_upload_max_mb",
        _("Largest file an enterprise may upload (MB)"),
        10,
        minimum=1,
        maximum=50,
    )
)
