"""Consultations and the public FAQ: the desk logs and answers, an enterprise asks online
and sees only its own questions, a published answer appears on the public FAQ without the
asker or the phone; phones masked without CONTACTS_VIEW; stale versions refused."""

import pytest
from django.test import Client

from epigrid.audit.models import AuditEvent
from epigrid.enterprises.models import Consultation
from epigrid.enterprises.services import consultations as services
from tests.access_runner import db_fingerprint

from .fld_world import api, fworld_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def log(world, **kwargs):
    kwargs.setdefault("channel", "hotline")
    kwargs.setdefault("question", "复工申请需要哪些材料？")
    return services.consultation_log(actor=world.actor("desk"), **kwargs)


def test_log_answer_publish_and_the_public_faq(fworld):
    desk = api(fworld, "desk")
    r = desk.send(
        "POST",
        "/consultations",
        {
            "channel": "hotline",
            "question": "复工要带什么材料？",
            "asker": "王五",
            "asker_phone": "13912345678",
        },
    )
    assert r.status_code == 201, r.content
    c = r.json()
    assert (c["asker_phone"], c["answered_at"], c["version"]) == ("13912345678", None, 1)
    r = desk.send(
        "PATCH", f"/consultations/{c['id']}", {"version": 1, "answer": "五项材料，见清单。"}
    )
    assert r.status_code == 200 and r.json()["answered_at"]
    r = desk.send(
        "PATCH",
        f"/consultations/{c['id']}",
        {
            "version": 2,
            "faq": True,
            "faq_question": "复工申请要哪些材料？",
            "faq_answer": "五项材料。",
            "faq_topic": "申报材料",
        },
    )
    assert r.status_code == 200, r.content
    assert r.json()["faq"] is True
    faq = Client().get("/api/v1/public/faq")
    assert faq.status_code == 200
    assert faq.json() == [
        {
            "id": c["id"],
            "topic": "申报材料",
            "question": "复工申请要哪些材料？",
            "answer": "五项材料。",
        }
    ]
    assert "王五" not in faq.content.decode() and "1391234" not in faq.content.decode()
    assert Client().get("/api/v1/public/faq", {"q": "口罩"}).json() == []
    assert [
        a.action
        for a in AuditEvent.objects.filter(action__startswith="consultation.").order_by("id")
    ] == [
        "consultation.log",
        "consultation.answer",
        "consultation.publish",
    ]
    # Taken off again.
    r = desk.send("PATCH", f"/consultations/{c['id']}", {"version": 3, "faq": False})
    assert r.status_code == 200
    assert Client().get("/api/v1/public/faq").json() == []


def test_an_enterprise_asks_and_sees_its_own_questions_only(fworld):
    mine = api(fworld, "ent_a").send(
        "POST", "/consultations", {"question": "员工从湖北返回怎么办？"}
    )
    assert mine.status_code == 201, mine.content
    body = mine.json()
    assert (body["channel"], body["enterprise"], body["asker"]) == (
        "online",
        fworld.enterprises["a"].pk,
        "ent_a",
    )
    other = log(fworld, enterprise=fworld.enterprises["b"], asker_phone="13700001111")
    general = log(fworld)
    assert [x["id"] for x in api(fworld, "ent_a").get("/consultations").json()["items"]] == [
        body["id"]
    ]
    assert [x["id"] for x in api(fworld, "ent_b").get("/consultations").json()["items"]] == [
        other.pk
    ]
    before = db_fingerprint()
    r = api(fworld, "ent_a").send(
        "PATCH", f"/consultations/{other.pk}", {"version": 1, "answer": "x"}
    )
    assert r.status_code == 403  # the endpoint needs NEEDS_MANAGE
    assert db_fingerprint() == before
    desk_ids = [x["id"] for x in api(fworld, "desk").get("/consultations").json()["items"]]
    assert desk_ids == [general.pk, other.pk, body["id"]]
    # Masked for the analyst (no CONTACTS_VIEW), whole for the desk.
    phones = {
        x["id"]: x["asker_phone"]
        for x in api(fworld, "analyst").get("/consultations").json()["items"]
    }
    assert phones[other.pk] == "137****1111"
    items = (
        api(fworld, "desk").get("/consultations", answered=False, channel="hotline").json()["items"]
    )
    assert [(x["id"], x["asker_phone"]) for x in items] == [
        (general.pk, ""),
        (other.pk, "13700001111"),
    ]


def test_refusals_write_nothing(fworld):
    c = log(fworld)
    desk = api(fworld, "desk")
    before = db_fingerprint()
    r = desk.send(
        "PATCH",
        f"/consultations/{c.pk}",
        {"version": 1, "faq": True, "faq_question": "问", "faq_answer": "答"},
    )
    assert r.status_code == 422
    assert r.json()["errors"] == {"answer": ["Answer the question before publishing it."]}
    r = desk.send("POST", "/consultations", {"channel": "online", "question": "问"})
    assert r.status_code == 422 and list(r.json()["errors"]) == ["channel"]
    r = desk.send(
        "POST", "/consultations", {"channel": "qq", "question": " ", "asker_phone": "abc"}
    )
    assert r.status_code == 422
    assert r.json()["errors"] == {
        "question": ["This field is required."],
        "asker_phone": ["Enter a phone number (digits only)."],
    }
    r = api(fworld, "analyst").send("POST", "/consultations", {"channel": "qq", "question": "问"})
    assert r.status_code == 403
    r = api(fworld, None).send("POST", "/consultations", {"question": "问"})
    assert r.status_code == 401
    assert db_fingerprint() == before
    assert (
        desk.send("PATCH", f"/consultations/{c.pk}", {"version": 1, "answer": "答"}).status_code
        == 200
    )
    before = db_fingerprint()
    r = desk.send("PATCH", f"/consultations/{c.pk}", {"version": 1, "answer": "另一个答案"})
    assert r.status_code == 409
    # Answer and publish in one request: a bad publish undoes the answer too.
    r = desk.send(
        "PATCH",
        f"/consultations/{c.pk}",
        {"version": 2, "answer": "新答", "faq": True, "faq_order": 7, "faq_question": "   "},
    )
    assert r.status_code == 422
    assert db_fingerprint() == before
    assert Consultation.objects.get(pk=c.pk).answer == "答"


def test_the_faq_page_groups_and_hides_who_asked(fworld, django_assert_num_queries):
    desk = fworld.actor("desk")
    for i, (topic, question) in enumerate(
        [("申报材料", "要哪些材料"), ("防疫物资", "口罩去哪买"), ("申报材料", "多久答复")]
    ):
        c = log(
            fworld,
            question=question,
            answer="答" + question,
            asker="李四",
            asker_phone="13812345678",
        )
        services.consultation_publish(
            actor=desk,
            consultation=c,
            version=1,
            faq_question=question + "？",
            faq_answer="答" + question,
            topic=topic,
            order=i,
        )
    log(fworld, question="未发布的问题", answer="答")
    page = Client().get("/enterprises/public/faq/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "李四" not in html and "13812345678" not in html and "138****5678" not in html
    assert "未发布的问题" not in html
    assert html.index("申报材料") < html.index("防疫物资") < html.index("口罩去哪买？")
    assert html.index("要哪些材料？") < html.index("多久答复？") < html.index("防疫物资")
    assert html.index("要哪些材料？") < html.index("多久答复？")
    found = Client().get("/enterprises/public/faq/", {"q": "口罩"}).content.decode()
    assert "口罩去哪买？" in found and "要哪些材料？" not in found
    with django_assert_num_queries(1):
        Client().get("/enterprises/public/faq/")
