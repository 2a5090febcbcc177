"""The register: buildings, dwellings, persons (one record each), residencies, arrivals,
epidemic source areas and key-person categories."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from epigrid.core.models import DatedModel, ScopedModel, VersionedModel
from epigrid.geo.models import Jurisdiction


class BuildingKind(models.TextChoices):
    COMPOUND = "compound", _("Building in a managed compound")
    HOUSE = "house", _("Self-built house")
    COMMERCIAL = "commercial", _("Commercial building")
    OTHER = "other", _("Other")


class Building(VersionedModel, ScopedModel):
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("grid")
    )
    address = models.CharField(_("address"), max_length=200)
    # Lower-case, without spaces and punctuation: what duplicate detection compares.
    address_norm = models.CharField(max_length=200, db_index=True, editable=False)
    kind = models.CharField(
        _("kind"), max_length=16, choices=BuildingKind.choices, default=BuildingKind.HOUSE
    )

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self) -> str:
        return self.address


class UnitUse(models.TextChoices):
    OWNER_OCCUPIED = "owner_occupied", _("Owner-occupied")
    RENTAL = "rental", _("Rental")
    VACANT = "vacant", _("Vacant")
    COMMERCIAL = "commercial", _("Commercial")


class RentalKind(models.TextChoices):
    # The six kinds the seed names for the rental sweep.
    SINGLE_HOUSEHOLD = "single_household", _("Single household (单家独户)")
    MANAGED_SUITE = "managed_suite", _("Suite in a managed compound")
    SMALL_PROPERTY = "small_property", _("Small-property-right house")
    OLD_COMMERCIAL = "old_commercial", _("Old commercial apartment building")
    ONLINE_RENTAL = "online_rental", _("Online short-term rental")
    SERVICED_APARTMENT = "serviced_apartment", _("Serviced apartment")


class HousingUnit(VersionedModel, ScopedModel):
    # No index of its own: unit_label_per_building (building, label) serves every lookup by
    # building, and a second index would only be written on every new dwelling.
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="units", db_index=False
    )
    label = models.CharField(_("unit"), max_length=50, help_text=_("e.g. 3栋502 or 整栋"))
    use = models.CharField(_("use"), max_length=16, choices=UnitUse.choices)
    rental_kind = models.CharField(
        _("rental kind"), max_length=20, choices=RentalKind.choices, blank=True
    )
    landlord = models.ForeignKey(
        "Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("landlord"),
    )

    class Meta:
        verbose_name = _("housing unit")
        verbose_name_plural = _("housing units")
        constraints = [
            models.UniqueConstraint(fields=["building", "label"], name="unit_label_per_building"),
            models.CheckConstraint(
                condition=Q(use="rental") | Q(rental_kind=""), name="unit_rental_kind_only_rental"
            ),
        ]
        indexes = [models.Index(fields=["use", "jpath"], name="unit_use_path")]

    def __str__(self) -> str:
        return f"{self.building.address} {self.label}"


class DocType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    PASSPORT = "passport", _("Passport")
    HK_MACAO = "hk_macao", _("Hong Kong/Macao travel permit")
    TAIWAN = "taiwan", _("Taiwan travel permit")
    OTHER = "other", _("Other document")


class Sex(models.TextChoices):
    MALE = "m", _("Male")
    FEMALE = "f", _("Female")


class Person(VersionedModel, ScopedModel):
    """One master record per person. `jpath` is the grid that looks after them (their
    dwelling's, or where they were registered)."""

    name = models.CharField(_("name"), max_length=50)
    name_norm = models.CharField(max_length=50, db_index=True, editable=False)
    doc_type = models.CharField(
        _("document"), max_length=16, choices=DocType.choices, default=DocType.RESIDENT_ID
    )
    doc_number = models.CharField(_("document number"), max_length=32, blank=True, db_index=True)
    doc_note = models.CharField(_("document note"), max_length=200, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, db_index=True)
    hukou_place = models.CharField(_("household registration"), max_length=100, blank=True)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("grid")
    )
    current_unit = models.ForeignKey(
        HousingUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dwelling"),
    )
    # Almost every row is NULL here: a plain index lures SQLite into walking the whole table
    # for "not merged". The partial index in Meta serves the few merged records instead.
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    registered_on = models.DateField(_("registered on"))

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            # "One person, one record": no two active persons share a document number.
            models.UniqueConstraint(
                fields=["doc_type", "doc_number"],
                condition=Q(merged_into__isnull=True) & ~Q(doc_number=""),
                name="person_one_active_per_document",
            )
        ]
        indexes = [
            models.Index(fields=["jpath", "name_norm"], name="person_path_name"),
            models.Index(
                fields=["merged_into"], name="person_merged", condition=Q(merged_into__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None


class ResidencyRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    FAMILY = "family", _("Family member")
    TENANT = "tenant", _("Tenant")
    VISITOR = "visitor", _("Visitor")


class Residency(ScopedModel):
    """Who lives in a dwelling, from when until when; occupants on any date follow."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="residencies")
    # No index of its own: residency_unit_out (unit, move_out) serves lookups by dwelling.
    unit = models.ForeignKey(
        HousingUnit, on_delete=models.PROTECT, related_name="residencies", db_index=False
    )
    role = models.CharField(_("role"), max_length=10, choices=ResidencyRole.choices)
    move_in = models.DateField(_("moved in"), null=True, blank=True)
    move_out = models.DateField(_("moved out"), null=True, blank=True)
    recorded_on = models.DateField(_("recorded on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("residency")
        verbose_name_plural = _("residencies")
        indexes = [
            models.Index(fields=["unit", "move_out"], name="residency_unit_out"),
            models.Index(fields=["role", "recorded_on"], name="residency_role_day"),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.unit_id} ({self.role})"


class RiskArea(DatedModel):
    """An epidemic source area (policy data): an administrative-code prefix, dated."""

    name = models.CharField(_("name"), max_length=100)
    region_code = models.CharField(
        _("region code"),
        max_length=12,
        help_text=_("Administrative code or its prefix: 42 is Hubei, 4201 Wuhan."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("epidemic source area")
        verbose_name_plural = _("epidemic source areas")

    def __str__(self) -> str:
        return f"{self.name} ({self.region_code})"


class Transport(models.TextChoices):
    TRAIN = "train", _("Train")
    FLIGHT = "flight", _("Flight")
    BUS = "bus", _("Coach")
    CAR = "car", _("Car")
    OTHER = "other", _("Other")


class Arrival(ScopedModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="arrivals")
    arrived_on = models.DateField(_("arrived on"), db_index=True)
    from_place = models.CharField(_("from"), max_length=100)
    from_code = models.CharField(_("from (region code)"), max_length=12, blank=True)
    via_codes = models.JSONField(_("passed through (region codes)"), default=list, blank=True)
    transport = models.CharField(
        _("transport"), max_length=10, choices=Transport.choices, blank=True
    )
    trip_number = models.CharField(_("trip number"), max_length=30, blank=True)
    # Derived when recorded, against the risk areas in force on the arrival date.
    touches_risk_area = models.BooleanField(default=False, db_index=True, editable=False)
    recorded_on = models.DateField(_("recorded on"))

    class Meta:
        verbose_name = _("arrival")
        verbose_name_plural = _("arrivals")

    def __str__(self) -> str:
        return f"{self.person} {self.arrived_on} ← {self.from_place}"


class PersonCategory(models.Model):
    """The deployment's key-person taxonomy (涉疫源地人员, 密切接触者, 发热人员, ...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=50)
    description = models.CharField(_("description"), max_length=200, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("key-person category")
        verbose_name_plural = _("key-person categories")

    def __str__(self) -> str:
        return self.name


class CategoryAssignment(ScopedModel, DatedModel):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="categories")
    category = models.ForeignKey(PersonCategory, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("category assignment")

    def __str__(self) -> str:
        return f"{self.person} ∈ {self.category}"


class DuplicateDismissal(models.Model):
    """Two records a person reviewed and found to be different people: not shown again."""

    person_low = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_high = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    dismissed_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person_low", "person_high"], name="dismissal_pair"),
            models.CheckConstraint(
                condition=Q(person_low__lt=models.F("person_high")), name="dismissal_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_low_id} ≠ {self.person_high_id}"
