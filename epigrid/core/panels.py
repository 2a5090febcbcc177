"""Sections that apps contribute to a jurisdiction's page, so geo need not import them.

An app registers a panel in its AppConfig.ready(); the node page renders every panel the
actor may see, in order.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Panel:
    name: str
    order: int
    template: str
    capability: str
    context: Callable[..., dict[str, Any]]  # (actor=..., node=...) -> template context


_PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> None:
    _PANELS[panel.name] = panel


def panels() -> list[Panel]:
    return sorted(_PANELS.values(), key=lambda p: p.order)
