"""The duplicates review queue: pick the record that stays, merge, or mark as different people."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.views import refusal_text

from .. import queries, selectors, services
from ..disclosure import doc_for, phone_for
from ..duplicates import duplicate_dismiss
from .common import REFUSALS, grid_filter_choices, within_param

REASONS = {
    "phone": gettext_lazy("Same phone number"),
    "name_address": gettext_lazy("Same name at the same address"),
}
MOVED_LABELS = {
    "residencies": gettext_lazy("residencies"),
    "arrivals": gettext_lazy("arrivals"),
    "categories": gettext_lazy("key-person categories"),
    "landlord_of": gettext_lazy("dwellings let"),
    "sweeps.visits": gettext_lazy("sweep visits"),
}


def moved_text(moved: dict[str, int]) -> str:
    """What a merge moved, in words ("residencies 2, arrivals 1"), leaving out what had none."""
    moved_kinds = [f"{MOVED_LABELS.get(k, k)!s} {n}" for k, n in moved.items() if n]
    return _(", ").join(moved_kinds) if moved_kinds else _("no linked records")


@requires(Capability.DUPLICATES_MERGE)
def duplicate_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    within = within_param(request, actor)
    groups = queries.review_queue(actor=actor, within=within)
    rows = [
        {
            "reasons": [REASONS.get(r, r) for r in g.reasons],
            "mergeable": g.mergeable,
            "persons": [
                (p, doc_for(actor, p.jpath, p.doc_number), phone_for(actor, p.jpath, p.phone))
                for p in g.persons
            ],
        }
        for g in groups
    ]
    return render(
        request,
        "registry/duplicate_list.html",
        {"groups": rows, "within": within or "", "grids": grid_filter_choices(actor)},
    )


def _ids(request: HttpRequest, name: str) -> list[int]:
    return [int(v) for v in request.POST.getlist(name) if v.isdigit()][:20]


def _person(actor, pk: int):
    return selectors.person_get(actor=actor, pk=pk, capability=Capability.DUPLICATES_MERGE)


@requires(Capability.DUPLICATES_MERGE)
@require_POST
def duplicate_merge(request: HttpRequest) -> HttpResponse:
    """Merges each ticked record into the chosen survivor; all or nothing."""
    actor = request_actor(request)
    survivors = _ids(request, "survivor")
    if len(survivors) != 1:
        messages.error(request, _("Choose the record that stays."))
        return redirect("registry:duplicate_list")
    survivor = _person(actor, survivors[0])
    others = [pk for pk in _ids(request, "person") if pk != survivor.pk]
    if not others:
        messages.error(request, _("Tick the records to merge into it."))
        return redirect("registry:duplicate_list")
    duplicates = [_person(actor, pk) for pk in others]
    total: dict[str, int] = {}
    try:
        with transaction.atomic():
            for duplicate in duplicates:
                moved = services.person_merge(actor=actor, survivor=survivor, duplicate=duplicate)
                for key, n in moved.items():
                    total[key] = total.get(key, 0) + n
    except REFUSALS as exc:
        messages.error(request, refusal_text(exc))
        return redirect("registry:duplicate_list")
    messages.success(
        request,
        ngettext(
            "%(n)d record merged into %(name)s. Moved: %(moved)s.",
            "%(n)d records merged into %(name)s. Moved: %(moved)s.",
            len(duplicates),
        )
        % {"n": len(duplicates), "name": survivor.name, "moved": moved_text(total)},
    )
    return redirect("registry:person_detail", pk=survivor.pk)


@requires(Capability.DUPLICATES_MERGE)
@require_POST
def duplicate_dismiss_view(request: HttpRequest) -> HttpResponse:
    """Marks every pair of the group's records as different people."""
    actor = request_actor(request)
    ids = sorted(set(_ids(request, "group")))
    if len(ids) < 2:
        raise Http404
    persons = [_person(actor, pk) for pk in ids]
    with transaction.atomic():
        for i, first in enumerate(persons):
            for second in persons[i + 1 :]:
                duplicate_dismiss(actor=actor, first=first, second=second)
    messages.success(request, _("Marked as different people; they will not be shown again."))
    return redirect("registry:duplicate_list")
