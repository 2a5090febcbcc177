"""Turn every refusal into a JSON answer in the user's language; never a 500 for bad input."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError

from epigrid.core.errors import ConcurrentEditError


def _pydantic_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in {"string_too_long", "too_long"}:
        return _("Too long: at most %(n)s characters.") % {"n": ctx.get("max_length", "?")}
    if kind in {"string_too_short", "too_short"}:
        return _("Too short.")
    if kind.startswith("int") or kind.startswith("float") or kind.startswith("decimal"):
        return _("Enter a number.")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Enter a valid date (YYYY-MM-DD).")
    if kind.startswith("bool"):
        return _("Enter true or false.")
    if kind in {"enum", "literal_error"}:
        return _("Choose one of the allowed values.")
    if kind in {"json_invalid", "model_attributes_type", "dict_type", "model_type"}:
        return _("The request body is not valid JSON of the expected shape.")
    return _("This value is not valid.")


def _field(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "payload", "form")]
    return ".".join(parts) or "__all__"


def install(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def invalid_request(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            errors.setdefault(_field(list(error.get("loc", []))), []).append(
                _pydantic_message(error)
            )
        return api.create_response(
            request, {"detail": _("Some fields are not valid."), "errors": errors}, status=422
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja answers a body that is not JSON with 400 "Cannot parse request body"; it is
        # bad input like any other, so it gets the same 422 shape as a schema error.
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            return api.create_response(
                request,
                {
                    "detail": _("Some fields are not valid."),
                    "errors": {"__all__": [_pydantic_message({"type": "json_invalid"})]},
                },
                status=422,
            )
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)

    @api.exception_handler(DjangoValidationError)
    def refused(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = {k: [str(m) for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        else:
            errors = {"__all__": [str(m) for m in exc.messages]}
        return api.create_response(
            request, {"detail": _("Some fields are not valid."), "errors": errors}, status=422
        )

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(
            request, {"detail": _("You do not have permission to do this.")}, status=403
        )

    @api.exception_handler(ConcurrentEditError)
    def conflict(request: HttpRequest, exc: ConcurrentEditError) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=409)
