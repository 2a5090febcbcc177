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


@pytest.mark.django_db
def test_import_connection_settings_are_raised_for_the_import_and_restored():
    from django.db import connection

    from epigrid.core.bulk import import_connection_settings

    def read(pragma):
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA {pragma}")
            return cursor.fetchone()[0]

    if connection.vendor != "sqlite":
        with import_connection_settings(4321, 777):
            pass  # nothing to change elsewhere, and nothing fails
        return
    before = read("cache_size"), read("wal_autocheckpoint")
    with import_connection_settings(4321, 777):
        assert (read("cache_size"), read("wal_autocheckpoint")) == (-4321, 777)
    assert (read("cache_size"), read("wal_autocheckpoint")) == before


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("logged", [False, True], ids=["direct", "logged"])
def test_a_database_refusal_is_djangos_error_either_way(world, logged):
    from django.db import IntegrityError, connection, transaction

    grid = world.nodes["grid_a"]
    before = Building.objects.count()
    connection.force_debug_cursor = logged
    try:
        with pytest.raises(IntegrityError), transaction.atomic():
            insert_rows(
                Building,
                ("jurisdiction", "jpath", "address", "address_norm", "kind"),
                # NOT NULL is checked at once (a foreign key only at commit on SQLite)
                [
                    (grid.pk, grid.path, "a", "a", BuildingKind.HOUSE),
                    (grid.pk, "x.", None, "b", "x"),
                ],
            )
    finally:
        connection.force_debug_cursor = False
    assert Building.objects.count() == before
