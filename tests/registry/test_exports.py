"""Exports: .xlsx files with the list's filters, masked by role, never a formula, audited."""

import io
import tracemalloc

import openpyxl
import pytest

from epigrid.accounts.access import SYSTEM
from epigrid.audit.models import AuditEvent
from epigrid.registry import exports
from epigrid.registry import services as reg
from epigrid.registry.exports import safe_cell

pytestmark = pytest.mark.django_db


def workbook(response) -> list[list]:
    assert response.status_code == 200, getattr(response, "content", b"")[:300]
    assert response["Content-Type"] == exports.XLSX
    assert "attachment" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def by_name(rows: list[list]) -> dict[str, list]:
    header = rows[0]
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}


def test_masked_for_the_analyst_and_the_grid_worker_unmasked_for_headquarters(world, web, api):
    person = world.register["person_a"]
    masked = person.doc_number[:6] + "********" + person.doc_number[-4:]
    for user in ("analyst", "worker_a"):
        rows = by_name(
            workbook(web(user).get("/register/persons/export/", headers={"Accept-Language": "en"}))
        )
        assert rows["张三"]["Document number"] == masked, user
        assert rows["张三"]["Phone"] == "139****0001", user
        assert rows["张三"]["Birth date"] is None, user
    rows = by_name(
        workbook(web("hq").get("/register/persons/export/", headers={"Accept-Language": "en"}))
    )
    assert rows["张三"]["Document number"] == person.doc_number
    assert rows["张三"]["Phone"] == "13912340001"
    assert rows["张三"]["Key-person categories"] == "涉疫源地人员"
    assert rows["张三"]["Grid code"] == world.nodes["grid_a"].code
    # The same through the API.
    api_rows = by_name(workbook(api("analyst").get("/persons/export")))
    assert (
        api_rows["张三"][
            "文件号码" if "文件号码" in api_rows["张三"] else list(api_rows["张三"])[2]
        ]
        == masked
    )


def test_a_grid_worker_exports_only_their_grid(world, web):
    rows = by_name(workbook(web("worker_a").get("/register/persons/export/")))
    assert set(rows) == {"房东甲", "张三", "李四", "王五"}


def test_filters_of_the_list_apply(world, web):
    rows = workbook(web("hq").get("/register/persons/export/?q=张"))
    assert [r[0] for r in rows[1:]] == ["张三"]
    rows = workbook(web("hq").get("/register/arrivals/export/?risk=1"))
    assert [r[0] for r in rows[1:]] == ["张三"]
    rows = workbook(web("hq").get("/register/units/export/?use=rental"))
    assert sorted(r[1] for r in rows[1:]) == ["101", "201"]
    rows = workbook(web("hq").get("/register/residencies/export/?role=tenant&current=1"))
    assert sorted(r[0] for r in rows[1:]) == ["张三", "赵六"]


def test_no_cell_is_ever_a_formula(world, web):
    hostile = '=HYPERLINK("http://x","y")'
    person = reg.person_register(
        actor=SYSTEM,
        jurisdiction=world.nodes["grid_a"],
        data=reg.PersonInput(name=hostile, hukou_place="+1+2", phone=""),
    )
    reg.arrival_record(
        actor=SYSTEM,
        person=person,
        arrived_on=world.register["arrival_a"].arrived_on,
        from_place="@SUM(A1)",
        trip_number="-2+3",
    )
    data = b"".join(web("hq").get("/register/persons/export/").streaming_content)
    book = openpyxl.load_workbook(io.BytesIO(data))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    names = [c.value for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert names == ["'" + hostile]
    assert "'+1+2" in [c.value for c in cells]
    rows = workbook(web("hq").get("/register/arrivals/export/"))
    flat = [v for row in rows for v in row]
    assert "'@SUM(A1)" in flat and "'-2+3" in flat


def test_safe_cell():
    assert safe_cell("=1+1") == "'=1+1"
    assert safe_cell("\t=1") == "'\t=1"
    assert safe_cell("-5") == "'-5"
    assert safe_cell("a\x01b") == "ab"
    assert safe_cell("张三") == "张三"
    assert safe_cell(5) == 5


def test_every_export_is_audited_with_its_rows(world, web, api):
    web("analyst").get("/register/persons/export/?q=李")
    event = AuditEvent.objects.filter(action="export.create").latest("id")
    assert event.actor_username == "analyst"
    assert event.after == {"list": "persons", "filters": {"q": "李"}, "rows": 2, "unmasked": False}
    api("hq").get("/residencies/export", within=world.nodes["grid_b"].code)
    event = AuditEvent.objects.filter(action="export.create").latest("id")
    assert event.actor_username == "hq"
    assert event.after == {
        "list": "residencies",
        "filters": {"within": world.nodes["grid_b"].code},
        "rows": 1,
        "unmasked": True,
    }
    assert event.jpath == world.nodes["grid_b"].path


def test_exports_stream_in_batches_with_flat_memory(world, monkeypatch):
    """Rows are read a batch at a time and spooled to disk: four times the rows take about
    the same peak memory (what little grows is garbage the collector has not reached yet)."""
    grid = world.nodes["grid_a"]
    from epigrid.registry.models import Person

    def add(prefix: str, n: int) -> None:
        Person.objects.bulk_create(
            [
                Person(
                    name=f"{prefix}{i}",
                    name_norm=f"{prefix}{i}",
                    jurisdiction=grid,
                    jpath=grid.path,
                    registered_on=world.register["arrival_a"].recorded_on,
                    hukou_place="广东省恩平市" * 5,
                )
                for i in range(n)
            ]
        )

    add("甲批", 1000)
    add("乙批", 4000)
    monkeypatch.setattr(exports, "BATCH", 100)

    def peak(q: str) -> tuple[int, int]:
        tracemalloc.start()
        written = exports.write_xlsx(actor=SYSTEM, spec=exports.PERSONS, filters={"q": q})
        _now, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        written.file.close()
        return written.rows, top

    peak("甲批")  # warm caches (translations, compiled queries)
    small_rows, small_peak = peak("甲批")
    large_rows, large_peak = peak("乙批")
    assert (small_rows, large_rows) == (1000, 4000)
    assert large_peak < small_peak * 1.5, (small_peak, large_peak)
