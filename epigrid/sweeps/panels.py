"""What the sweeps app shows on a jurisdiction's page: how far each open campaign has got
inside the node."""

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.core.panels import Panel, register_panel
from epigrid.geo.models import Jurisdiction

from . import selectors

PANEL_ROWS = 5


def _coverage(*, actor: Actor, node: Jurisdiction) -> dict:
    campaigns = list(
        selectors.campaign_list(actor=actor, within=node.code, open_only=True).order_by("-id")[
            :PANEL_ROWS
        ]
    )
    by_campaign = selectors.coverage_by_campaign(
        actor=actor, campaign_ids=[c.pk for c in campaigns], path=node.path
    )
    return {
        "node": node,
        "rows": [(c, by_campaign.get(c.pk, selectors.Coverage())) for c in campaigns],
    }


def register() -> None:
    register_panel(
        Panel(
            "sweeps.coverage", 40, "sweeps/panel_coverage.html", Capability.SWEEPS_VIEW, _coverage
        )
    )
