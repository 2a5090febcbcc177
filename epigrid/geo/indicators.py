from django.utils.translation import gettext_lazy as _

from epigrid.indicators.catalogue import Indicator, count_by_path, register

from .models import Jurisdiction, Kind


def _nodes(*kinds: str):
    return count_by_path(Jurisdiction.objects.filter(kind__in=kinds), path_field="path")


register(
    Indicator(
        key="villages_communities",
        label=_("Villages and communities"),
        description=_("Villages (村) and urban communities (社区) active on the date."),
        counter=_nodes(Kind.VILLAGE, Kind.COMMUNITY),
        order=10,
        group=_("Grids"),
    )
)
register(
    Indicator(
        key="communities",
        label=_("Communities"),
        description=_("Urban communities (社区) only."),
        counter=_nodes(Kind.COMMUNITY),
        order=11,
        group=_("Grids"),
    )
)
register(
    Indicator(
        key="grids_big",
        label=_("Big grids"),
        description=_("Big grids (大网格), one stationed work group each."),
        counter=_nodes(Kind.BIG_GRID),
        order=13,
        group=_("Grids"),
    )
)
register(
    Indicator(
        key="grids_small",
        label=_("Small grids"),
        description=_("Small grids (小网格)."),
        counter=_nodes(Kind.SMALL_GRID),
        order=14,
        group=_("Grids"),
    )
)
