"""What the register shows on a jurisdiction's page: how many persons and dwellings it holds,
with links to the lists."""

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.core.panels import Panel, register_panel
from epigrid.geo.models import Jurisdiction

from . import queries


def _register(*, actor: Actor, node: Jurisdiction) -> dict:
    return {"node": node, "counts": queries.register_counts(actor=actor, node=node)}


def register() -> None:
    register_panel(
        Panel("registry.counts", 40, "registry/panel.html", Capability.REGISTRY_VIEW, _register)
    )
