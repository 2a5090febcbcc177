"""Pages of inspections: the inspection form (a checklist of big tap targets for a 360 px
phone on site), one inspection with what it opened and closed, and the rectification
list (open first, overdue marked, filters, pages). A rectification closes only by a
re-inspection, so the list has no "close" button: it links to the inspection form."""

import tempfile

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from epigrid.accounts.access import Actor, request_actor, requires, requires_any
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.views import apply_service_error, set_choices
from epigrid.policy.selectors import policy_value
from epigrid.spreadsheets.export import write_xlsx

from ..forms.field import InspectionForm
from ..selectors import inspections as selectors
from ..selectors import taskforces as tf_selectors
from ..services import inspections as services
from .taskforces import page_number, page_of

REFUSALS = (ValidationError, ConcurrentEditError)
VIEW = Capability.ENTERPRISES_VIEW
SELF = Capability.ENTERPRISE_SELF
RECORD = Capability.INSPECTIONS_RECORD
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None


@requires(RECORD)
@require_http_methods(["GET", "POST"])
def inspection_create(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    enterprise = selectors.enterprise_for_inspection(actor=actor, pk=pk)
    task_forces = [
        t for t in tf_selectors.task_force_list(actor=actor) if enterprise.jpath.startswith(t.jpath)
    ]
    checklist = list(policy_value("inspection_checklist", timezone.localdate()))
    wanted = _int(request.GET.get("task_force"))
    form = InspectionForm(
        request.POST or None,
        checklist=checklist,
        language=get_language() or "zh",
        initial={"task_force": wanted if wanted in {t.pk for t in task_forces} else None},
    )
    set_choices(form, "task_force", [("", "—"), *((t.pk, t.name) for t in task_forces)])
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        chosen = next((t for t in task_forces if t.pk == d["task_force"]), None)
        try:
            inspection = services.inspection_record(
                actor=actor,
                enterprise=enterprise,
                task_force=chosen,
                inspected_on=d["inspected_on"],
                results=form.results(),
                note=d["note"],
            )
        except REFUSALS as exc:
            _show(form, exc)
        else:
            messages.success(request, _("The inspection was recorded."))
            return redirect("enterprises:inspection_detail", pk=inspection.pk)
    open_items = {
        r.item: r
        for r in selectors.rectification_list(
            actor=actor,
            filters=selectors.RectificationFilters(state="open", enterprise=enterprise.pk),
        )
    }
    return render(
        request,
        "enterprises/inspection_form.html",
        {"form": form, "enterprise": enterprise, "open_items": open_items},
    )


def _show(form: InspectionForm, exc: Exception) -> None:
    """Puts "results.<code>" refusals on that item's answer."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            target = key
            if key.startswith("results."):
                target = f"ok_{key.split('.', 1)[1]}"
            for error in errors:
                for message in error.messages:
                    form.add_error(target if target in form.fields else None, message)
        return
    apply_service_error(form, exc)


@requires_any(VIEW, SELF)
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    inspection = selectors.inspection_get(actor=actor, pk=pk)
    opened, closed = selectors.inspection_rectifications(inspection=inspection)
    english = not (get_language() or "zh").startswith("zh")
    rows = [
        {
            "label": (item.get("en") if english else item.get("zh")) or item["code"],
            "ok": inspection.results.get(item["code"], {}).get("ok", False),
            "note": inspection.results.get(item["code"], {}).get("note", ""),
        }
        for item in inspection.checklist
    ]
    return render(
        request,
        "enterprises/inspection_detail.html",
        {
            "i": inspection,
            "rows": rows,
            "opened": opened,
            "closed": closed,
            "can_record": actor.can(RECORD, inspection.jpath),
            "today": timezone.localdate(),
        },
    )


@requires_any(VIEW, SELF)
def rectification_list(request: HttpRequest) -> HttpResponse | FileResponse:
    actor = request_actor(request)
    state = request.GET.get("state") or ""
    filters = selectors.RectificationFilters(
        state=state if state in selectors.RECTIFICATION_STATES else "",
        item=(request.GET.get("item") or "")[:40],
        q=(request.GET.get("q") or "").strip()[:50],
        enterprise=_int(request.GET.get("enterprise")),
    )
    qs = selectors.rectification_list(actor=actor, filters=filters)
    checklist = list(policy_value("inspection_checklist", timezone.localdate()))
    english = not (get_language() or "zh").startswith("zh")
    labels = {i["code"]: (i.get("en") if english else i.get("zh")) or i["code"] for i in checklist}
    if request.GET.get("format") == "xlsx":
        return _export(actor, qs, filters, labels)
    number = page_number(request)
    rows, more = page_of(qs, number)
    for r in rows:
        r.label = labels.get(r.item, r.item)
    params = request.GET.copy()
    params.pop("page", None)
    params.pop("format", None)
    return render(
        request,
        "enterprises/rectification_list.html",
        {
            "rows": rows,
            "filters": filters,
            "items": sorted(labels.items()),
            "page_number": number,
            "has_next": more,
            "query": params.urlencode(),
            "can_record": actor.has(RECORD),
        },
    )


def _export(actor: Actor, qs, filters, labels: dict[str, str]) -> FileResponse:
    """The whole filtered list (not one page) as .xlsx, streamed; audited. No personal
    identifiers are in it (enterprise, item, finding, dates)."""
    header = [
        _("Enterprise"),
        _("Checklist item"),
        _("Finding"),
        _("Deadline"),
        _("Inspected on"),
        _("State"),
        _("Closed at"),
    ]

    def rows():
        for r in qs.iterator(chunk_size=2000):
            state = _("Closed") if r.closed_at else (_("Overdue") if r.overdue else _("Open"))
            closed = timezone.localtime(r.closed_at).replace(tzinfo=None) if r.closed_at else None
            yield [
                r.enterprise.name,
                labels.get(r.item, r.item),
                r.finding,
                r.deadline,
                r.inspection.inspected_on,
                state,
                closed,
            ]

    out = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    count = write_xlsx(out, header, rows(), sheet_title=_("Rectifications"))
    out.seek(0)
    paths = actor.paths(VIEW)
    used = {k: str(v) for k, v in vars(filters).items() if v not in (None, "")}
    audit_record(
        actor=actor,
        action="export.create",
        jpath=paths[0] if paths else "",
        entity_type="enterprises.rectification",
        entity_label=_("Rectifications"),
        after={"list": "rectifications", "filters": used, "rows": count, "unmasked": False},
    )
    name = f"rectifications-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)


urlpatterns = [
    path("<int:pk>/inspect/", inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", inspection_detail, name="inspection_detail"),
    path("rectifications/", rectification_list, name="rectification_list"),
]
