"""Figures of home quarantine. A figure "as of" a date is read at the end of that day, or
now when the date is today (overdue slots and open alerts change by the minute)."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epigrid.indicators.catalogue import Indicator, count_by_path, register

from . import rules
from .models import Alert, AssistanceRequest, FollowUpSlot, ObservationCase, Regime, Trigger

GROUP = _("Home quarantine")


def _moment(as_of: dt.date) -> dt.datetime:
    """The end of the as-of day, or now if that is earlier."""
    return min(timezone.now(), rules.local_midnight(as_of + dt.timedelta(days=1)))


def _placed_by(as_of: dt.date) -> Q:
    # A case cancelled as opened by mistake never placed anyone.
    return Q(start_date__lte=as_of) & ~Q(end_reason="cancelled")


def _active_on(as_of: dt.date) -> Q:
    moment = _moment(as_of)
    return Q(start_date__lte=as_of, end_date__gt=as_of, opened_at__lte=moment) & (
        Q(closed_at__isnull=True) | Q(closed_at__gt=moment)
    )


def _done_on(as_of: dt.date) -> Q:
    return Q(day=as_of, done_at__isnull=False, done_at__lte=_moment(as_of))


def _overdue_on(as_of: dt.date) -> Q:
    moment = _moment(as_of)
    return (
        Q(day=as_of, deadline__lt=moment)
        & (Q(done_at__isnull=True) | Q(done_at__gt=moment))
        & (Q(case__closed_at__isnull=True) | Q(case__closed_at__gt=moment))
    )


def _open_on(field: str, *closed: str):
    def q(as_of: dt.date) -> Q:
        moment = _moment(as_of)
        cond = Q(**{f"{field}__lte": moment})
        for name in closed:
            cond &= Q(**{f"{name}__isnull": True}) | Q(**{f"{name}__gt": moment})
        return cond

    return q


HOME = ObservationCase.objects.filter(regime=Regime.HOME_QUARANTINE)

register(
    Indicator(
        key="quarantine_needed",
        label=_("Persons placed under home quarantine"),
        description=_(
            "Persons placed under home quarantine (居家隔离) by the date, each counted once."
        ),
        counter=count_by_path(HOME, _placed_by, distinct="person"),
        order=60,
        group=GROUP,
    )
)

register(
    Indicator(
        key="quarantine_active",
        label=_("Under home quarantine now"),
        description=_("Persons under home quarantine on the date: started, not yet released."),
        counter=count_by_path(HOME, _active_on, distinct="person"),
        order=61,
        group=GROUP,
    )
)

register(
    Indicator(
        key="followups_done_today",
        label=_("Follow-ups done today"),
        description=_(
            "Follow-up slots of the date in which the person was reached (any observation regime)."
        ),
        counter=count_by_path(FollowUpSlot.objects.all(), _done_on),
        order=62,
        group=GROUP,
    )
)

register(
    Indicator(
        key="followups_overdue",
        label=_("Follow-ups overdue"),
        description=_(
            "Follow-up slots of the date whose deadline has passed with nobody reached, on "
            "cases still open; at the end of a past date, the slots missed that day."
        ),
        counter=count_by_path(FollowUpSlot.objects.all(), _overdue_on),
        order=63,
        group=GROUP,
    )
)

register(
    Indicator(
        key="fever_alerts_open",
        label=_("Open fever and symptom alerts"),
        description=_(
            "Alerts raised by a fever reading or a serious symptom and not yet closed with an "
            "outcome."
        ),
        counter=count_by_path(
            Alert.objects.filter(trigger__in=[Trigger.FEVER, Trigger.SERIOUS_SYMPTOM]),
            _open_on("raised_at", "closed_at"),
        ),
        order=64,
        group=GROUP,
    )
)

register(
    Indicator(
        key="assistance_open",
        label=_("Open requests for help"),
        description=_("Requests for food, medicine, counselling or other help not yet fulfilled."),
        counter=count_by_path(
            AssistanceRequest.objects.all(),
            _open_on("requested_at", "fulfilled_at", "cancelled_at"),
        ),
        order=65,
        group=GROUP,
    )
)
