"""Enterprise work resumption (复工复产): the enterprise register, applications to reopen with
their materials and review, published batches of approvals, task-force inspections and
rectifications, liaison leaders and enterprise needs, consultations and the FAQ, and the
employees' daily health after reopening.

Every row carries the `jpath` of its enterprise's grid, so staff reach it by path scope;
an enterprise user reaches only the rows of its own enterprise (enterprises.access).
Which conditions an application must meet and what an inspection checks are dated policy
data (policy keys `resumption_checklist`, `inspection_checklist`); an application and an
inspection keep the list they were judged under.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from epigrid.core.models import DatedModel, ScopedModel, VersionedModel
from epigrid.geo.models import Jurisdiction
from epigrid.registry.models import Person

USER = settings.AUTH_USER_MODEL


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    CONSTRUCTION = "construction", _("Construction")
    LOGISTICS = "logistics", _("Transport and logistics")
    RETAIL = "retail", _("Wholesale and retail")
    CATERING = "catering", _("Catering and hotels")
    SERVICES = "services", _("Services")
    AGRICULTURE = "agriculture", _("Agriculture")
    OTHER = "other", _("Other")


class Size(models.TextChoices):
    MICRO = "micro", _("Micro")
    SMALL = "small", _("Small")
    MEDIUM = "medium", _("Medium")
    LARGE = "large", _("Large")


class Enterprise(VersionedModel, ScopedModel):
    """An enterprise (or other employer) in one grid (`jpath`)."""

    name = models.CharField(_("name"), max_length=100)
    # Unified social credit code (统一社会信用代码, GB 32100), validated with stdnum.cn.uscc.
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    address = models.CharField(_("address"), max_length=200)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("grid")
    )
    industry = models.CharField(_("industry"), max_length=16, choices=Industry.choices)
    size = models.CharField(_("size"), max_length=8, choices=Size.choices)
    legal_rep = models.CharField(_("legal representative"), max_length=50)
    contact_name = models.CharField(_("contact person"), max_length=50)
    contact_phone = models.CharField(_("contact phone"), max_length=20)
    employees = models.PositiveIntegerField(_("number of employees"), default=0)
    # Derived facts kept on the row for lists (ARCHITECTURE: "latest" facts on the row),
    # written by the services that make them: the approval that lets it reopen, and its
    # latest inspection.
    approved_on = models.DateField(_("approved to reopen on"), null=True, blank=True)
    last_inspected_on = models.DateField(_("last inspected on"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [
            models.Index(fields=["jpath", "name"], name="enterprise_path_name"),
            models.Index(fields=["jpath", "approved_on"], name="enterprise_path_approved"),
        ]

    def __str__(self) -> str:
        return self.name


class EnterpriseMember(models.Model):
    """An enterprise user account: the user acts for this enterprise only."""

    user = models.OneToOneField(USER, on_delete=models.CASCADE, related_name="enterprise_member")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="members")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("enterprise user")
        verbose_name_plural = _("enterprise users")

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.enterprise_id}"


class Health(models.TextChoices):
    HEALTHY = "healthy", _("Healthy")
    SYMPTOMS = "symptoms", _("Has symptoms")
    FEVER = "fever", _("Fever")
    OBSERVATION = "observation", _("Under medical observation")


class Employee(ScopedModel, DatedModel):
    """A person of the registry employed by an enterprise, from `active_from` (hired or on the
    roster) until `active_until` (left). `from_risk_area` is derived when recorded and when
    the person's arrivals change: the origin or an arrival within the observation window
    touched an epidemic source area in force then."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="staff")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    job = models.CharField(_("job"), max_length=50, blank=True)
    origin = models.CharField(_("coming from"), max_length=100, blank=True)
    origin_code = models.CharField(_("coming from (region code)"), max_length=12, blank=True)
    returned_on = models.DateField(_("returned on"), null=True, blank=True)
    whereabouts = models.CharField(_("whereabouts in the last 14 days"), max_length=200, blank=True)
    health = models.CharField(
        _("health"), max_length=12, choices=Health.choices, default=Health.HEALTHY
    )
    from_risk_area = models.BooleanField(_("from an epidemic source area"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "person"],
                condition=Q(active_until__isnull=True),
                name="employee_one_current_per_person",
            )
        ]
        indexes = [
            models.Index(fields=["jpath", "from_risk_area"], name="employee_path_risk"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.enterprise_id}"


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


class TaskForce(ScopedModel, DatedModel):
    """A task force (专班) led by a subdistrict leader, inspecting enterprises in its area
    (`jurisdiction`, copied to `jpath`)."""

    name = models.CharField(_("name"), max_length=100)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    leader = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("leader")
    )
    members = models.ManyToManyField(  # type: ignore[var-annotated]
        USER, blank=True, related_name="task_forces"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("task force")
        verbose_name_plural = _("task forces")

    def __str__(self) -> str:
        return self.name


class InspectionKind(models.TextChoices):
    FIRST = "first", _("Inspection")
    RECHECK = "recheck", _("Re-inspection")


class Inspection(ScopedModel):
    """An on-site inspection of an enterprise against the inspection checklist in force
    (kept in `checklist`); `results` maps item code to {"ok": bool, "note": str}."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="inspections")
    task_force = models.ForeignKey(
        TaskForce, on_delete=models.PROTECT, null=True, blank=True, related_name="inspections"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=InspectionKind.choices)
    inspected_on = models.DateField(_("inspected on"))
    checklist = models.JSONField(default=list)
    results = models.JSONField(default=dict)
    passed = models.BooleanField(_("all items in order"))
    note = models.TextField(_("note"), blank=True)
    inspector = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        indexes = [
            models.Index(fields=["jpath", "inspected_on"], name="inspection_path_day"),
            models.Index(fields=["enterprise", "inspected_on"], name="inspection_enterprise"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.inspected_on}"


class Rectification(VersionedModel, ScopedModel):
    """A finding of an inspection to put right by `deadline`; a re-inspection closes it."""

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="rectifications"
    )
    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="rectifications"
    )
    item = models.CharField(_("checklist item"), max_length=40)
    finding = models.CharField(_("finding"), max_length=500)
    deadline = models.DateField(_("deadline"))
    closed_by = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, null=True, blank=True, related_name="closed"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("rectification")
        verbose_name_plural = _("rectifications")
        indexes = [
            models.Index(
                fields=["jpath", "deadline"],
                name="rectification_open",
                condition=Q(closed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id}: {self.item}"


class Liaison(ScopedModel, DatedModel):
    """A leader assigned as an enterprise's liaison (挂钩联系)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="liaisons")
    leader = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="liaisons")
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("liaison")
        verbose_name_plural = _("liaisons")
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "leader"],
                condition=Q(active_until__isnull=True),
                name="liaison_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.leader_id} ↔ {self.enterprise_id}"


class NeedKind(models.TextChoices):
    SUPPLIES = "supplies", _("Prevention supplies")
    TRANSPORT = "transport", _("Worker transport")
    STAFF = "staff", _("Staff shortage")
    OTHER = "other", _("Other")


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("Being solved")
    RESOLVED = "resolved", _("Resolved")


class Need(VersionedModel, ScopedModel):
    """A need or problem of an enterprise, raised by it or its liaison, with an owner who
    solves it and the resolution."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="needs")
    kind = models.CharField(_("kind"), max_length=10, choices=NeedKind.choices)
    description = models.CharField(_("description"), max_length=500)
    status = models.CharField(
        _("status"), max_length=12, choices=NeedStatus.choices, default=NeedStatus.OPEN
    )
    owner = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolution = models.CharField(_("resolution"), max_length=500, blank=True)
    raised_at = models.DateTimeField(_("raised at"))
    raised_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("enterprise need")
        verbose_name_plural = _("enterprise needs")
        indexes = [models.Index(fields=["jpath", "status"], name="need_path_status")]

    def __str__(self) -> str:
        return self.description[:40]


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("Hotline")
    WECHAT = "wechat", _("WeChat group")
    QQ = "qq", _("QQ group")
    ONLINE = "online", _("Online form")
    DESK = "desk", _("At the desk")


class Consultation(VersionedModel, ScopedModel):
    """A question to the desk with its answer. Published ones (`faq`) appear, as edited in
    `faq_question`/`faq_answer` and without who asked, on the public FAQ."""

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    asker = models.CharField(_("asked by"), max_length=50, blank=True)
    asker_phone = models.CharField(_("phone"), max_length=20, blank=True)
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"), blank=True)
    asked_at = models.DateTimeField(_("asked at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    faq = models.BooleanField(_("published in the FAQ"), default=False)
    faq_question = models.CharField(_("FAQ question"), max_length=300, blank=True)
    faq_answer = models.TextField(_("FAQ answer"), blank=True)
    # The public FAQ is grouped by topic (申报材料, 防疫物资, ...), as the desk names them.
    faq_topic = models.CharField(_("FAQ topic"), max_length=50, blank=True)
    faq_order = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        indexes = [
            models.Index(fields=["jpath", "-asked_at"], name="consultation_path_asked"),
            models.Index(fields=["faq", "faq_order"], name="consultation_faq"),
        ]

    def __str__(self) -> str:
        return self.question[:40]


class HealthReport(ScopedModel):
    """An employee's temperature on one day as reported by the employer. A fever raises a
    quarantine alert (quarantine.services.external.alert_raise, trigger enterprise_fever)."""

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="reports")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"))
    temperature = models.DecimalField(_("temperature (°C)"), max_digits=3, decimal_places=1)
    fever = models.BooleanField(_("fever"), default=False)
    symptoms = models.CharField(_("symptoms"), max_length=200, blank=True)
    reported_at = models.DateTimeField(_("reported at"))
    reported_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("employee health report")
        verbose_name_plural = _("employee health reports")
        constraints = [
            models.UniqueConstraint(fields=["employee", "day"], name="health_one_per_day")
        ]
        indexes = [models.Index(fields=["enterprise", "day"], name="health_enterprise_day")]

    def __str__(self) -> str:
        return f"{self.employee_id} {self.day} {self.temperature}"
