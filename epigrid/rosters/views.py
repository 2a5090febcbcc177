"""Pages of duty rosters: posts with their uncovered hours, a post's roster for a week
(days × shifts, the gaps named), the shift form, a shift's page with its hand-over notes,
and a grid worker's own shifts."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.pagination import keyset_page
from epigrid.core.views import apply_service_error, query_without, refusal_text, set_choices
from epigrid.geo import selectors as geo
from epigrid.workforce import selectors as workforce

from . import display, selectors, services
from .display import hours_text, span_label, spans
from .forms import (
    CancelForm,
    CloseForm,
    HandoverForm,
    MemberAddForm,
    PostForm,
    ShiftForm,
    shift_initial,
)
from .models import Post, PostKind, hhmm

REFUSALS = (ValidationError, ConcurrentEditError)
HORIZONS = (24, 48)


def _page(request: HttpRequest, qs, key: str = "id"):
    return keyset_page(qs, cursor=request.GET.get("cursor"), limit=50, key=key)


def _code(request: HttpRequest, name: str = "within") -> str | None:
    return (request.GET.get(name) or "").strip()[:64] or None


def _day(request: HttpRequest, name: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat((request.GET.get(name) or "").strip()[:10])
    except ValueError:
        return None


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time()).replace(tzinfo=selectors.tz())


# --- posts --------------------------------------------------------------------------------


@requires(Capability.ROSTERS_VIEW)
def post_list(request: HttpRequest) -> HttpResponse:
    """Posts with the hours nobody holds in the next 24 h; ?hours=24|48 lists only posts
    with gaps in that horizon, the soonest gap first."""
    actor = request_actor(request)
    within = _code(request)
    if within:
        geo.jurisdiction_get(actor=actor, code=within, capability=Capability.ROSTERS_VIEW)
    kind = request.GET.get("kind") or None
    kind = kind if kind in PostKind.values else None
    try:
        hours = int(request.GET.get("hours") or 0)
    except ValueError:
        hours = 0
    now = timezone.now().replace(second=0, microsecond=0)
    page = None
    if hours in HORIZONS:
        rows = [
            (p, spans(g), hours_text(sum(x.minutes for x in g)))
            for p, g in selectors.posts_with_gaps(actor=actor, hours=hours, within=within)
            if kind is None or p.kind == kind
        ]
    else:
        hours = 0
        try:
            page = _page(
                request, selectors.post_list(actor=actor, within=within, kind=kind), key="-id"
            )
        except ValidationError:
            return redirect(request.path)
        found = selectors.gaps_by_post(
            posts=page.items, start=now, end=now + dt.timedelta(hours=24)
        )
        rows = [
            (p, spans(found[p.pk]), hours_text(sum(x.minutes for x in found[p.pk])))
            for p in page.items
        ]
    return render(
        request,
        "rosters/post_list.html",
        {
            "rows": rows,
            "page": page,
            "hours": hours,
            "horizons": HORIZONS,
            "within": within or "",
            "kind": kind or "",
            "kinds": PostKind.choices,
            "can_manage": actor.has(Capability.ROSTERS_MANAGE),
            "query_without_cursor": query_without(request, "cursor"),
        },
    )


def _post_form_data(form: PostForm) -> dict:
    data = dict(form.cleaned_data)
    data.pop("jurisdiction", None)
    data.pop("version", None)
    return data


@requires(Capability.ROSTERS_MANAGE)
@require_http_methods(["GET", "POST"])
def post_create(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    roots = geo.jurisdiction_roots(actor=actor, capability=Capability.ROSTERS_MANAGE)
    form = PostForm(
        request.POST or None,
        initial={
            "jurisdiction": _code(request, "j") or (roots[0].code if roots else ""),
            "kind": PostKind.MONITORING_DESK,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            node = geo.jurisdiction_get(
                actor=actor,
                code=form.cleaned_data["jurisdiction"].strip(),
                capability=Capability.ROSTERS_MANAGE,
            )
        except Http404:  # an unknown code and one outside one's area answer alike
            form.add_error("jurisdiction", _("No jurisdiction with this code in your area."))
        else:
            try:
                post = services.post_create(actor=actor, jurisdiction=node, **_post_form_data(form))
            except REFUSALS as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, _("Duty post %(name)s was set up.") % {"name": post.name})
                return redirect("rosters:post_detail", pk=post.pk)
    return render(
        request,
        "rosters/form.html",
        {"form": form, "title": _("Set up a duty post"), "back_url": reverse("rosters:post_list")},
    )


@requires(Capability.ROSTERS_MANAGE)
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    post = selectors.post_get(actor=actor, pk=pk, capability=Capability.ROSTERS_MANAGE)
    form = PostForm(
        request.POST or None,
        editing=True,
        initial={
            "name": post.name,
            "kind": post.kind,
            "covers_from": hhmm(post.covers_from),
            "covers_until": hhmm(post.covers_until),
            "note": post.note,
            "version": post.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.post_update(
                actor=actor,
                post=post,
                version=form.cleaned_data["version"],
                **_post_form_data(form),
            )
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("rosters:post_detail", pk=post.pk)
    return render(
        request,
        "rosters/form.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": post.name},
            "back_url": reverse("rosters:post_detail", args=[post.pk]),
        },
    )


@requires(Capability.ROSTERS_MANAGE)
@require_POST
def post_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    post = selectors.post_get(actor=actor, pk=pk, capability=Capability.ROSTERS_MANAGE)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.post_close(actor=actor, post=post, **form.cleaned_data)
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("Duty post %(name)s was closed.") % {"name": post.name})
    else:
        messages.error(request, _("Enter a valid date."))
    return redirect("rosters:post_detail", pk=post.pk)


@requires(Capability.ROSTERS_VIEW)
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The week's roster of a post (?week= any day of it; default this week): each day's
    shifts and who is on them, and the hours nobody holds, named."""
    actor = request_actor(request)
    post = selectors.post_get(actor=actor, pk=pk)
    today = timezone.localdate()
    chosen = _day(request, "week") or today
    monday = chosen - dt.timedelta(days=chosen.weekday())
    start, end = _midnight(monday), _midnight(monday + dt.timedelta(days=7))
    shifts = list(selectors.shift_list(actor=actor, post=post, start=start, end=end))
    gaps = selectors.uncovered(post=post, start=start, end=end)
    days = display.week(monday, shifts, gaps, today=today)
    can_manage = actor.can(Capability.ROSTERS_MANAGE, post.jpath)
    return render(
        request,
        "rosters/post_detail.html",
        {
            "post": post,
            "days": days,
            "monday": monday,
            "sunday": monday + dt.timedelta(days=6),
            "prev_week": monday - dt.timedelta(days=7),
            "next_week": monday + dt.timedelta(days=7),
            "gap_total": hours_text(sum(g.minutes for d in days for g in d.gaps)),
            "can_manage": can_manage and post.active_until is None,
            "close_form": CloseForm(initial={"version": post.version}),
        },
    )


# --- shifts -------------------------------------------------------------------------------


def _staff_choices(actor: Actor, post: Post, exclude: frozenset[int] = frozenset()) -> list:
    return [
        (s.pk, f"{s.name} · {s.get_category_display()} · {s.jurisdiction.name}")
        for s in workforce.staff_eligible_for(actor=actor, path=post.jpath)
        if s.pk not in exclude
    ]


def _chosen_staff(actor: Actor, post: Post, ids: list[int]) -> list:
    eligible = {s.pk: s for s in workforce.staff_eligible_for(actor=actor, path=post.jpath)}
    return [eligible[i] for i in ids if i in eligible]


@requires(Capability.ROSTERS_MANAGE)
@require_http_methods(["GET", "POST"])
def shift_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    post = selectors.post_get(actor=actor, pk=pk, capability=Capability.ROSTERS_MANAGE)
    form = ShiftForm(
        request.POST or None,
        staff_choices=_staff_choices(actor, post),
        initial=shift_initial(_day(request, "day")),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            shift = services.shift_create(
                actor=actor,
                post=post,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                members=_chosen_staff(actor, post, data["members"]),
                note=data["note"],
            )
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Shift %(shift)s added.") % {"shift": shift})
            week = display.local(shift.starts_at).date().isoformat()
            return redirect(f"{reverse('rosters:post_detail', args=[post.pk])}?week={week}")
    return render(
        request,
        "rosters/form.html",
        {
            "form": form,
            "title": _("New shift at %(post)s") % {"post": post.name},
            "back_url": reverse("rosters:post_detail", args=[post.pk]),
        },
    )


@requires(Capability.ROSTERS_VIEW)
def shift_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A shift: who is on it, the notes the previous shift handed over, this shift's own
    notes and the form to write one."""
    actor = request_actor(request)
    shift = selectors.shift_get(actor=actor, pk=pk)
    post = shift.post
    previous = selectors.previous_shift(shift=shift)
    following = selectors.next_shift(shift=shift)
    can_manage = actor.can(Capability.ROSTERS_MANAGE, shift.jpath) and not shift.is_cancelled
    member_form = None
    if can_manage:
        member_form = MemberAddForm()
        on = {m.staff_id for m in shift.duty}
        set_choices(member_form, "staff", [("", "—"), *_staff_choices(actor, post, frozenset(on))])
    may_write = (
        not shift.is_cancelled
        and shift.starts_at <= timezone.now() + services.CLOCK_SKEW
        and services.may_hand_over(actor, shift)
    )
    return render(
        request,
        "rosters/shift_detail.html",
        {
            "shift": shift,
            "post": post,
            "span": span_label(shift.starts_at, shift.ends_at),
            "post_visible": actor.can(Capability.ROSTERS_VIEW, post.jpath),
            "previous": previous,
            "previous_span": span_label(previous.starts_at, previous.ends_at) if previous else "",
            "previous_notes": list(selectors.handovers(shift=previous)) if previous else [],
            "following": following,
            "notes": list(selectors.handovers(shift=shift)),
            "can_manage": can_manage,
            "member_form": member_form,
            "cancel_form": CancelForm(initial={"version": shift.version}),
            "note_form": HandoverForm() if may_write else None,
            "week": display.local(shift.starts_at).date().isoformat(),
        },
    )


@requires(Capability.ROSTERS_MANAGE)
@require_http_methods(["GET", "POST"])
def shift_edit(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    shift = selectors.shift_get(actor=actor, pk=pk, capability=Capability.ROSTERS_MANAGE)
    fmt = "%Y-%m-%dT%H:%M"
    form = ShiftForm(
        request.POST or None,
        editing=True,
        initial={
            "starts_at": display.local(shift.starts_at).strftime(fmt),
            "ends_at": display.local(shift.ends_at).strftime(fmt),
            "note": shift.note,
            "version": shift.version,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.shift_update(
                actor=actor,
                shift=shift,
                version=data["version"],
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                note=data["note"],
            )
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("rosters:shift_detail", pk=shift.pk)
    return render(
        request,
        "rosters/form.html",
        {
            "form": form,
            "title": _("Edit shift %(shift)s") % {"shift": shift},
            "back_url": reverse("rosters:shift_detail", args=[shift.pk]),
        },
    )


@requires(Capability.ROSTERS_MANAGE)
@require_POST
def shift_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    shift = selectors.shift_get(actor=actor, pk=pk, capability=Capability.ROSTERS_MANAGE)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.shift_cancel(actor=actor, shift=shift, **form.cleaned_data)
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("Shift %(shift)s cancelled.") % {"shift": shift})
    else:
        messages.error(request, refusal_text(ValidationError(list(form.errors.values()))))
    return redirect("rosters:shift_detail", pk=shift.pk)


@requires(Capability.ROSTERS_MANAGE)
@require_POST
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    shift = selectors.shift_get(actor=actor, pk=pk, capability=Capability.ROSTERS_MANAGE)
    form = MemberAddForm(request.POST)
    set_choices(form, "staff", _staff_choices(actor, shift.post))
    if form.is_valid():
        staff = _chosen_staff(actor, shift.post, [form.cleaned_data["staff"]])[0]
        try:
            services.shift_member_add(actor=actor, shift=shift, staff=staff)
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("%(name)s is on the shift.") % {"name": staff.name})
    else:
        messages.error(request, _("Choose a grid worker from the list."))
    return redirect("rosters:shift_detail", pk=shift.pk)


@requires(Capability.ROSTERS_MANAGE)
@require_POST
def member_remove(request: HttpRequest, pk: int, staff_pk: int) -> HttpResponse:
    actor = request_actor(request)
    shift = selectors.shift_get(actor=actor, pk=pk, capability=Capability.ROSTERS_MANAGE)
    member = next((m for m in shift.duty if m.staff_id == staff_pk), None)
    if member is None:
        raise Http404
    try:
        services.shift_member_remove(actor=actor, shift=shift, staff=member.staff)
    except REFUSALS as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(
            request, _("%(name)s was taken off the shift.") % {"name": member.staff.name}
        )
    return redirect("rosters:shift_detail", pk=shift.pk)


@requires(Capability.ROSTERS_VIEW)
@require_POST
def handover_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Someone on the shift, or a roster manager, hands over (the service decides)."""
    actor = request_actor(request)
    shift = selectors.shift_get(actor=actor, pk=pk)
    form = HandoverForm(request.POST)
    if form.is_valid():
        try:
            services.handover_add(actor=actor, shift=shift, text=form.cleaned_data["text"])
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("Hand-over note saved."))
    else:
        messages.error(request, refusal_text(ValidationError(list(form.errors.values()))))
    return redirect("rosters:shift_detail", pk=shift.pk)


@requires(Capability.ROSTERS_VIEW)
def my_shifts(request: HttpRequest) -> HttpResponse:
    """The acting grid worker's shifts from yesterday to a week ahead."""
    actor = request_actor(request)
    now = timezone.now()
    shifts = list(
        selectors.my_shifts(
            actor=actor, start=now - dt.timedelta(days=1), end=now + dt.timedelta(days=7)
        )
    )
    return render(
        request,
        "rosters/my_shifts.html",
        {
            "rows": [(s, span_label(s.starts_at, s.ends_at)) for s in shifts],
            "staff": selectors.staff_of(actor),
            "now": now,
        },
    )
