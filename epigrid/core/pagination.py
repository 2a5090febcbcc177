"""Keyset pagination: stable, index-friendly pages whose cost does not grow with the offset."""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next: str | None


def encode_cursor(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps([value]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Any:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        decoded = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError) as exc:
        raise ValidationError({"cursor": _("This page link is not valid.")}) from exc
    if not isinstance(decoded, list) or len(decoded) != 1 or not isinstance(decoded[0], int | str):
        raise ValidationError({"cursor": _("This page link is not valid.")})
    return decoded[0]


def keyset_page(
    queryset: QuerySet, *, cursor: str | None, limit: int | None, key: str = "id"
) -> Page:
    """One page ordered by a unique `key` ('-key' for descending); `next` is the following
    page's cursor, None on the last page."""
    size = min(max(int(limit or DEFAULT_LIMIT), 1), MAX_LIMIT)
    field = key.lstrip("-")
    queryset = queryset.order_by(key)
    if cursor:
        op = "lt" if key.startswith("-") else "gt"
        try:
            value = queryset.model._meta.get_field(field).to_python(decode_cursor(cursor))
        except ValidationError as exc:
            raise ValidationError({"cursor": _("This page link is not valid.")}) from exc
        queryset = queryset.filter(**{f"{field}__{op}": value})
    rows = list(queryset[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    return Page(items=rows, next=encode_cursor(getattr(rows[-1], field)) if has_more else None)
