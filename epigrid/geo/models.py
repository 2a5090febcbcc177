"""The jurisdiction tree: city > subdistrict > village/community > big grid > small grid."""

from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from epigrid.core.models import DatedModel, VersionedModel


class Kind(models.TextChoices):
    CITY = "city", _("City")
    SUBDISTRICT = "subdistrict", _("Subdistrict")
    VILLAGE = "village", _("Village")
    COMMUNITY = "community", _("Community")
    BIG_GRID = "big_grid", _("Big grid")
    SMALL_GRID = "small_grid", _("Small grid")


# Which kinds of node may sit directly under which: the shape of 网格化 in the seed.
CHILD_KINDS: dict[str | None, tuple[str, ...]] = {
    None: (Kind.CITY, Kind.SUBDISTRICT),
    Kind.CITY: (Kind.SUBDISTRICT,),
    Kind.SUBDISTRICT: (Kind.VILLAGE, Kind.COMMUNITY),
    Kind.VILLAGE: (Kind.BIG_GRID,),
    Kind.COMMUNITY: (Kind.BIG_GRID,),
    Kind.BIG_GRID: (Kind.SMALL_GRID,),
    Kind.SMALL_GRID: (),
}

SEPARATOR = "."


def path_of(code: str) -> str:
    """The materialized path of a code: a node lies inside another iff its path starts with it."""
    return code + SEPARATOR


def code_contains(outer: str, inner: str) -> bool:
    """Whether the node coded `inner` lies inside (or is) the node coded `outer`."""
    return path_of(inner).startswith(path_of(outer))


def within_q(path: str, field: str = "jpath") -> Q:
    """Rows whose `field` lies inside `path`, as a filter an index can answer on both databases.

    SQLite cannot use an index for LIKE with ESCAPE, but its BINARY collation makes a range
    exact: every path inside 'x.' sorts in ['x.', 'x/'). PostgreSQL's locale collations do not
    order punctuation bytewise, so there the prefix LIKE (with its varchar_pattern_ops index,
    which Django adds for indexed CharFields) is the exact form.
    """
    if connection.vendor == "sqlite":
        upper = path[:-1] + chr(ord(SEPARATOR) + 1)
        return Q(**{f"{field}__gte": path, f"{field}__lt": upper})
    return Q(**{f"{field}__startswith": path})


class Jurisdiction(VersionedModel, DatedModel):
    code = models.CharField(_("code"), max_length=64, unique=True)
    path = models.CharField(max_length=80, unique=True, editable=False)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    depth = models.PositiveSmallIntegerField(editable=False)

    class Meta:
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        indexes = [
            models.Index(fields=["kind", "path"], name="geo_kind_path"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(active_until__isnull=True)
                | models.Q(active_until__gt=models.F("active_from")),
                name="geo_active_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_grid(self) -> bool:
        return self.kind in (Kind.BIG_GRID, Kind.SMALL_GRID)

    def allowed_child_kinds(self) -> tuple[str, ...]:
        return CHILD_KINDS[self.kind]

    def contains(self, other: "Jurisdiction") -> bool:
        return other.path.startswith(self.path)
