import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Query, Schema, Status

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability, Role
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.masking import mask_phone
from epigrid.core.pagination import keyset_page
from epigrid.geo import selectors as geo

from . import selectors, services
from .models import ResponsibilityKind, StaffCategory, StaffMember, Team, TeamKind

router = CapabilityRouter(tags=["workforce"])


class StaffOut(Schema):
    id: int
    name: str
    category: StaffCategory
    title: str
    phone: str
    is_party_member: bool
    jurisdiction: str
    active_from: dt.date
    active_until: dt.date | None
    version: int


def staff_out(actor: Actor, m: StaffMember) -> StaffOut:
    show = actor.can(Capability.CONTACTS_VIEW, m.jpath)
    return StaffOut(
        id=m.pk,
        name=m.name,
        category=StaffCategory(m.category),
        title=m.title,
        phone=m.phone if show else mask_phone(m.phone),
        is_party_member=m.is_party_member,
        jurisdiction=m.jurisdiction.code,
        active_from=m.active_from,
        active_until=m.active_until,
        version=m.version,
    )


class StaffFilters(Schema):
    within: str | None = None
    category: StaffCategory | None = None
    q: str | None = None
    include_inactive: bool = False
    cursor: str | None = None
    limit: int = 50


class StaffIn(Schema):
    jurisdiction: str
    name: str
    category: StaffCategory
    title: str = ""
    phone: str = ""
    is_party_member: bool = False
    active_from: dt.date | None = None


class StaffPatch(Schema):
    version: int
    name: str
    category: StaffCategory
    title: str = ""
    phone: str = ""
    is_party_member: bool = False


class EndIn(Schema):
    version: int
    on: dt.date | None = None


@router.get("/staff", response=PageOut[StaffOut])
@requires(Capability.STAFF_VIEW)
def staff_list(request: HttpRequest, filters: Query[StaffFilters]):
    actor = request_actor(request)
    qs = selectors.staff_list(
        actor=actor,
        within=filters.within,
        q=filters.q,
        category=str(filters.category) if filters.category else None,
        include_inactive=filters.include_inactive,
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [staff_out(actor, m) for m in page.items], "next": page.next}


@router.get("/staff/{staff_id}", response=StaffOut)
@requires(Capability.STAFF_VIEW)
def staff_detail(request: HttpRequest, staff_id: int):
    actor = request_actor(request)
    return staff_out(actor, selectors.staff_get(actor=actor, pk=staff_id))


@router.post("/staff", response={201: StaffOut})
@requires(Capability.STAFF_MANAGE)
def staff_create(request: HttpRequest, payload: StaffIn):
    actor = request_actor(request)
    node = geo.jurisdiction_get(
        actor=actor, code=payload.jurisdiction, capability=Capability.STAFF_MANAGE
    )
    data = payload.dict(exclude={"jurisdiction"})
    data["category"] = str(data["category"])
    member = services.staff_create(actor=actor, jurisdiction=node, **data)
    return Status(201, staff_out(actor, member))


@router.patch("/staff/{staff_id}", response=StaffOut)
@requires(Capability.STAFF_MANAGE)
def staff_update(request: HttpRequest, staff_id: int, payload: StaffPatch):
    actor = request_actor(request)
    member = selectors.staff_get(actor=actor, pk=staff_id)
    data = payload.dict()
    data["category"] = str(data["category"])
    return staff_out(actor, services.staff_update(actor=actor, member=member, **data))


@router.post("/staff/{staff_id}/deactivate", response=StaffOut)
@requires(Capability.STAFF_MANAGE)
def staff_deactivate(request: HttpRequest, staff_id: int, payload: EndIn):
    actor = request_actor(request)
    member = selectors.staff_get(actor=actor, pk=staff_id)
    return staff_out(actor, services.staff_deactivate(actor=actor, member=member, **payload.dict()))


class LoginIn(Schema):
    username: str
    password: str
    role: Role


@router.post("/staff/{staff_id}/login", response={201: StaffOut})
@requires(Capability.ACCOUNTS_MANAGE)
def staff_login_create(request: HttpRequest, staff_id: int, payload: LoginIn):
    actor = request_actor(request)
    member = selectors.staff_get(actor=actor, pk=staff_id)
    member = services.staff_login_create(
        actor=actor,
        member=member,
        username=payload.username,
        password=payload.password,
        role=str(payload.role),
    )
    return Status(201, staff_out(actor, member))


class MemberOut(Schema):
    staff_id: int
    name: str
    category: StaffCategory
    active_from: dt.date


class TeamOut(Schema):
    id: int
    name: str
    kind: TeamKind
    jurisdiction: str
    leader_id: int | None
    members: list[MemberOut]
    active_from: dt.date
    active_until: dt.date | None
    version: int


def team_out(t: Team) -> TeamOut:
    return TeamOut(
        id=t.pk,
        name=t.name,
        kind=TeamKind(t.kind),
        jurisdiction=t.jurisdiction.code,
        leader_id=t.leader_id,
        members=[
            MemberOut(
                staff_id=m.staff_id,
                name=m.staff.name,
                category=StaffCategory(m.staff.category),
                active_from=m.active_from,
            )
            for m in t.current_memberships
        ],
        active_from=t.active_from,
        active_until=t.active_until,
        version=t.version,
    )


class TeamFilters(Schema):
    within: str | None = None
    kind: TeamKind | None = None
    q: str | None = None
    include_inactive: bool = False
    cursor: str | None = None
    limit: int = 50


class TeamIn(Schema):
    jurisdiction: str
    kind: TeamKind
    name: str
    leader_id: int | None = None
    active_from: dt.date | None = None


class TeamPatch(Schema):
    version: int
    name: str
    leader_id: int | None = None


class MemberIn(Schema):
    staff_id: int
    on: dt.date | None = None


def _team(actor: Actor, team_id: int) -> Team:
    return selectors.team_get(actor=actor, pk=team_id)


def _staff(actor: Actor, staff_id: int | None) -> StaffMember | None:
    if staff_id is None:
        return None
    return selectors.staff_get(actor=actor, pk=staff_id)


@router.get("/teams", response=PageOut[TeamOut])
@requires(Capability.TEAMS_VIEW)
def team_list(request: HttpRequest, filters: Query[TeamFilters]):
    actor = request_actor(request)
    qs = selectors.team_list(
        actor=actor,
        within=filters.within,
        q=filters.q,
        kind=str(filters.kind) if filters.kind else None,
        include_inactive=filters.include_inactive,
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit)
    return {"items": [team_out(t) for t in page.items], "next": page.next}


@router.get("/teams/{team_id}", response=TeamOut)
@requires(Capability.TEAMS_VIEW)
def team_detail(request: HttpRequest, team_id: int):
    return team_out(_team(request_actor(request), team_id))


@router.post("/teams", response={201: TeamOut})
@requires(Capability.TEAMS_MANAGE)
def team_create(request: HttpRequest, payload: TeamIn):
    actor = request_actor(request)
    node = geo.jurisdiction_get(
        actor=actor, code=payload.jurisdiction, capability=Capability.TEAMS_MANAGE
    )
    team = services.team_create(
        actor=actor,
        jurisdiction=node,
        kind=str(payload.kind),
        name=payload.name,
        leader=_staff(actor, payload.leader_id),
        active_from=payload.active_from,
    )
    return Status(201, team_out(_team(actor, team.pk)))


@router.patch("/teams/{team_id}", response=TeamOut)
@requires(Capability.TEAMS_MANAGE)
def team_update(request: HttpRequest, team_id: int, payload: TeamPatch):
    actor = request_actor(request)
    team = _team(actor, team_id)
    services.team_update(
        actor=actor,
        team=team,
        version=payload.version,
        name=payload.name,
        leader=_staff(actor, payload.leader_id),
    )
    return team_out(_team(actor, team_id))


@router.post("/teams/{team_id}/members", response={201: TeamOut})
@requires(Capability.TEAMS_MANAGE)
def team_member_add(request: HttpRequest, team_id: int, payload: MemberIn):
    actor = request_actor(request)
    team = _team(actor, team_id)
    member = _staff(actor, payload.staff_id)
    assert member is not None
    services.team_member_add(actor=actor, team=team, member=member, on=payload.on)
    return Status(201, team_out(_team(actor, team_id)))


@router.delete("/teams/{team_id}/members/{staff_id}", response=TeamOut)
@requires(Capability.TEAMS_MANAGE)
def team_member_remove(request: HttpRequest, team_id: int, staff_id: int):
    actor = request_actor(request)
    team = _team(actor, team_id)
    member = _staff(actor, staff_id)
    assert member is not None
    services.team_member_remove(actor=actor, team=team, member=member)
    return team_out(_team(actor, team_id))


@router.post("/teams/{team_id}/dissolve", response=TeamOut)
@requires(Capability.TEAMS_MANAGE)
def team_dissolve(request: HttpRequest, team_id: int, payload: EndIn):
    actor = request_actor(request)
    services.team_dissolve(actor=actor, team=_team(actor, team_id), **payload.dict())
    return team_out(_team(actor, team_id))


class ResponsibilityOut(Schema):
    jurisdiction: str
    kind: ResponsibilityKind
    staff_id: int
    name: str
    active_from: dt.date


class ResponsibilityIn(Schema):
    kind: ResponsibilityKind
    staff_id: int


@router.get("/jurisdictions/{code}/responsibilities", response=list[ResponsibilityOut])
@requires(Capability.STAFF_VIEW)
def responsibilities(request: HttpRequest, code: str):
    actor = request_actor(request)
    node = geo.jurisdiction_get(actor=actor, code=code, capability=Capability.STAFF_VIEW)
    return [
        ResponsibilityOut(
            jurisdiction=r.jurisdiction.code,
            kind=ResponsibilityKind(r.kind),
            staff_id=r.staff_id,
            name=r.staff.name,
            active_from=r.active_from,
        )
        for r in selectors.responsibilities_for(actor=actor, node=node)
    ]


@router.post("/jurisdictions/{code}/responsibilities", response={201: ResponsibilityOut})
@requires(Capability.STAFF_MANAGE)
def responsibility_assign(request: HttpRequest, code: str, payload: ResponsibilityIn):
    actor = request_actor(request)
    node = geo.jurisdiction_get(actor=actor, code=code, capability=Capability.STAFF_MANAGE)
    member = _staff(actor, payload.staff_id)
    if member is None:
        raise Http404
    row = services.responsibility_assign(
        actor=actor, jurisdiction=node, kind=str(payload.kind), member=member
    )
    return Status(
        201,
        ResponsibilityOut(
            jurisdiction=node.code,
            kind=ResponsibilityKind(row.kind),
            staff_id=member.pk,
            name=member.name,
            active_from=row.active_from,
        ),
    )
