"""Import jobs end to end: upload, preview, commit in batches, resume after a crash, run in the
background, error report, access. The rows land in the throwaway "people" kind."""

import hashlib
import io
import os
import stat
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.http import Http404
from msoffcrypto.format.ooxml import OOXMLFile

from epigrid.accounts.access import SYSTEM, Actor, Grant
from epigrid.audit.models import AuditEvent
from epigrid.spreadsheets import services
from epigrid.spreadsheets.kinds import BatchResult, ImportKind, register_kind
from epigrid.spreadsheets.models import (
    ColumnMapping,
    ImportJob,
    ImportRowError,
    ImportStatus,
    imports_dir,
)
from epigrid.spreadsheets.selectors import import_job_get, import_job_list

from .fixtures import DAY, PEOPLE, ident, register_xlsx

VILLAGE = "440785.001.01."  # 锦岗村
LOST_DIGITS = (
    "This long number was stored as a number, so Excel has already cut its last digits. "
    "Format the column as text and type the number again."
)
HYPERLINK = '=HYPERLINK("http://evil.example","点击")'

# Rows 4-13 of the register (row 9 blank, a 合计 row below): 5 taken, 1 duplicate, 4 refused.
ROWS: list[list[Any]] = [
    [1, "张三", ident(1), "13812345678", 43864, 2],
    [2, "李 四", "440785 19900101 0002", None, "2020.2.3", 1],
    [3, "王五", 440785199001010003, None, DAY, 3],  # lost digits
    [4, "赵六", "４４０７８５１９９００１０１０００４", None, "2020.2.30", None],  # no such date
    [5, "钱七", ident(5), None, "20200203", 1],
    [None] * 6,
    [6, "张三", ident(1), "13812345678", 43864, 2],  # the same person again
    [7, "<script>alert(1)</script>", "12345", None, None, None],  # kind refuses: short ID
    [8, "孙八", ident(8), None, None, None],
    [9, "周九", ident(9), None, None, "两"],  # not a whole number
]
SUMMARY = {"rows": 9, "created": 4, "updated": 0, "unchanged": 0, "duplicates": 1, "errors": 4}


def upload(path, actor=SYSTEM, **kwargs):
    return services.import_upload(
        actor=actor,
        kind="people",
        file=path.read_bytes(),
        filename=kwargs.pop("filename", path.name),
        jpath=kwargs.pop("jpath", VILLAGE),
    )


def errors_of(job):
    return list(
        ImportRowError.objects.filter(job=job)
        .order_by("row_number", "id")
        .values_list("row_number", "column", "value", "message")
    )


@pytest.mark.django_db
def test_a_messy_register_imports_with_exact_counts_and_errors(tmp_path, people):
    path = register_xlsx(tmp_path / "锦岗村租户.xlsx", ROWS)
    job = upload(path)
    assert job.status == ImportStatus.UPLOADED
    assert job.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert job.total_rows == 15
    assert job.path.parent == imports_dir() and job.path.exists()
    assert stat.S_IMODE(os.stat(job.path).st_mode) == 0o600

    shown = services.import_preview(actor=SYSTEM, job=job)
    assert shown.header_row == 3
    assert shown.mapping == {1: "name", 2: "id_number", 3: "phone", 4: "arrived", 5: "household"}
    assert [r.row_number for r in shown.rows] == [4, 5, 6, 7, 8, 10, 11, 12, 13]
    assert shown.as_dict()["rows"][2]["errors"] == [
        {"column": "ID number", "value": "440785199001010000", "message": LOST_DIGITS}
    ]

    job = services.import_commit(actor=SYSTEM, job=job)
    assert job.status == ImportStatus.DONE
    assert job.summary() == SUMMARY
    assert job.rows_done == 13 and job.progress == 1.0
    assert errors_of(job) == [
        (6, "ID number", "440785199001010000", LOST_DIGITS),
        (7, "Arrival date", "2020.2.30", "There is no such date: 2020.2.30."),
        (11, "ID number", "12345", "An ID number has 18 characters."),
        (13, "Household size", "两", "Enter a whole number."),
    ]
    assert set(people.rows) == {ident(1), ident(2), ident(5), ident(8)}
    assert people.rows[ident(2)][0]["name"] == "李 四"
    actions = list(
        AuditEvent.objects.filter(entity_id=str(job.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["import.upload", "import.preview", "import.commit", "import.finish"]


@pytest.mark.django_db
def test_importing_the_same_file_again_creates_nothing(tmp_path, people):
    path = register_xlsx(tmp_path / "r.xlsx", ROWS)
    first = services.import_commit(actor=SYSTEM, job=upload(path))
    again = services.import_commit(actor=SYSTEM, job=upload(path))
    assert again.sha256 == first.sha256
    assert again.summary() == {**SUMMARY, "created": 0, "unchanged": 4}
    assert len(people.rows) == 4
    # Committing a finished job again does nothing either.
    assert services.import_commit(actor=SYSTEM, job=again).summary() == again.summary()
    assert ImportRowError.objects.filter(job=again).count() == 4


def _encrypted(tmp_path):
    plain = register_xlsx(tmp_path / "plain.xlsx", ROWS[:1])
    with plain.open("rb") as source, (tmp_path / "locked.xlsx").open("wb") as target:
        OOXMLFile(source).encrypt("secret", target)
    return (tmp_path / "locked.xlsx").read_bytes()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (lambda p: b"", "The file is empty."),
        (lambda p: b"\x89PNG\r\n\x1a\n" + bytes(64), "This file is not a spreadsheet."),
        (lambda p: register_xlsx(p / "r.xlsx", ROWS).read_bytes()[:3000], "damaged"),
        (_encrypted, "protected by a password"),
    ],
    ids=["empty", "png", "corrupt", "encrypted"],
)
def test_files_that_cannot_be_read_are_refused_and_leave_nothing(
    tmp_path, people, content, message
):
    with pytest.raises(ValidationError) as caught:
        services.import_upload(
            actor=SYSTEM, kind="people", file=content(tmp_path), filename="r.xlsx", jpath=VILLAGE
        )
    assert message in caught.value.message_dict["file"][0]
    assert not ImportJob.objects.exists()
    assert not AuditEvent.objects.filter(action="import.upload").exists()
    assert list(imports_dir().iterdir()) == []


@pytest.mark.django_db
def test_uploads_from_a_form_a_stream_or_a_path(tmp_path, people):
    path = register_xlsx(tmp_path / "r.xlsx", ROWS)
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    for file in (
        SimpleUploadedFile("r.xlsx", path.read_bytes()),
        io.BytesIO(path.read_bytes()),
        path,
    ):
        job = services.import_upload(
            actor=SYSTEM, kind="people", file=file, filename="..\\..\\r.xlsx", jpath=VILLAGE
        )
        assert (job.sha256, job.size, job.filename) == (sha, path.stat().st_size, "r.xlsx")


@pytest.mark.django_db
def test_a_corrected_mapping_is_remembered_for_the_next_file(tmp_path, people):
    header = ["名单", "号码", "备注"]  # nothing the schema recognises
    book = openpyxl.Workbook()
    book.active.append(["某村返乡人员名单"])
    book.active.append(header)
    book.active.append(["张三", ident(1), "x"])
    book.save(tmp_path / "a.xlsx")
    job = upload(tmp_path / "a.xlsx")
    with pytest.raises(ValidationError, match="No header row found"):
        services.import_preview(actor=SYSTEM, job=job)
    with pytest.raises(ValidationError) as caught:
        services.import_preview(actor=SYSTEM, job=job, mapping={"0": "nope"}, header_row=2)
    assert caught.value.message_dict["mapping"] == ["Unknown column: nope."]
    shown = services.import_preview(
        actor=SYSTEM, job=job, mapping={"0": "name", "1": "id_number"}, header_row=2
    )
    assert (shown.mapping_source, shown.unmapped_headers) == ("given", ["备注"])
    assert ColumnMapping.objects.get().mapping == {"0": "name", "1": "id_number"}

    # Next week's list, same header, more people: mapped without asking.
    book.active.append(["李四", ident(2), ""])
    book.save(tmp_path / "b.xlsx")
    later = upload(tmp_path / "b.xlsx")
    shown = services.import_preview(actor=SYSTEM, job=later)
    assert (shown.header_row, shown.mapping_source) == (2, "saved")
    assert services.import_commit(actor=SYSTEM, job=later).summary()["created"] == 2


@pytest.mark.django_db
def test_commit_refuses_a_file_without_a_required_column(tmp_path, people):
    book = openpyxl.Workbook()
    book.active.append(["姓名", "联系电话"])
    book.active.append(["张三", "13812345678"])
    book.save(tmp_path / "m.xlsx")
    job = upload(tmp_path / "m.xlsx")
    with pytest.raises(ValidationError, match="The file has no column for: ID number"):
        services.import_commit(actor=SYSTEM, job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.UPLOADED and people.rows == {}


def _big_register(tmp_path, n=25):
    # 25 people in rows 4-28; every 7th row repeats the row above it, row 20 is refused.
    rows = []
    for i in range(1, n + 1):
        number = ident(i - 1 if i % 7 == 0 else i)
        rows.append([i, f"人{i}", "123" if i == 17 else number, None, 43864 + i, 1])
    return register_xlsx(tmp_path / "big.xlsx", rows)


BIG = {"rows": 25, "created": 21, "updated": 0, "unchanged": 0, "duplicates": 3, "errors": 1}


@pytest.mark.django_db(transaction=True)
def test_a_crashed_import_keeps_whole_batches_and_resumes_without_duplicates(tmp_path, people):
    job = upload(_big_register(tmp_path))
    people.fail_on_batch, people.fail_after_rows = 2, 5  # crash half-way through batch 2
    with pytest.raises(RuntimeError, match="simulated crash"):
        services.import_commit(actor=SYSTEM, job=job, batch_size=10)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "after row 13" in job.message
    # Batch 1 (rows 4-13) is in, with its counts and cursor; nothing of batch 2.
    assert job.rows_done == 13
    assert job.summary() == {
        "rows": 10,
        "created": 9,
        "updated": 0,
        "unchanged": 0,
        "duplicates": 1,
        "errors": 0,
    }
    assert len(people.rows) == 9
    # The rows batch 2 wrote to a real table before the crash were rolled back with it.
    assert AuditEvent.objects.filter(action="people.write").count() == 9
    assert 0 < job.progress < 1

    job = services.import_commit(actor=SYSTEM, job=job)
    assert job.status == ImportStatus.DONE
    assert job.summary() == BIG
    assert len(people.rows) == 21
    assert errors_of(job) == [(20, "ID number", "123", "An ID number has 18 characters.")]
    assert AuditEvent.objects.filter(action="people.write").count() == 21
    assert people.batches == 2 + 2  # two tried before the crash, two after the resume


@pytest.mark.django_db(transaction=True)
def test_resume_after_a_killed_process(tmp_path, people):
    # A process killed mid-import leaves the job "running" with whole batches committed; the
    # task (or a person) runs it again and it goes on from the cursor.
    job = upload(_big_register(tmp_path))
    people.fail_on_batch, people.fail_after_rows = 3, 0
    with pytest.raises(RuntimeError):
        services.import_commit(actor=SYSTEM, job=job, batch_size=10)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, message="")
    job = services.import_run(job.pk)
    assert (job.status, job.summary()) == (ImportStatus.DONE, BIG)
    assert len(people.rows) == 21


@pytest.mark.django_db
def test_the_mapping_cannot_change_once_batches_are_in(tmp_path, people):
    job = upload(_big_register(tmp_path))
    people.fail_on_batch = 2
    with pytest.raises(RuntimeError):
        services.import_commit(actor=SYSTEM, job=job, batch_size=10)
    with pytest.raises(ValidationError, match="fixed"):
        services.import_commit(actor=SYSTEM, job=job, mapping={"1": "name", "2": "id_number"})


@pytest.mark.django_db
def test_a_kind_that_loses_rows_is_stopped(tmp_path, people):
    register_kind(
        ImportKind(kind="people", schema=PEOPLE, commit_batch=lambda a, rows, j: BatchResult())
    )
    job = upload(register_xlsx(tmp_path / "r.xlsx", ROWS))
    with pytest.raises(RuntimeError, match="accounted for 0 of"):
        services.import_commit(actor=SYSTEM, job=job)
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.count("rows")) == (ImportStatus.FAILED, 0, 0)
    assert not ImportRowError.objects.filter(job=job).exists()


@pytest.mark.django_db(transaction=True)  # the worker runs its own transactions
def test_background_import_is_enqueued_on_commit_and_run_by_the_worker(tmp_path, people, world):
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    hq = world.actor("hq")
    job = upload(
        register_xlsx(tmp_path / "r.xlsx", ROWS), actor=hq, jpath=world.nodes["village_a"].path
    )
    with transaction.atomic():
        job = services.import_commit(actor=hq, job=job, background=True)
        assert job.status == ImportStatus.QUEUED
        assert not DBTaskResult.objects.exists()  # enqueued only once the commit is final
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [job.pk]
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.summary()) == (ImportStatus.DONE, SUMMARY)
    finish = AuditEvent.objects.get(action="import.finish")
    assert finish.actor_username == "hq"  # the background run acts as the uploader
    task.refresh_from_db()
    assert task.return_value == SUMMARY


@pytest.mark.django_db
def test_error_report_lists_every_refused_cell_and_neutralises_formulas(tmp_path, people):
    job = services.import_commit(actor=SYSTEM, job=upload(register_xlsx(tmp_path / "r.xlsx", ROWS)))
    ImportRowError.objects.create(
        job=job, row_number=99, column="Name", value=HYPERLINK, message="x"
    )
    content = services.import_error_report(actor=SYSTEM, job=job)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [[c.value for c in row] for row in sheet.iter_rows()]
    assert cells[0] == ["Row", "Column", "Value", "Problem"]
    assert [row[0] for row in cells[1:]] == [6, 7, 11, 13, 99]
    assert cells[-1][2] == "'" + HYPERLINK
    assert sheet.cell(row=len(cells), column=3).data_type == "s"
    assert AuditEvent.objects.filter(action="import.error_report").count() == 1


@pytest.mark.django_db
def test_only_actors_who_may_import_there_see_or_run_an_import(tmp_path, people):
    job = upload(register_xlsx(tmp_path / "r.xlsx", ROWS))
    elsewhere = Actor(grants=(Grant("hq", "440785.001.02", "440785.001.02."),))
    no_capability = Actor(grants=(Grant("grid_worker", "440785.001.01", VILLAGE),))
    nobody = Actor()
    before = (ImportJob.objects.count(), AuditEvent.objects.count())
    refusals: list[tuple[Actor, type[Exception]]] = [
        (elsewhere, Http404),
        (nobody, Http404),
        (no_capability, PermissionDenied),
    ]
    for actor, refusal in refusals:
        with pytest.raises(refusal):
            upload(register_xlsx(tmp_path / "r.xlsx", ROWS), actor=actor)
        with pytest.raises(refusal):
            services.import_preview(actor=actor, job=job)
        with pytest.raises(refusal):
            services.import_commit(actor=actor, job=job)
        with pytest.raises(refusal):
            services.import_error_report(actor=actor, job=job)
        with pytest.raises(Http404):
            import_job_get(actor=actor, job_id=job.pk)
        assert import_job_list(actor=actor).items == []
    assert (ImportJob.objects.count(), AuditEvent.objects.count()) == before
    assert people.rows == {}
    assert import_job_get(actor=SYSTEM, job_id=job.pk) == job
    assert import_job_list(actor=SYSTEM, kind="people").items == [job]


@pytest.mark.django_db
def test_unknown_kind_is_refused(tmp_path):
    with pytest.raises(ValidationError, match="Unknown kind of import"):
        services.import_upload(
            actor=SYSTEM, kind="nope", file=b"x", filename="r.csv", jpath=VILLAGE
        )


@pytest.mark.django_db
def test_a_stale_twin_run_commits_nothing(tmp_path, people):
    # A retried task beside a resumed import: the run that read the cursor before the other
    # moved it must not commit its batch again.
    from epigrid.spreadsheets.engine import open_import
    from epigrid.spreadsheets.kinds import get_kind

    job = upload(_big_register(tmp_path))
    people.fail_on_batch = 2
    with pytest.raises(RuntimeError):
        services.import_commit(actor=SYSTEM, job=job, batch_size=10)
    stale = ImportJob.objects.get(pk=job.pk)
    stale.rows_done, stale.counts = 0, {}
    batch = list(open_import(job.path, PEOPLE, use_saved_mappings=False).rows())[:10]
    with pytest.raises(services._Superseded):
        services._commit_batch(SYSTEM, get_kind("people"), stale, batch)
    job.refresh_from_db()
    assert (job.rows_done, job.count("rows"), len(people.rows)) == (13, 10, 9)
    # The run that is behind stops without touching the job; a finished job is left alone.
    services.import_commit(actor=SYSTEM, job=job)
    assert services.import_run(job.pk).summary() == BIG
