"""The gate worker's logging page and the JSON endpoints its script uses.

- `log`: the page (a 360 px phone form; everything interactive is static/checkpoints/log.js,
  which keeps every check in a queue on the phone before uploading it).
- `sync`: POST `{"checks": [...]}` (the body of the API's batch ingest, at most 500) with the
  session and the CSRF token in the X-CSRFToken header; answers as the API does:
  `{"stored", "known", "refused", "results": [{uuid, status, errors}, ...]}` in order.
  Before the ingest service sees the checks this view resolves what only the page sends:
  * a person `{"ref": ..., "temperature": ...}`: a repeat visitor the page found through
    `lookup`; the signed reference becomes the earlier name, document and phone
    (selectors.lookup.people_from_refs), so the phone never held them;
  * a check with `selffill_code`: a traveller's self-fill; services.selffill puts its details
    into the check, stores it with source "self_fill" and marks the fill used.
  A check whose UUID is already stored skips both (the ingest service answers "known"), so a
  re-sent check never fails on a reference that expired meanwhile. Other checks are stored
  with source "device", in runs, in the order sent.
- `lookup`: GET ?plate= / ?phone= / ?doc= -> the latest matching check in the worker's
  scope, names and masked document numbers with their references.
- `selffill_take`: GET ?code= -> a self-fill's names, masked document numbers, plate and
  route for the page (marks nothing).
- `log_worker`: the page's small service worker, served under the page's path so that its
  scope is the page: it lets a phone reload the page with no network.
"""

import json
import uuid as uuidlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from epigrid.accounts.access import Actor, request_actor, requires
from epigrid.accounts.roles import Capability
from epigrid.policy.registry import FEVER_INCLUSIVE, FEVER_THRESHOLD, LOCAL_PLATES
from epigrid.policy.selectors import policy_value
from epigrid.quarantine import rules as quarantine_rules
from epigrid.registry.models import DocType

from .. import rules
from ..models import Checkpoint, Source
from ..selectors.checkpoints import checkpoint_get
from ..selectors.lookup import Sighting, known_uuids, people_from_refs, visitor_lookup
from ..services import checks as check_services
from ..services import selffill as selffill_services

QUICK_READINGS = ("36.3", "36.4", "36.5", "36.6", "36.7", "36.8")
WORKER_FILE = Path(__file__).resolve().parent.parent / "static" / "checkpoints" / "log-sw.js"


def _checkpoint(request: HttpRequest, pk: int) -> tuple[Actor, Checkpoint]:
    actor = request_actor(request)
    return actor, checkpoint_get(actor=actor, pk=pk, capability=Capability.CHECKS_RECORD)


def _json(body: dict[str, Any], status: int = 200) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


def _refused(detail: str, errors: dict[str, list[str]]) -> JsonResponse:
    return _json({"detail": detail, "errors": errors}, status=422)


# --------------------------------------------------------------------------- the page


def _strings() -> dict[str, str]:
    """What log.js says, in the request's language (%(name)s placeholders)."""
    return {
        "waiting": _("Waiting to upload: %(n)s"),
        "last_sync": _("Last upload %(t)s"),
        "never_synced": _("Nothing uploaded yet"),
        "online": _("Online"),
        "offline": _("Offline: checks are kept on this phone"),
        "login_again": _("Upload refused: log in again. The checks stay on this phone."),
        "not_your_checkpoint": _(
            "This checkpoint is no longer yours: the checks stay on this phone."
        ),
        "upload_failed": _("Upload failed (%(status)s); trying again shortly."),
        "local_vehicle": _("Local vehicle %(prefix)s"),
        "nonlocal_vehicle": _("Non-local vehicle %(prefix)s %(province)s"),
        "bad_plate": _(
            "Check the plate: a province character, a letter, then 5 or 6 letters or digits."
        ),
        "plate_missing": _("Enter the plate."),
        "temp_missing": _("Enter the temperature of %(who)s."),
        "temp_range": _("Enter a reading between %(lo)s and %(hi)s °C.")
        % {"lo": quarantine_rules.TEMPERATURE_MIN, "hi": quarantine_rules.TEMPERATURE_MAX},
        "fever": _("Fever"),
        "driver": _("Driver"),
        "passenger": _("Passenger %(n)s"),
        "person": _("Person %(n)s"),
        "on_foot": _("On foot"),
        "n_people": _("%(n)s people"),
        "one_person": _("1 person"),
        "no_name": _("(no name)"),
        "seen_before": _("Seen %(when)s at %(place)s"),
        "use_people": _("Fill in the %(n)s people from last time"),
        "use_person": _("Use this person"),
        "not_found": _("Not seen before in your area."),
        "needs_network": _("This needs the network; type the details instead."),
        "code_unknown": _("No self-fill with this code at this checkpoint, or it has expired."),
        "fill_banner": _("Self-fill %(code)s: %(n)s people"),
        "clear": _("Clear"),
        "saved": _("Saved on this phone"),
        "saved_fever": _("Saved: fever, to be referred"),
        "storage_full": _("This phone's storage is full: upload the waiting checks first."),
        "fix": _("Fix"),
        "discard": _("Discard"),
        "discard_confirm": _("Discard this check for good?"),
        "status_waiting": _("waiting"),
        "status_stored": _("uploaded"),
        "status_refused": _("refused"),
    }


def _config(request: HttpRequest, actor: Actor, checkpoint: Checkpoint) -> dict[str, Any]:
    today = timezone.localdate()
    local_plates = [str(p) for p in policy_value(LOCAL_PLATES.key, today)]
    default_province = next(
        (p[0] for p in local_plates if p[:1] in rules.PROVINCES), next(iter(rules.PROVINCES))
    )
    user_id = actor.user.pk if actor.user is not None else 0
    return {
        "checkpoint": checkpoint.pk,
        "queue_key": f"epigrid.checks.v1.{user_id}.{checkpoint.pk}",
        "urls": {
            "sync": reverse("checkpoints:sync", args=[checkpoint.pk]),
            "lookup": reverse("checkpoints:lookup", args=[checkpoint.pk]),
            "selffill": reverse("checkpoints:selffill_take", args=[checkpoint.pk]),
            "worker": reverse("checkpoints:log_worker", args=[checkpoint.pk]),
            "scope": reverse("checkpoints:log", args=[checkpoint.pk]),
        },
        "csrf_token": get_token(request),
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "local_plates": local_plates,
        "default_province": default_province,
        "provinces": list(rules.PROVINCES.items()),
        "cities": rules.CITIES,
        # The plate after its province character, as rules.PLATE_RE reads it: the page only
        # flags as the plate is typed, the server decides.
        "plate_rest_pattern": "^" + rules.PLATE_RE.pattern.split(")", 1)[1],
        "fever": {
            "threshold": float(policy_value(FEVER_THRESHOLD.key, today)),
            "inclusive": bool(policy_value(FEVER_INCLUSIVE.key, today)),
        },
        "temp_min": float(quarantine_rules.TEMPERATURE_MIN),
        "temp_max": float(quarantine_rules.TEMPERATURE_MAX),
        "quick": list(QUICK_READINGS),
        "max_people": check_services.MAX_PEOPLE,
        "batch": check_services.MAX_BATCH,
        "default_doc_type": DocType.RESIDENT_ID.value,
        # What the service worker keeps for a reload with no network, besides the page.
        "assets": [
            static("css/epigrid.css"),
            static("vendor/htmx.min.js"),
            static("img/favicon.svg"),
            static("checkpoints/log.css"),
            static("checkpoints/log.js"),
        ],
        "strings": _strings(),
    }


@requires(Capability.CHECKS_RECORD)
@require_GET
def log(request: HttpRequest, pk: int) -> HttpResponse:
    actor, checkpoint = _checkpoint(request, pk)
    response = render(
        request,
        "checkpoints/log.html",
        {
            "checkpoint": checkpoint,
            "ended": not checkpoint.is_active,
            "doc_types": DocType.choices,
            "config": _config(request, actor, checkpoint),
        },
    )
    # Revalidated on every load; the service worker keeps a copy for reloads offline.
    response["Cache-Control"] = "private, no-cache"
    return response


@requires(Capability.CHECKS_RECORD)
@require_GET
def log_worker(request: HttpRequest, pk: int) -> HttpResponse:
    """The service worker of the page (see the module's note); scoped to the page's path."""
    _checkpoint(request, pk)  # 404 for a checkpoint out of scope
    response = HttpResponse(
        WORKER_FILE.read_text(encoding="utf-8"), content_type="text/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    return response


# --------------------------------------------------------------------------- sync


def _resolve_refs(
    item: dict[str, Any], found: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The item with each `{"ref": ...}` person replaced by the details behind it, or the
    errors of the references that did not resolve."""
    people = item.get("people")
    if not isinstance(people, list):
        return item, {}
    out, errors = [], {}
    for i, person in enumerate(people):
        if isinstance(person, dict) and "ref" in person:
            details = found.get(person["ref"]) if isinstance(person["ref"], str) else None
            if details is None:
                errors[f"people.{i}"] = _(
                    "The details of this repeat visitor could not be used (too old, or not "
                    "yours): type them again."
                )
                continue
            person = {k: v for k, v in person.items() if k != "ref"}
            person.update(
                name=details.name,
                doc_type=details.doc_type,
                doc_number=details.doc_number,
                phone=details.phone,
            )
        out.append(person)
    return {**item, "people": out}, errors


def _canonical(value: object) -> str:
    if isinstance(value, str) and len(value) <= 64:
        try:
            return str(uuidlib.UUID(value.strip()))
        except ValueError:
            pass
    return ""


@requires(Capability.CHECKS_RECORD)
@require_POST
def sync(request: HttpRequest, pk: int) -> HttpResponse:
    actor, checkpoint = _checkpoint(request, pk)
    try:
        body = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        return _refused(
            _("Some fields are not valid."),
            {"__all__": [_("The request body is not valid JSON of the expected shape.")]},
        )
    checks = body.get("checks") if isinstance(body, dict) else None
    if not isinstance(checks, list) or not checks:
        return _refused(_("Some fields are not valid."), {"checks": [_("Send a list of checks.")]})
    if len(checks) > check_services.MAX_BATCH:
        return _refused(
            _("Some fields are not valid."),
            {"checks": [_("At most %(n)d checks in one batch.") % {"n": check_services.MAX_BATCH}]},
        )
    items = [c for c in checks if isinstance(c, dict)]
    known = known_uuids(item.get("uuid") for item in items)

    def is_known(item: dict[str, Any]) -> bool:
        return _canonical(item.get("uuid")) in known

    refs = [
        p["ref"]
        for item in items
        if not is_known(item) and isinstance(item.get("people"), list)
        for p in item["people"]
        if isinstance(p, dict) and isinstance(p.get("ref"), str)
    ]
    found = people_from_refs(actor=actor, checkpoint=checkpoint, refs=refs) if refs else {}

    answers: list[dict[str, Any] | None] = [None] * len(checks)
    run: list[tuple[int, Any]] = []  # consecutive checks of the device, stored together

    def flush() -> None:
        if run:
            results = check_services.checks_ingest(
                actor=actor, checkpoint=checkpoint, items=[c for _i, c in run], source=Source.DEVICE
            )
            for (i, _c), result in zip(run, results, strict=True):
                answers[i] = result
            run.clear()

    for i, item in enumerate(checks):
        if not isinstance(item, dict) or is_known(item):
            run.append((i, item))
            continue
        item, errors = _resolve_refs(item, found)
        if errors:
            uuid = item.get("uuid")
            answers[i] = {
                "uuid": uuid[:64] if isinstance(uuid, str) else "",
                "status": check_services.REFUSED,
                "errors": errors,
            }
        elif isinstance(item.get("selffill_code"), str) and item["selffill_code"].strip():
            flush()
            answers[i] = selffill_services.selffill_check_record(
                actor=actor, checkpoint=checkpoint, item=item
            )
        else:
            run.append((i, item))
    flush()
    counts = {"stored": 0, "known": 0, "refused": 0}
    for answer in answers:
        assert answer is not None
        counts[answer["status"]] += 1
    return _json({**counts, "results": answers})


# --------------------------------------------------------------------------- lookups


def sighting_json(s: Sighting, *, with_refs: bool = True) -> dict[str, Any]:
    return {
        "matched": s.matched,
        "checked_at": s.checked_at.isoformat(),
        "checkpoint": s.checkpoint,
        "mode": s.mode,
        "plate": s.plate,
        "origin": s.origin,
        "destination": s.destination,
        "people": [
            {
                "name": p.name,
                "doc_type": p.doc_type,
                "doc_type_label": p.doc_type_label,
                "doc_masked": p.doc_masked,
                **({"ref": p.ref} if with_refs else {}),
            }
            for p in s.people
        ],
    }


@requires(Capability.CHECKS_RECORD)
@require_GET
def lookup(request: HttpRequest, pk: int) -> HttpResponse:
    actor, checkpoint = _checkpoint(request, pk)
    matches = visitor_lookup(
        actor=actor,
        checkpoint=checkpoint,
        plate=request.GET.get("plate") or None,
        phone=request.GET.get("phone") or None,
        doc_number=request.GET.get("doc") or None,
    )
    return _json({"matches": [sighting_json(s) for s in matches]})


@requires(Capability.CHECKS_RECORD)
@require_GET
def selffill_take(request: HttpRequest, pk: int) -> HttpResponse:
    actor, checkpoint = _checkpoint(request, pk)
    try:
        fill = selffill_services.selffill_take(
            actor=actor, checkpoint=checkpoint, code=request.GET.get("code", "")
        )
    except ValidationError as exc:
        return _json(
            {"errors": {k: " ".join(str(m) for m in v) for k, v in exc.message_dict.items()}},
            status=404,
        )
    return _json(
        {
            "code": fill.code,
            "mode": fill.mode,
            "plate": fill.plate,
            "origin": fill.origin,
            "destination": fill.destination,
            "people": list(fill.people),
            "expires_at": fill.expires_at.isoformat(),
        }
    )


urlpatterns = [
    path("<int:pk>/log/", log, name="log"),
    path("<int:pk>/log/sw.js", log_worker, name="log_worker"),
    path("<int:pk>/log/sync/", sync, name="sync"),
    path("<int:pk>/log/lookup/", lookup, name="lookup"),
    path("<int:pk>/log/selffill/", selffill_take, name="selffill_take"),
]
