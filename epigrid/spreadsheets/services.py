"""Writes for imports: upload, preview, commit (now or in the background), and the run that
commits batch by batch. Each is audited; rows are written only by the import kind.

The life of an import: `import_upload` stores the file and checks that it opens;
`import_preview` shows how it will be read (and remembers a mapping someone corrects);
`import_commit` pins the layout and runs `import_run`, at once or as a background task.
"""

import hashlib
import logging
import os
import uuid
from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Coalesce, Now
from django.utils import timezone
from django.utils.translation import gettext as _

from epigrid.accounts.access import SYSTEM, Actor, actor_for, require_can
from epigrid.audit.services import audit_record
from epigrid.core.bulk import import_connection_settings

from .columns import ColumnMap, clean_mapping
from .engine import Import, ParsedRow, Preview, open_import, preview
from .export import errors_xlsx
from .feed import Feed, collector_paused
from .kinds import BatchResult, ImportKind, get_kind
from .models import (
    COUNT_KEYS,
    ColumnMapping,
    ImportJob,
    ImportRowError,
    ImportStatus,
    imports_dir,
)
from .reading import SpreadsheetError, open_sheet

logger = logging.getLogger(__name__)

# Larger files are refused before they are stored: a village register is a few megabytes.
MAX_UPLOAD_BYTES = int(getattr(settings, "IMPORT_MAX_BYTES", 64 * 1024 * 1024))
KEPT_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods", ".csv", ".txt", ".tsv"}
_CHUNK = 1 << 20
PREVIEW_ROWS = 20

Upload = bytes | str | os.PathLike[str] | IO[bytes] | Any  # Any: a Django UploadedFile


class _Superseded(Exception):
    """Another run of the same job committed a batch first; this one stops without writing."""


# --- upload -----------------------------------------------------------------------------------


def import_upload(*, actor: Actor, kind: str, file: Upload, filename: str, jpath: str) -> ImportJob:
    """Stores the file under DATA_DIR/imports and checks that it opens as a spreadsheet;
    imports nothing yet. Refuses an empty, damaged, encrypted or non-spreadsheet file."""
    spec = get_kind(kind)
    require_can(actor, spec.capability, jpath)
    filename = os.path.basename(str(filename or "").replace("\\", "/")).strip()[:255] or "upload"
    stored_name, sha256, size = _store(file, filename)
    path = imports_dir() / stored_name
    try:
        sheet = open_sheet(path, filename)
        with transaction.atomic():
            job = ImportJob.objects.create(
                kind=kind,
                filename=filename,
                stored_name=stored_name,
                sha256=sha256,
                size=size,
                total_rows=sheet.last_row,
                created_by=actor.user,
                by_system=actor.system,
                jpath=jpath,
            )
            audit_record(
                actor=actor,
                action="import.upload",
                obj=job,
                jpath=jpath,
                after={"kind": kind, "filename": filename, "sha256": sha256, "size": size},
            )
    except SpreadsheetError as exc:
        path.unlink(missing_ok=True)
        raise ValidationError({"file": exc.message}) from exc
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return job


def _store(file: Upload, filename: str) -> tuple[str, str, int]:
    """Streams the upload to disk (constant memory) while hashing it; (name, sha256, size)."""
    folder = imports_dir()
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(filename).suffix.lower()
    name = uuid.uuid4().hex + (suffix if suffix in KEPT_SUFFIXES else "")
    digest = hashlib.sha256()
    size = 0
    partial_path = folder / (name + ".part")
    try:
        # 0600: the file holds personal data; only the service account reads it.
        fd = os.open(partial_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            for chunk in _chunks(file):
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise ValidationError(
                        {
                            "file": _("The file is larger than %(n)d MB.")
                            % {"n": MAX_UPLOAD_BYTES // (1024 * 1024)}
                        }
                    )
                digest.update(chunk)
                out.write(chunk)
        os.replace(partial_path, folder / name)
    except BaseException:
        partial_path.unlink(missing_ok=True)
        raise
    return name, digest.hexdigest(), size


def _chunks(file: Upload) -> Iterable[bytes]:
    if isinstance(file, bytes | bytearray):
        yield bytes(file)
    elif isinstance(file, str | os.PathLike):
        with open(file, "rb") as f:
            while chunk := f.read(_CHUNK):
                yield chunk
    elif hasattr(file, "chunks"):  # Django's UploadedFile
        yield from file.chunks(_CHUNK)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        while chunk := file.read(_CHUNK):
            yield chunk


# --- preview ----------------------------------------------------------------------------------


def import_preview(
    *,
    actor: Actor,
    job: ImportJob,
    mapping: dict[Any, Any] | None = None,
    header_row: int | None = None,
) -> Preview:
    """How the file will be read: header row, mapping, unmapped headers, missing required
    columns and the first rows with their errors. A `mapping` given here (a person's
    correction) is remembered for the next file with the same header. Audited: the preview
    shows personal data."""
    spec = get_kind(job.kind)
    require_can(actor, spec.capability, job.jpath)
    given = _clean_given_mapping(mapping, spec)
    try:
        result = preview(
            job.path,
            spec.schema,
            PREVIEW_ROWS,
            filename=job.filename,
            mapping=given,
            header_row=header_row or (job.header_row if job.rows_done == 0 else None),
        )
    except SpreadsheetError as exc:
        raise ValidationError({"file": exc.message}) from exc
    with transaction.atomic():
        if given:
            _remember_mapping(actor, spec, result.signature, result.mapping)
        if job.status in (ImportStatus.UPLOADED, ImportStatus.PREVIEWED):
            job.status = ImportStatus.PREVIEWED
            job.header_row = result.header_row
            job.mapping = _json_mapping(result.mapping)
            job.save(update_fields=["status", "header_row", "mapping"])
        audit_record(
            actor=actor,
            action="import.preview",
            obj=job,
            jpath=job.jpath,
            after={
                "header_row": result.header_row,
                "mapping": _json_mapping(result.mapping),
                "mapping_source": result.mapping_source,
                "rows_shown": len(result.rows),
            },
        )
    return result


def _clean_given_mapping(mapping: dict[Any, Any] | None, spec: ImportKind) -> ColumnMap | None:
    if not mapping:
        return None
    try:
        return clean_mapping(mapping, spec.schema)
    except SpreadsheetError as exc:
        raise ValidationError({"mapping": exc.message}) from exc


def _remember_mapping(actor: Actor, spec: ImportKind, signature: str, mapping: ColumnMap) -> None:
    ColumnMapping.objects.update_or_create(
        kind=spec.kind,
        header_signature=signature,
        defaults={"mapping": _json_mapping(mapping), "updated_by": actor.user},
    )


def _json_mapping(mapping: ColumnMap) -> dict[str, str]:
    return {str(index): key for index, key in sorted(mapping.items())}


# --- commit -----------------------------------------------------------------------------------


def import_commit(
    *,
    actor: Actor,
    job: ImportJob,
    mapping: dict[Any, Any] | None = None,
    header_row: int | None = None,
    background: bool = False,
    batch_size: int | None = None,
) -> ImportJob:
    """Pins how the file is read and imports it: now, or (background) in a task enqueued when
    this transaction commits. A stopped or killed import resumes after its last whole batch;
    a finished one is returned as it is."""
    spec = get_kind(job.kind)
    require_can(actor, spec.capability, job.jpath)
    given = _clean_given_mapping(mapping, spec)
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status == ImportStatus.DONE:
            return job
        if job.rows_done and (given or header_row):
            raise ValidationError(
                {"mapping": _("This import has begun; the way its columns are read is fixed.")}
            )
        # The file as the pinning step opened it, so a run started here does not parse it again.
        opened = _pin_layout(actor, spec, job, given, header_row) if not job.rows_done else None
        if batch_size:
            job.batch_size = max(1, int(batch_size))
        job.status = ImportStatus.QUEUED
        job.message = ""
        job.save(update_fields=["status", "message", "batch_size", "header_row", "mapping"])
        audit_record(
            actor=actor,
            action="import.commit",
            obj=job,
            jpath=job.jpath,
            after={
                "header_row": job.header_row,
                "mapping": job.mapping,
                "background": background,
                "resume_after_row": job.rows_done,
            },
        )
        if background:
            from .tasks import run_import

            transaction.on_commit(partial(run_import.enqueue, job.pk))
            return job
    return _run(job.pk, opened)


def _pin_layout(
    actor: Actor, spec: ImportKind, job: ImportJob, given: ColumnMap | None, header_row: int | None
) -> Import:
    stored = clean_mapping(job.mapping, spec.schema) if job.mapping else None
    try:
        opened = open_import(
            job.path,
            spec.schema,
            filename=job.filename,
            mapping=given or stored,
            header_row=header_row or job.header_row,
        )
    except SpreadsheetError as exc:
        raise ValidationError({"file": exc.message}) from exc
    if missing := opened.missing_required:
        raise ValidationError(
            {
                "mapping": _(
                    "The file has no column for: %(columns)s. Map these columns or add them."
                )
                % {"columns": "、".join(missing)}
            }
        )
    if given:
        _remember_mapping(actor, spec, opened.layout.signature, opened.layout.mapping)
    job.header_row = opened.layout.header_row
    job.mapping = _json_mapping(opened.layout.mapping)
    return opened


def import_run(job_id: int) -> ImportJob:
    """Commits the job's rows from just after `rows_done`, one transaction per batch with the
    cursor and counts, then marks it done. Used by `import_commit` and the background task.
    A file or permission problem stops the job with a message; anything else stops it too and
    is raised again."""
    return _run(job_id, None)


def _run(job_id: int, opened: Import | None) -> ImportJob:
    job = ImportJob.objects.get(pk=job_id)
    started = (
        ImportJob.objects.filter(pk=job.pk)
        .exclude(status=ImportStatus.DONE)
        .update(status=ImportStatus.RUNNING, started_at=Coalesce("started_at", Now()), message="")
    )
    job.refresh_from_db()
    if not started:
        return job  # finished already, by this run's twin
    try:
        if job.mapping is None or job.header_row is None:
            raise ValidationError(_("This import has not been committed."))
        spec = get_kind(job.kind)
        actor = _job_actor(job, spec)
        if opened is None:
            opened = open_import(
                job.path,
                spec.schema,
                filename=job.filename,
                mapping=job.mapping,
                header_row=job.header_row,
                use_saved_mappings=False,
            )
        # The next batch is read and prepared (in a process or thread) while this one is
        # committed.
        with (
            collector_paused(),
            import_connection_settings(),
            Feed(
                opened.rows(after=job.rows_done),
                job.batch_size,
                spec.prepare,
                expected_rows=None if job.total_rows is None else job.total_rows - job.rows_done,
            ) as feed,
        ):
            for batch in feed:
                _commit_batch(actor, spec, job, batch)
                del batch  # written: not kept while the next one arrives
        with transaction.atomic():
            finished = ImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
                status=ImportStatus.DONE, finished_at=timezone.now()
            )
            if not finished:
                raise _Superseded
            audit_record(
                actor=actor,
                action="import.finish",
                obj=job,
                jpath=job.jpath,
                after={"kind": job.kind, "filename": job.filename, **job.summary()},
            )
    except _Superseded:
        pass
    except SpreadsheetError as exc:
        _stop(job, exc.message)
    except ValidationError as exc:
        _stop(job, " ".join(str(m) for m in exc.messages))
    except BaseException:
        logger.exception("import %s stopped after row %s", job.pk, job.rows_done)
        _stop(
            job,
            _(
                "The import stopped on an unexpected error after row %(n)d. Rows up to there "
                "are saved; run it again to continue."
            )
            % {"n": job.rows_done},
        )
        raise
    job.refresh_from_db()
    return job


def _job_actor(job: ImportJob, spec: ImportKind) -> Actor:
    """Who the run acts as: whoever uploaded, with the rights they hold now."""
    actor = SYSTEM if job.by_system else actor_for(job.created_by)
    if not actor.can(spec.capability, job.jpath):
        raise ValidationError(_("The person who uploaded this file may no longer import it."))
    return actor


def _commit_batch(actor: Actor, spec: ImportKind, job: ImportJob, batch: list[ParsedRow]) -> None:
    with transaction.atomic():
        # The cursor check makes two runs of one job (a retried task beside a resumed one)
        # harmless: only the first to commit a batch moves on.
        current = ImportJob.objects.select_for_update().only("rows_done").get(pk=job.pk)
        if current.rows_done != job.rows_done:
            raise _Superseded
        good = [row for row in batch if row.ok]
        result = spec.commit_batch(actor, good, job) if good else BatchResult()
        _check_accounting(spec, good, result)
        errors = [e for row in batch for e in row.errors] + list(result.errors)
        ImportRowError.objects.bulk_create(
            [
                ImportRowError(
                    job=job,
                    row_number=e.row_number,
                    column=str(e.column_label)[:100],
                    value=str(e.value)[:1000],
                    message=str(e.message),
                )
                for e in errors
            ],
            batch_size=500,
        )
        counts = {key: job.count(key) for key in COUNT_KEYS}
        counts["rows"] += len(batch)
        counts["created"] += result.created
        counts["updated"] += result.updated
        counts["unchanged"] += result.unchanged
        counts["duplicates"] += result.duplicates
        counts["errors"] += len({e.row_number for e in errors})
        job.counts = counts
        job.rows_done = batch[-1].row_number
        ImportJob.objects.filter(pk=job.pk).update(counts=counts, rows_done=job.rows_done)


def _check_accounting(spec: ImportKind, good: list[ParsedRow], result: BatchResult) -> None:
    # Every row must land in exactly one count, or the summary would not add up to the file.
    numbers = {row.row_number for row in good}
    refused = {e.row_number for e in result.errors} & numbers
    taken = result.created + result.updated + result.unchanged + result.duplicates
    if taken + len(refused) != len(good):
        raise RuntimeError(
            f"import kind {spec.kind!r} accounted for {taken + len(refused)} of {len(good)} rows"
        )


def _stop(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk).exclude(status=ImportStatus.DONE).update(
        status=ImportStatus.FAILED, message=message, finished_at=timezone.now()
    )


# --- error report -----------------------------------------------------------------------------


def import_error_report(*, actor: Actor, job: ImportJob) -> bytes:
    """The job's row errors as .xlsx (row, column, value, problem). Audited: the values are
    what people typed, personal data included."""
    spec = get_kind(job.kind)
    require_can(actor, spec.capability, job.jpath)
    content = errors_xlsx(job)
    audit_record(
        actor=actor,
        action="import.error_report",
        obj=job,
        jpath=job.jpath,
        after={"rows": job.row_errors.count()},
    )
    return content
