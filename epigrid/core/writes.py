"""Helpers every service uses: tidy text input, version-checked updates."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ConcurrentEditError


def clean_text(value: str | None, field: str, max_length: int, required: bool = True) -> str:
    """Collapses runs of white space; refuses empty (when required) or over-long text."""
    value = " ".join((value or "").split())
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > max_length:
        raise ValidationError({field: _("At most %(n)d characters.") % {"n": max_length}})
    return value


def versioned_update(obj: models.Model, version: int, **changes: object) -> None:
    """Applies `changes` only if nobody saved `obj` since `version` was read, then reloads it."""
    model = type(obj)
    updated = model._default_manager.filter(pk=obj.pk, version=version).update(
        version=version + 1, updated_at=timezone.now(), **changes
    )
    if not updated:
        raise ConcurrentEditError
    obj.refresh_from_db()


def check_end_date(active_from, on) -> None:
    if on <= active_from:
        raise ValidationError({"on": _("The end date must be after the start date.")})
