"""The action axis of access: what each role may do. Deny by default.

Where a role may do it is the data axis: the jurisdiction of the user's role assignment.
"""

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    HQ = "hq", _("Command headquarters")
    VILLAGE_SECRETARY = "village_secretary", _("Village/community secretary")
    GRID_WORKER = "grid_worker", _("Grid worker")
    ANALYST = "analyst", _("Analyst (read-only)")


class Capability(StrEnum):
    DASHBOARD_VIEW = "dashboard.view"
    GRIDS_VIEW = "grids.view"
    GRIDS_MANAGE = "grids.manage"
    STAFF_VIEW = "staff.view"
    STAFF_MANAGE = "staff.manage"
    TEAMS_VIEW = "teams.view"
    TEAMS_MANAGE = "teams.manage"
    PARTY_VIEW = "party.view"
    PARTY_MANAGE = "party.manage"
    AUDIT_VIEW = "audit.view"
    CONTACTS_VIEW = "contacts.view"  # unmasked phone numbers of people in lists
    ACCOUNTS_MANAGE = "accounts.manage"
    POLICY_MANAGE = "policy.manage"
    REGISTRY_VIEW = "registry.view"
    REGISTRY_MANAGE = "registry.manage"
    IDS_VIEW = "ids.view"  # unmasked identity-document numbers
    EXPORT_UNMASKED = "export.unmasked"  # exports with full ID numbers and phones
    IMPORTS_RUN = "imports.run"
    DUPLICATES_MERGE = "duplicates.merge"
    SWEEPS_VIEW = "sweeps.view"
    SWEEPS_MANAGE = "sweeps.manage"  # start campaigns, assign units
    VISITS_RECORD = "visits.record"
    QUARANTINE_VIEW = "quarantine.view"  # cases, follow-ups, worklists, alerts, requests
    QUARANTINE_MANAGE = "quarantine.manage"  # open, extend, shorten, close cases
    FOLLOWUPS_RECORD = "followups.record"  # follow-ups, care, requests, self-report links
    ALERTS_MANAGE = "alerts.manage"  # referral steps and closing alerts with an outcome
    ROSTERS_VIEW = "rosters.view"
    ROSTERS_MANAGE = "rosters.manage"  # posts, shifts, hand-over notes
    CHECKPOINTS_VIEW = "checkpoints.view"  # checkpoints, checks, rollups, the live board
    CHECKPOINTS_MANAGE = "checkpoints.manage"  # register checkpoints and their posts
    CHECKS_RECORD = "checks.record"  # log checks at a gate, enter paper sheets


C = Capability
_READ = {
    C.DASHBOARD_VIEW,
    C.GRIDS_VIEW,
    C.STAFF_VIEW,
    C.TEAMS_VIEW,
    C.PARTY_VIEW,
    C.REGISTRY_VIEW,
    C.SWEEPS_VIEW,
    C.QUARANTINE_VIEW,
    C.ROSTERS_VIEW,
    C.CHECKPOINTS_VIEW,
}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.HQ: frozenset(Capability),
    Role.VILLAGE_SECRETARY: frozenset(
        _READ
        | {
            C.STAFF_MANAGE,
            C.TEAMS_MANAGE,
            C.PARTY_MANAGE,
            C.AUDIT_VIEW,
            C.CONTACTS_VIEW,
            C.REGISTRY_MANAGE,
            C.IDS_VIEW,
            C.IMPORTS_RUN,
            C.DUPLICATES_MERGE,
            C.SWEEPS_MANAGE,
            C.VISITS_RECORD,
            C.QUARANTINE_MANAGE,
            C.FOLLOWUPS_RECORD,
            C.ALERTS_MANAGE,
            C.ROSTERS_MANAGE,
            C.CHECKPOINTS_MANAGE,
            C.CHECKS_RECORD,
        }
    ),
    # A grid worker checks identity documents at the door, so sees them unmasked in their grid.
    # Three-person teams (cadre, family doctor, police) log in as grid workers of their grid:
    # they follow up, take requests and carry an alert through its referral.
    Role.GRID_WORKER: frozenset(
        _READ
        | {
            C.CONTACTS_VIEW,
            C.REGISTRY_MANAGE,
            C.IDS_VIEW,
            C.VISITS_RECORD,
            C.FOLLOWUPS_RECORD,
            C.ALERTS_MANAGE,
            C.CHECKS_RECORD,
        }
    ),
    Role.ANALYST: frozenset(_READ),
}
