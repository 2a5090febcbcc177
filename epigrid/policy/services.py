import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record
from epigrid.geo.models import Jurisdiction

from .models import PolicySetting
from .registry import KEYS


@transaction.atomic
def policy_set(
    *, actor: Actor, key: str, value: Any, active_from: dt.date, note: str = ""
) -> PolicySetting:
    """Puts a new value of `key` in force from `active_from` (history kept). Policy holds for
    the whole deployment, so only headquarters over the top of the tree may set it."""
    root = Jurisdiction.objects.filter(parent__isnull=True).order_by("code").first()
    jpath = root.path if root else ""
    require_can(actor, Capability.POLICY_MANAGE, jpath)
    spec = KEYS.get(key)
    if spec is None:
        raise ValidationError({"key": _("Unknown setting.")})
    if spec.clean is not None:
        try:
            value = spec.clean(value)
        except ValidationError as exc:
            raise ValidationError({"value": exc.messages}) from exc
    elif isinstance(spec.default, int | float) and not isinstance(spec.default, bool):
        if isinstance(value, bool):
            raise ValidationError({"value": _("Enter a number.")})
        try:
            value = type(spec.default)(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError({"value": _("Enter a number.")}) from exc
        if value != value or value in (float("inf"), float("-inf")):  # NaN or infinite
            raise ValidationError({"value": _("Enter a number.")})
        if (spec.minimum is not None and value < spec.minimum) or (
            spec.maximum is not None and value > spec.maximum
        ):
            raise ValidationError(
                {
                    "value": _("Between %(lo)s and %(hi)s.")
                    % {"lo": spec.minimum, "hi": spec.maximum}
                }
            )
    row, _created = PolicySetting.objects.update_or_create(
        key=key,
        active_from=active_from,
        defaults={"value": value, "note": note[:200], "created_by": actor.user},
    )
    audit_record(
        actor=actor,
        action="policy.set",
        obj=row,
        jpath=jpath,
        after={"key": key, "value": value, "active_from": active_from.isoformat()},
    )
    return row
