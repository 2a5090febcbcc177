"""Materials: the type is judged by content and must agree with the name; refusals store
nothing (no row, no file on disk); a new upload replaces the item's file; the desk records
papers on site; removal; files served only to those who reach the application."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client

from epigrid.audit.models import AuditEvent
from epigrid.enterprises.models import Material
from epigrid.enterprises.services.materials import material_remove, material_upload
from epigrid.policy.models import PolicySetting

from ..access_runner import db_fingerprint
from .app_helpers import (
    EXE,
    HTML,
    JPEG,
    OLE,
    PDF,
    PNG,
    WEBP,
    draft,
    ooxml,
    returned,
    submitted,
    upload,
)

pytestmark = pytest.mark.django_db


def stored_files() -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def send(world, app, name, content, who="ent_a", item="mechanism", **kw):
    return material_upload(
        actor=world.actor(who), application=app, item=item, upload=upload(name, content), **kw
    )


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("预案.pdf", PDF, "application/pdf"),
        ("photo.JPG", JPEG, "image/jpeg"),
        ("scan.png", PNG, "image/png"),
        ("scan.webp", WEBP, "image/webp"),
        (
            "plan.docx",
            ooxml("word/"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "staff.xlsx",
            ooxml("xl/"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        ("old.doc", OLE, "application/msword"),
        ("old.xls", OLE, "application/vnd.ms-excel"),
    ],
)
def test_accepted_kinds_are_stored_with_digest_size_and_a_random_name(
    eworld, name, content, content_type
):
    app = draft(eworld)
    material = send(eworld, app, name, content)
    assert (material.content_type, material.size, material.original_name) == (
        content_type,
        len(content),
        name,
    )
    assert material.sha256 == hashlib.sha256(content).hexdigest()
    assert name.rsplit(".", 1)[0] not in material.file.name
    assert material.file.name.startswith("materials/")
    assert Path(material.file.path).read_bytes() == content
    audit = AuditEvent.objects.get(action="material.upload")
    assert audit.actor_username == "ent_a"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.pdf", HTML, "This kind of file is not accepted"),
        ("setup.docx", EXE, "This kind of file is not accepted"),
        ("plan.docx", ooxml(content_types=False), "does not match its name (.docx)"),
        ("plan.xlsx", ooxml("word/"), "does not match its name (.xlsx)"),
        ("photo.pdf", PNG, "does not match its name (.pdf)"),
        ("plan", PDF, "does not match its name (.?)"),
        ("empty.pdf", b"", "The file is empty."),
    ],
)
def test_refused_files_leave_nothing_behind(eworld, name, content, message):
    app = draft(eworld)
    before = db_fingerprint()
    with pytest.raises(ValidationError) as exc:
        send(eworld, app, name, content)
    assert message in exc.value.message_dict["file"][0]
    assert db_fingerprint() == before
    assert stored_files() == []


def test_the_size_limit_is_policy_and_one_byte_over_is_refused(eworld):
    app = draft(eworld)
    PolicySetting.objects.create(key="resumption_upload_max_mb", value=1, active_from="2020-01-01")
    limit = 1024 * 1024
    at_limit = PDF + b"0" * (limit - len(PDF))
    assert send(eworld, app, "big.pdf", at_limit).size == limit
    before = db_fingerprint()
    with pytest.raises(ValidationError) as exc:
        send(eworld, app, "bigger.pdf", at_limit + b"0")
    assert exc.value.message_dict["file"] == ["The file is larger than 1 MB; send a smaller one."]
    assert db_fingerprint() == before
    assert len(stored_files()) == 1


def test_the_item_must_be_on_the_checklist(eworld):
    app = draft(eworld)
    with pytest.raises(ValidationError) as exc:
        send(eworld, app, "x.pdf", PDF, item="free_lunch")
    assert "not an item" in exc.value.message_dict["item"][0]
    assert stored_files() == []


def test_names_are_tidied(eworld):
    app = draft(eworld)
    material = send(eworld, app, "..\\..\\etc\\pass\x00wd  plan.pdf", PDF)
    assert material.original_name == "passwd plan.pdf"


def test_a_new_upload_replaces_the_previous_one(eworld):
    app = draft(eworld)
    first = send(eworld, app, "v1.pdf", PDF)
    second = send(eworld, app, "v2.pdf", PDF + b"2")
    first.refresh_from_db()
    assert first.removed_at is not None and second.removed_at is None
    assert list(Material.objects.filter(application=app, removed_at__isnull=True)) == [second]


def test_remove_keeps_the_row_for_the_history_and_is_audited(eworld):
    app = draft(eworld)
    material = send(eworld, app, "v1.pdf", PDF)
    material_remove(actor=eworld.actor("ent_a"), material=material)
    assert material.removed_at is not None
    assert AuditEvent.objects.filter(action="material.remove").count() == 1
    with pytest.raises(ValidationError):
        material_remove(actor=eworld.actor("ent_a"), material=material)


def test_the_enterprise_cannot_change_files_once_submitted(eworld):
    app = submitted(eworld)
    before = db_fingerprint()
    with pytest.raises(ValidationError) as exc:
        send(eworld, app, "late.pdf", PDF)
    assert "draft or returned" in exc.value.messages[0]
    with pytest.raises(PermissionDenied):
        send(eworld, app, "late.pdf", PDF, on_site=True)
    assert db_fingerprint() == before


def test_the_desk_records_a_supplement_on_site(eworld):
    app = returned(eworld, missing=("training",))
    material = send(eworld, app, "培训.jpg", JPEG, who="desk", item="training", on_site=True)
    assert material.on_site and material.uploaded_by == eworld.users["desk"]


def test_nobody_uploads_to_an_application_out_of_reach(eworld):
    other = draft(eworld, key="b")
    neighbour = draft(eworld, key="a2")
    before = db_fingerprint()
    for app in (other, neighbour):
        with pytest.raises(Http404):
            send(eworld, app, "x.pdf", PDF)
    with pytest.raises(Http404):
        send(eworld, other, "x.pdf", PDF, who="worker_a")
    assert db_fingerprint() == before
    assert stored_files() == []


def test_files_are_served_only_to_those_who_reach_them(eworld):
    app = draft(eworld)
    material = send(eworld, app, "预案.pdf", PDF)
    url = f"/enterprises/materials/{material.pk}/file/"
    web = Client()
    web.force_login(eworld.users["ent_a"])
    response = web.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    audit = AuditEvent.objects.get(action="material.download")
    assert (audit.actor_username, audit.entity_id) == ("ent_a", str(material.pk))
    for who, status in (("ent_b", 404), ("worker_b", 404), ("desk", 200), ("secretary", 200)):
        client = Client()
        client.force_login(eworld.users[who])
        assert client.get(url).status_code == status, who
    assert AuditEvent.objects.filter(action="material.download").count() == 3
    assert Client().get(url).status_code == 302


def test_an_upload_racing_a_submit_is_a_conflict_and_leaves_no_file(eworld):
    from epigrid.core.errors import ConcurrentEditError
    from epigrid.enterprises.models import Application

    app = draft(eworld)
    # Someone submitted the application after this uploader read it.
    Application.objects.filter(pk=app.pk).update(status="submitted", due_at=app.created_at)
    before = db_fingerprint()
    with pytest.raises(ConcurrentEditError):
        send(eworld, app, "late.pdf", PDF)
    assert db_fingerprint() == before
    assert stored_files() == []
