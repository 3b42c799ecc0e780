"""Partners, programmes, projects and what hangs off them; exchange rates for every money total."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.contrib.gis.db import models
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.bilingual import bilingual_text
from common.text import search_fold
from municipalities.models import Municipality, PlanObjective, Sector
from projects.codelists import currency_is_known, sdg_tags_clean

UNKNOWN_CURRENCY = _("This is not a currency of the ISO 4217 list (IATI's Currency codelist): give a code such as "
                     "USD, EUR or LYD.")
CURRENCY = RegexValidator(r"^[A-Z]{3}$", _("A currency is a three-letter ISO 4217 code, e.g. USD, EUR, LYD."))
NON_NEGATIVE = MinValueValidator(Decimal("0"))
PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]
MONEY = {"max_digits": 16, "decimal_places": 2}


class ActivityStatus(models.IntegerChoices):
    """IATI ActivityStatus codelist."""

    PIPELINE = 1, _("Pipeline / identification")
    IMPLEMENTATION = 2, _("Implementation")
    FINALISATION = 3, _("Finalisation")
    CLOSED = 4, _("Closed")
    CANCELLED = 5, _("Cancelled")
    SUSPENDED = 6, _("Suspended")


class OrganisationRole(models.IntegerChoices):
    """IATI OrganisationRole codelist."""

    FUNDING = 1, _("Funding")
    ACCOUNTABLE = 2, _("Accountable")
    EXTENDING = 3, _("Extending")
    IMPLEMENTING = 4, _("Implementing")


class RelatedActivityType(models.IntegerChoices):
    PARENT = 1, _("Parent")
    CHILD = 2, _("Child")
    SIBLING = 3, _("Sibling")
    CO_FUNDED = 4, _("Co-funded")
    THIRD_PARTY = 5, _("Third party")


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    RETURNED = "returned", _("Returned")


class ReportingFrequency(models.IntegerChoices):
    """How many months one reporting period covers."""

    MONTHLY = 1, _("Monthly")
    QUARTERLY = 3, _("Quarterly")
    HALF_YEARLY = 6, _("Every six months")
    YEARLY = 12, _("Yearly")


class Partner(models.Model):
    """An organisation in the portfolio. The Libyan state's own bodies are partners too (a ministry:
    ``GOVERNMENT``; a municipal council: ``LOCAL_GOVERNMENT``, linked to its municipality; both with country
    LY), so their projects sit beside the international partners'. IATI's type 10 also covers donor
    governments (BMZ, FCDO, USAID...): only a Libyan one is a government body here (``is_government``)."""

    class OrgType(models.IntegerChoices):
        """IATI OrganisationType codelist."""

        GOVERNMENT = 10, _("Government")
        LOCAL_GOVERNMENT = 11, _("Local government")
        OTHER_PUBLIC = 15, _("Other public sector")
        INTERNATIONAL_NGO = 21, _("International NGO")
        NATIONAL_NGO = 22, _("National NGO")
        REGIONAL_NGO = 23, _("Regional NGO")
        PARTNER_COUNTRY_NGO = 24, _("Partner country based NGO")
        PUBLIC_PRIVATE = 30, _("Public private partnership")
        MULTILATERAL = 40, _("Multilateral")
        FOUNDATION = 60, _("Foundation")
        PRIVATE_SECTOR = 70, _("Private sector")
        ACADEMIC = 80, _("Academic, training and research")
        OTHER = 90, _("Other")

    name_ar = models.CharField(_("name (Arabic)"), max_length=250)
    name_en = models.CharField(_("name (English)"), max_length=250)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    org_type = models.PositiveSmallIntegerField(_("organisation type"), choices=OrgType.choices)
    iati_ref = models.CharField(
        _("IATI organisation identifier"), max_length=100, unique=True, null=True, blank=True,
        help_text=_("For example XM-DAC-41114 (UNDP)."),
    )
    country = models.CharField(_("country (ISO 3166-1)"), max_length=2, blank=True)
    website = models.URLField(_("website"), blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, related_name="councils",
        verbose_name=_("municipality of the council"),
        help_text=_("For a municipal council (local government): the municipality it runs."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.CheckConstraint(condition=Q(municipality__isnull=True) | Q(org_type=11),
                                   name="partner_municipality_only_for_councils"),
        ]

    def __str__(self) -> str:
        return self.acronym or self.name_en or self.name_ar

    @property
    def is_government(self) -> bool:
        return self.org_type in GOVERNMENT_ORG_TYPES and self.country == LIBYA

    def clean(self) -> None:
        if self.municipality_id and not self.country:
            self.country = LIBYA
        if self.municipality_id and self.country != LIBYA:
            raise ValidationError({"country": _("A municipal council is Libyan (LY).")})
        if self.municipality_id and self.org_type != self.OrgType.LOCAL_GOVERNMENT:
            raise ValidationError({"municipality": _("Only a municipal council (local government) is linked to a "
                                                     "municipality.")})


# The Libyan state's own bodies: these organisation types with country LY. A project they fund is a
# government project (projects.selectors.government).
LIBYA = "LY"
GOVERNMENT_ORG_TYPES = (Partner.OrgType.GOVERNMENT, Partner.OrgType.LOCAL_GOVERNMENT)


def government_body_q(prefix: str = "") -> Q:
    """The partners that are government bodies, as a filter (``prefix``: the path to the partner)."""
    return Q(**{f"{prefix}org_type__in": list(GOVERNMENT_ORG_TYPES), f"{prefix}country": LIBYA})


class FocalPoint(models.Model):
    """A user who reports for one partner."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="focal_point", verbose_name=_("user")
    )
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="focal_points", verbose_name=_("partner"))
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    # Empty means the site's language (Arabic unless the deployment says otherwise), so a deployment's
    # LANGUAGE_CODE still decides for everyone who has not chosen.
    language = models.CharField(
        _("e-mail language"), max_length=10, choices=settings.LANGUAGES, blank=True, default="",
        help_text=_("The language of the reminder e-mails this focal point receives; when empty, the site's "
                    "language."),
    )

    class Meta:
        verbose_name = _("focal point")
        verbose_name_plural = _("focal points")

    def __str__(self) -> str:
        return f"{self.user} ({self.partner})"


class Programme(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("lead partner"))
    code = models.CharField(_("code"), max_length=60, blank=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=400, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=400, blank=True)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta:
        ordering = ["partner", "code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        constraints = [
            models.CheckConstraint(
                condition=Q(title_ar__gt="") | Q(title_en__gt=""), name="programme_has_a_title"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="programme_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.title_ar or self.title_en

    def clean(self) -> None:
        if not (self.title_ar or self.title_en):
            raise ValidationError(_("Give a title in Arabic or English."))
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end date cannot come before the start date.")})


def _dates_ordered(start: str, end: str) -> Q:
    return Q(**{f"{end}__isnull": True}) | Q(**{f"{start}__isnull": True}) | Q(**{f"{end}__gte": F(start)})


SEARCHED_FIELDS = ("title_ar", "title_en", "iati_identifier", "partner_code")


def project_search_text(title_ar: str, title_en: str, iati_identifier: str | None = "", partner_code: str = "") -> str:
    """What ``Project.search_text`` holds: both titles, the IATI identifier and the partner's code, folded
    (``common.text.search_fold``), one per line so a search never matches across two of them."""
    return "\n".join(search_fold(v or "") for v in (title_ar, title_en, iati_identifier, partner_code))


class Project(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.SET_NULL, null=True, blank=True, related_name="projects", verbose_name=_("programme")
    )
    reporting_partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="reported_projects", verbose_name=_("reporting partner"),
        help_text=_("The organisation whose focal points keep this record."),
    )
    iati_identifier = models.CharField(_("IATI identifier"), max_length=150, unique=True, null=True, blank=True)
    partner_code = models.CharField(_("partner's project code"), max_length=100, blank=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=500, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    status = models.PositiveSmallIntegerField(_("status"), choices=ActivityStatus.choices, default=ActivityStatus.PIPELINE)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned end"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual end"), null=True, blank=True)
    budget = models.DecimalField(_("budget"), **MONEY, null=True, blank=True, validators=[NON_NEGATIVE])
    # IATI's revised budget (budget type 2), beside the original one (``budget``), in the same currency
    budget_revised = models.DecimalField(_("revised budget"), **MONEY, null=True, blank=True,
                                         validators=[NON_NEGATIVE])
    currency = models.CharField(_("currency"), max_length=3, default="USD", validators=[CURRENCY])
    spend_to_date = models.DecimalField(_("spend to date"), **MONEY, default=Decimal("0"), validators=[NON_NEGATIVE])
    beneficiaries_targeted = models.PositiveIntegerField(_("beneficiaries targeted"), null=True, blank=True)
    beneficiaries_reached = models.PositiveIntegerField(_("beneficiaries reached"), null=True, blank=True)
    progress_percent = models.DecimalField(
        _("progress (%)"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT
    )
    state = models.CharField(_("review state"), max_length=10, choices=ReviewState.choices, default=ReviewState.DRAFT)
    # db_default: the bulk writers (demo data, imports) insert rows with their own column lists.
    reporting_frequency = models.PositiveSmallIntegerField(
        _("reporting frequency"), choices=ReportingFrequency.choices, default=ReportingFrequency.QUARTERLY,
        db_default=ReportingFrequency.QUARTERLY,
        help_text=_("How often the partner reports progress on this project (calendar periods)."),
    )
    sectors = models.ManyToManyField(Sector, through="ProjectSector", related_name="projects", verbose_name=_("sectors"))
    municipalities = models.ManyToManyField(
        Municipality, through="ProjectLocation", related_name="projects", verbose_name=_("municipalities")
    )
    partners = models.ManyToManyField(
        Partner, through="Participation", related_name="projects", verbose_name=_("participating partners")
    )
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="reported_again_as",
        verbose_name=_("duplicate of"),
        help_text=_("Set when the committee confirms this record reports the same project as another: "
                    "money totals count the other record only."),
    )
    plan_objectives = models.ManyToManyField(
        PlanObjective, blank=True, related_name="projects", verbose_name=_("plan objectives")
    )
    # SDG goals, targets or indicators the partner tags the project with ("6", "6.1", "6.1.1"), as read from
    # IATI (tag vocabularies 2 / 3, sector vocabularies 7 / 8 / 9): the alignment suggestions read them.
    sdg_tags = models.JSONField(_("SDG tags"), default=list, blank=True, db_default=[],
                                help_text=_("SDG goals, targets or indicators, e.g. 6, 6.1 or 6.1.1."))
    # IATI classifications, kept as the file gave them (codes of the AidType, FinanceType, FlowType,
    # TiedStatus and CollaborationType codelists; policy markers as [vocabulary, code, significance]) so that
    # an import loses none of them and the export writes them back.
    humanitarian = models.BooleanField(_("humanitarian"), null=True, blank=True)
    policy_markers = models.JSONField(_("policy markers"), default=list, blank=True, db_default=[])
    aid_type = models.CharField(_("aid type"), max_length=10, blank=True, default="", db_default="")
    finance_type = models.CharField(_("finance type"), max_length=4, blank=True, default="", db_default="")
    flow_type = models.CharField(_("flow type"), max_length=4, blank=True, default="", db_default="")
    tied_status = models.CharField(_("tied status"), max_length=4, blank=True, default="", db_default="")
    collaboration_type = models.CharField(_("collaboration type"), max_length=4, blank=True, default="",
                                          db_default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("created by"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    # db_default: the bulk writers (demo data, imports) insert rows with their own column lists.
    review_comment = models.TextField(_("reviewer's comment"), blank=True, default="", db_default="")
    # Who the review notes above (submitted by/at, reviewed by/at, the comment) were written for: the partner
    # reporting the project when they were written. They stay that partner's when the ministry moves the
    # project to another one (projects.permissions.project_review_notes_visible); set by project_save.
    review_notes_partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, editable=False, related_name="+",
        verbose_name=_("partner of the review notes"),
    )
    # The titles and codes folded for search (``project_search_text``), derived on every save and by the bulk writers, so
    # the title search is a substring test on one column, which a trigram index serves on PostgreSQL (0012).
    search_text = models.TextField(_("search text"), blank=True, default="", db_default="", editable=False)
    history = HistoricalRecords(excluded_fields=["updated_at", "search_text"])

    class Meta:
        ordering = ["-id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        # Object-level rules (projects.permissions) read these: the group says what kind of thing a
        # role may do, the focal point's partner says on which records.
        permissions = [
            ("oversee_project", _("Can see every partner's projects and updates in any review state")),
            ("manage_project", _("Can edit any partner's projects and updates")),
            ("review_project", _("Can accept or return submitted projects")),
        ]
        # PostgreSQL only, in migration 0012 (outside the model, as SQLite takes neither): the trigram index on
        # search_text, and the project list's default order (newest change first, ``project_sort``, with its
        # NULLS LAST) so a page of 100,000 projects stops after its rows.
        # project_money: every column the money figures read from a project (projects.selectors.money), so the
        # grouped sums over the whole portfolio read this narrow index (an index-only scan) instead of the table,
        # whose rows carry the titles, descriptions and search text (7 MB against 86 MB at 100,000 projects).
        indexes = [models.Index(fields=["status"]), models.Index(fields=["state"]),
                   models.Index(fields=["state", "submitted_at"], name="project_state_submitted"),
                   # The projects every figure counts (not a confirmed double report), read by id alone.
                   models.Index(fields=["id"], condition=Q(duplicate_of__isnull=True), name="project_not_duplicate"),
                   # Which of them are active on a day (coordination.selectors.gaps.active_project_condition),
                   # counted or listed from the index alone.
                   models.Index(fields=["status", "actual_start", "planned_start", "actual_end"],
                                condition=Q(duplicate_of__isnull=True), name="project_active_dates"),
                   models.Index(fields=["id", "duplicate_of", "status", "reporting_partner", "currency",
                                        "planned_start", "budget"], name="project_money")]
        constraints = [
            models.CheckConstraint(condition=Q(title_ar__gt="") | Q(title_en__gt=""), name="project_has_a_title"),
            models.CheckConstraint(condition=_dates_ordered("planned_start", "planned_end"), name="project_planned_dates_ordered"),
            models.CheckConstraint(condition=_dates_ordered("actual_start", "actual_end"), name="project_actual_dates_ordered"),
            models.CheckConstraint(condition=Q(budget__isnull=True) | Q(budget__gte=0), name="project_budget_non_negative"),
            models.CheckConstraint(condition=Q(budget_revised__isnull=True) | Q(budget_revised__gte=0),
                                   name="project_budget_revised_non_negative"),
            models.CheckConstraint(condition=Q(spend_to_date__gte=0), name="project_spend_non_negative"),
            models.CheckConstraint(
                condition=Q(progress_percent__gte=0) & Q(progress_percent__lte=100), name="project_progress_0_100"
            ),
            models.UniqueConstraint(
                fields=["reporting_partner", "partner_code"], condition=~Q(partner_code=""),
                name="project_partner_code_unique",
            ),
        ]

    def __str__(self) -> str:
        return bilingual_text(self.title_ar, self.title_en)

    def save(self, *args, **kwargs) -> None:
        # Not a side effect: the row's own derived column, kept equal to its titles however the row is saved.
        self.search_text = project_search_text(*(getattr(self, name) for name in SEARCHED_FIELDS))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(SEARCHED_FIELDS) & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not (self.title_ar or self.title_en):
            errors["title_ar"] = _("Give a title in Arabic or English.")
        if self.planned_start and self.planned_end and self.planned_end < self.planned_start:
            errors["planned_end"] = _("The planned end cannot come before the planned start.")
        if self.actual_start and self.actual_end and self.actual_end < self.actual_start:
            errors["actual_end"] = _("The actual end cannot come before the actual start.")
        if self.currency:
            self.currency = self.currency.upper()
            if not currency_is_known(self.currency):
                errors["currency"] = UNKNOWN_CURRENCY
        if self.sdg_tags:
            self.sdg_tags, unknown = sdg_tags_clean(self.sdg_tags)
            if unknown:
                errors["sdg_tags"] = _("Not an SDG goal, target or indicator: %(codes)s.") % {"codes": ", ".join(unknown)}
        duplicate_error = self._duplicate_of_error()
        if duplicate_error:
            errors["duplicate_of"] = duplicate_error
        if errors:
            raise ValidationError(errors)

    def _duplicate_of_error(self) -> str | None:
        """A record marked as a duplicate leaves the money totals to the one it duplicates: pointing at
        itself, or at a record that (through others) points back at it, would leave no record of the
        grant counted."""
        if self.duplicate_of_id is None or self.pk is None:
            return None
        if self.duplicate_of_id == self.pk:
            return _("A record cannot be a duplicate of itself.")
        seen: set[int] = set()
        current: int | None = self.duplicate_of_id
        while current is not None and current not in seen:  # seen: stop on a ring made before this rule
            if current == self.pk:
                return _("The record chosen is itself marked as a duplicate of this one (directly or through "
                         "others): one of them must count.")
            seen.add(current)
            current = Project.objects.filter(pk=current).values_list("duplicate_of_id", flat=True).first()
        return None


def validate_sector_split(percentages: Iterable[Decimal | int | float]) -> None:
    """A project's sector percentages must each be in (0, 100] and add up to 100."""
    values = [Decimal(str(p)) for p in percentages]
    if not values:
        raise ValidationError(_("Give at least one sector."), code="no_sector")
    if any(v <= 0 or v > 100 for v in values):
        raise ValidationError(_("Each sector's percentage must be more than 0 and at most 100."), code="bad_percent")
    if abs(sum(values) - Decimal("100")) > Decimal("0.01"):
        raise ValidationError(
            _("Sector percentages must add up to 100 (they add up to %(total)s).") % {"total": sum(values)},
            code="sector_sum",
        )


def validate_location_shares(shares: Iterable[Decimal | int | float | None]) -> None:
    """Municipality shares are optional; when given, all are given and they add up to 100."""
    values = list(shares)
    given = [Decimal(str(v)) for v in values if v is not None]
    if not given:
        return
    if len(given) != len(values):
        raise ValidationError(_("Give a share for every municipality, or for none."), code="partial_shares")
    if any(v <= 0 or v > 100 for v in given):
        raise ValidationError(_("Each share must be more than 0 and at most 100."), code="bad_share")
    if abs(sum(given) - Decimal("100")) > Decimal("0.01"):
        raise ValidationError(_("Municipality shares must add up to 100."), code="share_sum")


class Participation(models.Model):
    """A partner's part in a project, with its IATI role."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="participations")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="participations", verbose_name=_("partner"))
    role = models.PositiveSmallIntegerField(_("role"), choices=OrganisationRole.choices)
    activity_id = models.CharField(
        _("partner's own IATI activity identifier"), max_length=150, blank=True,
        help_text=_("Links the same money reported by the funder and the implementer."),
    )

    class Meta:
        verbose_name = _("participating partner")
        verbose_name_plural = _("participating partners")
        constraints = [models.UniqueConstraint(fields=["project", "partner", "role"], name="participation_unique")]

    def __str__(self) -> str:
        return f"{self.partner} ({self.get_role_display()})"


class ProjectSector(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sector_shares")
    sector = models.ForeignKey(Sector, on_delete=models.PROTECT, related_name="project_shares", verbose_name=_("sector"))
    percentage = models.DecimalField(_("percentage"), max_digits=5, decimal_places=2, validators=PERCENT)
    # The DAC code the line came with (an IATI sector of vocabulary 1, five digits, or 2, a three-digit
    # category), kept as received: the national sector groups DAC codes, it does not replace them, and two
    # lines of one national sector stay two lines (even with one code: a file may split a code in two, as
    # SDC's does). Empty for lines entered here, which stay one per national sector.
    dac_code = models.CharField(_("DAC code"), max_length=5, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("project sector")
        verbose_name_plural = _("project sectors")
        constraints = [
            models.UniqueConstraint(fields=["project", "sector"], condition=Q(dac_code=""),
                                    name="project_sector_unique"),
            models.CheckConstraint(condition=Q(percentage__gt=0) & Q(percentage__lte=100), name="project_sector_percent_range"),
        ]

    def __str__(self) -> str:
        return f"{self.sector} {self.percentage}%"


class ProjectLocation(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="locations")
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="project_locations", verbose_name=_("municipality")
    )
    share = models.DecimalField(_("share (%)"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT)

    class Meta:
        verbose_name = _("project municipality")
        verbose_name_plural = _("project municipalities")
        constraints = [
            models.UniqueConstraint(fields=["project", "municipality"], name="project_location_unique"),
            models.CheckConstraint(
                condition=Q(share__isnull=True) | (Q(share__gt=0) & Q(share__lte=100)), name="project_location_share_range"
            ),
        ]

    def __str__(self) -> str:
        return str(self.municipality)


class Site(models.Model):
    """A named place where the work happens: a school, a substation, a clinic."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="sites")
    name_ar = models.CharField(_("name (Arabic)"), max_length=250, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=250, blank=True)
    point = models.PointField(_("location"), srid=4326)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.SET_NULL, null=True, blank=True, related_name="sites", verbose_name=_("municipality")
    )

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")

    def __str__(self) -> str:
        return self.name_ar or self.name_en or f"{self.point.y:.4f}, {self.point.x:.4f}"


class RelatedActivity(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="related_activities")
    relation = models.PositiveSmallIntegerField(_("relation"), choices=RelatedActivityType.choices)
    iati_identifier = models.CharField(_("related IATI identifier"), max_length=150)
    related_project = models.ForeignKey(
        Project, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("related project")
    )

    class Meta:
        verbose_name = _("related activity")
        verbose_name_plural = _("related activities")
        constraints = [
            models.UniqueConstraint(fields=["project", "relation", "iati_identifier"], name="related_activity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_relation_display()}: {self.iati_identifier}"


class Transaction(models.Model):
    class Type(models.IntegerChoices):
        """IATI TransactionType (the common ones)."""

        INCOMING_FUNDS = 1, _("Incoming funds")
        OUTGOING_COMMITMENT = 2, _("Outgoing commitment")
        DISBURSEMENT = 3, _("Disbursement")
        EXPENDITURE = 4, _("Expenditure")
        INCOMING_COMMITMENT = 11, _("Incoming commitment")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transactions")
    type = models.PositiveSmallIntegerField(_("type"), choices=Type.choices)
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), **MONEY, validators=[NON_NEGATIVE])
    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY])
    provider_org = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("provider")
    )
    provider_activity_id = models.CharField(_("provider activity identifier"), max_length=150, blank=True)
    receiver_org = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("receiver")
    )
    receiver_activity_id = models.CharField(_("receiver activity identifier"), max_length=150, blank=True)
    # IATI lets sectors be given on each transaction instead of the activity: [vocabulary, code] pairs as
    # received (vocabulary 1 a DAC 5-digit code), so that the export can give them back on the transaction
    sectors = models.JSONField(_("sectors (IATI vocabulary, code)"), default=list, blank=True, db_default=[])

    class Meta:
        ordering = ["project", "date"]
        verbose_name = _("transaction")
        verbose_name_plural = _("transactions")
        constraints = [models.CheckConstraint(condition=Q(value__gte=0), name="transaction_value_non_negative")]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.value} {self.currency} {self.date}"

    def clean(self) -> None:
        if self.currency and not currency_is_known(self.currency):
            raise ValidationError({"currency": UNKNOWN_CURRENCY})


class ProjectUpdate(models.Model):
    """A focal point's periodic report on a project, reviewed by the ministry."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="updates", verbose_name=_("project"))
    # The partner that wrote the update (the project's reporting partner when it was created). The update, its
    # files, new sites and review notes stay that partner's when the ministry moves the project to another one:
    # the new partner reads it only once accepted (projects.permissions.update_can_view).
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, editable=False, related_name="authored_updates",
        verbose_name=_("reporting partner"),
    )
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    progress_percent = models.DecimalField(_("progress (%)"), max_digits=5, decimal_places=2, validators=PERCENT)
    status = models.PositiveSmallIntegerField(_("status"), choices=ActivityStatus.choices)
    spend_to_date = models.DecimalField(_("spend to date"), **MONEY, default=Decimal("0"), validators=[NON_NEGATIVE])
    beneficiaries_reached = models.PositiveIntegerField(_("beneficiaries reached"), null=True, blank=True)
    narrative = models.TextField(_("narrative"), blank=True)
    problems = models.TextField(_("problems and causes of delay"), blank=True)
    state = models.CharField(_("review state"), max_length=10, choices=ReviewState.choices, default=ReviewState.DRAFT)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "-period_end"]
        verbose_name = _("project update")
        verbose_name_plural = _("project updates")
        permissions = [("review_projectupdate", _("Can accept or return submitted project updates"))]
        # The review queue reads the submitted updates in their submission order, a page at a time.
        indexes = [models.Index(fields=["state", "submitted_at"], name="update_state_submitted")]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="update_period_ordered"),
            models.CheckConstraint(
                condition=Q(progress_percent__gte=0) & Q(progress_percent__lte=100), name="update_progress_0_100"
            ),
            models.CheckConstraint(condition=Q(spend_to_date__gte=0), name="update_spend_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.period_start}–{self.period_end}"

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})
        if self.state == ReviewState.RETURNED and not self.review_comment:
            raise ValidationError({"review_comment": _("Say why the update is returned.")})


class ExchangeRate(models.Model):
    """How many US dollars one unit of a currency was worth in a year (staff-editable)."""

    currency = models.CharField(_("currency"), max_length=3, validators=[CURRENCY])
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    usd_per_unit = models.DecimalField(_("USD per unit"), max_digits=18, decimal_places=8, validators=[NON_NEGATIVE])
    source = models.CharField(_("source"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["currency", "-year"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "year"], name="exchange_rate_unique"),
            models.CheckConstraint(condition=Q(usd_per_unit__gt=0), name="exchange_rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.usd_per_unit} USD ({self.year})"

