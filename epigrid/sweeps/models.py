"""Door-to-door sweep campaigns (拉网式清查): the units to visit, who visits them, every visit.

A campaign covers the rental units of a jurisdiction. Each unit in it is a CampaignUnit row
that carries the facts lists need (visits so far, the latest visit and its outcome, when the
unit was first inspected), kept up to date by the visit service, so a grid's coverage and a
grid worker's list of the day are one indexed query each.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from epigrid.core.models import ScopedModel, VersionedModel
from epigrid.geo.models import Jurisdiction
from epigrid.registry.models import HousingUnit, Person, ResidencyRole
from epigrid.workforce.models import StaffMember, Team


class Campaign(VersionedModel, ScopedModel):
    """A sweep over the rental units of a jurisdiction, from `starts_on` until `ends_on`
    (inclusive; open-ended while null)."""

    name = models.CharField(_("name"), max_length=100)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("jurisdiction")
    )
    # RentalKind values targeted; empty means every rental unit.
    rental_kinds = models.JSONField(_("rental kinds"), default=list, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("sweep campaign")
        verbose_name_plural = _("sweep campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="campaign_date_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_closed_on(self, day: dt.date) -> bool:
        return self.ends_on is not None and day > self.ends_on

    @property
    def is_closed(self) -> bool:
        from django.utils import timezone

        return self.is_closed_on(timezone.localdate())


class Outcome(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    NOBODY_HOME = "nobody_home", _("Nobody home")
    VACANT = "vacant", _("Vacant")
    REFUSED = "refused", _("Refused")
    NOT_DWELLING = "not_dwelling", _("Not a dwelling")


class CampaignUnit(ScopedModel):
    """A housing unit in a campaign, its assignee, and the latest facts of its visits."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="units")
    unit = models.ForeignKey(HousingUnit, on_delete=models.PROTECT, related_name="+")
    assignee_staff = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    assignee_team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned team"),
    )
    # Derived by the visit service from this unit's visits in the campaign.
    visits_count = models.PositiveIntegerField(_("visits"), default=0)
    last_visit_at = models.DateTimeField(_("last visit"), null=True, blank=True)
    last_outcome = models.CharField(
        _("last outcome"), max_length=16, choices=Outcome.choices, blank=True
    )
    # The first visit that reached the household (any outcome but "nobody home").
    first_inspected_at = models.DateTimeField(_("inspected on"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign unit")
        verbose_name_plural = _("campaign units")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit"], name="campaign_unit_once"),
            models.CheckConstraint(
                condition=Q(assignee_staff__isnull=True) | Q(assignee_team__isnull=True),
                name="campaign_unit_one_assignee",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "jpath"], name="cunit_campaign_path"),
            models.Index(fields=["assignee_staff", "first_inspected_at"], name="cunit_staff_todo"),
            models.Index(fields=["assignee_team", "first_inspected_at"], name="cunit_team_todo"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.unit_id}"

    @property
    def is_inspected(self) -> bool:
        return self.first_inspected_at is not None

    @property
    def code(self) -> str:
        return self.jpath.rstrip(".")


class Visit(ScopedModel):
    """One dispatch of a grid worker to a unit (一人次), whatever came of it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="visits")
    unit = models.ForeignKey(HousingUnit, on_delete=models.PROTECT, related_name="+")
    campaign_unit = models.ForeignKey(CampaignUnit, on_delete=models.PROTECT, related_name="visits")
    visited_at = models.DateTimeField(_("visited at"), db_index=True)
    visited_by = models.ForeignKey(
        StaffMember, on_delete=models.PROTECT, related_name="+", verbose_name=_("visited by")
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["campaign_unit", "visited_at"], name="visit_cunit_time"),
            models.Index(fields=["jpath", "visited_at"], name="visit_path_time"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.visited_at:%Y-%m-%d %H:%M} {self.outcome}"

    @property
    def code(self) -> str:
        return self.jpath.rstrip(".")


class VisitPerson(models.Model):
    """A person found at a visit; `created` when the visit put them in the register."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="persons")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=10, choices=ResidencyRole.choices)
    created = models.BooleanField(_("new to the register"), default=False)

    class Meta:
        verbose_name = _("person found")
        verbose_name_plural = _("persons found")
        constraints = [
            models.UniqueConstraint(fields=["visit", "person"], name="visit_person_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ visit {self.visit_id} ({self.role})"
