"""Work resumption over the API: enterprises and their users, employees and health reports,
applications with materials, reviews and batches, task forces with inspections and
rectifications, liaisons and needs, consultations. Each part lives in its own module with
its own router; every endpoint is scoped by enterprises.access."""

from epigrid.api.routing import CapabilityRouter

from . import (
    applications,
    batches,
    consultations,
    employees,
    enterprises,
    liaisons,
    reviews,
    taskforces,
)

# Each module names its full paths (/enterprises, /applications, /batches, ...).
PREFIX = ""
router = CapabilityRouter(tags=["enterprises"])
for part in (
    enterprises,
    employees,
    applications,
    reviews,
    batches,
    taskforces,
    liaisons,
    consultations,
):
    router.add_router("", part.router)
