"""The people who do the work: grid workers (网格员), teams, and grid responsibilities."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from epigrid.core.models import DatedModel, ScopedModel, VersionedModel
from epigrid.geo.models import Jurisdiction


class StaffCategory(models.TextChoices):
    CADRE = "cadre", _("Cadre")
    FAMILY_DOCTOR = "family_doctor", _("Family-contract doctor")
    POLICE = "police", _("Police officer")
    SOCIAL_WORKER = "social_worker", _("Social worker")
    PARTY_VOLUNTEER = "party_volunteer", _("Party-member volunteer")
    NPC_DEPUTY = "npc_deputy", _("NPC deputy")
    CPPCC_MEMBER = "cppcc_member", _("CPPCC member")


class StaffMember(VersionedModel, ScopedModel, DatedModel):
    """A grid worker, placed in the jurisdiction node they work for."""

    name = models.CharField(_("name"), max_length=50)
    category = models.CharField(_("category"), max_length=20, choices=StaffCategory.choices)
    title = models.CharField(_("post"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    is_party_member = models.BooleanField(_("party member"), default=False)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("jurisdiction")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_member",
    )

    class Meta:
        verbose_name = _("grid worker")
        verbose_name_plural = _("grid workers")
        indexes = [models.Index(fields=["jurisdiction", "active_from"], name="staff_jur_from")]

    def __str__(self) -> str:
        return self.name


class TeamKind(models.TextChoices):
    STATIONED_WORK_GROUP = "stationed_work_group", _("Stationed work group")
    THREE_PERSON_TEAM = "three_person_team", _("Three-person team")
    TASK_FORCE = "task_force", _("Enterprise task force")
    MOBILE_PATROL = "mobile_patrol", _("Mobile patrol group")
    ENTERPRISE_PATROL = "enterprise_patrol", _("Enterprise patrol group")
    CONSTRUCTION_PATROL = "construction_patrol", _("Construction-site patrol group")
    PUBLICITY_SCREENING = "publicity_screening", _("Village publicity and screening group")
    VOLUNTEER_SQUAD = "volunteer_squad", _("Party-member volunteer squad")


# A three-person team is exactly that: at most three members at a time.
TEAM_SIZE_LIMITS: dict[str, int] = {TeamKind.THREE_PERSON_TEAM: 3}


class Team(VersionedModel, ScopedModel, DatedModel):
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=24, choices=TeamKind.choices)
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="+", verbose_name=_("jurisdiction")
    )
    leader = models.ForeignKey(
        StaffMember,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("leader"),
    )

    # Filled by selectors.team_list's prefetch: the members of today.
    current_memberships: list["TeamMembership"]

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class TeamMembership(DatedModel):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="memberships")

    class Meta:
        indexes = [models.Index(fields=["team", "active_until"], name="membership_team_active")]

    def __str__(self) -> str:
        return f"{self.staff} @ {self.team}"


class ResponsibilityKind(models.TextChoices):
    RESPONSIBLE_LEADER = "responsible_leader", _("Responsible leader")
    FIRST_RESPONSIBLE = "first_responsible", _("First responsible person")


class GridResponsibility(ScopedModel, DatedModel):
    """ "One grid, one leader": who answers for a village or grid, dated."""

    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("responsibility"), max_length=24, choices=ResponsibilityKind.choices)
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["jurisdiction", "kind"],
                condition=models.Q(active_until__isnull=True),
                name="one_current_responsibility",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.staff}"
