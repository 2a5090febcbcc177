from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.pagination import keyset_page
from epigrid.core.views import query_without

from .labels import ACTION_LABELS, action_label, entity_type_label
from .selectors import audit_event_list


@requires(Capability.AUDIT_VIEW)
def audit_list(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    filters = {
        k: (request.GET.get(k) or "").strip()[:100] or None
        for k in ("within", "action", "actor_username", "entity_type", "entity_id")
    }
    qs = audit_event_list(actor=actor, **filters)
    try:
        page = keyset_page(qs, cursor=request.GET.get("cursor"), limit=50, key="-id")
    except ValidationError:
        return redirect(request.path)
    rows = [(e, action_label(e.action), entity_type_label(e.entity_type)) for e in page.items]
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "rows": rows,
            "actions": sorted(ACTION_LABELS.items(), key=lambda kv: kv[0]),
            "filters": filters,
            "query_without_cursor": query_without(request, "cursor"),
        },
    )
