from django.conf import settings
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from geography.models import Village


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


class ActorType(models.TextChoices):
    SELF_EMPLOYED = "self_employed", _("Self-employed")
    MICROENTERPRISE_OWNER = "microenterprise_owner", _("Micro-enterprise owner")
    MICROENTERPRISE_WORKER = "microenterprise_worker", _("Micro-enterprise worker")
    SEASONAL_WORKER = "seasonal_worker", _("Seasonal worker")


class Sector(models.TextChoices):
    AGRICULTURE = "agriculture", _("Agriculture")
    MANUFACTURING = "manufacturing", _("Manufacturing")
    CONSTRUCTION = "construction", _("Construction")
    WHOLESALE_RETAIL = "wholesale_retail", _("Wholesale and retail")
    TRANSPORT = "transport", _("Transport")
    ACCOMMODATION_FOOD = "accommodation_food", _("Accommodation and food")
    SERVICES = "services", _("Services")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    SELF = "self", _("Self-registration (web)")
    APP = "app", _("Mobile app")
    BRANCH = "branch", _("Partner-bank branch")
    BULK = "bulk", _("Bulk file")
    API = "api", _("Partner system (API)")
    CAMPAIGN = "campaign", _("Outreach campaign")


class Person(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        MERGED = "merged", _("Merged into another record")

    registration_number = models.CharField(_("registration number"), max_length=12, unique=True)
    name_km = models.CharField(_("name in Khmer script"), max_length=150)
    name_latin = models.CharField(_("name in Latin letters"), max_length=150, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"))
    national_id = models.CharField(_("national ID number"), max_length=20, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True)
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="people", verbose_name=_("village")
    )
    actor_type = models.CharField(_("actor type"), max_length=30, choices=ActorType.choices)
    sector = models.CharField(_("sector"), max_length=30, choices=Sector.choices)
    occupation = models.CharField(_("occupation"), max_length=150, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )

    # Provenance: every record remembers who entered it, where and through which channel.
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrants",
        verbose_name=_("partner"),
    )
    branch = models.ForeignKey(
        "partners.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrants",
        verbose_name=_("branch"),
    )
    reference = models.CharField(
        _("partner reference"),
        max_length=64,
        blank=True,
        help_text=_("The partner's own form number, unique per partner."),
    )
    # No index: nothing looks records up by who entered them (a user is deactivated, not
    # deleted), and every intake row would pay for one.
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
        db_index=False,
    )
    # Indexed only where set (person_merged_into_idx): almost every record is its own.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_records",
        verbose_name=_("merged into"),
        db_index=False,
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("registrant")
        verbose_name_plural = _("registrants")
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "reference"],
                condition=~models.Q(reference=""),
                name="person_partner_reference_unique",
            ),
        ]
        # Duplicate detection finds records by the normalised keys of PersonKeys and its
        # indexes, not by these columns, so date of birth has none here: every insert
        # would pay for an index no query reads. Staff search reads the ones below.
        indexes = [
            models.Index(fields=["phone"], name="person_phone_idx"),  # registrant sign-in
            models.Index(fields=["status", "created_at"], name="person_status_created_idx"),
            models.Index(
                fields=["merged_into"],
                name="person_merged_into_idx",
                condition=models.Q(merged_into__isnull=False),
            ),
            # Staff search (registry.selectors.people.person_search): parts of a name in
            # either script through trigrams of the upper-cased name (what `icontains`
            # compares), and numbers looked up exactly.
            GinIndex(
                OpClass(Upper("name_latin"), name="gin_trgm_ops"), name="person_name_latin_trgm"
            ),
            GinIndex(OpClass(Upper("name_km"), name="gin_trgm_ops"), name="person_name_km_trgm"),
            models.Index(
                fields=["national_id"],
                name="person_national_id_idx",
                condition=~models.Q(national_id=""),
            ),
            models.Index(
                fields=["reference"], name="person_reference_idx", condition=~models.Q(reference="")
            ),
            # Programme eligibility (sharing.eligibility): the live count of a rule reads
            # the active people of its villages and their rule columns from this index
            # alone (index-only scan).
            models.Index(
                fields=["village"],
                include=[
                    "id",
                    "actor_type",
                    "sector",
                    "sex",
                    "date_of_birth",
                    "created_at",
                    "channel",
                ],
                name="person_eligibility_idx",
                condition=models.Q(status="active"),
            ),
            # A delta compares only the people changed since the previous export.
            models.Index(fields=["updated_at"], name="person_updated_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.registration_number} {self.name_latin or self.name_km}"
