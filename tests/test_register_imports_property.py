"""Property: whatever rows a village register holds, the tenant import never crashes and
accounts for every row exactly once."""

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from epigrid.accounts.access import SYSTEM
from epigrid.spreadsheets import services


def _valid_id(n: int) -> str:
    body = f"44078519900101{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=30)
ids = st.one_of(
    st.integers(0, 999).map(_valid_id),
    text,
    st.integers(0, 10**18),
    st.just(""),
    st.floats(allow_nan=False, allow_infinity=False),
)
dates = st.one_of(
    st.just(None), st.integers(-100, 80000), st.just("2020.2.3"), text, st.dates().map(str)
)
row = st.tuples(
    st.sampled_from(["GRID_A", "GRID_A2", "nowhere", ""]),  # 所属网格
    st.one_of(st.just("新平路1号"), text),  # 地址
    st.one_of(st.just("101"), text, st.integers()),  # 房号
    st.sampled_from(["单家独户", "公寓", "网约房", "别墅", ""]),  # 类型
    st.one_of(st.just("张三"), text),  # 姓名
    ids,
    st.one_of(st.just("13800138000"), text, st.integers(0, 10**12)),  # 电话
    dates,
)


@pytest.mark.django_db
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(rows=st.lists(row, min_size=1, max_size=12))
def test_every_row_is_accounted_for(world, tmp_path_factory, rows):
    codes = {"GRID_A": world.nodes["grid_a"].code, "GRID_A2": world.nodes["grid_a2"].code}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["租户登记表"])
    ws.append(
        [
            "所属网格",
            "出租屋地址",
            "房号",
            "出租屋类型",
            "租户姓名",
            "身份证号码",
            "联系电话",
            "入住日期",
        ]
    )
    written = 0
    for grid, *rest in rows:
        cells = [codes.get(grid, grid), *rest]
        ws.append(cells)
        for i, value in enumerate(cells, start=1):  # typed text, never a formula
            if isinstance(value, str):
                ws.cell(row=ws.max_row, column=i).data_type = "s"
        written += 1
    path = tmp_path_factory.mktemp("prop") / "r.xlsx"
    wb.save(path)
    job = services.import_upload(
        actor=SYSTEM,
        kind="tenants",
        file=path.read_bytes(),
        filename="r.xlsx",
        jpath=world.nodes["village_a"].path,
    )
    job = services.import_commit(actor=SYSTEM, job=job)
    summary = job.summary()
    assert job.status == "done", job.message
    taken = summary["created"] + summary["updated"] + summary["unchanged"] + summary["duplicates"]
    # Blank-looking and total-looking rows are not rows; every other row lands exactly once.
    assert summary["rows"] <= written
    assert taken + summary["errors"] == summary["rows"]
