"""One step of an application's state machine (models.TRANSITIONS), shared by the services of
the enterprise's side (services.applications: submit, supplement, withdraw) and the desk's
(services.review: start review, return, approve, reject, green channel).

The step is version-checked: of two reviewers deciding at once, the second finds the
version moved and gets a ConcurrentEditError (a conflict message), and an application
already decided refuses any decision with a clear message; either way nothing is written.
"""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.writes import versioned_update

from ..models import TRANSITIONS, Application, ApplicationEvent, Status


def refuse_transition(application: Application, action: str) -> None:
    """Raises the message for an action the application's status does not allow."""
    if application.status in (Status.APPROVED, Status.REJECTED):
        raise ConcurrentEditError(
            _("This application was already decided (%(status)s). Reload it to see the decision.")
            % {"status": application.get_status_display()}
        )
    raise ValidationError(
        _("An application that is “%(status)s” cannot be changed this way.")
        % {"status": application.get_status_display()}
    )


def transition(
    *,
    actor: Actor,
    application: Application,
    version: int,
    action: str,
    note: str = "",
    items: list[Any] | None = None,
    at: dt.datetime | None = None,
    **changes: Any,
) -> Application:
    """Moves `application` by `action` (from the version the actor saw), applies `changes`
    to its row, appends the ApplicationEvent and the audit event "application.<action>".
    Call inside the caller's transaction, after its own validation and access check."""
    to_status = TRANSITIONS.get((application.status, action))
    if to_status is None:
        refuse_transition(application, action)
        raise AssertionError  # refuse_transition always raises
    if application.version != version:
        raise ConcurrentEditError
    at = at or timezone.now()
    before = snapshot(application)
    from_status = application.status
    versioned_update(application, version, status=to_status, **changes)
    ApplicationEvent.objects.create(
        application=application,
        action=action,
        from_status=from_status,
        to_status=to_status,
        at=at,
        actor=actor.user,
        note=note[:500],
        items=items or [],
    )
    audit_record(
        actor=actor,
        action=f"application.{action}",
        obj=application,
        jpath=application.jpath,
        before=before,
        after=snapshot(application),
    )
    return application
