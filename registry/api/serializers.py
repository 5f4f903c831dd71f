"""Shapes of the registry API. Input is checked for type only; every rule about a
registrant's details is the registration service's (person_data_clean, work_data_clean),
so the API, the web form and the bulk file accept and refuse exactly the same things."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import FlatInputSerializer
from geography.api.serializers import VillageSerializer
from registry.models import Person
from registry.models.people import ActorType, Channel, Sector, Sex
from registry.services.people import PERSON_FIELDS

API_CHANNELS = (Channel.API, Channel.APP)
DATA_SHARING = "data_sharing"


def _enum_text(values, name: str):
    """A lenient text field documented as an enum: the service checks the value, so the
    error comes in the registry's own words (and in Khmer)."""
    return extend_schema_field({"type": "string", "enum": list(values)})(
        type(name, (serializers.CharField,), {})
    )


SexText = _enum_text(Sex.values, "SexText")
ActorTypeText = _enum_text(ActorType.values, "ActorTypeText")
SectorText = _enum_text(Sector.values, "SectorText")
ChannelText = _enum_text(API_CHANNELS, "ChannelText")
StatusText = _enum_text(Person.Status.values, "StatusText")
RegistrationChannelText = _enum_text(Channel.values, "RegistrationChannelText")


# --- Registrants ----------------------------------------------------------------------
# Personal fields are null for a registrant who left the registry or was merged: the
# record's status and provenance stay visible to those who entered it, the person does not.
PERSONAL_FIELDS = (*PERSON_FIELDS, "consents")


class RegistrantSerializer(serializers.Serializer):
    registration_number = serializers.CharField(help_text="10 digits, the last a check digit.")
    name_km = serializers.CharField(allow_null=True)
    name_latin = serializers.CharField(allow_null=True)
    sex = SexText(allow_null=True)
    date_of_birth = serializers.DateField(allow_null=True)
    national_id = serializers.CharField(allow_null=True)
    phone = serializers.CharField(allow_null=True, help_text="E.164, e.g. +85512345678.")
    village = VillageSerializer(allow_null=True)
    actor_type = ActorTypeText(allow_null=True)
    sector = SectorText(allow_null=True)
    occupation = serializers.CharField(allow_null=True)
    status = StatusText()
    channel = RegistrationChannelText()
    branch = serializers.CharField(source="branch.code", allow_null=True)
    reference = serializers.CharField(help_text="The partner's own form number.")
    consents = serializers.SerializerMethodField(
        help_text="Purposes in force: programme codes and `data_sharing`."
    )
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), allow_null=True))
    def get_consents(self, person) -> list[str]:
        known = getattr(person, "api_consents", None)
        if known is not None:
            return known
        return sorted(
            c.programme.code if c.programme_id else DATA_SHARING
            for c in person.consents.all()
            if c.withdrawn_at is None
        )

    def to_representation(self, person):
        # Written out rather than field by field: this runs on every create and list row,
        # and DRF copies every declared field on each use. The declared fields above are
        # the documentation; a test keeps both in step.
        if person.status != Person.Status.ACTIVE:
            personal = dict.fromkeys(PERSONAL_FIELDS)
        else:
            personal = {
                "name_km": person.name_km,
                "name_latin": person.name_latin,
                "sex": person.sex,
                "date_of_birth": person.date_of_birth.isoformat(),
                "national_id": person.national_id,
                "phone": str(person.phone) if person.phone else "",
                "village": village_data(person.village),
                "actor_type": person.actor_type,
                "sector": person.sector,
                "occupation": person.occupation,
                "consents": self.get_consents(person),
            }
        return {
            "registration_number": person.registration_number,
            **{field: personal[field] for field in PERSON_FIELDS},
            "status": person.status,
            "channel": person.channel,
            "branch": person.branch.code if person.branch_id else None,
            "reference": person.reference,
            "consents": personal["consents"],
            "created_at": _DATETIME.to_representation(person.created_at),
            "updated_at": _DATETIME.to_representation(person.updated_at),
        }


_DATETIME = serializers.DateTimeField()


def village_data(village) -> dict:
    commune = village.commune
    district = commune.district
    return {
        "code": village.code,
        "name_km": village.name_km,
        "name_en": village.name_en,
        "id": village.pk,
        "commune_code": commune.code,
        "district_code": district.code,
        "province_code": district.province.code,
    }


class _PersonInput(FlatInputSerializer):
    """The registrant's details as the registration service reads them."""

    name_km = serializers.CharField(
        required=True, allow_blank=True, help_text="Name in Khmer script."
    )
    name_latin = serializers.CharField(required=False, allow_blank=True)
    sex = SexText(required=True, allow_blank=True, help_text="F or M.")
    date_of_birth = serializers.CharField(
        required=True, allow_blank=True, help_text="YYYY-MM-DD or DD/MM/YYYY."
    )
    national_id = serializers.CharField(required=False, allow_blank=True, help_text="9 digits.")
    phone = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Any common Cambodian form (012 345 678, +855 12 345 678, Khmer digits).",
    )
    village = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="A village `id` from /geography/villages/; or give village_code.",
    )
    village_code = serializers.CharField(
        required=False, allow_blank=True, help_text="8 digits, from the official list."
    )
    commune_code = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Tells apart the few village codes the official list gives to two communes.",
    )
    village_name = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Khmer or English: tells apart codes repeated inside one commune.",
    )
    actor_type = ActorTypeText(required=True, allow_blank=True)
    sector = SectorText(required=True, allow_blank=True)
    occupation = serializers.CharField(required=False, allow_blank=True)
    channel = ChannelText(
        required=False, default=Channel.API, help_text="`api` (default) or `app`."
    )


class _WorkInput(FlatInputSerializer):
    """Work, workplace and consents: what a registration carries beside the person."""

    consents = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        default=list,
        help_text="Purposes the applicant agreed to: programme codes and/or `data_sharing`.",
    )
    enterprise_name = serializers.CharField(
        required=False, allow_blank=True, help_text="Micro-enterprise owners: the business."
    )
    workers = serializers.CharField(
        required=False, allow_blank=True, help_text="Micro-enterprise owners: 0 to 500."
    )
    employer_id = serializers.CharField(
        required=False, allow_blank=True, help_text="Workers: an enterprise already registered."
    )
    employer_name = serializers.CharField(
        required=False, allow_blank=True, help_text="Workers: the employer's name."
    )
    seasonal_months = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=12),
        required=False,
        default=list,
        help_text="Seasonal workers: the months worked, 1-12.",
    )


class RegistrantCreateSerializer(_PersonInput, _WorkInput):
    """Required fields are checked by the service, which reports every problem at once."""

    branch = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="Branch code. Supervisors must name one; branch staff only when they "
        "work for several branches.",
    )
    reference = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The partner's form number, unique per partner: sending it again "
        "returns the registrant already registered (200) instead of a second one.",
    )


class RegistrantUpdateSerializer(_PersonInput):
    """Only the fields sent change; the whole record is then checked again."""

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            field.required = False
        return fields
