"""What home quarantine shows on a jurisdiction's page: the open alerts inside the node, by
trigger, and the latest few (the "five earlies" at a glance for the village and headquarters)."""

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.core.panels import Panel, register_panel
from epigrid.geo.models import Jurisdiction

from .models import Trigger
from .selectors import escalation as alerts

PANEL_ROWS = 5


def _alerts(*, actor: Actor, node: Jurisdiction) -> dict:
    counts = alerts.open_alert_counts(actor=actor, within=node.code)
    total = sum(counts.values())
    rows: list = []
    if total:
        qs = alerts.alert_list(actor=actor, open_only=True, within=node.code)
        rows = alerts.with_text(qs.order_by("-id")[:PANEL_ROWS])
    return {
        "node": node,
        "total": total,
        "counts": [(label, counts[value]) for value, label in Trigger.choices],
        "rows": rows,
    }


def register() -> None:
    register_panel(
        Panel(
            "quarantine.alerts",
            5,  # open alerts are the most urgent thing on a node's page
            "quarantine/alert_panel.html",
            Capability.QUARANTINE_VIEW,
            _alerts,
        )
    )
