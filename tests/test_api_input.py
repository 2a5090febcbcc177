"""Bad input to the API: field errors in the user's language, never a 500."""

import pytest

from epigrid.workforce.models import StaffMember


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"jurisdiction": "{grid}", "name": "张三"}, "category"),
        ({"jurisdiction": "{grid}", "name": "张三", "category": "wizard"}, "category"),
        ({"jurisdiction": "{grid}", "name": "", "category": "cadre"}, "name"),
        ({"jurisdiction": "{grid}", "name": "张三", "category": "cadre", "phone": "123"}, "phone"),
        (
            {
                "jurisdiction": "{grid}",
                "name": "张三",
                "category": "cadre",
                "active_from": "2020-02-30",
            },
            "active_from",
        ),
        (
            {
                "jurisdiction": "{grid}",
                "name": "张三",
                "category": "cadre",
                "active_from": "1999-01-01",
            },
            "jurisdiction",
        ),
    ],
)
def test_staff_field_errors(world, api, body, field):
    body = {k: (world.nodes["grid_a"].code if v == "{grid}" else v) for k, v in body.items()}
    before = StaffMember.objects.count()
    response = api("hq").send("POST", "/staff", body)
    assert response.status_code == 422, response.content
    assert field in response.json()["errors"]
    assert StaffMember.objects.count() == before


@pytest.mark.django_db
def test_errors_speak_chinese_by_default_and_english_on_request(world, api):
    client = api("hq")
    zh = client.send("POST", "/staff", {"jurisdiction": world.nodes["grid_a"].code, "name": "张三"})
    from django.utils import translation

    with translation.override("zh-hans"):
        expected = translation.gettext("This field is required.")
    assert expected != "This field is required."
    assert zh.json()["errors"]["category"] == [expected]
    client.headers["Accept-Language"] = "en"
    en = client.send("POST", "/staff", {"jurisdiction": world.nodes["grid_a"].code, "name": "张三"})
    assert en.json()["errors"]["category"] == ["This field is required."]


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["not json", "[]", '{"name": ', "null"])
def test_malformed_json_is_a_422(world, api, raw):
    client = api("hq")
    response = client.client.post(
        "/api/v1/staff", data=raw, content_type="application/json", headers=client.headers
    )
    assert response.status_code in (400, 422)


@pytest.mark.django_db
def test_stale_version_is_a_409(world, api):
    client = api("hq")
    staff_id = world.staff["grid_a.cadre"].pk
    ok = client.send(
        "PATCH", f"/staff/{staff_id}", {"version": 1, "name": "甲", "category": "cadre"}
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.send(
        "PATCH", f"/staff/{staff_id}", {"version": 1, "name": "乙", "category": "cadre"}
    )
    assert stale.status_code == 409
    assert StaffMember.objects.get(pk=staff_id).name == "甲"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/staff/abc", "/teams/99999999999999999999", "/jurisdictions/%00"]
)
def test_odd_ids_do_not_crash(world, api, path):
    assert api("hq").get(path).status_code in (400, 404, 422)


@pytest.mark.django_db
def test_odd_page_parameters_do_not_crash(world, web):
    client = web("hq")
    for url in (
        "/?as_of=2020-13-45",
        "/?j=nope",
        "/grids/?cursor=%%%",
        "/workforce/staff/?cursor=zzz",
        "/audit/?cursor=bad",
        "/grids/?kind=<b>",
    ):
        assert client.get(url).status_code in (200, 302, 404), url


@pytest.mark.django_db
def test_null_characters_are_refused_everywhere(world, api, web):
    client = api("hq")
    assert client.get("/jurisdictions/%00").status_code == 400
    assert client.get("/staff", q="a\x00b").status_code == 400
    before = StaffMember.objects.count()
    response = client.send(
        "POST",
        "/staff",
        {"jurisdiction": world.nodes["grid_a"].code, "name": "张\x00三", "category": "cadre"},
    )
    assert response.status_code == 400
    assert StaffMember.objects.count() == before
    page = web("hq").post(
        "/workforce/staff/new/",
        {"jurisdiction": world.nodes["grid_a"].code, "name": "张\x00三", "category": "cadre"},
    )
    assert page.status_code == 200  # the form shows the field error
    assert StaffMember.objects.count() == before
    assert web("hq").get("/grids/?q=%00").status_code == 400
