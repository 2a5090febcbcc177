"""Import jobs, their row errors, and the column mappings remembered between files."""

from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from epigrid.core.models import ScopedModel

COUNT_KEYS = ("rows", "created", "updated", "unchanged", "duplicates", "errors")
# Rows per transaction: each commit rewrites the index pages the batch touched, so fewer,
# larger batches import faster; a killed import loses at most one batch, and resumes after it.
DEFAULT_BATCH_SIZE = 10_000


def empty_counts() -> dict[str, int]:
    return dict.fromkeys(COUNT_KEYS, 0)


def imports_dir() -> Path:
    """Where uploaded files are kept (read at call time: tests and deployments move DATA_DIR)."""
    return Path(settings.DATA_DIR) / "imports"


class ColumnMapping(models.Model):
    """A mapping someone confirmed for a header: the next file with the same header (same
    normalised cells in the same places) is mapped the same way without asking."""

    kind = models.CharField(_("kind"), max_length=40)
    header_signature = models.CharField(max_length=64)
    mapping = models.JSONField(default=dict)  # {"<cell index>": "<column key>"}
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "header_signature"], name="spreadsheets_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.header_signature[:12]}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PREVIEWED = "previewed", _("Previewed")
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Stopped")


class ImportJob(ScopedModel):
    """One uploaded file and its import, committed batch by batch.

    `rows_done` is the resume cursor: the sheet row number of the last row of the last
    committed batch, written in that batch's transaction together with the counts, so a killed
    import has committed whole batches only and a re-run starts right after them.
    """

    kind = models.CharField(_("kind"), max_length=40, db_index=True)
    filename = models.CharField(_("file"), max_length=255)
    stored_name = models.CharField(max_length=100, editable=False)  # inside imports_dir()
    sha256 = models.CharField(max_length=64, db_index=True, editable=False)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    # Pinned when the commit starts, so a resumed run reads the file exactly the same way.
    header_row = models.PositiveIntegerField(null=True, blank=True)
    mapping = models.JSONField(null=True, blank=True)
    counts = models.JSONField(default=empty_counts)
    rows_done = models.PositiveIntegerField(default=0)
    total_rows = models.PositiveIntegerField(null=True, blank=True)  # the sheet's last row
    batch_size = models.PositiveIntegerField(default=DEFAULT_BATCH_SIZE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Uploaded at the command line: a background run acts as the system, not as "nobody".
    by_system = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["kind", "-id"], name="spreadsheets_job_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename}"

    @property
    def path(self) -> Path:
        return imports_dir() / self.stored_name

    @property
    def progress(self) -> float:
        """0 to 1: rows read so far over the sheet's last row."""
        if self.status == ImportStatus.DONE:
            return 1.0
        if not self.total_rows:
            return 0.0
        return min(self.rows_done / self.total_rows, 1.0)

    def count(self, key: str) -> int:
        return int((self.counts or {}).get(key, 0))

    def summary(self) -> dict[str, Any]:
        """The six figures the command line and the API print."""
        return {key: self.count(key) for key in COUNT_KEYS}


class ImportRowError(models.Model):
    """One cell (or row) of an import that could not be taken, and why."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row_number = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=100, blank=True)
    value = models.TextField(_("value"), blank=True)
    message = models.TextField(_("problem"))

    class Meta:
        verbose_name = _("import row error")
        verbose_name_plural = _("import row errors")
        indexes = [models.Index(fields=["job", "row_number"], name="spreadsheets_error_row")]

    def __str__(self) -> str:
        return f"{self.row_number} {self.column}: {self.message}"
