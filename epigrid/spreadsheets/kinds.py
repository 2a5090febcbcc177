"""The import kinds other apps register ("tenants", "arrivals" …): a schema and a function that
commits one batch of parsed rows. This app knows no kind itself.

Register from the owning app's `AppConfig.ready()`:

    register_kind(ImportKind(kind="tenants", label=_("Tenant register"), schema=TENANTS,
                             commit_batch=commit_tenants))
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability

from .columns import Schema
from .engine import ParsedRow, RowError

if TYPE_CHECKING:
    from .models import ImportJob


@dataclass
class BatchResult:
    """What a kind did with a batch. Every row it was handed is counted exactly once: in
    created, updated, unchanged or duplicates, or by at least one of `errors`."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0  # rows that repeat a row already taken (in this file or before)
    errors: list[RowError] = field(default_factory=list)  # rows the kind refused, and why


CommitBatch = Callable[[Actor, list[ParsedRow], "ImportJob"], BatchResult]
Prepare = Callable[[list[ParsedRow]], None]


@dataclass(frozen=True)
class ImportKind:
    """`commit_batch(actor, rows, job)` gets only rows without parse errors and runs inside the
    batch's transaction: it must not commit or catch database errors itself, and must write
    the same thing when handed the same rows again (a resumed import may repeat none, but a
    re-imported file repeats all).

    `prepare(rows)`, if given, does a batch's per-row work that needs no database and no
    actor (checking and normalising values) and keeps it in each row's `prepared`. It runs in
    the thread that reads the file, one batch ahead, while the database writes the batch
    before: it must not touch the database. `commit_batch` must also work on rows that were
    not prepared (`prepared` is None)."""

    kind: str
    schema: Schema
    commit_batch: CommitBatch
    label: Any = ""
    capability: Capability = Capability.IMPORTS_RUN
    prepare: Prepare | None = None

    def __post_init__(self) -> None:
        if self.schema.kind != self.kind:
            raise ValueError(f"schema {self.schema.kind!r} registered as kind {self.kind!r}")


_KINDS: dict[str, ImportKind] = {}


def register_kind(kind: ImportKind) -> None:
    """Adds (or replaces, so a test or a reload can re-register) an import kind."""
    _KINDS[kind.kind] = kind


def unregister_kind(kind: str) -> None:
    _KINDS.pop(kind, None)


def get_kind(kind: str) -> ImportKind:
    try:
        return _KINDS[kind]
    except KeyError:
        raise ValidationError({"kind": _("Unknown kind of import.")}) from None


def registered_kinds() -> list[ImportKind]:
    return sorted(_KINDS.values(), key=lambda k: k.kind)
