"""The desk's decisions on a work-resumption application: start the review (claim it),
return it for supplement, approve, reject, and the green channel (the desk records the
missing papers on site and approves at once).

Each decision is one step of the state machine through services.transitions.transition,
from the version the reviewer saw: a decision on an application already decided, or a
second reviewer deciding at the same moment, is refused (ConcurrentEditError, a conflict
message on the page, 409 in the API) and nothing of theirs is written. Each one runs in one
transaction and is audited ("application.<action>") by the transition.
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.writes import clean_text
from epigrid.policy.selectors import policy_value

from ..access import require_reach
from ..models import Action, Application, Enterprise
from .transitions import refuse_transition, transition

NOTE_MAX = 500


def _require_reviewer(actor: Actor, application: Application) -> None:
    # Enterprise users never decide, not even on their own application (self_ok=False).
    require_reach(
        actor,
        Capability.APPLICATIONS_REVIEW,
        enterprise_id=application.enterprise_id,
        path=application.jpath,
        self_ok=False,
    )


def _note(note: str | None, *, required: bool = False, field: str = "note") -> str:
    return clean_text(note, field, NOTE_MAX, required=required)


def _version(version: Any) -> int:
    if isinstance(version, bool) or not isinstance(version, int):
        try:
            return int(str(version).strip())
        except (TypeError, ValueError) as exc:
            raise ValidationError({"version": _("Enter a number.")}) from exc
    return version


def item_label(item: Any) -> str:
    """A checklist item's name in the current language (policy data carries zh and en)."""
    if not isinstance(item, dict):
        return str(item)
    zh = (get_language() or "").startswith("zh")
    return str((item.get("zh") if zh else item.get("en")) or item.get("code") or "")


def checklist_codes(application: Application) -> list[str]:
    """The item codes of the checklist the application was submitted under, in order."""
    return [str(i.get("code")) for i in application.checklist or [] if isinstance(i, dict)]


def _items(application: Application, items: Any) -> list[str]:
    """The missing items of a return: at least one, each a code of the application's
    checklist; duplicates dropped, checklist order kept."""
    if isinstance(items, str):
        items = [items]
    given = [str(i).strip() for i in (items or []) if str(i).strip()]
    if not given:
        raise ValidationError({"items": _("Tick at least one missing item.")})
    codes = checklist_codes(application)
    unknown = [i for i in given if i not in codes]
    if unknown:
        raise ValidationError(
            {
                "items": _("Not an item of this application's checklist: %(items)s.")
                % {"items": ", ".join(unknown[:5])}
            }
        )
    return [c for c in codes if c in given]


def _deadline(deadline: dt.date | None, today: dt.date) -> dt.date:
    if deadline is None:
        days = int(policy_value("resumption_supplement_days", today))
        return today + dt.timedelta(days=days)
    if deadline < today:
        raise ValidationError({"deadline": _("The deadline cannot be in the past.")})
    if deadline > today + dt.timedelta(days=90):
        raise ValidationError({"deadline": _("The deadline is more than 90 days ahead.")})
    return deadline


def review_start(*, actor: Actor, application: Application, version: int) -> Application:
    """Claims a submitted application: the actor becomes its reviewer (submitted → in
    review); the answer clock keeps running."""
    _require_reviewer(actor, application)
    version = _version(version)
    with transaction.atomic():
        return transition(
            actor=actor,
            application=application,
            version=version,
            action=Action.START_REVIEW,
            reviewer=actor.user,
        )


def review_return(
    *,
    actor: Actor,
    application: Application,
    version: int,
    items: Any,
    deadline: dt.date | None = None,
    note: str = "",
) -> Application:
    """Returns the application for supplement, naming the missing checklist items and the
    deadline (default today + policy resumption_supplement_days; not in the past). The
    clock stops (due_at cleared) while the enterprise supplements."""
    _require_reviewer(actor, application)
    version = _version(version)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    codes: list[str] = []
    by = today
    text = ""
    try:
        codes = _items(application, items)
    except ValidationError as exc:
        errors["items"] = " ".join(exc.messages)
    try:
        by = _deadline(deadline, today)
    except ValidationError as exc:
        errors["deadline"] = " ".join(exc.messages)
    try:
        text = _note(note)
    except ValidationError as exc:
        errors["note"] = " ".join(exc.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        return transition(
            actor=actor,
            application=application,
            version=version,
            action=Action.RETURN,
            note=text,
            items=[*codes, {"deadline": by.isoformat()}],
            missing_items=codes,
            supplement_by=by,
            due_at=None,
            reviewer=application.reviewer or actor.user,
        )


def _approved(enterprise_id: int, at: dt.datetime) -> None:
    # A derived fact on the enterprise row (lists of reopened enterprises read it). A plain
    # update of this one field: bumping the version would make an unrelated edit of the
    # enterprise's register card conflict with the desk's decision.
    Enterprise.objects.filter(pk=enterprise_id).update(approved_on=timezone.localdate(at))


def review_approve(
    *, actor: Actor, application: Application, version: int, note: str = ""
) -> Application:
    """Approves a pending application (submitted or in review): decided_at/by set, the
    clock stops, and the enterprise is approved to reopen from today (approved_on)."""
    _require_reviewer(actor, application)
    version = _version(version)
    text = _note(note)
    now = timezone.now()
    with transaction.atomic():
        transition(
            actor=actor,
            application=application,
            version=version,
            action=Action.APPROVE,
            note=text,
            at=now,
            decided_at=now,
            decided_by=actor.user,
            decision_note=text,
            due_at=None,
            reviewer=application.reviewer or actor.user,
        )
        _approved(application.enterprise_id, now)
    return application


def review_reject(
    *, actor: Actor, application: Application, version: int, reason: str
) -> Application:
    """Rejects a pending application; a reason is required (the enterprise reads it)."""
    _require_reviewer(actor, application)
    version = _version(version)
    text = _note(reason, required=True, field="reason")
    now = timezone.now()
    with transaction.atomic():
        return transition(
            actor=actor,
            application=application,
            version=version,
            action=Action.REJECT,
            note=text,
            at=now,
            decided_at=now,
            decided_by=actor.user,
            decision_note=text,
            due_at=None,
            reviewer=application.reviewer or actor.user,
        )


def review_green_channel(
    *,
    actor: Actor,
    application: Application,
    version: int,
    note: str = "",
    uploads: Mapping[str, Any] | None = None,
) -> Application:
    """The green channel: a returned application is completed on site and approved at once.
    `uploads` maps each missing item's code to its file (a Django UploadedFile), recorded
    through materials.material_upload(on_site=True); every missing item needs one. Approves
    (green_channel = True) like review_approve. On any refusal nothing is kept, not even
    the files already stored."""
    from . import materials  # the app part's service; imported late (parts built in parallel)

    _require_reviewer(actor, application)
    version = _version(version)
    text = _note(note)
    uploads = {k: v for k, v in (uploads or {}).items() if v}
    if not application.can(Action.GREEN_CHANNEL):
        refuse_transition(application, Action.GREEN_CHANNEL)
    if application.version != version:
        raise ConcurrentEditError
    missing = [str(c) for c in application.missing_items or []]
    unknown = sorted(set(uploads) - set(missing))
    if unknown:
        raise ValidationError(
            {
                "files": _("Not a missing item of this application: %(items)s.")
                % {"items": ", ".join(unknown)}
            }
        )
    lacking = [c for c in missing if c not in uploads]
    if lacking:
        labels = {str(i.get("code")): item_label(i) for i in application.checklist or []}
        raise ValidationError(
            {
                "files": _("Record a file for every missing item: %(items)s.")
                % {"items": ", ".join(labels.get(c, c) for c in lacking)}
            }
        )
    now = timezone.now()
    stored: list[Any] = []
    try:
        with transaction.atomic():
            # Lock the row first: a second reviewer waits here, then finds the version moved,
            # before any of its files are stored.
            locked = Application.objects.select_for_update().get(pk=application.pk)
            if locked.status != application.status or locked.version != version:
                raise ConcurrentEditError
            for code in missing:
                stored.append(
                    materials.material_upload(
                        actor=actor,
                        application=locked,
                        item=code,
                        upload=uploads[code],
                        on_site=True,
                    )
                )
            locked.refresh_from_db()
            transition(
                actor=actor,
                application=locked,
                version=locked.version,
                action=Action.GREEN_CHANNEL,
                note=text,
                items=missing,
                at=now,
                decided_at=now,
                decided_by=actor.user,
                decision_note=text,
                due_at=None,
                missing_items=[],
                green_channel=True,
                reviewer=application.reviewer or actor.user,
            )
            _approved(application.enterprise_id, now)
    except Exception:
        for material in stored:
            _discard_file(material)
        raise
    application.refresh_from_db()
    return application


def _discard_file(material: Any) -> None:
    """Removes a file stored by an upload whose transaction was rolled back."""
    try:
        if material.file:
            material.file.storage.delete(material.file.name)
    except OSError:
        pass  # a file left behind is harmless: no row names it
