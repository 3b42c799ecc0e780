"""Geography and reference taxonomy: regions, districts, municipalities, sectors, needs, plans.

Sectors live here rather than in ``projects`` because needs and plan objectives (which
belong to a municipality) refer to them, and the dependency runs municipalities ← projects.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from common.bilingual import bilingual_text

REGION_PCODE = RegexValidator(r"^LY0[1-3]$", _("A region p-code is LY01, LY02 or LY03."))
DISTRICT_PCODE = RegexValidator(r"^LY0[1-3]\d{2}$", _("A district p-code is LY followed by four digits, e.g. LY0211."))
MUNICIPALITY_PCODE = RegexValidator(
    r"^LY0[1-3]\d{4}$", _("A municipality p-code is LY followed by six digits, e.g. LY021104.")
)
DAC5_CODE = RegexValidator(r"^\d{5}$", _("A DAC sector code has five digits."))


class BilingualNamed(models.Model):
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return bilingual_text(self.name_ar, self.name_en)


class Region(BilingualNamed):
    """Admin 1: East, West, South."""

    pcode = models.CharField(_("p-code"), max_length=4, unique=True, validators=[REGION_PCODE])
    area = models.MultiPolygonField(_("area"), srid=4326, null=True, blank=True)

    class Meta:
        ordering = ["pcode"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class District(BilingualNamed):
    """Admin 2: mantika / sha'biya (22)."""

    pcode = models.CharField(_("p-code"), max_length=6, unique=True, validators=[DISTRICT_PCODE])
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="districts", verbose_name=_("region"))
    iso_3166_2 = models.CharField(_("ISO 3166-2 code"), max_length=6, blank=True)
    area = models.MultiPolygonField(_("area"), srid=4326, null=True, blank=True)
    area_is_official = models.BooleanField(_("official boundary"), default=False)
    area_source = models.CharField(_("boundary source"), max_length=200, blank=True)

    class Meta:
        ordering = ["pcode"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def clean(self) -> None:
        if self.region_id and self.pcode and not self.pcode.startswith(self.region.pcode):
            raise ValidationError({"pcode": _("A district's p-code must start with its region's p-code.")})


class Municipality(BilingualNamed):
    """Baladiya, the main unit of work.

    OCHA lists 100 baladiyat with 8-character p-codes; the ministry's list is longer and
    its extra municipalities have no OCHA p-code yet, so ``pcode`` may be empty and
    ``slug`` is the stable key for every row.
    """

    pcode = models.CharField(
        _("p-code"), max_length=8, unique=True, null=True, blank=True, validators=[MUNICIPALITY_PCODE]
    )
    slug = models.SlugField(_("key"), max_length=80, unique=True)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("district")
    )
    point = models.PointField(_("location"), srid=4326, null=True, blank=True)
    point_source = models.CharField(_("location source"), max_length=200, blank=True)
    area = models.MultiPolygonField(_("area"), srid=4326, null=True, blank=True)
    area_is_official = models.BooleanField(
        _("official boundary"),
        default=False,
        help_text=_("False when the area is derived (approximate), e.g. from the points of neighbouring municipalities."),
    )
    area_source = models.CharField(_("boundary source"), max_length=200, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(
        _("population year"), null=True, blank=True, validators=[MinValueValidator(1950), MaxValueValidator(2100)]
    )
    population_source = models.CharField(_("population source"), max_length=200, blank=True)
    displaced = models.PositiveIntegerField(_("internally displaced people"), null=True, blank=True)
    returnees = models.PositiveIntegerField(_("returnees"), null=True, blank=True)
    displacement_source = models.CharField(_("displacement source"), max_length=200, blank=True)
    in_ocha_list = models.BooleanField(_("in OCHA's list"), default=False)

    class Meta:
        ordering = ["district__pcode", "name_en"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.CheckConstraint(
                condition=Q(pcode__isnull=True) | Q(pcode__regex=r"^LY0[1-3][0-9]{4}$"),
                name="municipality_pcode_format",
            ),
        ]

    def clean(self) -> None:
        if self.pcode and self.district_id and not self.pcode.startswith(self.district.pcode):
            raise ValidationError({"pcode": _("A municipality's p-code must start with its district's p-code.")})
        if self.population is not None and not self.population_year:
            raise ValidationError({"population_year": _("Give the year of the population figure.")})


class Sector(BilingualNamed):
    """The national sector list; each maps to one or more DAC 5-digit codes (IATI vocabulary 1)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    related = models.ManyToManyField(
        "self", blank=True, symmetrical=True, verbose_name=_("related sectors"),
        help_text=_("Sectors whose projects may do the same work (used when looking for duplicates)."),
    )

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")


class DacSector(models.Model):
    code = models.CharField(_("DAC 5-digit code"), max_length=5, unique=True, validators=[DAC5_CODE])
    name_en = models.CharField(_("name (English)"), max_length=200)
    sector = models.ForeignKey(Sector, on_delete=models.CASCADE, related_name="dac_codes", verbose_name=_("sector"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("DAC sector code")
        verbose_name_plural = _("DAC sector codes")

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"


class Need(models.Model):
    """A municipality's need in one sector, as assessed by a source on a date."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="needs", verbose_name=_("municipality")
    )
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="needs", verbose_name=_("sector"))
    severity = models.PositiveSmallIntegerField(
        _("severity"), validators=[MinValueValidator(1), MaxValueValidator(5)], help_text=_("1 (minimal) to 5 (catastrophic)")
    )
    people_in_need = models.PositiveIntegerField(_("people in need"), null=True, blank=True)
    displaced = models.PositiveIntegerField(_("displaced people"), null=True, blank=True)
    returnees = models.PositiveIntegerField(_("returnees"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200)
    assessed_on = models.DateField(_("assessment date"))

    class Meta:
        ordering = ["municipality", "sector", "-assessed_on"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        constraints = [
            models.CheckConstraint(condition=Q(severity__gte=1) & Q(severity__lte=5), name="need_severity_1_5"),
            models.UniqueConstraint(
                fields=["municipality", "sector", "source", "assessed_on"], name="need_unique_per_source_date"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} / {self.sector}: {self.severity}"


class DevelopmentPlan(models.Model):
    """The state's general plan, a sector's plan, or one municipality's local development plan."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        SECTOR = "sector", _("Sector")
        MUNICIPAL = "municipal", _("Municipal")

    class Status(models.TextChoices):
        APPROVED = "approved", _("Approved")
        DRAFT = "draft", _("Draft")

    code = models.CharField(_("code"), max_length=60, unique=True, null=True, blank=True,
                            help_text=_("The plan's own reference; a re-import with the same code updates the plan."))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, null=True, blank=True, related_name="plans",
        verbose_name=_("municipality"),
    )
    sector = models.ForeignKey(
        Sector, on_delete=models.PROTECT, null=True, blank=True, related_name="sector_plans",
        verbose_name=_("sector"), help_text=_("For a sector plan: the sector it covers."),
    )
    title_ar = models.CharField(_("title (Arabic)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    owner_body = models.CharField(_("owner body"), max_length=300, blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(_("source"), max_length=300, blank=True)
    uri = models.URLField(_("URI"), max_length=500, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["level", "-start_year"]
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        constraints = [
            models.CheckConstraint(
                condition=(Q(level__in=["national", "sector"]) & Q(municipality__isnull=True))
                | (Q(level="municipal") & Q(municipality__isnull=False)),
                name="plan_level_matches_municipality",
            ),
            models.CheckConstraint(condition=Q(end_year__gte=models.F("start_year")), name="plan_years_ordered"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return bilingual_text(self.title_ar, self.title_en)

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    def clean(self) -> None:
        errors = {}
        if self.level == self.Level.MUNICIPAL and not self.municipality_id:
            errors["municipality"] = _("A municipal plan needs its municipality.")
        if self.level != self.Level.MUNICIPAL and self.municipality_id:
            errors["municipality"] = _("Only a municipal plan belongs to a municipality.")
        if self.start_year and self.end_year and self.end_year < self.start_year:
            errors["end_year"] = _("The last year cannot come before the first.")
        if errors:
            raise ValidationError(errors)


class PlanObjective(models.Model):
    """An objective of a plan (or a sub-objective, with its ``parent``), with what it covers and costs.

    ``sector`` is the lead sector (kept for the pages that show one); ``sectors`` holds every sector
    the objective concerns, the lead one included."""

    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="objectives", verbose_name=_("plan"))
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children",
        verbose_name=_("parent objective"),
    )
    code = models.CharField(_("code"), max_length=30)
    title_ar = models.CharField(_("title (Arabic)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    sector = models.ForeignKey(
        Sector, on_delete=models.SET_NULL, null=True, blank=True, related_name="objectives", verbose_name=_("sector")
    )
    sectors = models.ManyToManyField(Sector, blank=True, related_name="plan_objectives",
                                     verbose_name=_("sectors"))
    sdg_targets = models.JSONField(_("SDG targets"), default=list, blank=True,
                                   help_text=_("SDG goals or targets, e.g. 6 or 6.1."))
    municipalities = models.ManyToManyField(Municipality, blank=True, related_name="plan_objectives",
                                            verbose_name=_("municipalities concerned"))
    cost_estimate = models.DecimalField(_("cost estimate"), max_digits=16, decimal_places=2, null=True, blank=True,
                                        validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="LYD",
                                validators=[RegexValidator(r"^[A-Z]{3}$", _("A currency is three capital letters."))])
    indicators = models.JSONField(_("indicators"), default=list, blank=True,
                                  help_text=_("Each with its name, baseline and target."))
    priority_rank = models.PositiveSmallIntegerField(_("priority rank"), null=True, blank=True,
                                                     help_text=_("1 is the plan's first priority."))

    class Meta:
        ordering = ["plan", "code"]
        verbose_name = _("plan objective")
        verbose_name_plural = _("plan objectives")
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="objective_code_unique_in_plan")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        return bilingual_text(self.title_ar, self.title_en)

    def clean(self) -> None:
        if self.parent_id and self.parent.plan_id != self.plan_id:
            raise ValidationError({"parent": _("A sub-objective belongs to its parent's plan.")})


ALLOCATION_CURRENCY = RegexValidator(r"^[A-Z]{3}$", _("A currency is a three-letter ISO 4217 code, e.g. LYD, USD."))
# The usual source of a municipality's allocation: the development chapter of the state budget, paid by the
# Ministry of Finance (stored as written, so other sources can be recorded beside it).
DEFAULT_ALLOCATION_SOURCE = "وزارة المالية — باب التنمية"


class DevelopmentAllocation(models.Model):
    """The state's yearly development money given to a municipality (مخصصات باب التنمية).

    One row per municipality, year and source: importing the same allocation again updates it."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("municipality")
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2,
                                 validators=[MinValueValidator(0)])
    currency = models.CharField(_("currency"), max_length=3, default="LYD", validators=[ALLOCATION_CURRENCY])
    source = models.CharField(_("source"), max_length=200, default=DEFAULT_ALLOCATION_SOURCE,
                              help_text=_("Who gives the money, e.g. the Ministry of Finance's development chapter."))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("last changed by"),
    )
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["municipality", "-year", "source"]
        verbose_name = _("development allocation")
        verbose_name_plural = _("development allocations")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year", "source"], name="allocation_unique_per_source"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="allocation_amount_non_negative"),
            models.CheckConstraint(condition=Q(year__gte=1990) & Q(year__lte=2100), name="allocation_year_range"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year}: {self.amount} {self.currency}"

    def clean(self) -> None:
        if self.currency:
            self.currency = self.currency.upper()


class PlaceName(models.Model):
    """One name under which a place is written, tied to its municipality: the gazetteer (``gazetteer.py``).

    A municipality's own names (OCHA's, OCHA's other spelling, the ministry's, names staff add) have no
    ``kind``; a place inside a municipality (a city district, a village, a town GeoNames lists) has a kind
    and usually a point. ``key`` is the name's normalised look-up key, kept so the table can be searched."""

    class Source(models.TextChoices):
        OCHA = "ocha", _("OCHA")
        OCHA_ALT = "ocha_alt", _("OCHA's other spelling")
        MINISTRY = "ministry", _("Ministry of Local Government")
        GEONAMES = "geonames", _("GeoNames")
        STAFF = "staff", _("Ministry staff")

    class Script(models.TextChoices):
        ARABIC = "ar", _("Arabic")
        LATIN = "latin", _("Latin letters")

    class Kind(models.TextChoices):
        MUNICIPALITY = "", _("the municipality itself")
        TOWN = "town", _("town")
        DISTRICT = "district", pgettext_lazy("part of a city", "city district")
        VILLAGE = "village", _("village")
        NEIGHBOURHOOD = "neighbourhood", _("neighbourhood")

    name = models.CharField(_("name"), max_length=200)
    script = models.CharField(_("script"), max_length=5, choices=Script.choices)
    key = models.CharField(_("look-up key"), max_length=200, db_index=True)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="place_names", verbose_name=_("municipality"))
    kind = models.CharField(_("kind of place"), max_length=15, choices=Kind.choices, blank=True, default="")
    point = models.PointField(_("location"), srid=4326, null=True, blank=True)
    source_ref = models.CharField(_("source reference"), max_length=40, blank=True)  # e.g. a GeoNames id
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("added by"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["municipality_id", "source", "name"]
        verbose_name = _("place name")
        verbose_name_plural = _("place names")
        constraints = [
            models.UniqueConstraint(fields=["name", "source", "municipality"], name="placename_unique_per_source"),
        ]

    def __str__(self) -> str:
        return self.name


class UnresolvedPlace(models.Model):
    """A place name an import met that the gazetteer could not place on one municipality (none, or several).

    One row per look-up key: ``count`` adds up the times imports met it; ``job_id`` is the last import
    job that did (a job of ``projects.exchange``, kept as a number: geography does not depend on projects).
    Staff resolve it once: the name becomes a ``PlaceName`` (source staff) and the row says who and when."""

    class Status(models.TextChoices):
        UNRESOLVED = "unresolved", _("no municipality")
        AMBIGUOUS = "ambiguous", _("several municipalities")
        RESOLVED = "resolved", _("resolved by staff")

    name = models.CharField(_("name as written"), max_length=200)
    key = models.CharField(_("look-up key"), max_length=200, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.UNRESOLVED)
    count = models.PositiveIntegerField(_("times met"), default=0)
    suggestions = models.JSONField(_("suggestions"), default=list, blank=True)
    source = models.CharField(_("imported from"), max_length=20, blank=True)
    job_id = models.PositiveIntegerField(_("last import job"), null=True, blank=True)
    first_seen = models.DateTimeField(_("first met"), auto_now_add=True)
    last_seen = models.DateTimeField(_("last met"), auto_now=True)
    resolved_to = models.ForeignKey(
        Municipality, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("resolved to"))
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("resolved by"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["status", "-count", "name"]
        verbose_name = _("unresolved place name")
        verbose_name_plural = _("unresolved place names")

    def __str__(self) -> str:
        return self.name
