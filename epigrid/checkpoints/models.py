"""Temperature checkpoints (体温检测点): where they stand, the duty posts that hold them, and
every check made at them.

A Check is one person on foot or one vehicle with its occupants (CheckPerson rows, one per
person, each with a temperature). It carries a client-made UUID so a phone that lost its
network can send it again without making a second one. Hourly figures per checkpoint are kept
in CheckHour by the ingest service (ARCHITECTURE: dashboards read pre-aggregated figures),
so a city's board never scans checks.

Personal data of travellers stays on CheckPerson; a worker's page shows a repeat visitor's
name and masked document number only (see selectors.lookup).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from epigrid.core.models import DatedModel, ScopedModel, VersionedModel
from epigrid.geo.models import Jurisdiction
from epigrid.registry.models import Person
from epigrid.rosters.models import Post


class CheckpointKind(models.TextChoices):
    CITY_ENTRANCE = "city_entrance", _("City entrance")
    VILLAGE_ENTRANCE = "village_entrance", _("Village entrance")
    COMPOUND_GATE = "compound_gate", _("Compound gate")
    ROAD = "road", _("Road")


class Checkpoint(VersionedModel, ScopedModel, DatedModel):
    """A place where people and vehicles are checked, in one grid (`jpath`), open every day
    from `opens_at` until `closes_at` (minutes after local midnight; 0..1440 is round the
    clock, a window past midnight wraps as in rosters.Post)."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=CheckpointKind.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("grid")
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    opens_at = models.PositiveSmallIntegerField(_("open from (minutes after midnight)"), default=0)
    closes_at = models.PositiveSmallIntegerField(
        _("open until (minutes after midnight)"), default=24 * 60
    )
    # The printed QR for travellers' self-fill carries this; it is not a secret (it hangs on
    # the gate), it only names the checkpoint without revealing its database id.
    public_code = models.CharField(max_length=12, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        constraints = [
            models.CheckConstraint(
                condition=Q(opens_at__lt=24 * 60)
                & Q(closes_at__gte=1, closes_at__lte=24 * 60)
                & ~Q(opens_at=models.F("closes_at")),
                name="checkpoint_open_window",
            ),
            models.CheckConstraint(
                condition=Q(active_until__isnull=True)
                | Q(active_until__gt=models.F("active_from")),
                name="checkpoint_active_range",
            ),
        ]
        indexes = [models.Index(fields=["jpath", "name"], name="checkpoint_path_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        return self.jpath.rstrip(".")


class PostRole(models.TextChoices):
    PUBLICITY = "publicity", _("Publicity post (宣传岗)")
    PERSUASION = "persuasion", _("Persuasion post (劝导岗)")
    TRACKING = "tracking", _("Tracking post (跟踪岗)")
    CHECKING = "checking", _("Temperature checking")


class CheckpointPost(models.Model):
    """One of a checkpoint's posts; its duty rotation is the linked roster post's shifts."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="posts")
    post = models.OneToOneField(Post, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=12, choices=PostRole.choices)

    class Meta:
        verbose_name = _("checkpoint post")
        verbose_name_plural = _("checkpoint posts")
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "role"], name="checkpoint_post_role")
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_id}: {self.role}"


class Mode(models.TextChoices):
    FOOT = "foot", _("On foot")
    VEHICLE = "vehicle", _("Vehicle")


class CheckResult(models.TextChoices):
    PASSED = "passed", _("Let through")
    TURNED_BACK = "turned_back", _("Persuaded to turn back")
    FEVER = "fever", _("Fever: referred")


class Source(models.TextChoices):
    DEVICE = "device", _("Logged on a phone")
    SELF_FILL = "self_fill", _("Self-filled by the traveller")
    PAPER = "paper", _("Entered from a paper sheet")
    API = "api", _("Sent through the API")


class Check(ScopedModel):
    """One person on foot or one vehicle checked at a checkpoint at `checked_at` (the time on
    the device, kept as the worker saw it); `received_at` is when the server stored it.
    The result is the check's worst: a fever in any occupant makes it a fever check."""

    uuid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.PROTECT, related_name="checks")
    checked_at = models.DateTimeField(_("checked at"))
    received_at = models.DateTimeField(_("received at"))
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices)
    plate = models.CharField(_("plate"), max_length=10, blank=True)  # normalised, e.g. 粤J12345
    plate_prefix = models.CharField(max_length=2, blank=True)  # province character + letter
    nonlocal_vehicle = models.BooleanField(_("non-local vehicle"), default=False)
    persons = models.PositiveSmallIntegerField(_("persons"), default=1)
    origin = models.CharField(_("coming from"), max_length=100, blank=True)
    destination = models.CharField(_("going to"), max_length=100, blank=True)
    result = models.CharField(_("result"), max_length=12, choices=CheckResult.choices)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("check")
        verbose_name_plural = _("checks")
        constraints = [
            models.CheckConstraint(
                condition=Q(mode="foot", plate="") | Q(mode="vehicle"), name="check_plate_mode"
            ),
            models.CheckConstraint(condition=Q(persons__gte=1), name="check_persons"),
        ]
        indexes = [
            models.Index(fields=["checkpoint", "checked_at"], name="check_point_time"),
            models.Index(fields=["jpath", "checked_at"], name="check_path_time"),
            models.Index(fields=["plate"], condition=~Q(plate=""), name="check_plate"),
        ]

    def __str__(self) -> str:
        return f"check {self.uuid} at {self.checkpoint_id}"


class CheckPerson(models.Model):
    """One person of a check with their temperature. Name, document and phone are what the
    traveller or the worker gave; `person` links the registry record when one is known or was
    made (always for a fever)."""

    check_row = models.ForeignKey(Check, on_delete=models.CASCADE, related_name="people")
    seq = models.PositiveSmallIntegerField(default=1)  # 1 is the driver or the walker
    name = models.CharField(_("name"), max_length=50, blank=True)
    doc_type = models.CharField(_("document type"), max_length=16, blank=True)
    doc_number = models.CharField(_("document number"), max_length=32, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    temperature = models.DecimalField(_("temperature"), max_digits=3, decimal_places=1)
    fever = models.BooleanField(_("fever"), default=False)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("checked person")
        verbose_name_plural = _("checked persons")
        constraints = [
            models.UniqueConstraint(fields=["check_row", "seq"], name="checkperson_seq"),
        ]
        indexes = [
            models.Index(fields=["doc_number"], condition=~Q(doc_number=""), name="checkp_doc"),
            models.Index(fields=["phone"], condition=~Q(phone=""), name="checkp_phone"),
        ]

    def __str__(self) -> str:
        return f"{self.check_row_id}#{self.seq}"


class CheckHour(ScopedModel):
    """A checkpoint's figures for one local hour, added to by the ingest service."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="+")
    hour = models.DateTimeField()  # start of the hour, aware
    checks = models.PositiveIntegerField(default=0)
    persons = models.PositiveIntegerField(default=0)
    vehicles = models.PositiveIntegerField(default=0)
    nonlocal_vehicles = models.PositiveIntegerField(default=0)
    fevers = models.PositiveIntegerField(default=0)
    turned_back = models.PositiveIntegerField(default=0)
    last_check_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "hour"], name="checkhour_once")
        ]
        indexes = [
            models.Index(fields=["jpath", "hour"], name="checkhour_path_hour"),
            # A city's (or subdistrict's) day by hour, and the live board, read a day's rows
            # of every checkpoint: by hour first, with the figures in the index, each is an
            # index-only range scan (selectors.rollups; bench/checkpoints_rollup_bench.py).
            models.Index(
                fields=[
                    "hour",
                    "jpath",
                    "checkpoint",
                    "checks",
                    "persons",
                    "vehicles",
                    "nonlocal_vehicles",
                    "fevers",
                    "turned_back",
                    "last_check_at",
                ],
                name="checkhour_hour_figures",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_id} {self.hour}"


class SelfFill(models.Model):
    """What a traveller filled in on their own phone from the checkpoint's QR, waiting for the
    worker to type its short code and add a temperature. Kept for a few hours only."""

    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=8)
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.FOOT)
    plate = models.CharField(max_length=10, blank=True)
    origin = models.CharField(max_length=100, blank=True)
    destination = models.CharField(max_length=100, blank=True)
    people = models.JSONField(default=list)  # [{name, doc_type, doc_number, phone}]
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    check_row = models.ForeignKey(
        Check, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["checkpoint", "code"], name="selffill_code"),
        ]

    def __str__(self) -> str:
        return f"{self.checkpoint_id}:{self.code}"
