"""The tenant import's less common paths, across small batches: dwellings that were vacant or
are not rented out, people who moved, landlords, people without an ID number."""

import datetime as dt

import openpyxl
import pytest
from stdnum.cn import ric

from epigrid.accounts.access import SYSTEM
from epigrid.registry.models import Building, HousingUnit, Person, Residency, UnitUse
from epigrid.spreadsheets import services
from epigrid.spreadsheets.models import ImportRowError

HEADER = ["所属网格", "出租屋地址", "房号", "出租屋类型", "租户姓名", "身份证号码", "房东姓名"]
HEADER += ["房东身份证号", "入住日期"]


def rid(seq: int, birth: str = "19880808") -> str:
    body = f"440785{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def run(world, tmp_path, rows, name="r.xlsx"):
    book = openpyxl.Workbook()
    book.active.append(["出租屋租户登记表"])
    book.active.append(HEADER)
    for row in rows:
        book.active.append(row)
    path = tmp_path / name
    book.save(path)
    job = services.import_upload(
        actor=SYSTEM, kind="tenants", file=path, filename=name, jpath=world.nodes["city"].path
    )
    return services.import_commit(actor=SYSTEM, job=job, batch_size=2)


@pytest.mark.django_db
def test_vacant_owner_occupied_moves_landlords_and_people_without_numbers(world, tmp_path):
    grid = world.nodes["grid_a"]
    building = Building.objects.create(
        jurisdiction=grid, jpath=grid.path, address="新平路8号", address_norm="新平路8号"
    )
    vacant = HousingUnit.objects.create(
        building=building, jpath=grid.path, label="201", use=UnitUse.VACANT
    )
    owned = HousingUnit.objects.create(
        building=building, jpath=grid.path, label="301", use=UnitUse.OWNER_OCCUPIED
    )
    persons = Person.objects.count()
    first = run(
        world,
        tmp_path,
        [
            [grid.code, "新平路8号", "201", "公寓", "甲", rid(1), "房东", rid(9), "2020.2.1"],
            [grid.code, "新平路8号", "201", "公寓", "乙", rid(2), None, None, None],
            [grid.code, "新平路8号", "301", "公寓", "丙", rid(3), None, None, None],
            [grid.code, "新平路9号", "1", "单家独户", "丁", None, None, None, None],
            [grid.code, "新平路9号", "1", "单家独户", "丁", None, None, None, None],
        ],
    )
    assert first.summary() == {
        "rows": 5,
        "created": 3,
        "updated": 0,
        "unchanged": 1,  # 丁 again, in the next batch: the person already living there
        "duplicates": 0,
        "errors": 1,
    }
    assert list(ImportRowError.objects.filter(job=first).values_list("row_number", flat=True)) == [
        5
    ]
    vacant.refresh_from_db()
    owned.refresh_from_db()
    assert (vacant.use, vacant.rental_kind) == (UnitUse.RENTAL, "serviced_apartment")
    assert owned.use == UnitUse.OWNER_OCCUPIED
    landlord = Person.objects.get(doc_number=rid(9))
    assert vacant.landlord_id == landlord.pk
    assert Person.objects.count() == persons + 4  # 甲, 乙, 丁 and the landlord
    jia = Person.objects.get(doc_number=rid(1))
    assert jia.current_unit_id == vacant.pk
    assert Residency.objects.get(person=jia).move_in == dt.date(2020, 2, 1)

    # 甲 moved next door: the old residency ends, the record follows to the new dwelling.
    again = run(
        world,
        tmp_path,
        [
            [grid.code, "新平路9号", "2", "单家独户", "甲", rid(1), None, None, "2020.2.10"],
            [grid.code, "新平路8号", "201", "公寓", "乙", rid(2), None, None, None],
        ],
        name="again.xlsx",
    )
    assert again.summary() == {
        "rows": 2,
        "created": 0,
        "updated": 1,
        "unchanged": 1,
        "duplicates": 0,
        "errors": 0,
    }
    jia.refresh_from_db()
    assert jia.current_unit.label == "2" and jia.current_unit.building.address == "新平路9号"
    stays = list(
        Residency.objects.filter(person=jia).order_by("id").values_list("unit__label", "move_out")
    )
    assert [label for label, _out in stays] == ["201", "2"]
    assert stays[0][1] is not None and stays[1][1] is None
