"""Publishing approvals in batches (复工复产企业名单, 第N批): every approved application of a
subdistrict not yet in a batch goes into the next numbered batch, which then has a public
page (enterprise names and approval dates only) and a printable, exportable list."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, require_can
from epigrid.accounts.roles import Capability
from epigrid.audit.services import audit_record, snapshot
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.writes import clean_text
from epigrid.geo.models import Jurisdiction, Kind, within_q

from ..models import Application, Batch, Status

TITLE_MAX = 100


def default_title(subdistrict: Jurisdiction, number: int) -> str:
    return _("%(place)s: enterprises approved to resume work, batch %(n)d") % {
        "place": subdistrict.name,
        "n": number,
    }


def batch_publish(
    *, actor: Actor, subdistrict: Jurisdiction, on: dt.date | None = None, title: str = ""
) -> Batch:
    """Gathers every approved, unpublished application of `subdistrict` into a new batch
    numbered next; refuses when there is none. Needs APPLICATIONS_REVIEW over the
    subdistrict. Audited ("batch.publish")."""
    if subdistrict.kind != Kind.SUBDISTRICT:
        raise ValidationError({"subdistrict": _("Batches are published by a subdistrict.")})
    require_can(actor, Capability.APPLICATIONS_REVIEW, subdistrict.path)
    text = clean_text(title, "title", TITLE_MAX, required=False)
    now = timezone.now()
    day = on or timezone.localdate(now)
    if day > timezone.localdate(now):
        raise ValidationError({"on": _("A batch cannot be published on a future day.")})
    pending = Application.objects.filter(
        within_q(subdistrict.path), status=Status.APPROVED, batch__isnull=True
    )
    try:
        with transaction.atomic():
            # Lock the approvals gathered: a second publisher at the same moment waits and
            # then finds none left (or loses the number below).
            ids = list(pending.select_for_update().values_list("pk", flat=True))
            if not ids:
                raise ValidationError(
                    {"subdistrict": _("There is no approved application waiting to be published.")}
                )
            last = Batch.objects.filter(jurisdiction=subdistrict).aggregate(n=Max("number"))["n"]
            number = (last or 0) + 1
            batch = Batch.objects.create(
                number=number,
                jurisdiction=subdistrict,
                jpath=subdistrict.path,
                title=text or default_title(subdistrict, number)[:TITLE_MAX],
                published_on=day,
                published_at=now,
                published_by=actor.user,
            )
            count = Application.objects.filter(pk__in=ids).update(batch=batch)
            audit_record(
                actor=actor,
                action="batch.publish",
                obj=batch,
                jpath=batch.jpath,
                after={**snapshot(batch), "applications": count},
            )
    except IntegrityError as exc:
        # The unique (subdistrict, number): someone published the same number first.
        raise ConcurrentEditError from exc
    return batch
