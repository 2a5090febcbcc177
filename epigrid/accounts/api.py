from django.http import HttpRequest
from ninja import Schema

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import ROLE_CAPABILITIES, Capability
from epigrid.api.routing import CapabilityRouter

router = CapabilityRouter(tags=["accounts"])


class GrantOut(Schema):
    role: str
    jurisdiction: str
    capabilities: list[str]


class MeOut(Schema):
    username: str
    full_name: str
    grants: list[GrantOut]


@router.get("/me", response=MeOut)
@requires(Capability.DASHBOARD_VIEW)
def me(request: HttpRequest):
    """Who the token belongs to, and where each of their roles applies."""
    actor = request_actor(request)
    return MeOut(
        username=actor.user.username,
        full_name=actor.user.full_name,
        grants=[
            GrantOut(
                role=g.role,
                jurisdiction=g.code,
                capabilities=sorted(str(c) for c in ROLE_CAPABILITIES.get(g.role, ())),
            )
            for g in actor.grants
        ],
    )
