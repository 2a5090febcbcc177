"""The import in the web UI and the API: upload, check the columns, import, the report."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from epigrid.registry.models import Person
from epigrid.spreadsheets.models import ImportJob

from .test_register_imports import SUMMARY, village_register

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def register_file(world, tmp_path):
    path = tmp_path / "锦岗村.xlsx"
    village_register(path, world.nodes["grid_a"].name, world.nodes["grid_a2"].code)
    return path


@pytest.mark.django_db
def test_import_through_the_pages(world, web, register_file):
    client = web("secretary")
    village = world.nodes["village_a"].code
    upload = SimpleUploadedFile(register_file.name, register_file.read_bytes(), content_type=XLSX)
    response = client.post(
        "/imports/new/", {"kind": "tenants", "jurisdiction": village, "file": upload}
    )
    assert response.status_code == 302
    job = ImportJob.objects.get()
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "身份证号码" in page and "出租屋地址" in page  # the file's headers, mapped
    persons = Person.objects.count()
    assert client.post(f"/imports/{job.pk}/commit/").status_code == 302
    job.refresh_from_db()
    assert job.summary() == SUMMARY
    assert Person.objects.count() == persons + 5
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "440785198808080000" in page  # the refused row, shown with its value
    report = client.get(f"/imports/{job.pk}/errors.xlsx")
    assert report.status_code == 200 and report["Content-Type"] == XLSX
    rows = list(
        openpyxl.load_workbook(io.BytesIO(report.content)).active.iter_rows(
            min_row=2, values_only=True
        )
    )
    assert [r[0] for r in rows] == [7, 9, 11]


@pytest.mark.django_db
def test_import_through_the_api(world, api, register_file):
    client = api("secretary")
    response = client.client.post(
        "/api/v1/imports",
        {
            "kind": "tenants",
            "jurisdiction": world.nodes["village_a"].code,
            "file": SimpleUploadedFile("v.xlsx", register_file.read_bytes(), content_type=XLSX),
        },
        headers=client.headers,
    )
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    preview = client.send("POST", f"/imports/{job_id}/preview", {})
    assert preview.status_code == 200
    assert preview.json()["header_row"] == 3
    assert preview.json()["missing_required"] == []
    done = client.send("POST", f"/imports/{job_id}/commit", {})
    assert done.status_code == 200
    assert done.json()["status"] == "done"
    assert done.json()["counts"] == SUMMARY
    assert done.json()["jurisdiction"] == world.nodes["village_a"].code
    assert client.get(f"/imports/{job_id}").json()["progress"] == 1.0
    assert client.get(f"/imports/{job_id}/errors").status_code == 200
    # Another village's secretary, or a grid worker, does not see the job at all.
    assert api("worker_a").get(f"/imports/{job_id}").status_code == 403
    assert api("hq").get(f"/imports/{job_id}").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("empty.xlsx", b"", "empty"),
        ("photo.xlsx", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "spreadsheet"),
        ("broken.xlsx", b"PK\x03\x04" + b"garbage" * 20, "spreadsheet"),
    ],
)
def test_bad_files_are_refused_clearly_and_import_nothing(world, web, name, content, words):
    client = web("secretary")
    response = client.post(
        "/imports/new/",
        {
            "kind": "tenants",
            "jurisdiction": world.nodes["village_a"].code,
            "file": SimpleUploadedFile(name, content, content_type=XLSX),
        },
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    assert words in response.content.decode().lower()
    assert ImportJob.objects.count() == 0


@pytest.mark.django_db
def test_an_import_in_the_background_shows_progress(
    world, web, register_file, settings, django_capture_on_commit_callbacks
):
    from epigrid.spreadsheets import views

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = web("secretary")
    job = None
    old = views.BACKGROUND_BYTES
    views.BACKGROUND_BYTES = 0
    try:
        client.post(
            "/imports/new/",
            {
                "kind": "tenants",
                "jurisdiction": world.nodes["village_a"].code,
                "file": SimpleUploadedFile("v.xlsx", register_file.read_bytes()),
            },
        )
        job = ImportJob.objects.get()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            client.post(f"/imports/{job.pk}/commit/")
        assert len(callbacks) == 1  # enqueued when the commit's transaction committed
    finally:
        views.BACKGROUND_BYTES = old
    job.refresh_from_db()
    assert job.summary() == SUMMARY
    part = client.get(f"/imports/{job.pk}/?part=progress", headers={"HX-Request": "true"})
    assert 'data-testid="import-progress"' in part.content.decode()
    assert "<html" not in part.content.decode()
