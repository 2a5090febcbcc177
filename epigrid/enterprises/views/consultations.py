"""Pages of consultations and the FAQ: the desk's list (search, channel, answered or not;
phones masked without CONTACTS_VIEW), logging a question, one question with its answer and
publishing it; an enterprise user's own questions and asking one; the public FAQ page
(no login, no personal data), grouped by topic and searchable."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from epigrid.accounts.access import public, request_actor, requires, requires_any
from epigrid.accounts.roles import Capability
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.pagination import keyset_page
from epigrid.core.views import apply_service_error, query_without, refusal_text, set_choices

from ..forms.field import (
    ConsultationAnswerForm,
    ConsultationAskForm,
    ConsultationLogForm,
    FaqPublishForm,
)
from ..models import Channel
from ..selectors import consultations as selectors
from ..selectors.needs import enterprise_choices, enterprise_for_need
from ..services import consultations as services

REFUSALS = (ValidationError, ConcurrentEditError)
PAGE_SIZE = 30
VIEW = Capability.ENTERPRISES_VIEW
SELF = Capability.ENTERPRISE_SELF
MANAGE = Capability.NEEDS_MANAGE


def _flag(value: str | None) -> bool | None:
    return {"1": True, "0": False}.get(value or "")


@requires_any(VIEW, SELF)
def consultation_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    channel = request.GET.get("channel") or ""
    filters = selectors.ConsultationFilters(
        q=(request.GET.get("q") or "").strip()[:50],
        channel=channel if channel in Channel.values else "",
        answered=_flag(request.GET.get("answered")),
        faq=_flag(request.GET.get("faq")),
    )
    qs = selectors.consultation_list(actor=actor, filters=filters)
    try:
        page = keyset_page(qs, cursor=request.GET.get("cursor"), limit=PAGE_SIZE, key="-id")
    except ValidationError:
        return redirect(request.path)
    for c in page.items:
        c.shown_phone = selectors.shown_phone(actor, c.asker_phone)  # type: ignore[attr-defined]
    return render(
        request,
        "enterprises/consultation_list.html",
        {
            "page": page,
            "filters": filters,
            "channels": Channel.choices,
            "query_without_cursor": query_without(request, "cursor"),
            "can_manage": actor.has(MANAGE),
            "can_ask": actor.has(SELF),
        },
    )


@requires_any(MANAGE, SELF)
@require_http_methods(["GET", "POST"])
def consultation_create(request: HttpRequest) -> HttpResponse:
    """The desk logs a question it took; an enterprise user asks online."""
    actor = request_actor(request)
    staff = actor.has(MANAGE)
    form: ConsultationLogForm | ConsultationAskForm
    if staff:
        form = ConsultationLogForm(request.POST or None)
        choices = [(e.pk, e.name) for e in enterprise_choices(actor=actor)]
        set_choices(form, "enterprise", [("", "—"), *choices])
    else:
        form = ConsultationAskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            if staff:
                pk = data.pop("enterprise")
                enterprise = enterprise_for_need(actor=actor, pk=pk) if pk else None
                c = services.consultation_log(actor=actor, enterprise=enterprise, **data)
            else:
                c = services.consultation_ask(actor=actor, question=data["question"])
        except Http404:
            form.add_error("enterprise", _("No such enterprise in your area."))
        except REFUSALS as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, _("The question was recorded."))
            return redirect("enterprises:consultation_detail", pk=c.pk)
    return render(request, "enterprises/consultation_form.html", {"form": form, "staff": staff})


@requires_any(VIEW, SELF)
def consultation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    c = selectors.consultation_get(actor=actor, pk=pk)
    can_manage = actor.can(MANAGE, c.jpath)
    answer_form = publish_form = None
    if can_manage:
        answer_form = ConsultationAnswerForm(initial={"version": c.version, "answer": c.answer})
        publish_form = FaqPublishForm(
            initial={
                "version": c.version,
                "faq_topic": c.faq_topic,
                "faq_question": c.faq_question or c.question[:300],
                "faq_answer": c.faq_answer or c.answer,
                "faq_order": c.faq_order,
            }
        )
    return render(
        request,
        "enterprises/consultation_detail.html",
        {
            "c": c,
            "phone": selectors.shown_phone(actor, c.asker_phone),
            "can_manage": can_manage,
            "answer_form": answer_form,
            "publish_form": publish_form,
        },
    )


def _version(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("version") or "")
    except ValueError:
        return -1


@requires(MANAGE)
@require_POST
def consultation_answer(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    c = selectors.consultation_get(actor=actor, pk=pk)
    form = ConsultationAnswerForm(request.POST)
    if form.is_valid():
        try:
            services.consultation_answer(
                actor=actor,
                consultation=c,
                version=form.cleaned_data["version"],
                answer=form.cleaned_data["answer"],
            )
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("The answer was saved."))
    else:
        messages.error(request, _("Write the answer first."))
    return redirect("enterprises:consultation_detail", pk=c.pk)


@requires(MANAGE)
@require_POST
def consultation_publish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    c = selectors.consultation_get(actor=actor, pk=pk)
    form = FaqPublishForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            services.consultation_publish(
                actor=actor,
                consultation=c,
                version=d["version"],
                faq_question=d["faq_question"],
                faq_answer=d["faq_answer"],
                order=d["faq_order"],
                topic=d["faq_topic"],
            )
        except REFUSALS as exc:
            messages.error(request, refusal_text(exc))
        else:
            messages.success(request, _("The question is in the public FAQ."))
            return redirect("enterprises:consultation_detail", pk=c.pk)
    else:
        messages.error(request, " ".join(str(m) for errs in form.errors.values() for m in errs))
    return redirect("enterprises:consultation_detail", pk=c.pk)


@requires(MANAGE)
@require_POST
def consultation_unpublish(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request_actor(request)
    c = selectors.consultation_get(actor=actor, pk=pk)
    try:
        services.consultation_unpublish(actor=actor, consultation=c, version=_version(request))
    except REFUSALS as exc:
        messages.error(request, refusal_text(exc))
    else:
        messages.success(request, _("The question was taken off the FAQ."))
    return redirect("enterprises:consultation_detail", pk=c.pk)


@public
def faq(request: HttpRequest) -> HttpResponse:
    """The public FAQ: topic, question and answer only."""
    q = (request.GET.get("q") or "").strip()[:50]
    rows = list(selectors.faq_public(q=q))
    # Grouped by topic, the topics in the order of their first question.
    grouped: dict[str, list] = {}
    for c in rows:
        grouped.setdefault(c.faq_topic, []).append(c)
    groups = list(grouped.items())
    return render(request, "enterprises/faq_public.html", {"groups": groups, "q": q})


urlpatterns = [
    path("consultations/", consultation_list, name="consultation_list"),
    path("consultations/new/", consultation_create, name="consultation_create"),
    path("consultations/<int:pk>/", consultation_detail, name="consultation_detail"),
    path(
        "enterprises/consultations/<int:pk>/answer/",
        consultation_answer,
        name="consultation_answer",
    ),
    path(
        "enterprises/consultations/<int:pk>/publish/",
        consultation_publish,
        name="consultation_publish",
    ),
    path(
        "enterprises/consultations/<int:pk>/unpublish/",
        consultation_unpublish,
        name="consultation_unpublish",
    ),
    path("public/faq/", faq, name="faq"),
]
