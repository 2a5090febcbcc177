"""POST /api/v1/checkpoints/{id}/checks: answers, access, malformed bodies, query counts."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from epigrid.checkpoints.models import Check

from .ingest_world import figures, item, vehicle

pytestmark = pytest.mark.django_db


def url(cworld, point="a"):
    return f"/checkpoints/{cworld.checkpoints[point].pk}/checks"


def test_batch_answers_per_check_with_counts(cworld, api):
    good, bad, plate = item(), item(mode="walk"), vehicle("湘A12345", temps=(38.0,))
    response = raw_post(api, cworld, json.dumps({"checks": [good, bad, plate]}))
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["stored"], body["known"], body["refused"]) == (2, 0, 1)
    assert body["results"] == [
        {"uuid": good["uuid"], "status": "stored", "errors": {}},
        {
            "uuid": bad["uuid"],
            "status": "refused",
            "errors": {"mode": "Choose on foot or vehicle."},
        },
        {"uuid": plate["uuid"], "status": "stored", "errors": {}},
    ]
    again = api("worker_a").send("POST", url(cworld), {"checks": [good, plate]}).json()
    assert (again["stored"], again["known"], again["refused"]) == (0, 2, 0)
    assert Check.objects.count() == 2
    assert Check.objects.get(uuid=plate["uuid"]).result == "fever"


def test_business_errors_come_back_per_check_not_as_422(cworld, api):
    odd = item(people=[{"temperature": "hot", "name": 12345}], plate=None, origin=7)
    response = api("worker_a").client.post(
        f"/api/v1{url(cworld)}",
        data={"checks": [odd, item()]},
        content_type="application/json",
        headers={**api("worker_a").headers, "Accept-Language": "en"},
    )
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert results[0]["errors"] == {"people.0.temperature": "Enter a temperature such as 36.5."}
    assert results[1]["status"] == "stored"
    assert Check.objects.get().origin == "江门"


@pytest.mark.parametrize(
    ("who", "point", "status"),
    [
        ("worker_b", "a", 404),
        ("worker_a", "b", 404),
        ("analyst", "a", 403),
        (None, "a", 401),
    ],
)
def test_refused_callers_store_nothing(cworld, api, who, point, status):
    before = figures()
    response = api(who).send("POST", url(cworld, point), {"checks": [item()]})
    assert response.status_code == status, response.content
    assert figures() == before


def test_unknown_checkpoint_is_404(cworld, api):
    response = api("hq").send("POST", "/checkpoints/999999/checks", {"checks": [item()]})
    assert response.status_code == 404


def test_secretary_and_hq_may_post(cworld, api):
    assert api("secretary").send("POST", url(cworld), {"checks": [item()]}).status_code == 200
    assert api("hq").send("POST", url(cworld, "b"), {"checks": [item()]}).status_code == 200
    assert Check.objects.count() == 2


def raw_post(api, cworld, body: str):
    client = api("worker_a")
    return client.client.post(
        f"/api/v1{url(cworld)}",
        data=body,
        content_type="application/json",
        headers={**client.headers, "Accept-Language": "en"},
    )


SHAPE = "The request body is not valid JSON of the expected shape."


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ('{"checks": [', {"__all__": [SHAPE]}),
        ("{}", {"checks": ["This field is required."]}),
        ('{"checks": []}', {"checks": ["Too short."]}),
        ('{"checks": "all of them"}', {"checks": ["This value is not valid."]}),
        ('{"checks": [1]}', {"checks.0": [SHAPE]}),
        ('{"checks": [{"people": "none"}]}', {"checks.0.people": ["This value is not valid."]}),
    ],
)
def test_malformed_bodies_answer_422_with_field_errors(cworld, api, body, errors):
    before = figures()
    response = raw_post(api, cworld, body)
    assert response.status_code == 422, response.content
    got = response.json()
    assert got["detail"] == "Some fields are not valid."
    assert got["errors"] == errors
    assert figures() == before


def test_more_than_500_checks_answer_422(cworld, api):
    response = raw_post(api, cworld, json.dumps({"checks": [item() for _ in range(501)]}))
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["checks"]
    assert Check.objects.count() == 0


def test_500_checks_in_one_batch(cworld, api):
    batch = [vehicle(temps=(36.5, 36.6)) if i % 2 else item() for i in range(500)]
    response = raw_post(api, cworld, json.dumps({"checks": batch}))
    assert response.status_code == 200
    assert response.json()["stored"] == 500
    assert figures()["persons"] == 750


def test_query_count_does_not_grow_with_the_batch(cworld, api):
    client = api("worker_a")
    # Warm-up: token use stamp, caches.
    client.send("POST", url(cworld), {"checks": [item()]})

    def queries(n: int) -> int:
        batch = [vehicle(temps=(36.5, 36.8)) if i % 3 == 0 else item() for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            response = client.send("POST", url(cworld), {"checks": batch})
        assert response.status_code == 200
        assert response.json()["stored"] == n
        return len(ctx.captured_queries)

    small, large = queries(10), queries(200)
    assert small == large
    assert large <= 14, large
