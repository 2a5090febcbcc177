"""What the register's pages share: refusals, pages of a list, the grid filter."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest

from epigrid.accounts.access import Actor
from epigrid.accounts.roles import Capability
from epigrid.core.errors import ConcurrentEditError
from epigrid.core.pagination import Page, keyset_page
from epigrid.geo import selectors as geo
from epigrid.geo.models import Jurisdiction

from .. import queries

REFUSALS = (ValidationError, ConcurrentEditError)
PAGE_SIZE = 50


def page_of(request: HttpRequest, qs, key: str = "id") -> Page:
    """One page of a list; a tampered cursor raises ValidationError (the view starts over)."""
    return keyset_page(qs, cursor=request.GET.get("cursor"), limit=PAGE_SIZE, key=key)


def within_param(request: HttpRequest, actor: Actor) -> str | None:
    """The `within` filter: a node the actor may read the register of, else 404."""
    within = (request.GET.get("within") or "").strip()[:64] or None
    if within:
        geo.jurisdiction_get(actor=actor, code=within, capability=Capability.REGISTRY_VIEW)
    return within


def grid_filter_choices(actor: Actor) -> list[tuple[str, str]]:
    """The nodes one may filter a list by, in tree order, indented below the actor's top.
    Above a subdistrict the list stops at villages: a city has thousands of grids, too many
    for a dropdown (a grid is reached from its village's page or the `within` link)."""
    tops = actor.paths(Capability.REGISTRY_VIEW)
    coarse = any(p.count(".") <= 2 for p in tops)  # a city or subdistrict ("440785.001.")
    nodes = queries.grid_choices(actor=actor, capability=Capability.REGISTRY_VIEW, coarse=coarse)
    top = min((n.depth for n in nodes), default=0)
    return [(n.code, "\u3000" * (n.depth - top) + n.name) for n in nodes]


def manageable_grids(actor: Actor) -> list[Jurisdiction]:
    return queries.grid_choices(actor=actor, capability=Capability.REGISTRY_MANAGE, small_only=True)


def small_grid_choices(grids: list[Jurisdiction]) -> list[tuple[str, str]]:
    return [(g.code, g.name) for g in grids]


def unit_label(unit) -> str:
    return f"{unit.building.address} {unit.label}"


def form_errors_text(form) -> str:
    """A refused small form (a button with a date) as one line for a flash message."""
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))
