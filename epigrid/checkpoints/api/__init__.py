"""Temperature checkpoints over the API: checkpoints and posts, checks with the batch ingest,
the repeat-visitor lookup and rollups. Each part lives in its own module with its own
router."""

from epigrid.api.routing import CapabilityRouter

from . import checkpoints, checks, ingest, lookup, rollups

PREFIX = "/checkpoints"
router = CapabilityRouter(tags=["checkpoints"])
for part in (checkpoints, checks, ingest, lookup, rollups):
    router.add_router("", part.router)
