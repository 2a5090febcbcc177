"""Writes of the enterprise register: register an enterprise and edit it (version-checked).

Rules decided here (tests/enterprises/test_reg_services.py):
- The unified social credit code is tidied first (spaces, full-width characters, lower
  case) and validated with stdnum.cn.uscc: a wrong length or character set and a wrong
  check character each get their own message. A code already registered names the
  enterprise that holds it when the actor reaches that one, else says only "already
  registered" (no leak of an enterprise outside the actor's reach).
- The grid is a small grid inside the actor's ENTERPRISES_MANAGE scope; moving an
  enterprise to another grid moves the path of every row of it with it.
- The phone is validated and stored as core.phones stores it; the number of employees is
  a whole number from 0 to 100,000.

Each service validates, runs in one transaction and writes an audit event; a refusal
changes nothing.
"""

import functools
import unicodedata
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from stdnum.cn import uscc as stdnum_uscc
from stdnum.exceptions import InvalidChecksum
from stdnum.exceptions import ValidationError as StdnumError

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.phones import normalize_phone
from epigrid.core.writes import clean_text, versioned_update
from epigrid.geo.models import Jurisdiction, Kind

from ..access import reach, require_reach
from ..models import Enterprise, Industry, Size

MAX_EMPLOYEES = 100_000
TEXT_LIMITS = {
    "name": 100,
    "address": 200,
    "legal_rep": 50,
    "contact_name": 50,
}
EDITABLE = (
    "name",
    "uscc",
    "address",
    "jurisdiction",
    "industry",
    "size",
    "legal_rep",
    "contact_name",
    "contact_phone",
    "employees",
)


def compact_uscc(raw: Any) -> str:
    """The code as typed, tidied: full-width characters folded (NFKC), spaces and dashes
    dropped, upper case."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    return stdnum_uscc.compact("".join(text.split()).replace("-", ""))


def clean_uscc(raw: Any) -> str:
    """A valid unified social credit code (GB 32100), or a clear refusal."""
    code = compact_uscc(raw)
    if not code:
        raise ValidationError({"uscc": _("This field is required.")})
    try:
        return stdnum_uscc.validate(code)
    except InvalidChecksum as exc:
        raise ValidationError(
            {"uscc": _("The check character of this credit code is wrong; check the code.")}
        ) from exc
    except StdnumError as exc:
        raise ValidationError(
            {
                "uscc": _(
                    "A unified social credit code is 18 digits and capital letters "
                    "(GB 32100); this one is not."
                )
            }
        ) from exc


def _uscc_taken(actor: Actor, code: str, exclude: int | None = None) -> ValidationError | None:
    qs = Enterprise.objects.filter(uscc=code)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    holder = qs.only("id", "jpath", "name").first()
    if holder is None:
        return None
    seen = reach(
        Enterprise.objects.filter(pk=holder.pk),
        actor,
        Capability.ENTERPRISES_VIEW,
        enterprise_field="",
    ).exists()
    if seen:
        return ValidationError(
            {
                "uscc": _("This credit code is already registered to %(name)s.")
                % {"name": holder.name}
            }
        )
    return ValidationError({"uscc": _("This credit code is already registered.")})


def _grid(actor: Actor, jurisdiction: Any) -> Jurisdiction:
    if not isinstance(jurisdiction, Jurisdiction):
        raise ValidationError({"jurisdiction": _("Choose a small grid.")})
    if jurisdiction.kind != Kind.SMALL_GRID or jurisdiction.active_until is not None:
        raise ValidationError({"jurisdiction": _("An enterprise belongs to a current small grid.")})
    if not actor.can(Capability.ENTERPRISES_MANAGE, jurisdiction.path):
        raise ValidationError({"jurisdiction": _("No small grid with this code in your area.")})
    return jurisdiction


def _employees(value: Any) -> int:
    if isinstance(value, bool):
        raise ValidationError({"employees": _("Enter a whole number.")})
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError) as exc:
        raise ValidationError({"employees": _("Enter a whole number.")}) from exc
    if not 0 <= number <= MAX_EMPLOYEES:
        raise ValidationError(
            {"employees": _("Enter a number from 0 to %(n)s.") % {"n": f"{MAX_EMPLOYEES:,}"}}
        )
    return number


def _choice(value: Any, field: str, choices: list[str]) -> str:
    if value not in choices:
        raise ValidationError({field: _("Choose one of the allowed values.")})
    return str(value)


def _phone(value: Any) -> str:
    phone = normalize_phone(str(value or ""), "contact_phone")
    if not phone:
        raise ValidationError({"contact_phone": _("This field is required.")})
    return phone


def _text(value: Any, *, field: str, limit: int) -> str:
    return clean_text(value, field, limit)


def _clean(actor: Actor, values: dict[str, Any]) -> dict[str, Any]:
    """Every given field cleaned; all refusals at once, by field."""
    cleaners: dict[str, Callable[[Any], Any]] = {
        "uscc": clean_uscc,
        "jurisdiction": lambda v: _grid(actor, v),
        "industry": lambda v: _choice(v, "industry", Industry.values),
        "size": lambda v: _choice(v, "size", Size.values),
        "contact_phone": _phone,
        "employees": _employees,
    }
    for field, limit in TEXT_LIMITS.items():
        cleaners[field] = functools.partial(_text, field=field, limit=limit)
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    for field, value in values.items():
        try:
            cleaned[field] = cleaners[field](value)
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _move_rows(enterprise: Enterprise) -> None:
    """Every row of this app naming the enterprise carries its grid's path (models.py): when
    the enterprise moves to another grid they all move with it, so staff of the new grid
    reach them and figures count them there."""
    # Rows that merely may name an enterprise (a consultation) are filed where they were
    # asked, not where the enterprise is: only a required `enterprise` link moves a row.
    for model in apps.get_app_config("enterprises").get_models():
        fields = {f.name: f for f in model._meta.get_fields()}
        link = fields.get("enterprise")
        if link is not None and not getattr(link, "null", True) and "jpath" in fields:
            model._default_manager.filter(enterprise=enterprise).update(jpath=enterprise.jpath)


@transaction.atomic
def enterprise_create(
    *,
    actor: Actor,
    name: str,
    uscc: str,
    address: str,
    jurisdiction: Jurisdiction,
    industry: str,
    size: str,
    legal_rep: str,
    contact_name: str,
    contact_phone: str,
    employees: Any = 0,
) -> Enterprise:
    """Registers an enterprise in a small grid of the actor's ENTERPRISES_MANAGE scope;
    refuses a credit code already registered. Audited "enterprise.create"."""
    if not actor.has(Capability.ENTERPRISES_MANAGE):
        raise PermissionDenied
    fields = _clean(
        actor,
        {
            "name": name,
            "uscc": uscc,
            "address": address,
            "jurisdiction": jurisdiction,
            "industry": industry,
            "size": size,
            "legal_rep": legal_rep,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "employees": employees,
        },
    )
    taken = _uscc_taken(actor, fields["uscc"])
    if taken is not None:
        raise taken
    grid = fields["jurisdiction"]
    try:
        with transaction.atomic():
            enterprise = Enterprise.objects.create(**fields, jpath=grid.path, created_by=actor.user)
    except IntegrityError as exc:  # the same code registered a moment ago
        raise ValidationError({"uscc": _("This credit code is already registered.")}) from exc
    audit_record(
        actor=actor,
        action="enterprise.create",
        obj=enterprise,
        jpath=enterprise.jpath,
        after=snapshot(enterprise),
    )
    return enterprise


@transaction.atomic
def enterprise_update(
    *, actor: Actor, enterprise: Enterprise, version: int, **changes: Any
) -> Enterprise:
    """Changes the given register fields of an enterprise the actor manages; `version` is
    the one read (ConcurrentEditError when someone saved since). Audited
    "enterprise.update" with before and after."""
    require_reach(
        actor,
        Capability.ENTERPRISES_MANAGE,
        enterprise_id=enterprise.pk,
        path=enterprise.jpath,
        self_ok=False,
    )
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ValidationError({unknown[0]: _("This field cannot be changed here.")})
    fields = _clean(actor, changes)
    if "uscc" in fields and fields["uscc"] != enterprise.uscc:
        taken = _uscc_taken(actor, fields["uscc"], exclude=enterprise.pk)
        if taken is not None:
            raise taken
    moving = "jurisdiction" in fields and fields["jurisdiction"].pk != enterprise.jurisdiction_id
    if "jurisdiction" in fields:
        fields["jpath"] = fields["jurisdiction"].path
    before = snapshot(enterprise)
    try:
        with transaction.atomic():
            versioned_update(enterprise, version, **fields)
    except IntegrityError as exc:
        raise ValidationError({"uscc": _("This credit code is already registered.")}) from exc
    if moving:
        _move_rows(enterprise)
    audit_record(
        actor=actor,
        action="enterprise.update",
        obj=enterprise,
        jpath=enterprise.jpath,
        before=before,
        after=snapshot(enterprise),
    )
    return enterprise
