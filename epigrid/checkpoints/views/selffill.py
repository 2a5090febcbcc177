"""The traveller's self-fill page, opened from the checkpoint's printed QR: public, no account.

The traveller fills in how they travel (on foot or the vehicle's plate), where from and to,
and each person's name with, optionally, document and phone; the answer is a page with ONLY
the short code in big letters and the checkpoint's name, for the worker at the gate. Nothing
stored is ever shown here: a wrong or ended checkpoint code answers 404; a refused form shows
the traveller's own input back with a message per field, as any form does, never anything
from the database. Pages are not cached (Cache-Control: no-store). Django's CSRF protection
stays on: the GET that shows the form sets the cookie. Sending is throttled per address
(services.selffill).

Works without JavaScript: "add another person" re-renders the form with one more row, and
the plate field is hidden for a traveller on foot by CSS alone.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from epigrid.accounts.access import public
from epigrid.registry.models import DocType

from ..models import Mode
from ..selectors.lookup import selffill_checkpoint
from ..services import selffill as services

FIELDS = ("name", "doc_type", "doc_number", "phone")


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def client_address(request: HttpRequest) -> str:
    """The sender's address for throttling: behind the TLS proxy (settings
    EPIGRID_BEHIND_TLS_PROXY) the last X-Forwarded-For entry, the one the proxy added;
    otherwise REMOTE_ADDR (a client-set header is not trusted)."""
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()[:64]
    return request.META.get("REMOTE_ADDR", "")[:64]


def _count(request: HttpRequest) -> int:
    try:
        count = int(request.POST.get("count", "1"))
    except ValueError:
        count = 1
    return max(1, min(services.MAX_PEOPLE, count))


def _rows(request: HttpRequest, count: int, errors: dict[str, list[str]]) -> list[dict]:
    rows = []
    for i in range(count):
        row: dict[str, object] = {"i": i, "n": i + 1}
        for field in FIELDS:
            row[field] = request.POST.get(f"{field}_{i}", "")[:60]
            row[f"{field}_errors"] = errors.get(f"people.{i}.{field}", [])
        row["errors"] = errors.get(f"people.{i}", [])
        rows.append(row)
    return rows


@public
@require_http_methods(["GET", "POST"])
def selffill_public(request: HttpRequest, public_code: str) -> HttpResponse:
    checkpoint = selffill_checkpoint(public_code)  # 404 for an unknown or ended checkpoint
    count = _count(request) if request.method == "POST" else 1
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        if request.POST.get("add_person"):
            count = min(services.MAX_PEOPLE, count + 1)
        else:
            data = {
                "mode": request.POST.get("mode", ""),
                "plate": request.POST.get("plate", ""),
                "origin": request.POST.get("origin", ""),
                "destination": request.POST.get("destination", ""),
                "people": [
                    {field: request.POST.get(f"{field}_{i}", "") for field in FIELDS}
                    for i in range(count)
                ],
            }
            try:
                fill = services.selffill_create(
                    checkpoint=checkpoint, data=data, client=client_address(request)
                )
            except services.Throttled as exc:
                errors = {"__all__": [str(exc)]}
                status = 429
            except ValidationError as exc:
                errors = exc.message_dict
                if "__all__" not in errors:
                    errors["__all__"] = [_("Please correct the fields marked below.")]
            else:
                return _private(
                    render(
                        request,
                        "checkpoints/selffill_code.html",
                        {
                            "checkpoint_name": checkpoint.name,
                            "code": fill.code,
                            "hours": int(services.LIFETIME.total_seconds() // 3600),
                        },
                    )
                )
    mode = request.POST.get("mode", Mode.FOOT) if request.method == "POST" else Mode.FOOT
    return _private(
        render(
            request,
            "checkpoints/selffill.html",
            {
                "checkpoint_name": checkpoint.name,
                "mode": mode if mode in Mode.values else Mode.FOOT,
                "modes": Mode.choices,
                "doc_types": DocType.choices,
                "plate": request.POST.get("plate", "")[:20],
                "origin": request.POST.get("origin", "")[:100],
                "destination": request.POST.get("destination", "")[:100],
                "rows": _rows(request, count, errors),
                "can_add": count < services.MAX_PEOPLE,
                "top_errors": errors.get("__all__", []),
                "field_errors": {
                    key: errors.get(key, [])
                    for key in ("mode", "plate", "origin", "destination", "people")
                },
            },
            status=status,
        )
    )


urlpatterns = [
    path("f/<str:public_code>/", selffill_public, name="selffill"),
]
