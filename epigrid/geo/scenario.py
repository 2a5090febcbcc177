"""The jurisdiction tree of the reference scenario: K subdistricts shaped like Encheng."""

from epigrid.accounts.access import SYSTEM
from epigrid.audit.services import audit_record
from epigrid.scenarios import encheng
from epigrid.scenarios.builder import START, ScenarioContext, part

from .models import Jurisdiction, Kind, path_of


def _node(code: str, kind: str, name: str, parent: Jurisdiction | None) -> Jurisdiction:
    return Jurisdiction(
        code=code,
        path=path_of(code),
        kind=kind,
        name=name,
        parent=parent,
        depth=(parent.depth + 1) if parent else 0,
        active_from=START,
    )


def _small_grid_counts(big_grids: int, small_grids: int) -> list[int]:
    base, extra = divmod(small_grids, big_grids)
    return [base + (1 if i < extra else 0) for i in range(big_grids)]


@part(order=10)
def build_jurisdictions(ctx: ScenarioContext) -> None:
    city = _node(encheng.CITY_CODE, Kind.CITY, encheng.CITY_NAME, None)
    city.save()
    subdistricts = Jurisdiction.objects.bulk_create(
        [
            _node(
                f"{city.code}.{i:03d}",
                Kind.SUBDISTRICT,
                encheng.SUBDISTRICT_NAME if i == 1 else f"{encheng.SUBDISTRICT_NAME}（{i}）",
                city,
            )
            for i in range(1, ctx.scale + 1)
        ]
    )
    units: list[Jurisdiction] = []
    for sub in subdistricts:
        names = [(Kind.COMMUNITY, n) for n in encheng.COMMUNITY_NAMES] + [
            (Kind.VILLAGE, n) for n in encheng.VILLAGE_NAMES
        ]
        units += [
            _node(f"{sub.code}.{i:02d}", kind, name, sub)
            for i, (kind, name) in enumerate(names, start=1)
        ]
    units = Jurisdiction.objects.bulk_create(units)
    big = Jurisdiction.objects.bulk_create(
        [_node(f"{u.code}.1", Kind.BIG_GRID, f"{u.name}大网格", u) for u in units]
    )
    counts = _small_grid_counts(
        len(encheng.COMMUNITY_NAMES) + len(encheng.VILLAGE_NAMES), encheng.SMALL_GRIDS
    )
    small: list[Jurisdiction] = []
    for i, (unit, grid) in enumerate(zip(units, big, strict=True)):
        n = counts[i % len(counts)]
        small += [
            _node(f"{grid.code}.{j:02d}", Kind.SMALL_GRID, f"{unit.name}第{j}网格", grid)
            for j in range(1, n + 1)
        ]
    small = Jurisdiction.objects.bulk_create(small, batch_size=1000)
    ctx.data.update(
        city=city, subdistricts=subdistricts, units=units, big_grids=big, small_grids=small
    )
    total = 1 + len(subdistricts) + len(units) + len(big) + len(small)
    ctx.count("jurisdictions", total)
    audit_record(
        actor=SYSTEM,
        action="scenario.build",
        entity_type="geo.jurisdiction",
        entity_id="*",
        entity_label=f"{total} jurisdictions",
        jpath=city.path,
        after={"created": total, "scale": ctx.scale},
    )
