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
    # Work resumption (复工复产): the application desk, the task forces that inspect, and the
    # enterprises themselves. An enterprise user's assignment is the grid of its enterprise,
    # but what it reaches is decided by its enterprise membership, never by the grid
    # (enterprises.access).
    RESUMPTION_DESK = "resumption_desk", _("Work-resumption desk")
    TASK_FORCE = "task_force", _("Enterprise task force member")
    ENTERPRISE = "enterprise", _("Enterprise staff")


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
    ENTERPRISES_VIEW = "enterprises.view"  # register, applications, inspections, needs, FAQ
    ENTERPRISES_MANAGE = "enterprises.manage"  # register, enterprise accounts, task forces,
    # liaisons
    APPLICATIONS_REVIEW = "applications.review"  # review, return, approve, green channel, batches
    INSPECTIONS_RECORD = "inspections.record"  # inspections and rectifications
    NEEDS_MANAGE = "needs.manage"  # enterprise needs and problems, consultations and the FAQ
    # An enterprise user's own enterprise only: apply, upload, roster, health reports, needs.
    ENTERPRISE_SELF = "enterprise.self"


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
    C.ENTERPRISES_VIEW,
}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    # Everything but acting as an enterprise: headquarters reviews applications, it does not
    # file them.
    Role.HQ: frozenset(Capability) - {C.ENTERPRISE_SELF},
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
            C.ENTERPRISES_MANAGE,
            C.INSPECTIONS_RECORD,
            C.NEEDS_MANAGE,
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
    Role.RESUMPTION_DESK: frozenset(
        {
            C.DASHBOARD_VIEW,
            C.ENTERPRISES_VIEW,
            C.APPLICATIONS_REVIEW,
            C.NEEDS_MANAGE,
            C.CONTACTS_VIEW,
        }
    ),
    Role.TASK_FORCE: frozenset(
        {C.DASHBOARD_VIEW, C.ENTERPRISES_VIEW, C.INSPECTIONS_RECORD, C.NEEDS_MANAGE}
    ),
    # Nothing by jurisdiction: enterprises.access gives it its own enterprise's rows only.
    Role.ENTERPRISE: frozenset({C.ENTERPRISE_SELF}),
}
