"""The register's API: persons, buildings, dwellings, residencies, arrivals, epidemic source
areas, key-person categories, duplicates and exports.

Every object carries `jurisdiction`, the code of the node it belongs to. Document numbers,
phone numbers and birth dates are masked unless the caller may read them over the row
(IDS_VIEW, CONTACTS_VIEW); exports unless EXPORT_UNMASKED (see `registry.exports`).
"""

from epigrid.api.routing import CapabilityRouter

from . import arrivals, housing, persons

router = CapabilityRouter(tags=["register"])
for part in (persons, housing, arrivals):
    router.add_router("", part.router)
