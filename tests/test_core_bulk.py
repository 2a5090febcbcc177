"""Bulk inserts from plain tuples: keys in order, defaults filled, on SQLite and PostgreSQL."""

import pytest

from epigrid.core.bulk import _chunks, insert_rows
from epigrid.registry.models import Building, BuildingKind, HousingUnit


def test_statement_sizes_are_few_powers_of_two():
    assert _chunks(1000, 16) == [
        (0, 512),
        (512, 256),
        (768, 128),
        (896, 64),
        (960, 32),
        (992, 8),
    ]
    assert _chunks(0, 5) == []
    sizes = {size for n in range(1, 3000) for _start, size in _chunks(n, 16)}
    assert sizes == {1 << k for k in range(11)}  # 1 … 1024 (30,000 / 16 bound values)


@pytest.mark.django_db
def test_insert_rows_returns_keys_in_order_and_fills_defaults(world):
    grid = world.nodes["grid_a"]
    rows = [
        (grid.pk, grid.path, f"恩城测试路{i}号", f"恩城测试路{i}号", BuildingKind.HOUSE)
        for i in range(1300)
    ]
    keys = insert_rows(Building, ("jurisdiction", "jpath", "address", "address_norm", "kind"), rows)
    assert len(keys) == 1300 == len(set(keys))
    stored = Building.objects.in_bulk(keys)
    assert [stored[k].address for k in keys] == [r[2] for r in rows]
    first = stored[keys[0]]
    assert first.version == 1 and first.created_at is not None and first.updated_at is not None
    units = insert_rows(
        HousingUnit,
        ("building", "jpath", "label", "use", "rental_kind"),
        [(k, grid.path, "101", "rental", "single_household") for k in keys[:3]],
    )
    assert [HousingUnit.objects.get(pk=u).building_id for u in units] == keys[:3]
    assert insert_rows(Building, ("address",), []) == []


@pytest.mark.django_db
def test_insert_rows_refuses_a_missing_required_value(world):
    before = Building.objects.count()
    with pytest.raises(ValueError, match="no value for"):
        insert_rows(Building, ("address",), [("x",)])
    assert Building.objects.count() == before  # refused before any statement
