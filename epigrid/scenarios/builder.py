"""The reference-scenario builder. Each app adds its own part in <app>/scenario.py:

    @part(order=20)
    def build_staff(ctx: ScenarioContext) -> None: ...

Parts run in order in one transaction; a part reads what earlier parts left in `ctx.data`.
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import autodiscover_modules


@dataclass
class ScenarioContext:
    scale: int
    seed: int
    rng: random.Random
    data: dict[str, Any] = field(default_factory=dict)
    accounts: list[dict[str, str]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


@dataclass(frozen=True)
class Part:
    order: int
    name: str
    build: Callable[[ScenarioContext], None]


_PARTS: list[Part] = []


def part(
    order: int,
) -> Callable[[Callable[[ScenarioContext], None]], Callable[[ScenarioContext], None]]:
    def register(func: Callable[[ScenarioContext], None]) -> Callable[[ScenarioContext], None]:
        name = f"{func.__module__}.{func.__name__}"
        if not any(p.name == name for p in _PARTS):
            _PARTS.append(Part(order=order, name=name, build=func))
        return func

    return register


def parts() -> list[Part]:
    autodiscover_modules("scenario")
    return sorted(_PARTS, key=lambda p: (p.order, p.name))


# The reference dates of the seed: grids set up when leave was cancelled on 27 January,
# the figures reported as of 16 February 2020.
START = dt.date(2020, 1, 27)
AS_OF = dt.date(2020, 2, 16)
