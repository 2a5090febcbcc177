"""Help with daily needs and care notes over the API: scoped, paginated, version checked,
with clear refusals (422 by field, 409 on a conflict, 404 outside one's area)."""

import pytest

from epigrid.quarantine.models import AssistanceRequest, CareNote, EndReason, ObservationCase

from .world import make_case

pytestmark = pytest.mark.django_db


def _create(client, case, **body):
    return client.send(
        "POST",
        f"/quarantine/cases/{case.pk}/assistance",
        {"kind": "food", "detail": "米面油"} | body,
    )


def test_create_read_and_list(world, api):
    case = make_case(world)
    worker = api("worker_a")
    response = _create(worker, case)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "waiting" and body["version"] == 1
    assert body["case_id"] == case.pk and body["person_name"] == case.person.name
    assert body["jurisdiction"] == world.nodes["grid_a"].code
    assert worker.get(f"/quarantine/assistance/{body['id']}").json() == body
    assert [r["id"] for r in worker.all("/quarantine/assistance")] == [body["id"]]
    assert api("worker_b").all("/quarantine/assistance") == []
    assert api("worker_b").get(f"/quarantine/assistance/{body['id']}").status_code == 404
    assert api("analyst").get(f"/quarantine/assistance/{body['id']}").status_code == 200


def test_the_whole_life_of_a_request(world, api):
    case = make_case(world)
    worker = api("worker_a")
    rid = _create(worker, case).json()["id"]
    police = world.staff["grid_a.police"]
    response = worker.send(
        "POST", f"/quarantine/assistance/{rid}/take", {"version": 1, "staff_id": police.pk}
    )
    assert response.status_code == 200, response.content
    assert response.json()["taken_by"] == police.name and response.json()["status"] == "taken"
    conflict = worker.send("POST", f"/quarantine/assistance/{rid}/fulfil", {"version": 1})
    assert conflict.status_code == 409 and conflict.json()["detail"]
    response = worker.send(
        "POST", f"/quarantine/assistance/{rid}/fulfil", {"version": 2, "note": "已送到"}
    )
    assert response.status_code == 200
    assert response.json()["status"] == "fulfilled" and response.json()["result_note"] == "已送到"
    again = worker.send("POST", f"/quarantine/assistance/{rid}/cancel", {"version": 3, "note": "x"})
    assert again.status_code == 422


def test_refusals_are_clear_and_change_nothing(world, api):
    case = make_case(world)
    worker = api("worker_a")
    response = _create(worker, case, kind="weapons")
    assert response.status_code == 422 and "kind" in response.json()["errors"]
    response = _create(worker, case, detail="")
    assert response.status_code == 422 and "detail" in response.json()["errors"]
    response = _create(worker, case, detail="x" * 301)
    assert response.status_code == 422
    assert _create(api("worker_b"), case).status_code == 404
    assert _create(api("analyst"), case).status_code == 403
    assert _create(api(None), case).status_code == 401
    assert not AssistanceRequest.objects.exists()
    rid = _create(worker, case).json()["id"]
    other_grid = world.staff["grid_b.cadre"]
    response = worker.send(
        "POST", f"/quarantine/assistance/{rid}/take", {"version": 1, "staff_id": other_grid.pk}
    )
    assert response.status_code == 422 and "staff_id" in response.json()["errors"]
    response = worker.send("POST", f"/quarantine/assistance/{rid}/take", {"version": 1})
    assert response.status_code == 422 and "staff" in response.json()["errors"]
    response = worker.send(
        "POST", f"/quarantine/assistance/{rid}/cancel", {"version": 1, "note": ""}
    )
    assert response.status_code == 422
    assert (
        api("worker_b")
        .send("POST", f"/quarantine/assistance/{rid}/cancel", {"version": 1, "note": "x"})
        .status_code
        == 404
    )
    assert AssistanceRequest.objects.get().version == 1
    ObservationCase.objects.filter(pk=case.pk).update(
        closed_at=case.opened_at, end_reason=EndReason.CANCELLED
    )
    response = _create(worker, case)
    assert response.status_code == 422 and "已结案" in str(response.json())
    assert AssistanceRequest.objects.count() == 1


def test_filters_and_pages(world, api):
    case = make_case(world)
    worker = api("worker_a")
    ids = [_create(worker, case, kind=k).json()["id"] for k in ("food", "medicine", "food")]
    worker.send("POST", f"/quarantine/assistance/{ids[0]}/cancel", {"version": 1, "note": "不要了"})
    assert [r["id"] for r in worker.all("/quarantine/assistance", limit=1)] == [
        ids[1],
        ids[2],
        ids[0],
    ]
    assert [r["id"] for r in worker.all("/quarantine/assistance", open_only=True)] == ids[1:]
    assert [r["id"] for r in worker.all("/quarantine/assistance", kind="food")] == [ids[2], ids[0]]
    assert [r["id"] for r in worker.all("/quarantine/assistance", status="cancelled")] == [ids[0]]
    assert worker.all("/quarantine/assistance", within=world.nodes["grid_b"].code) == []
    assert worker.get("/quarantine/assistance", cursor="garbage").status_code == 422
    assert worker.get("/quarantine/assistance", status="bogus").status_code == 422


def test_care_notes(world, api):
    case = make_case(world)
    worker = api("worker_a")
    response = worker.send(
        "POST",
        f"/quarantine/cases/{case.pk}/care-notes",
        {"kind": "health_education", "text": "正确佩戴口罩"},
    )
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "health_education"
    listed = api("analyst").get(f"/quarantine/cases/{case.pk}/care-notes").json()
    assert [n["text"] for n in listed] == ["正确佩戴口罩"]
    assert api("worker_b").get(f"/quarantine/cases/{case.pk}/care-notes").status_code == 404
    refused = api("analyst").send(
        "POST", f"/quarantine/cases/{case.pk}/care-notes", {"kind": "counselling", "text": "x"}
    )
    assert refused.status_code == 403
    bad = worker.send(
        "POST", f"/quarantine/cases/{case.pk}/care-notes", {"kind": "counselling", "text": " "}
    )
    assert bad.status_code == 422 and "text" in bad.json()["errors"]
    assert CareNote.objects.count() == 1
