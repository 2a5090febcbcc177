"""On-site work after approval: task forces, inspections and rectifications, liaison
leaders, enterprise needs and consultations."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from epigrid.core.models import DatedModel, ScopedModel, VersionedModel
from epigrid.geo.models import Jurisdiction

from .register import Enterprise

USER = settings.AUTH_USER_MODEL


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
