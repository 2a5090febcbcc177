import datetime as dt

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from epigrid.indicators.catalogue import Indicator, count_by_path, register
from epigrid.policy.registry import OBSERVATION_DAYS
from epigrid.policy.selectors import policy_value

from .models import Arrival, Residency, ResidencyRole


def _recorded_by(as_of: dt.date) -> Q:
    return Q(recorded_on__lte=as_of)


register(
    Indicator(
        key="tenants_registered",
        label=_("Tenant records registered"),
        description=_("Tenancies (租户信息) recorded in the register by the date."),
        counter=count_by_path(Residency.objects.filter(role=ResidencyRole.TENANT), _recorded_by),
        order=40,
        group=_("Register"),
    )
)


def _risk_window(as_of: dt.date) -> Q:
    days = int(policy_value(OBSERVATION_DAYS.key, as_of))
    start = as_of - dt.timedelta(days=days - 1)
    return Q(
        touches_risk_area=True, arrived_on__gte=start, arrived_on__lte=as_of, recorded_on__lte=as_of
    )


register(
    Indicator(
        key="persons_from_risk_areas",
        label=_("Persons from epidemic source areas"),
        description=_(
            "Persons with an arrival from, or through, an epidemic source area within the "
            "observation period before the date."
        ),
        counter=count_by_path(Arrival.objects.all(), _risk_window, distinct="person"),
        order=43,
        group=_("Register"),
    )
)
