import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epigrid.indicators.catalogue import Indicator, count_by_path, register
from epigrid.registry.models import UnitUse

from .models import Outcome, Visit


def _visited_by(as_of: dt.date) -> Q:
    # Before the start of the next local day: a range the visited_at index answers.
    end = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time.min))
    return Q(visited_at__lt=end)


register(
    Indicator(
        key="sweep_visits",
        label=_("Sweep dispatches"),
        description=_(
            "Door-to-door visits made by grid workers in sweep campaigns by the date (人次), "
            "whatever their outcome."
        ),
        counter=count_by_path(Visit.objects.all(), _visited_by),
        order=38,
        group=_("Register"),
    )
)

register(
    Indicator(
        key="rental_houses_inspected",
        label=_("Rental houses inspected"),
        description=_(
            "Rental units where a sweep visit reached the household (any outcome but “nobody "
            "home”) by the date; each unit counts once."
        ),
        counter=count_by_path(
            Visit.objects.filter(unit__use=UnitUse.RENTAL).exclude(outcome=Outcome.NOBODY_HOME),
            _visited_by,
            distinct="unit",
        ),
        order=39,
        group=_("Register"),
    )
)
