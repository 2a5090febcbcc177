"""Duty rosters over the API: posts, their shifts and uncovered hours, who is on a shift,
and hand-over notes. Every list is scoped and keyset-paginated; every operation declares
its capability."""

from epigrid.api.routing import CapabilityRouter

from .posts import router as posts
from .shifts import router as shifts

PREFIX = "/rosters"
router = CapabilityRouter(tags=["rosters"])
router.add_router("", posts)
router.add_router("", shifts)
