"""Home quarantine and key-person follow-up (居家隔离 / 居家观察).

An ObservationCase puts one person under observation for a dated period, looked after by a
three-person team of a grid. Its follow-up slots (two a day by default, each with a deadline)
are rows made when the case opens and trimmed when its end moves, so a team's worklist and
headquarters' overdue list are one indexed query each; whether a slot is due, overdue or
missed is derived from its deadline and the clock, never flipped by a job.

Each case keeps the policy it was opened under (`policy`), so a later change of the
observation length, the slot deadlines or the fever threshold does not rewrite old cases.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from epigrid.core.models import ScopedModel, VersionedModel
from epigrid.geo.models import Jurisdiction
from epigrid.registry.models import Person, PersonCategory
from epigrid.workforce.models import StaffMember, Team


class Regime(models.TextChoices):
    HOME_QUARANTINE = "home_quarantine", _("Home quarantine")
    HOME_OBSERVATION = "home_observation", _("Home health observation")
    CENTRALISED = "centralised", _("Handed over to centralised quarantine")


class EndReason(models.TextChoices):
    COMPLETED = "completed", _("Observation completed")
    REFERRED = "referred", _("Referred for diagnosis")
    TRANSFERRED = "transferred", _("Transferred out")
    LOST = "lost", _("Lost to follow-up")
    CANCELLED = "cancelled", _("Cancelled")


class CaseStatus(models.TextChoices):
    """Derived, never stored: see ObservationCase.status_at."""

    UPCOMING = "upcoming", _("Not started")
    ACTIVE = "active", _("Under observation")
    ENDED = "ended", _("Period over, not yet closed")
    CLOSED = "closed", _("Closed")


class ObservationCase(VersionedModel, ScopedModel):
    """One person under observation from `start_date` until `end_date` (the release day:
    observation covers start_date .. end_date - 1). `jpath` is the case's grid."""

    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    reason = models.ForeignKey(
        PersonCategory, on_delete=models.PROTECT, related_name="+", verbose_name=_("reason")
    )
    regime = models.CharField(_("regime"), max_length=20, choices=Regime.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("grid")
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible team"),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("release date"))
    # The policy in force when the case opened: observation_days, followup_deadlines,
    # fever_threshold, fever_inclusive, symptoms (see policy.registry).
    policy = models.JSONField(_("policy"), default=dict, editable=False)
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    end_reason = models.CharField(
        _("end reason"), max_length=16, choices=EndReason.choices, blank=True
    )
    close_note = models.CharField(_("note"), max_length=200, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    # Latest facts, kept by the follow-up service for lists (ARCHITECTURE: "store derived
    # latest facts on the row they describe").
    last_followup_at = models.DateTimeField(_("last follow-up"), null=True, blank=True)
    last_temperature = models.DecimalField(
        _("last temperature"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    # Self-report link: only a SHA-256 of the secret is stored; revoking clears it.
    selfreport_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    selfreport_created_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("observation case")
        verbose_name_plural = _("observation cases")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gt=models.F("start_date")), name="case_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(end_reason=""),
                name="case_closed_with_reason",
            ),
            # One open case per person and regime at a time.
            models.UniqueConstraint(
                fields=["person", "regime"],
                condition=Q(closed_at__isnull=True),
                name="case_one_open_per_person",
            ),
        ]
        indexes = [
            models.Index(fields=["jpath", "start_date"], name="case_path_start"),
            models.Index(fields=["team", "closed_at"], name="case_team_open"),
            models.Index(fields=["regime", "start_date"], name="case_regime_start"),
        ]

    def __str__(self) -> str:
        return f"case {self.pk}: person {self.person_id} {self.start_date}..{self.end_date}"

    def status_at(self, now: dt.datetime) -> str:
        if self.closed_at is not None and self.closed_at <= now:
            return CaseStatus.CLOSED
        today = timezone.localtime(now).date()
        if today < self.start_date:
            return CaseStatus.UPCOMING
        if today < self.end_date:
            return CaseStatus.ACTIVE
        return CaseStatus.ENDED

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def code(self) -> str:
        return self.jpath.rstrip(".")


class EndDateChange(models.Model):
    """An extension or shortening of a case: the previous release date is kept here."""

    case = models.ForeignKey(ObservationCase, on_delete=models.CASCADE, related_name="end_changes")
    previous_end = models.DateField(_("previous release date"))
    new_end = models.DateField(_("new release date"))
    reason = models.CharField(_("reason"), max_length=200)
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.case_id}: {self.previous_end} -> {self.new_end}"


class SlotState(models.TextChoices):
    """Derived, never stored: see FollowUpSlot.state_at."""

    UPCOMING = "upcoming", _("Not yet open")
    DUE = "due", _("Due")
    OVERDUE = "overdue", _("Overdue")
    DONE = "done", _("Done")
    LATE = "late", _("Done late")
    MISSED = "missed", _("Missed")


class FollowUpSlot(ScopedModel):
    """One follow-up a case is owed: open from `opens_at`, due by `deadline` (inclusive).

    Overdue: the deadline has passed, nobody reached the person, and the slot's day is not
    over (a late follow-up can still be made). Missed: the day ended without one.
    `case_open` and `team` copy the case's so worklists need no join to filter.
    """

    # No index of its own: slot_once and slot_case_deadline lead with the case.
    case = models.ForeignKey(
        ObservationCase, on_delete=models.CASCADE, related_name="slots", db_index=False
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    day = models.DateField(_("day"))
    number = models.PositiveSmallIntegerField(_("slot"))  # 1-based within the day
    opens_at = models.DateTimeField(_("opens at"))
    deadline = models.DateTimeField(_("deadline"))
    ends_at = models.DateTimeField(editable=False)  # end of the slot's local day
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    followup = models.OneToOneField(
        "FollowUp", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    case_open = models.BooleanField(default=True, editable=False)

    class Meta:
        verbose_name = _("follow-up slot")
        verbose_name_plural = _("follow-up slots")
        constraints = [
            models.UniqueConstraint(fields=["case", "day", "number"], name="slot_once"),
        ]
        indexes = [
            # A team's worklist: its open slots not yet done, by deadline.
            models.Index(
                fields=["team", "deadline"],
                condition=Q(done_at__isnull=True, case_open=True),
                name="slot_team_todo",
            ),
            # Headquarters' overdue list: open slots not done, by deadline, within a path.
            models.Index(
                fields=["deadline", "jpath"],
                condition=Q(done_at__isnull=True, case_open=True),
                name="slot_todo_deadline",
            ),
            models.Index(fields=["case", "deadline"], name="slot_case_deadline"),
        ]

    def __str__(self) -> str:
        return f"case {self.case_id} {self.day} #{self.number}"

    def state_at(self, now: dt.datetime) -> str:
        if self.done_at is not None:
            return SlotState.DONE if self.done_at <= self.deadline else SlotState.LATE
        if now < self.opens_at:
            return SlotState.UPCOMING
        if now <= self.deadline:
            return SlotState.DUE
        if now < self.ends_at:
            return SlotState.OVERDUE
        return SlotState.MISSED

    @property
    def state(self) -> str:
        return self.state_at(timezone.now())


class Method(models.TextChoices):
    PHONE = "phone", _("Phone call")
    VIDEO = "video", _("Video call")
    DOOR = "door", _("Door visit")
    SELF_REPORT = "self_report", _("Self-report")


class MeasureSite(models.TextChoices):
    AXILLARY = "axillary", _("Axillary")
    FOREHEAD = "forehead", _("Forehead")
    EAR = "ear", _("Ear")


class Result(models.TextChoices):
    WELL = "well", _("Seen and well")
    UNWELL = "unwell", _("Seen and unwell")
    NOT_REACHED = "not_reached", _("Not reached")


class FollowUp(ScopedModel):
    """One follow-up of a case. A reached follow-up fills its slot; "not reached" is kept as
    an attempt and leaves the slot open."""

    # The case and the path have no index of their own: followup_case_time and
    # followup_path_time lead with them. Every index is written by each follow-up, the
    # city's most frequent write.
    jpath = models.CharField(max_length=80, editable=False)
    case = models.ForeignKey(
        ObservationCase, on_delete=models.PROTECT, related_name="followups", db_index=False
    )
    slot = models.ForeignKey(
        FollowUpSlot, on_delete=models.SET_NULL, null=True, blank=True, related_name="attempts"
    )
    method = models.CharField(_("method"), max_length=12, choices=Method.choices)
    taken_at = models.DateTimeField(_("taken at"))
    staff = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("followed up by"),
    )
    temperature = models.DecimalField(
        _("temperature (°C)"), max_digits=3, decimal_places=1, null=True, blank=True
    )
    site = models.CharField(
        _("measured at"), max_length=10, choices=MeasureSite.choices, blank=True
    )
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)  # policy symptom codes
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        indexes = [
            models.Index(fields=["case", "taken_at"], name="followup_case_time"),
            models.Index(fields=["jpath", "taken_at"], name="followup_path_time"),
        ]

    def __str__(self) -> str:
        return f"case {self.case_id} {self.taken_at:%Y-%m-%d %H:%M} {self.result}"


class Trigger(models.TextChoices):
    FEVER = "fever", _("Fever reading")
    SERIOUS_SYMPTOM = "serious_symptom", _("Serious symptom")
    MISSED_SLOTS = "missed_slots", _("Two follow-ups missed in a row")
    # Raised from outside home quarantine (services.external.alert_raise): a person with a
    # fever at a temperature checkpoint, who has no observation case.
    CHECKPOINT_FEVER = "checkpoint_fever", _("Fever at a checkpoint")
    # An employer's daily health report of an employee after reopening (enterprises).
    ENTERPRISE_FEVER = "enterprise_fever", _("Fever reported by an employer")


class AlertOutcome(models.TextChoices):
    RECHECK_NORMAL = "recheck_normal", _("Re-checked: normal")
    EXCLUDED = "excluded", _("Diagnosis: excluded")
    SUSPECTED = "suspected", _("Diagnosis: suspected case")
    CONFIRMED = "confirmed", _("Diagnosis: confirmed case")


class Alert(VersionedModel, ScopedModel):
    """An escalation under the "five earlies": raised by a follow-up or by missed slots, seen
    by the team, the village and headquarters, and closed only with an outcome.

    Most alerts belong to an observation case. One raised from outside home quarantine (a
    fever found at a checkpoint, see services.external) has no case: it stands for `person`
    in the grid `jurisdiction`, and `origin` names what raised it. `person` and
    `jurisdiction` are filled on every alert (for a case's alert, the case's), so pages and
    lists read them the same way whatever raised the alert."""

    case = models.ForeignKey(
        ObservationCase, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("grid")
    )
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger.choices)
    raised_at = models.DateTimeField(_("raised at"))
    followup = models.ForeignKey(
        FollowUp, on_delete=models.PROTECT, null=True, blank=True, related_name="alerts"
    )
    # For missed slots: the later of the two missed slots (makes raising idempotent).
    slot = models.ForeignKey(
        FollowUpSlot, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What raised an alert without a case, as "<url name>:<pk>" of the record that shows it
    # (e.g. "checkpoints:check_detail:42", the check that found the fever): the alert page
    # links there when the name resolves. Empty for a case's alerts. With the person it
    # makes raising idempotent (constraint alert_origin_once).
    origin = models.CharField(_("origin"), max_length=80, blank=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=AlertOutcome.choices, blank=True
    )
    close_note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(outcome=""),
                name="alert_closed_with_outcome",
            ),
            models.UniqueConstraint(
                fields=["case", "slot"],
                condition=Q(trigger="missed_slots"),
                name="alert_missed_once",
            ),
            # An alert stands for a case, or for something outside quarantine that raised it.
            models.CheckConstraint(
                condition=Q(case__isnull=False) | ~Q(origin=""), name="alert_case_or_origin"
            ),
            models.UniqueConstraint(
                fields=["origin", "person"], condition=~Q(origin=""), name="alert_origin_once"
            ),
        ]
        indexes = [
            models.Index(fields=["jpath", "raised_at"], name="alert_path_time"),
            models.Index(
                fields=["jpath"], condition=Q(closed_at__isnull=True), name="alert_open_path"
            ),
        ]

    def __str__(self) -> str:
        if self.case_id is None:
            return f"alert {self.pk} ({self.trigger}) person {self.person_id}"
        return f"alert {self.pk} ({self.trigger}) case {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ReferralStep(models.TextChoices):
    REPORTED = "reported", _("Reported")
    ISOLATED = "isolated", _("Isolated")
    TRANSPORTED = "transported", _("Taken to the fever clinic")
    DIAGNOSED = "diagnosed", _("Diagnosis outcome")


class DiagnosisOutcome(models.TextChoices):
    EXCLUDED = "excluded", _("Excluded")
    SUSPECTED = "suspected", _("Suspected case")
    CONFIRMED = "confirmed", _("Confirmed case")


class ReferralEvent(models.Model):
    """One step of an alert's referral, with its time ("report early, isolate early ...")."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="referral")
    step = models.CharField(_("step"), max_length=12, choices=ReferralStep.choices)
    at = models.DateTimeField(_("time"))
    diagnosis = models.CharField(
        _("diagnosis"), max_length=10, choices=DiagnosisOutcome.choices, blank=True
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "step"], name="referral_step_once")]

    def __str__(self) -> str:
        return f"alert {self.alert_id}: {self.step} at {self.at}"


class NeedKind(models.TextChoices):
    FOOD = "food", _("Food and supplies")
    MEDICINE = "medicine", _("Medicine")
    COUNSELLING = "counselling", _("Counselling")
    OTHER = "other", _("Other help")


class AssistanceRequest(VersionedModel, ScopedModel):
    """A request for help with daily needs from a person under observation."""

    case = models.ForeignKey(ObservationCase, on_delete=models.PROTECT, related_name="requests")
    kind = models.CharField(_("kind"), max_length=12, choices=NeedKind.choices)
    detail = models.CharField(_("what is needed"), max_length=300)
    requested_at = models.DateTimeField(_("requested at"))
    taken_by = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken by"),
    )
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    result_note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("assistance request")
        verbose_name_plural = _("assistance requests")
        indexes = [
            models.Index(fields=["jpath", "requested_at"], name="assist_path_time"),
            models.Index(
                fields=["jpath"],
                condition=Q(fulfilled_at__isnull=True, cancelled_at__isnull=True),
                name="assist_open_path",
            ),
        ]

    def __str__(self) -> str:
        return f"request {self.pk} ({self.kind}) case {self.case_id}"

    @property
    def is_open(self) -> bool:
        return self.fulfilled_at is None and self.cancelled_at is None


class CareKind(models.TextChoices):
    COUNSELLING = "counselling", _("Counselling")
    HEALTH_EDUCATION = "health_education", _("Health education")


class CareNote(ScopedModel):
    """Counselling or health education given to a person under observation."""

    case = models.ForeignKey(ObservationCase, on_delete=models.PROTECT, related_name="care_notes")
    kind = models.CharField(_("kind"), max_length=16, choices=CareKind.choices)
    text = models.CharField(_("note"), max_length=1000)
    given_at = models.DateTimeField(_("given at"))
    staff = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("care note")
        verbose_name_plural = _("care notes")
        indexes = [models.Index(fields=["case", "given_at"], name="care_case_time")]

    def __str__(self) -> str:
        return f"{self.kind} case {self.case_id}"
