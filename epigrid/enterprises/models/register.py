"""The enterprise register: enterprises, their user accounts, their employees and the
employees' daily health reports."""

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
