"""Pages of task forces (专班): the list with counts (the viewer's own task forces first),
setting one up, editing its name, leader and members, ending it, and a task force's page
for its members on site: its approved enterprises, uninspected first, then those with open
rectifications (overdue first), then the rest, each with an "inspect" button."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.views import apply_service_error, refusal_text, set_choices

from ..forms.field import TaskForceEditForm, TaskForceForm
from ..selectors import taskforces as selectors
from ..services import taskforces as services

REFUSALS = (ValidationError, ConcurrentEditError)
PAGE_SIZE = 30
VIEW = Capability.ENTERPRISES_VIEW
MANAGE = Capability.ENTERPRISES_MANAGE


def page_number(request: HttpRequest) -> int:
    try:
        return min(max(int(request.GET.get("page") or 1), 1), 100_000)
    except ValueError:
        return 1


def page_of(qs, number: int, size: int = PAGE_SIZE) -> tuple[list, bool]:
    """One page of a list ordered by working order (not by a unique key): `size` rows and
    whether there are more."""
    rows = list(qs[(number - 1) * size : number * size + 1])
    return rows[:size], len(rows) > size


@requires(VIEW)
def taskforce_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    filters = selectors.TaskForceFilters(
        q=(request.GET.get("q") or "").strip()[:50], include_ended=request.GET.get("ended") == "1"
    )
    number = page_number(request)
    rows, more = page_of(selectors.task_force_list(actor=actor, filters=filters), number)
    return render(
        request,
        "enterprises/taskforce_list.html",
        {
            "rows": rows,
            "filters": filters,
            "page_number": number,
            "has_next": more,
            "can_manage": actor.has(MANAGE),
        },
    )


@requires(VIEW)
def taskforce_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    task_force = selectors.task_force_get(actor=actor, pk=pk)
    number = page_number(request)
    q = (request.GET.get("q") or "").strip()[:50]
    rows, more = page_of(selectors.task_force_enterprises(task_force=task_force, q=q), number)
    today = timezone.localdate()
    return render(
        request,
        "enterprises/taskforce_detail.html",
        {
            "tf": task_force,
            "members": list(task_force.members.all()),
            "rows": rows,
            "q": q,
            "page_number": number,
            "has_next": more,
            "today": today,
            "ended": task_force.active_until is not None and task_force.active_until <= today,
            "can_inspect": actor.can(Capability.INSPECTIONS_RECORD, task_force.jpath)
            or actor.has(Capability.INSPECTIONS_RECORD),
            "can_manage": actor.can(MANAGE, task_force.jpath),
        },
    )


def _people_choices(actor: Actor, form) -> dict:
    staff = {u.pk: u for u in selectors.staff_choices(actor=actor)}
    choices = [(pk, u.full_name or u.username) for pk, u in staff.items()]
    set_choices(form, "leader", choices)
    set_choices(form, "members", choices)
    return staff


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def taskforce_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    form = TaskForceForm(request.POST or None)
    areas = {a.code: a for a in selectors.area_choices(actor=actor)}
    set_choices(form, "jurisdiction", [(c, a.name) for c, a in areas.items()])
    staff = _people_choices(actor, form)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            task_force = services.task_force_create(
                actor=actor,
                name=d["name"],
                jurisdiction=areas[d["jurisdiction"]],
                leader=staff[d["leader"]],
                members=[staff[m] for m in d["members"]],
                active_from=d["active_from"],
            )
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request, _("Task force %(name)s was set up.") % {"name": task_force.name}
            )
            return redirect("enterprises:taskforce_detail", pk=task_force.pk)
    return render(
        request,
        "enterprises/taskforce_form.html",
        {"form": form, "title": _("Set up a task force")},
    )


@requires(MANAGE)
@require_http_methods(["GET", "POST"])
def taskforce_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    task_force = selectors.task_force_get(actor=actor, pk=pk)
    initial = {
        "name": task_force.name,
        "leader": task_force.leader_id,
        "members": [m.pk for m in task_force.members.all()],
    }
    form = TaskForceEditForm(request.POST or None, initial=initial)
    staff = _people_choices(actor, form)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.task_force_update(
                actor=actor,
                task_force=task_force,
                name=d["name"],
                leader=staff[d["leader"]],
                members=[staff[m] for m in d["members"]],
            )
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The task force was saved."))
            return redirect("enterprises:taskforce_detail", pk=task_force.pk)
    return render(
        request,
        "enterprises/taskforce_form.html",
        {"form": form, "title": _("Edit the task force"), "tf": task_force},
    )


@requires(MANAGE)
@require_POST
def taskforce_end(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    task_force = selectors.task_force_get(actor=actor, pk=pk)
    try:
        services.task_force_end(actor=actor, task_force=task_force)
    except REFUSALS as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, _("The task force was ended."))
    return redirect("enterprises:taskforce_detail", pk=task_force.pk)


urlpatterns = [
    path("task-forces/", taskforce_list, name="taskforce_list"),
    path("task-forces/new/", taskforce_create, name="taskforce_create"),
    path("task-forces/<int:pk>/", taskforce_detail, name="taskforce_detail"),
    path("task-forces/<int:pk>/edit/", taskforce_edit, name="taskforce_edit"),
    path("task-forces/<int:pk>/end/", taskforce_end, name="taskforce_end"),
]
