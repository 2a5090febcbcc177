from django.utils.translation import gettext_lazy as _

from epigrid.indicators.catalogue import Indicator, count_by_path, register

from .models import PartyCommittee

register(
    Indicator(
        key="party_committees",
        label=_("Community party committees"),
        description=_('Communities with a "big party committee" (大党委) in force on the date.'),
        counter=count_by_path(PartyCommittee.objects.all()),
        order=12,
        group=_("Grids"),
    )
)
