"""Home quarantine over the API: cases, follow-ups and worklists, alerts and referrals,
assistance requests, the self-report endpoint and the follow-up policy. Each part lives in
its own module with its own router."""

from epigrid.api.routing import CapabilityRouter

from . import assistance, cases, escalation, followups, policy, selfreport

PREFIX = "/quarantine"
router = CapabilityRouter(tags=["quarantine"])
for part in (cases, followups, escalation, assistance, selfreport, policy):
    router.add_router("", part.router)
