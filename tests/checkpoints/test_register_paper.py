"""The paper fallback: the rows of a paper sheet are entered later with their original
times through the ingest service (source "paper"); good rows are stored even when others
are refused, a refused row stays on the page with its reasons beside it, and sending the
same rows again stores nothing twice."""

import uuid

import pytest

from epigrid.checkpoints.models import Check, CheckPerson

from .register_world import DAY, frozen
from .world import local

pytestmark = pytest.mark.django_db

ID_A = "440785199001011233"
ID_B = "430102198505050017"


def row(i: int, **fields) -> dict[str, str]:
    values = {
        "uuid": str(uuid.uuid4()),
        "time": "",
        "mode": "foot",
        "plate": "",
        "name": "",
        "doc_type": "resident_id",
        "doc_number": "",
        "phone": "",
        "origin": "",
        "destination": "",
        "temperature": "",
        "result": "passed",
    }
    values.update(fields)
    return {f"row{i}-{k}": v for k, v in values.items()}


def sheet(*rows: dict[str, str], day: str = "2020-02-10") -> dict[str, str]:
    data = {"day": day, "rows": str(len(rows))}
    for r in rows:
        data.update(r)
    return data


def send(web, checkpoint, data, who="worker_a"):
    with frozen():
        return web(who).post(f"/checkpoints/{checkpoint.pk}/paper/entry/", data)


def mixed_sheet():
    return sheet(
        row(0, time="07:45", name="王五", doc_number=ID_A, temperature="36.4", origin="恩城"),
        row(
            1,
            time="08:10",
            mode="vehicle",
            plate="湘A12345",
            name="李四",
            doc_number=ID_B,
            phone="13700001111",
            temperature="36.6",
            origin="长沙",
            destination="锦岗村",
            result="turned_back",
        ),
        row(2, mode="same", name="李小四", temperature="36.7"),
        row(3, time="08:30", name="赵六", temperature="50"),
        row(4),
    )


def test_good_rows_are_stored_with_their_times_and_bad_ones_stay_with_reasons(cworld, web):
    a = cworld.checkpoints["a"]
    data = mixed_sheet()
    response = send(web, a, data)
    assert response.status_code == 200
    checks = list(Check.objects.order_by("checked_at"))
    assert [c.source for c in checks] == ["paper", "paper"]
    foot, car = checks
    assert foot.checked_at == local(DAY, 7, 45) and foot.mode == "foot"
    assert str(foot.uuid) == data["row0-uuid"]
    assert car.checked_at == local(DAY, 8, 10) and car.persons == 2
    assert (car.plate, car.nonlocal_vehicle, car.result) == ("湘A12345", True, "turned_back")
    assert (car.origin, car.destination) == ("长沙", "锦岗村")
    people = list(CheckPerson.objects.filter(check_row=car).order_by("seq"))
    assert [p.name for p in people] == ["李四", "李小四"]
    rows = response.context["rows"]
    # the refused row keeps what was typed and says why, on its temperature
    assert rows[3].data["row3-name"] == "赵六"
    assert list(rows[3].errors) == ["temperature"]
    # stored rows are cleared for the next ones, with fresh UUIDs
    assert not rows[0].is_bound and not rows[1].is_bound and not rows[2].is_bound
    assert str(rows[0].initial["uuid"]) != data["row0-uuid"]
    page = response.content.decode()
    assert 'data-testid="saved-rows"' in page and "07:45 王五" in page


def test_sending_the_same_rows_again_stores_them_once(cworld, web):
    a = cworld.checkpoints["a"]
    data = mixed_sheet()
    send(web, a, data)
    assert Check.objects.count() == 2
    response = send(web, a, data)
    assert Check.objects.count() == 2
    assert list(response.context["rows"][3].errors) == ["temperature"]
    assert len(response.context["saved"]) == 2  # both answered "known"
    assert Check.objects.filter(source="paper").count() == 2


def test_a_full_sheet_redirects_back_for_the_next_one(cworld, web):
    a = cworld.checkpoints["a"]
    response = send(web, a, sheet(row(0, time="07:45", name="王五", temperature="36.4"), row(1)))
    assert response.status_code == 302
    assert response["Location"] == f"/checkpoints/{a.pk}/paper/entry/?day=2020-02-10&rows=2"
    assert Check.objects.get().source == "paper"


def test_a_passenger_row_needs_a_vehicle_above_and_a_bad_passenger_holds_its_vehicle(cworld, web):
    a = cworld.checkpoints["a"]
    response = send(
        web,
        a,
        sheet(
            row(0, mode="same", name="孤儿乘客", temperature="36.5"),
            row(1, time="09:00", mode="vehicle", plate="粤J12345", name="司机", temperature="36.5"),
            row(2, mode="same", name="乘客", temperature="33"),
            row(3, time="09:05", name="行人", temperature="36.5"),
        ),
    )
    assert response.status_code == 200
    rows = response.context["rows"]
    assert list(rows[0].errors) == ["mode"]
    assert list(rows[2].errors) == ["temperature"]
    assert rows[1].non_field_errors()  # the driver's row says why its vehicle was not stored
    assert [c.people.get().name for c in Check.objects.all()] == ["行人"]


def test_rows_without_a_time_or_temperature_are_refused_before_sending(cworld, web):
    a = cworld.checkpoints["a"]
    response = send(
        web,
        a,
        sheet(
            row(0, name="无时间", temperature="36.5"),
            row(1, time="9点", name="坏时间", temperature="36.5"),
            row(2, time="10:00", name="无体温"),
        ),
    )
    rows = response.context["rows"]
    assert [list(r.errors) for r in rows] == [["time"], ["time"], ["temperature"]]
    assert Check.objects.count() == 0


def test_the_ingest_refusals_land_on_their_fields(cworld, web):
    a = cworld.checkpoints["a"]
    response = send(
        web,
        a,
        sheet(
            row(0, time="23:50", name="未来", temperature="36.5"),  # after 09:30 today
            row(1, time="08:00", mode="vehicle", plate="ABC", name="坏车牌", temperature="36.5"),
            row(
                2, time="08:00", name="坏证件", doc_number="123456789012345678", temperature="36.5"
            ),
        ),
    )
    rows = response.context["rows"]
    assert list(rows[0].errors) == ["time"]
    assert list(rows[1].errors) == ["plate"]
    assert list(rows[2].errors) == ["doc_number"]
    assert Check.objects.count() == 0


def test_an_empty_sheet_or_a_bad_day_stores_nothing(cworld, web):
    a = cworld.checkpoints["a"]
    empty = send(web, a, sheet(row(0), row(1)))
    assert empty.status_code == 200 and empty.context["day_form"].non_field_errors()
    bad_day = send(web, a, sheet(row(0, time="08:00", name="x", temperature="36.5"), day="昨天"))
    assert list(bad_day.context["day_form"].errors) == ["day"]
    assert Check.objects.count() == 0


def test_a_fever_on_paper_becomes_a_fever_check(cworld, web):
    a = cworld.checkpoints["a"]
    send(web, a, sheet(row(0, time="08:00", name="发热者", doc_number=ID_A, temperature="38.1")))
    check = Check.objects.get()
    assert check.result == "fever" and check.source == "paper"


def test_the_form_shows_the_requested_rows_and_day(cworld, web):
    a = cworld.checkpoints["a"]
    with frozen():
        page = web("worker_a").get(
            f"/checkpoints/{a.pk}/paper/entry/", {"day": "2020-02-09", "rows": "8"}
        )
    assert page.content.decode().count('data-testid="paper-row"') == 8
    assert 'value="2020-02-09"' in page.content.decode()
    with frozen():
        capped = web("worker_a").get(f"/checkpoints/{a.pk}/paper/entry/", {"rows": "999"})
    assert capped.content.decode().count('data-testid="paper-row"') == 25
