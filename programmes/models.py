from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from programmes.columns import EXPORT_COLUMNS, default_columns
from programmes.rules import Criteria, criteria_errors

# The registry's choices, repeated here as plain codes: the catalogue sits below the
# registry (a consent names a programme) and must not import it. tests/programmes checks
# they stay equal to registry.models.people's.
ACTOR_TYPES = [
    ("self_employed", _("Self-employed")),
    ("microenterprise_owner", _("Micro-enterprise owner")),
    ("microenterprise_worker", _("Micro-enterprise worker")),
    ("seasonal_worker", _("Seasonal worker")),
]
SECTORS = [
    ("agriculture", _("Agriculture")),
    ("manufacturing", _("Manufacturing")),
    ("construction", _("Construction")),
    ("wholesale_retail", _("Wholesale and retail")),
    ("transport", _("Transport")),
    ("accommodation_food", _("Accommodation and food")),
    ("services", _("Services")),
    ("other", _("Other")),
]
CHANNELS = [
    ("self", _("Self-registration (web)")),
    ("app", _("Mobile app")),
    ("branch", _("Partner-bank branch")),
    ("bulk", _("Bulk file")),
    ("api", _("Partner system (API)")),
    ("campaign", _("Outreach campaign")),
]
SEXES = [("F", _("Female")), ("M", _("Male"))]


class Programme(models.Model):
    """A benefit programme registrants can consent to be reached by (NSSF, training...).

    Its consent purpose is the programme itself (registry.Consent.programme); its officers
    are the programme officers whose role assignment names it (accounts.RoleAssignment).
    """

    class Kind(models.TextChoices):
        SOCIAL_SECURITY = "social_security", _("Social security (NSSF)")
        SKILLS = "skills", _("Skills training")
        FINANCE = "finance", _("Financial services")
        TAX = "tax", _("Tax relief")
        SOCIAL_PROTECTION = "social_protection", _("Social protection and crisis help")
        ARREARS = "arrears", _("Arrears relief")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    name_km = models.CharField(_("name (Khmer)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_km = models.TextField(_("description (Khmer)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    columns = ArrayField(
        models.CharField(max_length=30, choices=list(EXPORT_COLUMNS.items())),
        verbose_name=_("columns it receives"),
        default=default_columns,
        help_text=_("What each export file holds about a person, from the documented list."),
    )
    retention_days = models.PositiveSmallIntegerField(
        _("days an export file is kept"),
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    receives_targeting = models.BooleanField(
        _("receives crisis lists"),
        default=False,
        help_text=_("Crisis targeting can send lists of affected people to this programme."),
    )

    class Meta:
        db_table = "registry_programme"
        ordering = ["code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if get_language() == "en" else self.name_km

    @property
    def description(self) -> str:
        return self.description_en if get_language() == "en" else self.description_km

    def clean(self) -> None:
        unknown = [c for c in self.columns if c not in EXPORT_COLUMNS]
        if unknown:
            raise ValidationError({"columns": _("Choose columns from the list only.")})


class EligibilityRule(models.Model):
    """Who a programme is for, as data an administrator or its officers edit.

    Every criterion left empty selects everyone; the criteria filled in must all hold.
    sharing.eligibility evaluates it (one function for counts, exports, deltas, targeting
    and the registrant's page).
    """

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="rule", verbose_name=_("programme")
    )
    actor_types = ArrayField(
        models.CharField(max_length=30, choices=ACTOR_TYPES),
        default=list,
        blank=True,
        verbose_name=_("actor types"),
    )
    sectors = ArrayField(
        models.CharField(max_length=30, choices=SECTORS),
        default=list,
        blank=True,
        verbose_name=_("sectors"),
    )
    sex = models.CharField(_("sex"), max_length=1, choices=SEXES, blank=True)
    age_min = models.PositiveSmallIntegerField(
        _("lowest age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    age_max = models.PositiveSmallIntegerField(
        _("highest age"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    age_on = models.DateField(
        _("age on"),
        null=True,
        blank=True,
        help_text=_("The date ages are counted on; empty means the day of the export."),
    )
    area_codes = ArrayField(
        models.CharField(max_length=6),
        default=list,
        blank=True,
        verbose_name=_("areas"),
        help_text=_("Provinces, districts or communes, by their official codes."),
    )
    registered_since = models.DateField(_("registered on or after"), null=True, blank=True)
    registered_before = models.DateField(_("registered before"), null=True, blank=True)
    channels = ArrayField(
        models.CharField(max_length=12, choices=CHANNELS),
        default=list,
        blank=True,
        verbose_name=_("registration channels"),
    )
    workers_min = models.PositiveIntegerField(_("fewest workers"), null=True, blank=True)
    workers_max = models.PositiveIntegerField(_("most workers"), null=True, blank=True)
    seasonal_months = ArrayField(
        models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(12)]),
        default=list,
        blank=True,
        verbose_name=_("works in these months"),
    )
    has_phone = models.BooleanField(_("has a phone"), null=True, blank=True)
    has_national_id = models.BooleanField(_("has a national ID"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("eligibility rule")
        verbose_name_plural = _("eligibility rules")

    def __str__(self) -> str:
        return str(self.programme)

    def criteria(self) -> Criteria:
        return Criteria.from_object(self)

    def clean(self) -> None:
        errors = criteria_errors(self.criteria())
        if errors:
            raise ValidationError(errors)
