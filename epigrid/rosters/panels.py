"""What the rosters app shows on a jurisdiction's page: duty posts inside the node with
hours nobody holds in the next 24 hours."""

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.core.panels import Panel, register_panel
from epigrid.geo.models import Jurisdiction

from . import selectors
from .display import spans

PANEL_ROWS = 5


def _gaps(*, actor: Actor, node: Jurisdiction) -> dict:
    rows = selectors.posts_with_gaps(actor=actor, hours=24, within=node.code)
    return {
        "node": node,
        "rows": [(post, spans(gaps[:2])) for post, gaps in rows[:PANEL_ROWS]],
        "more": max(len(rows) - PANEL_ROWS, 0),
    }


def register() -> None:
    register_panel(
        Panel("rosters.gaps", 45, "rosters/panel_gaps.html", Capability.ROSTERS_VIEW, _gaps)
    )
