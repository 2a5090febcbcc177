"""Community "big party committees" (大党委) and the units that join them."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from epigrid.core.models import DatedModel, ScopedModel, VersionedModel
from epigrid.geo.models import Jurisdiction


class PartyCommittee(VersionedModel, ScopedModel, DatedModel):
    name = models.CharField(_("name"), max_length=100)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("community")
    )
    secretary = models.CharField(_("secretary"), max_length=50, blank=True)

    # Filled by selectors.committee_list's prefetch: the member units of today.
    current_units: list["MemberUnit"]

    class Meta:
        verbose_name = _("party committee")
        verbose_name_plural = _("party committees")

    def __str__(self) -> str:
        return self.name


class UnitKind(models.TextChoices):
    AGENCY = "agency", _("Government agency")
    MEDICAL = "medical", _("Medical institution")
    STATE_FIRM = "state_firm", _("State-owned enterprise")
    PROPERTY_MANAGER = "property_manager", _("Property management company")
    OTHER = "other", _("Other")


class MemberUnit(VersionedModel, ScopedModel, DatedModel):
    committee = models.ForeignKey(PartyCommittee, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("member unit")
        verbose_name_plural = _("member units")

    def __str__(self) -> str:
        return self.name
