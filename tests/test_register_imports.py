"""A messy village tenant register imports with exact counts and a correct error report;
importing it again changes nothing."""

import datetime as dt

import openpyxl
import pytest
from stdnum.cn import ric

from epigrid.accounts.access import SYSTEM
from epigrid.registry.models import Arrival, Building, Person, Residency
from epigrid.spreadsheets import services
from epigrid.spreadsheets.models import ImportRowError


def rid(seq: int, birth: str = "19880808", region: str = "440785") -> str:
    body = f"{region}{birth}{seq:03d}"
    return body + ric.calc_check_digit(body + "0")


def village_register(path, grid_a: str, grid_a2: str) -> None:
    """Like the sheets villages pass up: a merged title, a note, headers that vary."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["锦岗村出租屋租户登记表"])
    ws.merge_cells("A1:J1")
    ws.append(["填报单位：锦岗村委会", None, None, None, None, "填报日期：2020.2.5"])
    ws.append(
        [
            "序号",
            "所属网格",
            "出租屋地址",
            "房号",
            "出租屋类型",
            "租户姓名",
            "身份证号码",
            "联系电话",
            "户籍地",
            "入住日期",
        ]
    )
    ws.append(
        [
            1,
            grid_a,
            "锦岗村 新平路1号",
            "101",
            "单家独户",
            "张三",
            rid(11),
            "13800138001",
            "湖南省隆回县",
            "2020.2.3",
        ]
    )
    ws.append(
        [
            2,
            grid_a,
            "锦岗村新平路1号",
            "101",
            "单家独户",
            "张三妻",
            " " + rid(12)[:6] + " " + rid(12)[6:],
            "13800138002",
            "湖南省隆回县",
            43864,
        ]
    )  # Excel serial
    ws.append(
        [
            3,
            grid_a,
            "锦岗村新平路1号",
            "102",
            "网约房",
            "李四",
            rid(13).translate(str.maketrans("0123456789", "０１２３４５６７８９")),
            None,
            None,
            "2020/2/1",
        ]
    )  # full-width digits
    ws.append(
        [
            4,
            grid_a2,
            "锦岗村东街8号",
            "整栋",
            "公寓",
            "王五",
            int(rid(14)[:-1] + "0"),
            None,
            None,
            None,
        ]
    )  # an ID that went through Excel as a number
    ws.append([None] * 10)  # blank row
    ws.append(
        [
            5,
            grid_a2,
            "锦岗村东街8号",
            "整栋",
            "公寓",
            "赵六",
            rid(15)[:-1] + "0" if rid(15)[-1] != "0" else rid(15)[:-1] + "1",
            None,
            None,
            None,
        ]
    )  # bad check
    ws.append(
        [
            6,
            grid_a,
            "锦岗村新平路1号",
            "101",
            "单家独户",
            "张三",
            rid(11),
            "13800138001",
            "湖南省隆回县",
            "2020.2.3",
        ]
    )  # the same row again
    ws.append(
        [7, "不存在的网格", "锦岗村新平路9号", "1", "单家独户", "钱七", rid(17), None, None, None]
    )
    ws.append(
        [
            8,
            grid_a2,
            "锦岗村东街8号",
            "整栋",
            "公寓",
            "孙八",
            rid(18).lower(),
            None,
            None,
            "2020年2月4日",
        ]
    )
    ws.append(
        [
            9,
            grid_a2,
            "锦岗村东街8号",
            "整栋",
            "公寓",
            '=HYPERLINK("http://x","y")',
            "",
            None,
            None,
            None,
        ]
    )  # no ID number: taken by name, kept as text
    ws.cell(row=ws.max_row, column=6).data_type = "s"  # typed text, not a formula
    ws.append(["合计", None, None, None, None, "9人"])
    wb.save(path)


# Rows 4-13 less the blank row 8: 9 rows; 张三 twice (row 10 repeats row 4); rows 7 (Excel
# number), 9 (check character) and 11 (unknown grid) refused; the 合计 row is not a row.
SUMMARY = {"rows": 9, "created": 5, "updated": 0, "unchanged": 0, "duplicates": 1, "errors": 3}


@pytest.mark.django_db
def test_a_messy_village_register(world, tmp_path):
    path = tmp_path / "锦岗村租户.xlsx"
    grid_a, grid_a2 = world.nodes["grid_a"], world.nodes["grid_a2"]
    village_register(path, grid_a.name, grid_a2.code)
    persons, residencies = Person.objects.count(), Residency.objects.count()
    secretary = world.actor("secretary")
    job = services.import_upload(
        actor=secretary,
        kind="tenants",
        file=path.read_bytes(),
        filename=path.name,
        jpath=world.nodes["village_a"].path,
    )
    job = services.import_commit(actor=secretary, job=job)
    assert job.summary() == SUMMARY
    errors = list(
        ImportRowError.objects.filter(job=job)
        .order_by("row_number")
        .values_list("row_number", "message")
    )
    assert [r for r, _m in errors] == [7, 9, 11]
    assert "Excel" in errors[0][1] or "000" in errors[0][1]
    assert "check" in errors[1][1].lower() or "校验" in errors[1][1]
    assert Person.objects.count() == persons + 5
    assert Residency.objects.count() == residencies + 5
    zhang = Person.objects.get(doc_number=rid(11))
    assert zhang.jpath == grid_a.path
    assert zhang.current_unit.label == "101"
    assert Person.objects.get(doc_number=rid(13)).current_unit.label == "102"
    assert Person.objects.get(doc_number=rid(18)).current_unit.building.address == "锦岗村东街8号"
    assert Residency.objects.get(person__doc_number=rid(12)).move_in == dt.date(2020, 2, 3)
    assert Building.objects.filter(address_norm__contains="新平路1号").count() == 1
    assert Person.objects.get(doc_number=rid(13)).current_unit.rental_kind == "online_rental"
    assert Person.objects.filter(name='=HYPERLINK("http://x","y")').count() == 1

    again = services.import_upload(
        actor=secretary,
        kind="tenants",
        file=path.read_bytes(),
        filename=path.name,
        jpath=world.nodes["village_a"].path,
    )
    again = services.import_commit(actor=secretary, job=again)
    assert again.summary() == {**SUMMARY, "created": 0, "unchanged": 5}
    assert Person.objects.count() == persons + 5
    assert Residency.objects.count() == residencies + 5


@pytest.mark.django_db
def test_a_grid_workers_import_stays_in_scope(world, tmp_path):
    path = tmp_path / "b.xlsx"
    village_register(path, world.nodes["grid_a"].name, world.nodes["grid_a2"].code)
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises((PermissionDenied, Http404)):
        services.import_upload(
            actor=world.actor("worker_b"),
            kind="tenants",
            file=path.read_bytes(),
            filename="b.xlsx",
            jpath=world.nodes["village_a"].path,
        )


@pytest.mark.django_db
def test_an_arrival_list(world, tmp_path):
    from epigrid.registry.services import risk_area_create

    if not world.register:
        pytest.skip("no register in the test world")
    risk_area_create(
        actor=world.actor("hq"), name="湖南省", region_code="43", active_from=dt.date(2020, 1, 1)
    )
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["返恩人员登记表"])
    ws.append(
        ["姓名", "身份证号", "所属网格", "出发地", "出发地代码", "返恩日期", "交通方式", "车次"]
    )
    ws.append(
        [
            "周一",
            rid(31),
            world.nodes["grid_b"].code,
            "湖南长沙",
            "430102",
            "2020-02-05",
            "高铁",
            "G1003",
        ]
    )
    ws.append(
        ["吴二", rid(32), world.nodes["grid_b"].code, "广州", "440106", "2020.2.6", "大巴", ""]
    )
    ws.append(["郑三", rid(33), world.nodes["grid_b"].code, "长沙", "430102", "2099-01-01", "", ""])
    path = tmp_path / "arrivals.xlsx"
    wb.save(path)
    job = services.import_upload(
        actor=SYSTEM,
        kind="arrivals",
        file=path.read_bytes(),
        filename=path.name,
        jpath=world.nodes["city"].path,
    )
    job = services.import_commit(actor=SYSTEM, job=job)
    assert job.summary() == {
        "rows": 3,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "duplicates": 0,
        "errors": 1,
    }
    assert Arrival.objects.get(person__doc_number=rid(31)).touches_risk_area is True
    assert Arrival.objects.get(person__doc_number=rid(32)).touches_risk_area is False
    again = services.import_commit(
        actor=SYSTEM,
        job=services.import_upload(
            actor=SYSTEM,
            kind="arrivals",
            file=path.read_bytes(),
            filename=path.name,
            jpath=world.nodes["city"].path,
        ),
    )
    assert again.summary()["created"] == 0
    assert Arrival.objects.filter(person__doc_number__in=[rid(31), rid(32)]).count() == 2


@pytest.mark.django_db
def test_the_command_line_import(world, tmp_path):
    import io
    import json

    from django.core.management import call_command

    path = tmp_path / "v.xlsx"
    village_register(path, world.nodes["grid_a"].name, world.nodes["grid_a2"].code)
    persons = Person.objects.count()
    out = io.StringIO()
    call_command(
        "import",
        "tenants",
        str(path),
        "--user",
        "secretary",
        "--dry-run",
        "--format",
        "json",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert json.loads(out.getvalue()) == SUMMARY
    assert Person.objects.count() == persons  # a dry run keeps nothing
    out = io.StringIO()
    errors = tmp_path / "errors.xlsx"
    call_command(
        "import",
        "tenants",
        str(path),
        "--user",
        "secretary",
        "--errors",
        str(errors),
        "--format",
        "json",
        stdout=out,
    )
    assert json.loads(out.getvalue()) == SUMMARY
    sheet = openpyxl.load_workbook(errors).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [7, 9, 11]
    assert Person.objects.count() == persons + 5
