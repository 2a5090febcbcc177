"""Reads of alerts and their referral, scoped to the actor (QUARANTINE_VIEW), each list in a
constant number of queries: the case (if any), the person and the grid come in the same
query, and the latest referral step as a subquery. An alert raised outside quarantine (a
fever at a checkpoint) has no case: pages read the alert's own `person` and `jurisdiction`,
which every alert has."""

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.utils import translation
from django.utils.translation import gettext as _

from epigrid.accounts.access import Actor, get_for_actor, scope
from epigrid.accounts.roles import Capability
from epigrid.core.pagination import DEFAULT_LIMIT, MAX_LIMIT, Page, decode_cursor, encode_cursor
from epigrid.geo.models import path_of, within_q

from .. import rules
from ..models import Alert, ObservationCase, ReferralEvent, ReferralStep, Trigger
from ..services.escalation import SEP, next_steps

_CURSOR = re.compile(r"^([oc]):(\d{1,19})$")


def _with_last_step(qs: QuerySet[Alert]) -> QuerySet[Alert]:
    last = ReferralEvent.objects.filter(alert=OuterRef("pk")).order_by("-at", "-id")
    return qs.annotate(
        last_step=Subquery(last.values("step")[:1]), last_step_at=Subquery(last.values("at")[:1])
    )


def _base(actor: Actor, capability: Capability = Capability.QUARANTINE_VIEW) -> QuerySet[Alert]:
    return scope(Alert.objects.select_related("case", "person", "jurisdiction"), actor, capability)


def alert_list(
    *,
    actor: Actor,
    open_only: bool = False,
    trigger: str | None = None,
    within: str | None = None,
    since: dt.date | dt.datetime | None = None,
) -> QuerySet[Alert]:
    """Alerts in the actor's scope; `within` a jurisdiction code, `since` a day or a moment
    (raised at or after it). Page it with `alert_page` (open first)."""
    qs = _with_last_step(_base(actor))
    if open_only:
        qs = qs.filter(closed_at__isnull=True)
    if trigger:
        qs = qs.filter(trigger=trigger)
    if within:
        qs = qs.filter(within_q(path_of(within)))
    if since is not None:
        if not isinstance(since, dt.datetime):
            since = rules.local_midnight(since)
        qs = qs.filter(raised_at__gte=since)
    return qs


def alert_page(queryset: QuerySet[Alert], *, cursor: str | None, limit: int | None) -> Page:
    """One page of alerts, open ones first, each part newest first; at most two queries.
    The cursor names the part and the last id shown ("o:17", "c:9"), opaque to callers."""
    size = min(max(int(limit or DEFAULT_LIMIT), 1), MAX_LIMIT)
    part, after = "o", None
    if cursor:
        match = _CURSOR.match(str(decode_cursor(cursor)))
        if not match:
            raise ValidationError({"cursor": _("This page link is not valid.")})
        part, after = match.group(1), int(match.group(2))
    rows: list[Alert] = []
    if part == "o":
        open_qs = queryset.filter(closed_at__isnull=True)
        if after is not None:
            open_qs = open_qs.filter(pk__lt=after)
        rows = list(open_qs.order_by("-id")[: size + 1])
        after = None
    if len(rows) <= size:
        closed_qs = queryset.filter(closed_at__isnull=False)
        if after is not None:
            closed_qs = closed_qs.filter(pk__lt=after)
        rows += list(closed_qs.order_by("-id")[: size + 1 - len(rows)])
    if len(rows) <= size:
        return Page(items=with_text(rows), next=None)
    last = rows[size - 1]
    return Page(
        items=with_text(rows[:size]),
        next=encode_cursor(f"{'o' if last.closed_at is None else 'c'}:{last.pk}"),
    )


def alert_get(
    *, actor: Actor, pk: int, capability: Capability = Capability.QUARANTINE_VIEW
) -> Alert:
    """An alert in the actor's scope, else 404 (unknown and hidden answer alike)."""
    qs = _base(actor, capability).select_related("followup", "slot", "closed_by")
    alert = get_for_actor(qs, actor, capability, pk=pk)
    with_text([alert])
    return alert


@dataclass(frozen=True)
class AlertDetail:
    alert: Alert
    steps: list[ReferralEvent]
    next_steps: list[str]  # what may be recorded now (empty once closed)


def alert_detail(*, actor: Actor, pk: int) -> AlertDetail:
    """An alert with its referral steps in order, and the steps that may come next."""
    alert = alert_get(actor=actor, pk=pk)
    steps = list(ReferralEvent.objects.filter(alert=alert).order_by("at", "id"))
    return AlertDetail(alert, steps, [] if alert.closed_at else next_steps(steps))


def open_alert_count(*, actor: Actor, within: str | None = None, trigger: str | None = None) -> int:
    """Open alerts in the actor's scope (inside `within`), one indexed count."""
    qs = scope(Alert.objects.filter(closed_at__isnull=True), actor, Capability.QUARANTINE_VIEW)
    if within:
        qs = qs.filter(within_q(path_of(within)))
    if trigger:
        qs = qs.filter(trigger=trigger)
    return qs.count()


def open_alert_counts(*, actor: Actor, within: str | None = None) -> dict[str, int]:
    """Open alerts by trigger (every trigger present, zero when none), one grouped query."""
    qs = scope(Alert.objects.filter(closed_at__isnull=True), actor, Capability.QUARANTINE_VIEW)
    if within:
        qs = qs.filter(within_q(path_of(within)))
    counts = dict.fromkeys(Trigger.values, 0)
    for row in qs.order_by().values("trigger").annotate(n=Count("pk")):
        counts[row["trigger"]] = row["n"]
    return counts


def alerts_for_case(*, actor: Actor, case: ObservationCase) -> list[Alert]:
    """The case's alerts the actor may see, open first then newest, with the latest referral
    step and a readable detail (`detail_text`): one query."""
    qs = _with_last_step(_base(actor)).filter(case=case)
    alerts = sorted(qs, key=lambda a: (a.closed_at is not None, -a.pk))
    return with_text(alerts)


def describe(alert: Alert) -> str:
    """The alert's detail for people: symptom codes by their names in the case's policy."""
    if alert.trigger != Trigger.SERIOUS_SYMPTOM or alert.case is None:
        return alert.detail
    language = translation.get_language() or "zh-hans"
    policy = alert.case.policy
    return SEP.join(
        rules.symptom_label(policy, code, language) for code in alert.detail.split(SEP) if code
    )


def with_text(alerts: Iterable[Alert]) -> list[Alert]:
    """Sets `detail_text` (see `describe`) and `last_step_label` on each alert, for pages
    and the API."""
    out = list(alerts)
    labels = dict(ReferralStep.choices)
    for alert in out:
        alert.detail_text = describe(alert)  # type: ignore[attr-defined]
        last = getattr(alert, "last_step", None)
        alert.last_step_label = labels.get(last, "") if last else ""  # type: ignore[attr-defined]
    return out
