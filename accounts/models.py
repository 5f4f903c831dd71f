"""Staff users and the roles they hold, each with its scope stored as data.

Registrants are not users: they prove who they are with a one-time code sent to
their phone (registry.services.phone_codes), which gives them their own records only.

One table answers "who may see what": a role assignment names the role and the
branch, partner, area or programme it is limited to. A user may hold several.
"""

from typing import cast

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from geography.areas import Area


class User(AbstractUser):
    language = models.CharField(
        _("preferred language"),
        max_length=5,
        blank=True,
        choices=[("km", "ខ្មែរ"), ("en", "English")],
        help_text=_("Remembered when the user switches language; applied at every sign-in."),
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class Role(models.TextChoices):
    BRANCH_STAFF = "branch_staff", _("Branch staff")
    PARTNER_SUPERVISOR = "partner_supervisor", _("Partner supervisor")
    CAMPAIGN_ORGANISER = "campaign_organiser", _("Campaign organiser")
    MINISTRY_OFFICER = "ministry_officer", _("Ministry officer")
    PROGRAMME_OFFICER = "programme_officer", _("Programme officer")
    ADMINISTRATOR = "administrator", _("Administrator")


# The scope field each role requires; roles not listed need none.
REQUIRED_SCOPE: dict[str, str] = {
    Role.BRANCH_STAFF: "branch",
    Role.PARTNER_SUPERVISOR: "partner",
    Role.CAMPAIGN_ORGANISER: "province",
    Role.PROGRAMME_OFFICER: "programme",
}
SCOPE_FIELDS = ("branch", "partner", "province", "district", "commune", "programme")


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    branch = models.ForeignKey(
        "partners.Branch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff_roles",
        verbose_name=_("branch"),
    )
    partner = models.ForeignKey(
        "partners.Partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervisor_roles",
        verbose_name=_("partner"),
    )
    province = models.ForeignKey(
        "geography.Province",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("province"),
    )
    district = models.ForeignKey(
        "geography.District",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    commune = models.ForeignKey(
        "geography.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officer_roles",
        verbose_name=_("programme"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role=role) | models.Q(**{f"{field}__isnull": False}),
                name=f"role_{role}_has_{field}",
            )
            for role, field in REQUIRED_SCOPE.items()
        ]

    def __str__(self) -> str:
        scope = self.scope_label
        return f"{self.get_role_display()} – {scope}" if scope else self.get_role_display()

    @property
    def area(self) -> Area:
        return Area(province=self.province, district=self.district, commune=self.commune)

    @property
    def scope_label(self) -> str:
        if self.branch_id:
            return str(self.branch)
        if self.partner_id:
            return str(self.partner)
        if self.programme_id:
            return str(self.programme)
        if self.province_id:
            return str(self.area)
        return ""

    def clean(self) -> None:
        required = REQUIRED_SCOPE.get(self.role)
        if required and getattr(self, f"{required}_id") is None:
            # Every scope is a ForeignKey declared on this model, never a reverse relation.
            scope_field = cast(models.Field, self._meta.get_field(required))
            raise ValidationError(
                {required: _("This role needs a %(scope)s.") % {"scope": scope_field.verbose_name}}
            )
        allowed = {required} | ({"district", "commune"} if required == "province" else set())
        extra = [f for f in SCOPE_FIELDS if f not in allowed and getattr(self, f"{f}_id")]
        if extra:
            raise ValidationError(
                {f: _("This role is not limited by this field; leave it empty.") for f in extra}
            )
        if not self.area.is_consistent():
            raise ValidationError(
                _("The district must lie in the province and the commune in the district.")
            )
