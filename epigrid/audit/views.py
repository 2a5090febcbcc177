from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from epigrid.accounts.access import request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.core.pagination import keyset_page
from epigrid.core.views import query_without

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
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "filters": filters,
            "query_without_cursor": query_without(request, "cursor"),
        },
    )
