"""API: applications (filled in by its owner)."""

from epigrid.api.routing import CapabilityRouter

router = CapabilityRouter()
