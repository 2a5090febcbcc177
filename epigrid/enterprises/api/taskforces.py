"""API: task forces (专班) with their enterprises in working order, inspections and
rectifications. Reads are scoped by enterprises.access (an enterprise user reaches its own
enterprise's inspections and rectifications only); writes go through the services."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status

from epigrid.accounts.access import Actor, request_actor, requires, requires_any
from epigrid.accounts.roles import Capability
from epigrid.api.routing import CapabilityRouter
from epigrid.api.schemas import PageOut
from epigrid.core.pagination import keyset_page

from ..models import Enterprise, Inspection, InspectionKind, Rectification, TaskForce
from ..selectors import inspections as isel
from ..selectors import taskforces as tsel
from ..services import inspections as iservices
from ..services import taskforces as tservices

router = CapabilityRouter()
Id = Annotated[int, Field(ge=1, le=2**63 - 1)]
VIEW = Capability.ENTERPRISES_VIEW
SELF = Capability.ENTERPRISE_SELF


class UserOut(Schema):
    id: int
    username: str
    full_name: str


def user_out(u: Any) -> UserOut | None:
    return UserOut(id=u.pk, username=u.username, full_name=u.full_name) if u else None


class TaskForceOut(Schema):
    id: int
    name: str
    jurisdiction: str = Field(description="Code of the task force's area.")
    jurisdiction_name: str
    leader: UserOut
    active_from: dt.date
    active_until: dt.date | None
    enterprises: int | None = Field(None, description="Approved enterprises in the area.")
    uninspected: int | None = None
    inspections_done: int | None = None
    rectifications_open: int | None = None
    mine: bool | None = Field(None, description="The caller leads it or belongs to it.")


class TaskForceDetailOut(TaskForceOut):
    members: list[UserOut]


def task_force_out(t: TaskForce, detail: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": t.pk,
        "name": t.name,
        "jurisdiction": t.jurisdiction.code,
        "jurisdiction_name": t.jurisdiction.name,
        "leader": user_out(t.leader),
        "active_from": t.active_from,
        "active_until": t.active_until,
        "enterprises": getattr(t, "enterprise_count", None),
        "uninspected": getattr(t, "uninspected_count", None),
        "inspections_done": getattr(t, "inspection_count", None),
        "rectifications_open": getattr(t, "open_rectification_count", None),
        "mine": (t.mine == 0) if hasattr(t, "mine") else None,
    }
    if detail:
        data["members"] = [user_out(m) for m in t.members.all()]
    return data


class TaskForceFilters(Schema):
    q: str | None = Field(None, max_length=50)
    include_ended: bool = False
    page: int = Field(1, ge=1, le=100_000)
    limit: int = Field(50, ge=1, le=500)


class TaskForceIn(Schema):
    name: str = Field(max_length=100)
    jurisdiction: str = Field(
        max_length=64, description="Code of a subdistrict, village or community."
    )
    leader: Id = Field(description="User id of the leader (a staff user).")
    members: list[Id] = Field(default_factory=list, max_length=200)
    active_from: dt.date | None = Field(None, description="Default: today.")


class TaskForcePatch(Schema):
    name: str | None = Field(None, max_length=100)
    leader: Id | None = None
    members: list[Id] | None = Field(None, max_length=200)
    end_on: dt.date | None = Field(None, description="End the task force from this day.")


def _staff(actor: Actor, ids: list[int], field: str) -> list[Any]:
    found = {u.pk: u for u in tsel.staff_choices(actor=actor).filter(pk__in=ids)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise ValidationError(
            {field: _("No staff user with id %(ids)s in your area.") % {"ids": ", ".join(missing)}}
        )
    return [found[i] for i in ids]


def _slice(qs, page: int, limit: int) -> tuple[list, bool]:
    """Page `page` of `limit` rows (the lists ordered by working order, not by a key)."""
    rows = list(qs[(page - 1) * limit : page * limit + 1])
    return rows[:limit], len(rows) > limit


class TaskForcePage(Schema):
    items: list[TaskForceOut]
    page: int
    has_next: bool


@router.get("/task-forces", response=TaskForcePage)
@requires(VIEW)
def task_force_list(request: HttpRequest, filters: Query[TaskForceFilters]):
    """Task forces whose area the caller sees, its own first, with their counts."""
    qs = tsel.task_force_list(
        actor=request_actor(request),
        filters=tsel.TaskForceFilters(q=filters.q or "", include_ended=filters.include_ended),
    )
    rows, more = _slice(qs, filters.page, filters.limit)
    return {"items": [task_force_out(t) for t in rows], "page": filters.page, "has_next": more}


@router.post("/task-forces", response={201: TaskForceDetailOut})
@requires(Capability.ENTERPRISES_MANAGE)
def task_force_create(request: HttpRequest, payload: TaskForceIn):
    actor = request_actor(request)
    area = tsel.area_choices(actor=actor).filter(code=payload.jurisdiction.strip()).first()
    if area is None:
        raise ValidationError(
            {"jurisdiction": _("No subdistrict, village or community with this code in your area.")}
        )
    (leader,) = _staff(actor, [payload.leader], "leader")
    task_force = tservices.task_force_create(
        actor=actor,
        name=payload.name,
        jurisdiction=area,
        leader=leader,
        members=_staff(actor, payload.members, "members"),
        active_from=payload.active_from,
    )
    return Status(201, task_force_out(tsel.task_force_get(actor=actor, pk=task_force.pk), True))


@router.get("/task-forces/{int:task_force_id}", response=TaskForceDetailOut)
@requires(VIEW)
def task_force_detail(request: HttpRequest, task_force_id: int):
    return task_force_out(tsel.task_force_get(actor=request_actor(request), pk=task_force_id), True)


@router.patch("/task-forces/{int:task_force_id}", response=TaskForceDetailOut)
@requires(Capability.ENTERPRISES_MANAGE)
def task_force_update(request: HttpRequest, task_force_id: int, payload: TaskForcePatch):
    """Changes name, leader or members (those given); `end_on` ends it."""
    actor = request_actor(request)
    task_force = tsel.task_force_get(actor=actor, pk=task_force_id)
    given = payload.model_fields_set
    if given & {"name", "leader", "members"}:
        tservices.task_force_update(
            actor=actor,
            task_force=task_force,
            name=payload.name,
            leader=_staff(actor, [payload.leader], "leader")[0] if payload.leader else None,
            members=_staff(actor, payload.members, "members")
            if payload.members is not None
            else None,
        )
    if payload.end_on is not None:
        tservices.task_force_end(actor=actor, task_force=task_force, on=payload.end_on)
    return task_force_out(tsel.task_force_get(actor=actor, pk=task_force_id), True)


class TaskEnterpriseOut(Schema):
    id: int
    name: str
    address: str
    approved_on: dt.date | None
    last_inspected_on: dt.date | None
    group: Literal["uninspected", "rectifying", "inspected"]
    open_rectifications: int
    next_deadline: dt.date | None
    overdue: bool


GROUPS = {0: "uninspected", 1: "rectifying", 2: "inspected"}


class TaskEnterprisePage(Schema):
    items: list[TaskEnterpriseOut]
    page: int
    has_next: bool


class PageFilters(Schema):
    q: str | None = Field(None, max_length=50)
    page: int = Field(1, ge=1, le=100_000)
    limit: int = Field(50, ge=1, le=500)


@router.get("/task-forces/{int:task_force_id}/enterprises", response=TaskEnterprisePage)
@requires(VIEW)
def task_force_enterprises(request: HttpRequest, task_force_id: int, filters: Query[PageFilters]):
    """Approved enterprises of the area: uninspected first, then open rectifications
    (overdue first), then the rest."""
    task_force = tsel.task_force_get(actor=request_actor(request), pk=task_force_id)
    qs = tsel.task_force_enterprises(task_force=task_force, q=filters.q or "")
    rows, more = _slice(qs, filters.page, filters.limit)
    items = [
        TaskEnterpriseOut(
            id=e.pk,
            name=e.name,
            address=e.address,
            approved_on=e.approved_on,
            last_inspected_on=e.last_inspected_on,
            group=GROUPS[e.group],  # type: ignore[arg-type]
            open_rectifications=e.open_rectifications,
            next_deadline=e.next_deadline,
            overdue=bool(e.overdue),
        )
        for e in rows
    ]
    return {"items": items, "page": filters.page, "has_next": more}


# --- inspections --------------------------------------------------------------------------


class ResultOut(Schema):
    code: str
    label: str
    ok: bool
    finding: str


class InspectionOut(Schema):
    id: int
    enterprise: int
    enterprise_name: str
    task_force: int | None
    kind: InspectionKind
    inspected_on: dt.date
    passed: bool
    results: list[ResultOut]
    note: str
    inspector: str


def inspection_out(i: Inspection) -> InspectionOut:
    return InspectionOut(
        id=i.pk,
        enterprise=i.enterprise_id,
        enterprise_name=i.enterprise.name,
        task_force=i.task_force_id,
        kind=InspectionKind(i.kind),
        inspected_on=i.inspected_on,
        passed=i.passed,
        results=[
            ResultOut(
                code=item["code"],
                label=item.get("zh") or item.get("en") or item["code"],
                ok=bool(i.results.get(item["code"], {}).get("ok")),
                finding=i.results.get(item["code"], {}).get("note", ""),
            )
            for item in i.checklist
        ],
        note=i.note,
        inspector=i.inspector.username if i.inspector else "",
    )


class InspectionFilters(Schema):
    enterprise: Id | None = None
    task_force: Id | None = None
    passed: bool | None = None
    q: str | None = Field(None, max_length=50)
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=500)


class AnswerIn(Schema):
    ok: bool
    finding: str = Field("", max_length=500)
    deadline: dt.date | None = Field(None, description="Default: three days after the inspection.")


class InspectionIn(Schema):
    enterprise: Id
    task_force: Id | None = None
    inspected_on: dt.date | None = Field(None, description="Default: today.")
    results: dict[str, AnswerIn] = Field(description="Checklist item code → answer.")
    note: str = Field("", max_length=2000)


@router.get("/inspections", response=PageOut[InspectionOut])
@requires_any(VIEW, SELF)
def inspection_list(request: HttpRequest, filters: Query[InspectionFilters]):
    qs = isel.inspection_list(
        actor=request_actor(request),
        filters=isel.InspectionFilters(
            enterprise=filters.enterprise,
            task_force=filters.task_force,
            passed=filters.passed,
            q=filters.q or "",
        ),
    )
    page = keyset_page(qs, cursor=filters.cursor, limit=filters.limit, key="-id")
    return {"items": [inspection_out(i) for i in page.items], "next": page.next}


@router.post("/inspections", response={201: InspectionOut})
@requires(Capability.INSPECTIONS_RECORD)
def inspection_record(request: HttpRequest, payload: InspectionIn):
    """Records an inspection; failing items open rectifications, a re-inspection closes
    the open ones now in order."""
    actor = request_actor(request)
    enterprise: Enterprise = isel.enterprise_for_inspection(actor=actor, pk=payload.enterprise)
    task_force = None
    if payload.task_force is not None:
        task_force = tsel.task_force_get(actor=actor, pk=payload.task_force)
    inspection = iservices.inspection_record(
        actor=actor,
        enterprise=enterprise,
        task_force=task_force,
        inspected_on=payload.inspected_on or timezone.localdate(),
        results={code: a.model_dump() for code, a in payload.results.items()},
        note=payload.note,
    )
    return Status(201, inspection_out(isel.inspection_get(actor=actor, pk=inspection.pk)))


@router.get("/inspections/{int:inspection_id}", response=InspectionOut)
@requires_any(VIEW, SELF)
def inspection_detail(request: HttpRequest, inspection_id: int):
    return inspection_out(isel.inspection_get(actor=request_actor(request), pk=inspection_id))


class RectificationOut(Schema):
    id: int
    enterprise: int
    enterprise_name: str
    inspection: int
    item: str
    finding: str
    deadline: dt.date
    open: bool
    overdue: bool
    closed_by: int | None
    closed_at: dt.datetime | None


class RectificationFilters(Schema):
    state: Literal["open", "overdue", "closed"] | None = None
    enterprise: Id | None = None
    item: str | None = Field(None, max_length=40)
    q: str | None = Field(None, max_length=50)
    page: int = Field(1, ge=1, le=100_000)
    limit: int = Field(50, ge=1, le=500)


class RectificationPage(Schema):
    items: list[RectificationOut]
    page: int
    has_next: bool


def rectification_out(r: Rectification) -> RectificationOut:
    return RectificationOut(
        id=r.pk,
        enterprise=r.enterprise_id,
        enterprise_name=r.enterprise.name,
        inspection=r.inspection_id,
        item=r.item,
        finding=r.finding,
        deadline=r.deadline,
        open=r.closed_at is None,
        overdue=bool(getattr(r, "overdue", 0)),
        closed_by=r.closed_by_id,
        closed_at=r.closed_at,
    )


@router.get("/rectifications", response=RectificationPage)
@requires_any(VIEW, SELF)
def rectification_list(request: HttpRequest, filters: Query[RectificationFilters]):
    """Open first (earliest deadline first), then closed; a rectification closes only by a
    re-inspection (POST /inspections)."""
    qs = isel.rectification_list(
        actor=request_actor(request),
        filters=isel.RectificationFilters(
            state=filters.state or "",
            enterprise=filters.enterprise,
            item=filters.item or "",
            q=filters.q or "",
        ),
    )
    rows, more = _slice(qs, filters.page, filters.limit)
    return {"items": [rectification_out(r) for r in rows], "page": filters.page, "has_next": more}
