import datetime as dt
from typing import Any

from .models import PolicySetting
from .registry import KEYS


def policy_value(key: str, on: dt.date) -> Any:
    """The value of `key` in force on `on`: the latest record from on or before that day, else
    the default."""
    row = (
        PolicySetting.objects.filter(key=key, active_from__lte=on)
        .order_by("-active_from")
        .values_list("value", flat=True)
        .first()
    )
    return KEYS[key].default if row is None else row


def policy_history(key: str) -> list[PolicySetting]:
    return list(PolicySetting.objects.filter(key=key).order_by("-active_from"))


def policy_snapshot(keys: list[str], on: "dt.date") -> dict[str, Any]:
    """The values of `keys` in force on `on`, for a record to keep the policy it was judged
    under."""
    return {key: policy_value(key, on) for key in keys}
