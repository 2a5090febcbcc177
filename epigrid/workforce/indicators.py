from django.utils.translation import gettext_lazy as _

from epigrid.indicators.catalogue import Indicator, count_by_path, register

from .models import StaffMember

register(
    Indicator(
        key="grid_workers",
        label=_("Grid workers"),
        description=_(
            "Grid workers (网格员) on duty on the date: cadres, family doctors, police, social "
            "workers, party volunteers, NPC deputies and CPPCC members."
        ),
        counter=count_by_path(StaffMember.objects.all()),
        order=20,
        group=_("People"),
    )
)
