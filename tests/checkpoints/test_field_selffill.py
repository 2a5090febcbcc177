"""The traveller's self-fill: the public page (validation in the user's language, only the
code in the answer, 404 for unknown or ended checkpoints, CSRF on, throttled), codes
(alphabet, uniqueness, expiry, purge) and the worker's take."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client
from django.utils import timezone

from epigrid.audit.models import AuditEvent
from epigrid.checkpoints.models import SelfFill
from epigrid.checkpoints.services import selffill as services
from epigrid.checkpoints.services.selffill import selffill_create, selffill_take

from .field_world import PHONE_A, RID_A, RID_B

pytestmark = pytest.mark.django_db

GOOD = {
    "mode": "vehicle",
    "plate": "湘a·12345",
    "origin": "长沙",
    "destination": "恩城",
    "people": [
        {"name": "张三", "doc_type": "resident_id", "doc_number": RID_A, "phone": PHONE_A},
        {"name": "李四", "doc_type": "", "doc_number": "", "phone": ""},
    ],
}


def form(count=1, **values):
    body = {"count": str(count), "mode": "foot", "plate": "", "origin": "", "destination": ""}
    for i in range(count):
        body.update(
            {
                f"name_{i}": "",
                f"doc_type_{i}": "resident_id",
                f"doc_number_{i}": "",
                f"phone_{i}": "",
            }
        )
    body.update({k: str(v) for k, v in values.items()})
    return body


def url(cp):
    return f"/checkpoints/f/{cp.public_code}/"


# --------------------------------------------------------------------------- service


def test_create_keeps_clean_details_under_a_short_code(cworld):
    cp = cworld.checkpoints["a"]
    before = AuditEvent.objects.count()
    fill = selffill_create(checkpoint=cp, data=GOOD, client="10.0.0.1")
    assert re.fullmatch(r"[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{6}", fill.code)
    assert (fill.mode, fill.plate, fill.origin, fill.destination) == (
        "vehicle",
        "湘A12345",
        "长沙",
        "恩城",
    )
    assert fill.people == [
        {"name": "张三", "doc_type": "resident_id", "doc_number": RID_A, "phone": PHONE_A},
        {"name": "李四", "doc_type": "", "doc_number": "", "phone": ""},
    ]
    assert fill.expires_at - fill.created_at == dt.timedelta(hours=6)
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.latest("id")
    assert event.action == "selffill.create" and event.actor_username == "system"
    trail = str(event.after)
    assert "张三" not in trail and RID_A not in trail and PHONE_A not in trail


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({**GOOD, "mode": "boat"}, "mode", "Choose on foot or vehicle."),
        ({**GOOD, "plate": ""}, "plate", "Enter the plate of the vehicle."),
        ({**GOOD, "plate": "XYZ"}, "plate", "This is not a plate"),
        ({**GOOD, "people": []}, "people", "Add at least one person."),
        ({**GOOD, "people": [{"name": "甲"}] * 10}, "people", "At most 9 persons"),
        ({**GOOD, "people": [{"name": "  "}]}, "people.0.name", "Enter the name."),
        (
            {**GOOD, "people": [{"name": "甲", "doc_number": RID_A[:-1] + "9"}]},
            "people.0.doc_number",
            "The check character does not match",
        ),
        (
            {**GOOD, "people": [{"name": "甲", "phone": "12345"}]},
            "people.0.phone",
            "This phone number is not valid.",
        ),
        (
            {**GOOD, "people": [{"name": "甲", "doc_type": "passport", "doc_number": "E1"}]},
            "people.0.doc_number",
            "A document number is 5 to 32 letters or digits.",
        ),
        ({**GOOD, "origin": "长" * 101}, "origin", "At most 100 characters."),
    ],
)
def test_create_refuses_bad_details_per_field(cworld, data, field, message):
    with pytest.raises(ValidationError) as caught:
        selffill_create(checkpoint=cworld.checkpoints["a"], data=data, client="10.0.0.2")
    assert message in caught.value.message_dict[field][0]
    assert SelfFill.objects.count() == 0


def test_on_foot_keeps_no_plate(cworld):
    fill = selffill_create(
        checkpoint=cworld.checkpoints["a"], data={**GOOD, "mode": "foot"}, client="x"
    )
    assert (fill.mode, fill.plate) == ("foot", "")


def test_codes_are_unique_per_checkpoint_and_retried_on_collision(cworld, monkeypatch):
    cp = cworld.checkpoints["a"]
    codes = iter(["AAAAAA", "AAAAAA", "BBBBBB"])
    monkeypatch.setattr(services, "_new_code", lambda: next(codes))
    first = selffill_create(checkpoint=cp, data=GOOD, client="a")
    second = selffill_create(checkpoint=cp, data=GOOD, client="a")
    assert (first.code, second.code) == ("AAAAAA", "BBBBBB")
    # Another checkpoint may hold the same code.
    monkeypatch.setattr(services, "_new_code", lambda: "AAAAAA")
    other = selffill_create(checkpoint=cworld.checkpoints["b"], data=GOOD, client="a")
    assert other.code == "AAAAAA"


def test_codes_expire_and_old_fills_are_purged(cworld):
    cp = cworld.checkpoints["a"]
    actor = cworld.actor("worker_a")
    long_ago = timezone.now() - dt.timedelta(days=2)
    old = selffill_create(checkpoint=cp, data=GOOD, client="a", now=long_ago)
    recent = selffill_create(
        checkpoint=cp, data=GOOD, client="a", now=timezone.now() - dt.timedelta(hours=7)
    )
    with pytest.raises(ValidationError) as caught:
        selffill_take(actor=actor, checkpoint=cp, code=recent.code)
    assert "expired" in caught.value.message_dict["code"][0]
    # A new fill deletes the fills that expired over a day ago, not the recent one.
    fresh = selffill_create(checkpoint=cp, data=GOOD, client="a")
    assert set(SelfFill.objects.values_list("pk", flat=True)) == {recent.pk, fresh.pk}
    assert not SelfFill.objects.filter(pk=old.pk).exists()


def test_take_gives_names_and_masked_ids_only(cworld):
    cp = cworld.checkpoints["a"]
    fill = selffill_create(checkpoint=cp, data=GOOD, client="a")
    taken = selffill_take(
        actor=cworld.actor("worker_a"), checkpoint=cp, code=f" {fill.code.lower()} "
    )
    assert taken.code == fill.code and taken.plate == "湘A12345"
    assert list(taken.people) == [
        {"name": "张三", "doc_type": "resident_id", "doc_masked": "440785********1233"},
        {"name": "李四", "doc_type": "", "doc_masked": ""},
    ]
    assert RID_A not in repr(taken) and PHONE_A not in repr(taken)
    assert SelfFill.objects.get(pk=fill.pk).used_at is None  # taking marks nothing
    # Not at another checkpoint, not for a worker of another grid.
    with pytest.raises(ValidationError):
        selffill_take(actor=cworld.actor("hq"), checkpoint=cworld.checkpoints["b"], code=fill.code)
    with pytest.raises(Http404):
        selffill_take(actor=cworld.actor("worker_b"), checkpoint=cp, code=fill.code)


def test_throttle_per_address(cworld, settings):
    settings.SELFFILL_THROTTLE_POSTS = 3
    cp = cworld.checkpoints["a"]
    for _i in range(3):
        selffill_create(checkpoint=cp, data=GOOD, client="10.9.9.9")
    with pytest.raises(services.Throttled):
        selffill_create(checkpoint=cp, data=GOOD, client="10.9.9.9")
    assert SelfFill.objects.count() == 3
    selffill_create(checkpoint=cp, data=GOOD, client="10.9.9.10")  # another address
    assert SelfFill.objects.count() == 4


def test_closed_checkpoint_takes_no_fill(cworld):
    cp = cworld.checkpoints["a"]
    cp.active_until = timezone.localdate()
    with pytest.raises(ValidationError):
        selffill_create(checkpoint=cp, data=GOOD, client="a")


# --------------------------------------------------------------------------- the page


def test_page_answers_only_the_code(cworld):
    cp = cworld.checkpoints["a"]
    client = Client()
    page = client.get(url(cp))
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    assert "锦岗村口" in page.content.decode()
    body = form(
        count=2,
        mode="vehicle",
        plate="湘A12345",
        origin="长沙",
        destination="恩城",
        name_0="张三",
        doc_number_0=RID_A,
        phone_0=PHONE_A,
        name_1="李四",
    )
    response = client.post(url(cp), body)
    assert response.status_code == 200
    html = response.content.decode()
    fill = SelfFill.objects.get()
    assert fill.code in html and "锦岗村口" in html
    for secret in ("张三", "李四", RID_A, PHONE_A, "湘A12345", "长沙", "恩城", "440785"):
        assert secret not in html, secret
    assert response["Cache-Control"] == "no-store"
    assert [p["name"] for p in fill.people] == ["张三", "李四"]


def test_page_shows_messages_per_field_in_chinese_and_english(cworld):
    cp = cworld.checkpoints["a"]
    body = form(count=1, mode="vehicle", plate="", name_0="", phone_0="12345")
    zh = Client().post(url(cp), body).content.decode()
    assert 'lang="zh-Hans"' in zh and "该电话号码无效。" in zh  # Chinese by default
    en = Client(HTTP_ACCEPT_LANGUAGE="en").post(url(cp), body)
    html = en.content.decode()
    assert en.status_code == 200
    assert "Enter the plate of the vehicle." in html
    assert "Enter the name." in html
    assert "This phone number is not valid." in html
    assert SelfFill.objects.count() == 0


def test_add_person_renders_one_more_row_and_saves_nothing(cworld):
    cp = cworld.checkpoints["a"]
    response = Client().post(url(cp), {**form(count=1, name_0="张三"), "add_person": "1"})
    html = response.content.decode()
    assert 'name="name_1"' in html and 'value="张三"' in html
    assert SelfFill.objects.count() == 0


def test_unknown_or_ended_checkpoint_is_404(cworld):
    cp = cworld.checkpoints["a"]
    assert Client().get("/checkpoints/f/nope/").status_code == 404
    assert Client().get("/checkpoints/f/" + "x" * 13 + "/").status_code == 404
    assert Client().post("/checkpoints/f/nope/", form(name_0="张三")).status_code == 404
    cp.active_until = timezone.localdate()
    cp.save()
    assert Client().get(url(cp)).status_code == 404
    assert SelfFill.objects.count() == 0


def test_csrf_stays_on(cworld):
    cp = cworld.checkpoints["a"]
    client = Client(enforce_csrf_checks=True)
    refused = client.post(url(cp), form(name_0="张三"))
    assert refused.status_code == 403
    assert SelfFill.objects.count() == 0
    client.get(url(cp))
    token = client.cookies["csrftoken"].value
    accepted = client.post(url(cp), {**form(name_0="张三"), "csrfmiddlewaretoken": token})
    assert accepted.status_code == 200 and SelfFill.objects.count() == 1


def test_page_is_throttled_per_address(cworld, settings):
    settings.SELFFILL_THROTTLE_POSTS = 2
    cp = cworld.checkpoints["a"]
    client = Client(REMOTE_ADDR="10.1.1.1")
    for _i in range(2):
        assert client.post(url(cp), form(name_0="张三")).status_code == 200
    third = client.post(url(cp), form(name_0="张三"))
    assert third.status_code == 429
    assert SelfFill.objects.count() == 2
    assert Client(REMOTE_ADDR="10.1.1.2").post(url(cp), form(name_0="张三")).status_code == 200


def test_page_does_not_show_a_second_persons_stored_details(cworld):
    # A stored fill's details never appear on anybody's page, even with the same code shown.
    cp = cworld.checkpoints["a"]
    selffill_create(checkpoint=cp, data={**GOOD, "people": [{"name": "隐私", "doc_number": RID_B}]})
    html = Client().get(url(cp)).content.decode()
    assert "隐私" not in html and RID_B not in html
