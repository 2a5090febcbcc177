"""Query pieces that must use an index on both databases."""

from django.db import connection
from django.db.models import Q

# Sorts after every character SQLite's BINARY collation can hold: prefix ranges end here.
_LAST = "\U0010ffff"


def prefix_q(field: str, prefix: str) -> Q:
    """Rows whose `field` starts with `prefix`, answerable from the field's index.

    SQLite never uses an index for LIKE ... ESCAPE (Django's startswith), but a range over
    its bytewise collation is exact. PostgreSQL answers startswith from the pattern-ops index
    Django adds to indexed character fields, and its locale collations make ranges inexact.
    """
    if connection.vendor == "sqlite":
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + _LAST})
    return Q(**{f"{field}__startswith": prefix})


def any_of_q(model, conditions: list[Q]) -> Q:
    """Rows matching any of `conditions`, as `pk IN (… UNION ALL …)`: each branch is answered
    by its own index, where one OR across columns makes the planners scan the table."""
    branches = [model._default_manager.filter(c).values("pk") for c in conditions]
    if len(branches) == 1:
        return Q(pk__in=branches[0])
    return Q(pk__in=branches[0].union(*branches[1:], all=True))
