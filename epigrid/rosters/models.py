"""Duty rosters (值班排班): posts that must be held during set hours of every day, the shifts
that hold them, who is on each shift, and the notes one shift hands over to the next.

A post is generic on purpose: the 24-hour monitoring desk of home quarantine is one, and the
temperature checkpoints (issue 5) link their posts (宣传岗, 劝导岗, 跟踪岗) to one each. The
hours a post must be held are minutes after local midnight; when `covers_until` is not after
`covers_from` the window runs past midnight (22:00–06:00 is a night watch), and 00:00–24:00
means round the clock.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from epigrid.core.models import DatedModel, ScopedModel, VersionedModel
from epigrid.geo.models import Jurisdiction
from epigrid.workforce.models import StaffMember

DAY_MINUTES = 24 * 60


def hhmm(minutes: int) -> str:
    """Minutes after midnight as "HH:MM" (1440 is "24:00")."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class PostKind(models.TextChoices):
    MONITORING_DESK = "monitoring_desk", _("24-hour monitoring desk")
    CHECKPOINT = "checkpoint", _("Checkpoint post")
    OTHER = "other", _("Other duty post")


class Post(VersionedModel, ScopedModel, DatedModel):
    """A duty post of a jurisdiction node (any level) that must be held every day from
    `covers_from` until `covers_until` while it is active."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=PostKind.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("jurisdiction")
    )
    covers_from = models.PositiveSmallIntegerField(_("held from (minutes after midnight)"))
    covers_until = models.PositiveSmallIntegerField(_("held until (minutes after midnight)"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("duty post")
        verbose_name_plural = _("duty posts")
        constraints = [
            models.CheckConstraint(
                condition=Q(covers_from__lt=DAY_MINUTES)
                & Q(covers_until__gte=1, covers_until__lte=DAY_MINUTES)
                & ~Q(covers_from=models.F("covers_until")),
                name="post_cover_window",
            ),
            models.CheckConstraint(
                condition=Q(active_until__isnull=True)
                | Q(active_until__gt=models.F("active_from")),
                name="post_active_range",
            ),
        ]
        indexes = [models.Index(fields=["jpath", "active_until"], name="post_path_active")]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        return self.jpath.rstrip(".")

    @property
    def covers_from_hhmm(self) -> str:
        return hhmm(self.covers_from)

    @property
    def covers_until_hhmm(self) -> str:
        return hhmm(self.covers_until)

    @property
    def round_the_clock(self) -> bool:
        return self.covers_from == 0 and self.covers_until == DAY_MINUTES

    @property
    def overnight(self) -> bool:
        """The daily window runs past midnight (22:00–06:00)."""
        return self.covers_until <= self.covers_from

    def window_on(self, day: dt.date, tz: dt.tzinfo) -> tuple[dt.datetime, dt.datetime]:
        """The hours the post must be held that start on local `day`, as aware datetimes.
        Built from local wall-clock times, so a day with a DST change is 23 or 25 hours."""
        midnight = dt.datetime.combine(day, dt.time())
        end_day = day + dt.timedelta(days=1) if self.overnight else day
        start = midnight + dt.timedelta(minutes=self.covers_from)
        until = self.covers_until
        if until == DAY_MINUTES:
            end = dt.datetime.combine(end_day + dt.timedelta(days=1), dt.time())
        else:
            end = dt.datetime.combine(end_day, dt.time()) + dt.timedelta(minutes=until)
        return start.replace(tzinfo=tz), end.replace(tzinfo=tz)


class Shift(VersionedModel, ScopedModel):
    """A stretch of duty at a post (at most 24 hours; it may run past midnight). It counts
    towards the post's coverage only while it has somebody on it and is not cancelled."""

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="shifts")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    members: models.ManyToManyField[StaffMember, "ShiftMember"] = models.ManyToManyField(
        StaffMember, through="ShiftMember", related_name="+", verbose_name=_("on duty")
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    # Filled by the selectors' prefetch: who is on the shift, by name.
    duty: list["ShiftMember"]

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="shift_ends_after_start"
            )
        ]
        indexes = [
            models.Index(fields=["post", "starts_at"], name="shift_post_start"),
            models.Index(fields=["jpath", "starts_at"], name="shift_path_start"),
        ]

    def __str__(self) -> str:
        from django.utils import timezone

        start = timezone.localtime(self.starts_at)
        end = timezone.localtime(self.ends_at)
        end_text = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%m-%d %H:%M}"
        return f"{start:%m-%d %H:%M}–{end_text}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    @property
    def code(self) -> str:
        return self.jpath.rstrip(".")


class ShiftMember(models.Model):
    """A grid worker on duty in a shift."""

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="shift_members")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("person on duty")
        verbose_name_plural = _("people on duty")
        constraints = [models.UniqueConstraint(fields=["shift", "staff"], name="shift_member_once")]
        indexes = [models.Index(fields=["staff", "shift"], name="shift_member_staff")]

    def __str__(self) -> str:
        return f"{self.staff_id} @ shift {self.shift_id}"


class HandoverNote(ScopedModel):
    """What a shift hands over to the next (交接班记录): written during or after the shift,
    never edited; the next shift's page shows it."""

    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="handovers")
    text = models.TextField(_("hand-over note"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The writer's grid-worker record when they were on the shift; the name survives a
    # deleted login.
    written_by_staff = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    written_by_name = models.CharField(_("written by"), max_length=150)
    written_at = models.DateTimeField(_("written at"), auto_now_add=True)

    class Meta:
        verbose_name = _("hand-over note")
        verbose_name_plural = _("hand-over notes")
        indexes = [models.Index(fields=["shift", "written_at"], name="handover_shift_time")]

    def __str__(self) -> str:
        return f"{self.shift_id}: {self.text[:40]}"
