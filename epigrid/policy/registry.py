"""The policy keys the system knows, with their defaults, bounds and labels."""

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Key:
    key: str
    label: str | Promise
    default: Any
    minimum: float | None = None
    maximum: float | None = None


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
