"""What the workforce app shows on a jurisdiction's page."""

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.core.masking import mask_phone
from epigrid.core.panels import Panel, register_panel
from epigrid.geo.models import Jurisdiction

from . import selectors
from .models import StaffCategory

PANEL_ROWS = 30


def _responsibility(*, actor: Actor, node: Jurisdiction) -> dict:
    rows = selectors.responsibilities_for(actor=actor, node=node)
    return {
        "node": node,
        "responsibilities": rows,
        # Leaders whose record the actor may open get a link; others are shown by name only.
        "visible_paths": {
            r.staff.jpath for r in rows if actor.can(Capability.STAFF_VIEW, r.staff.jpath)
        },
        "can_manage": actor.can(Capability.STAFF_MANAGE, node.path) and node.is_grid,
    }


def _teams(*, actor: Actor, node: Jurisdiction) -> dict:
    qs = selectors.team_list(actor=actor, within=node.code)
    return {
        "node": node,
        "teams": list(qs.order_by("jpath", "kind", "id")[:PANEL_ROWS]),
        "team_count": qs.count(),
    }


def _staff(*, actor: Actor, node: Jurisdiction) -> dict:
    counts = selectors.staff_category_counts(actor=actor, path=node.path)
    show = actor.can(Capability.CONTACTS_VIEW, node.path)
    members = selectors.staff_list(actor=actor, within=node.code).order_by("jpath", "id")
    return {
        "node": node,
        "staff_total": sum(counts.values()),
        "by_category": [
            (label, counts[value]) for value, label in StaffCategory.choices if counts.get(value)
        ],
        "staff": [(m, m.phone if show else mask_phone(m.phone)) for m in members[:PANEL_ROWS]],
        "can_manage": actor.can(Capability.STAFF_MANAGE, node.path),
    }


def register() -> None:
    register_panel(
        Panel(
            "workforce.responsibility",
            10,
            "workforce/panel_responsibility.html",
            Capability.STAFF_VIEW,
            _responsibility,
        )
    )
    register_panel(
        Panel("workforce.teams", 20, "workforce/panel_teams.html", Capability.TEAMS_VIEW, _teams)
    )
    register_panel(
        Panel("workforce.staff", 30, "workforce/panel_staff.html", Capability.STAFF_VIEW, _staff)
    )
