"""Applications to resume work, their state machine, history and materials, and the
published batches of approvals."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from epigrid.core.models import ScopedModel, VersionedModel
from epigrid.geo.models import Jurisdiction

from .register import Enterprise

USER = settings.AUTH_USER_MODEL


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned for supplement")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Action(models.TextChoices):
    SUBMIT = "submit", _("Submitted")
    START_REVIEW = "start_review", _("Review started")
    RETURN = "return", _("Returned for supplement")
    SUPPLEMENT = "supplement", _("Supplemented and resubmitted")
    GREEN_CHANNEL = "green_channel", _("Supplemented on site and approved (green channel)")
    APPROVE = "approve", _("Approved")
    REJECT = "reject", _("Rejected")
    WITHDRAW = "withdraw", _("Withdrawn")


# The state machine as data: (from, action) -> to. One service per action (services.review,
# services.applications); `Application.can` answers from here.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.DRAFT, Action.SUBMIT): Status.SUBMITTED,
    (Status.SUBMITTED, Action.START_REVIEW): Status.IN_REVIEW,
    (Status.SUBMITTED, Action.APPROVE): Status.APPROVED,
    (Status.SUBMITTED, Action.RETURN): Status.RETURNED,
    (Status.SUBMITTED, Action.REJECT): Status.REJECTED,
    (Status.IN_REVIEW, Action.APPROVE): Status.APPROVED,
    (Status.IN_REVIEW, Action.RETURN): Status.RETURNED,
    (Status.IN_REVIEW, Action.REJECT): Status.REJECTED,
    (Status.RETURNED, Action.SUPPLEMENT): Status.SUBMITTED,
    (Status.RETURNED, Action.GREEN_CHANNEL): Status.APPROVED,
    (Status.DRAFT, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.SUBMITTED, Action.WITHDRAW): Status.WITHDRAWN,
    (Status.RETURNED, Action.WITHDRAW): Status.WITHDRAWN,
}
# Waiting for the desk: the two-working-day clock runs.
PENDING = (Status.SUBMITTED, Status.IN_REVIEW)
DECIDED = (Status.APPROVED, Status.REJECTED)


class Batch(ScopedModel):
    """A published list of approvals (复工企业名单, 第N批) of one subdistrict (`jpath`). Its public
    page shows enterprise names and dates only."""

    number = models.PositiveIntegerField(_("batch number"))
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("subdistrict")
    )
    title = models.CharField(_("title"), max_length=100)
    published_on = models.DateField(_("published on"))
    published_at = models.DateTimeField(_("published at"))
    # Names the batch on its public page without revealing the database id.
    public_code = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    published_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("published batch")
        verbose_name_plural = _("published batches")
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "number"], name="batch_number")
        ]
        indexes = [models.Index(fields=["jpath", "-published_at"], name="batch_path_published")]

    def __str__(self) -> str:
        return self.title


class Application(VersionedModel, ScopedModel):
    """One application of an enterprise to resume work. `due_at` is the end of the answer
    window (two working days on the working calendar, policy `resumption_answer_days`) from
    its latest submission; it is kept while the desk owes an answer and cleared once the
    application leaves the desk (returned, decided, withdrawn)."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="applications"
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    planned_on = models.DateField(_("planned reopening date"))
    # Prevention supplies in stock and the isolation room.
    masks = models.PositiveIntegerField(_("masks"), default=0)
    thermometers = models.PositiveIntegerField(_("thermometers"), default=0)
    disinfectant_litres = models.PositiveIntegerField(_("disinfectant (litres)"), default=0)
    sanitizer_bottles = models.PositiveIntegerField(_("hand sanitiser (bottles)"), default=0)
    isolation_room = models.BooleanField(_("has an isolation room"), default=False)
    isolation_note = models.CharField(_("isolation room"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The checklist in force when it was (last) submitted: [{"code","zh","en","file"}].
    checklist = models.JSONField(_("conditions checklist"), default=list)
    # Counts of the staff roster when submitted (the roster itself is Employee).
    staff_count = models.PositiveIntegerField(default=0)
    staff_from_risk_areas = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    first_submitted_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("answer due by"), null=True, blank=True)
    # The latest return: which checklist items are missing, and by when.
    missing_items = models.JSONField(_("missing items"), default=list, blank=True)
    supplement_by = models.DateField(_("supplement by"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision_note = models.CharField(_("decision note"), max_length=500, blank=True)
    green_channel = models.BooleanField(_("approved through the green channel"), default=False)
    reviewer = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, null=True, blank=True, related_name="applications"
    )
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("work-resumption application")
        verbose_name_plural = _("work-resumption applications")
        constraints = [
            # One open application at a time per enterprise (draft to in review or returned).
            models.UniqueConstraint(
                fields=["enterprise"],
                condition=Q(status__in=["draft", "submitted", "in_review", "returned"]),
                name="application_one_open",
            ),
            # The desk's clock runs exactly while the desk owes an answer.
            models.CheckConstraint(
                condition=~Q(status__in=["submitted", "in_review"]) | Q(due_at__isnull=False),
                name="application_pending_has_due",
            ),
        ]
        indexes = [
            # The desk's queue: pending ones by due time within a subtree.
            models.Index(
                fields=["jpath", "due_at"],
                name="application_queue",
                condition=Q(status__in=["submitted", "in_review"]),
            ),
            # The same queue read in time order across a broad scope (selectors.queue). Not
            # partial: SQLite cannot match a partial index's condition against the bound
            # parameters of `status IN (%s, %s)`; `due_at IS NOT NULL` (no parameter) starts
            # the walk past the rows that are not waiting instead.
            models.Index(fields=["due_at", "id", "jpath", "status"], name="application_queue_due"),
            models.Index(fields=["jpath", "status"], name="application_path_status"),
            # Returned and waiting for the enterprise's supplement.
            models.Index(
                fields=["jpath", "supplement_by"],
                name="application_returned",
                condition=Q(status="returned"),
            ),
            # Approved and not yet published in a batch.
            models.Index(
                fields=["jpath", "decided_at"],
                name="application_unbatched",
                condition=Q(status="approved", batch__isnull=True),
            ),
            models.Index(fields=["batch", "decided_at"], name="application_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}/{self.pk}"

    def can(self, action: str) -> bool:
        return (self.status, action) in TRANSITIONS


class ApplicationEvent(models.Model):
    """The application's history: every transition, who made it, when and why."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    from_status = models.CharField(max_length=12, choices=Status.choices)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    # For a return: the missing item codes and the deadline.
    items = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("application event")
        indexes = [models.Index(fields=["application", "at"], name="application_event_at")]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"


class Material(ScopedModel):
    """An uploaded file for one checklist item of an application. Files live under
    MEDIA_ROOT with a random name and are served only through the access-checked view;
    a replaced or removed file keeps its row (`removed_at`) for the history."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="materials")
    item = models.CharField(_("checklist item"), max_length=40)
    file = models.FileField(upload_to="materials/%Y/%m/", max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"))
    uploaded_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    # Recorded by the desk on site (green channel) rather than uploaded by the enterprise.
    on_site = models.BooleanField(default=False)
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        indexes = [models.Index(fields=["application", "item"], name="material_item")]

    def __str__(self) -> str:
        return self.original_name
