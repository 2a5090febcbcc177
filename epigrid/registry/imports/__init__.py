"""The register's spreadsheet imports: tenant registers and arrival lists made by villages.

`schemas` names the columns; `batches` commits parsed rows set-wise.
"""

from .batches import commit_arrivals, commit_tenants, register
from .schemas import ARRIVALS, TENANTS

__all__ = ["ARRIVALS", "TENANTS", "commit_arrivals", "commit_tenants", "register"]
