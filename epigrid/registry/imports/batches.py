"""The register's spreadsheet imports registered with the import engine: tenant registers
(`tenants`) and arrival lists (`arrivals`), with what they share in `people`.

Each batch is committed set-wise (a handful of queries per thousand rows, not per row) so a
100,000-row register imports in seconds; the rules are the services' own: one record per
document number, a residency per person and dwelling, nothing new when a file comes again.
"""

from django.utils.translation import gettext_lazy as _lazy

from epigrid.spreadsheets.kinds import ImportKind, register_kind

from .arrivals import commit_arrivals, prepare_arrivals
from .schemas import ARRIVALS, TENANTS
from .tenants import commit_tenants, prepare_tenants

__all__ = ["commit_arrivals", "commit_tenants", "register"]


def register() -> None:
    register_kind(
        ImportKind(
            kind="tenants",
            label=_lazy("Tenant register"),
            schema=TENANTS,
            commit_batch=commit_tenants,
            prepare=prepare_tenants,
        )
    )
    register_kind(
        ImportKind(
            kind="arrivals",
            label=_lazy("Arrival list"),
            schema=ARRIVALS,
            commit_batch=commit_arrivals,
            prepare=prepare_arrivals,
        )
    )
