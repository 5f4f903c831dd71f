import datetime

import factory
from factory.django import DjangoModelFactory

from accounts.models import Role, RoleAssignment, User
from campaigns.models import Campaign
from geography.models import Province, Village
from partners.models import Branch, Partner
from programmes.models import Programme
from registry.models import Person
from registry.models.people import ActorType, Channel, Sector
from registry.regnumber import registration_number_new

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    code = factory.Sequence(lambda n: f"bank{n}")
    name = factory.Sequence(lambda n: f"Bank {n}")


class BranchFactory(DjangoModelFactory):
    class Meta:
        model = Branch

    partner = factory.SubFactory(PartnerFactory)
    code = factory.Sequence(lambda n: f"branch-{n}")
    name = factory.Sequence(lambda n: f"Branch {n}")
    province = factory.LazyFunction(lambda: Province.objects.get(code="12"))


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme
        # The six programmes come with the database (programmes/0003_six_programmes): a
        # test asking for `nssf` gets that one.
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"programme-{n}")
    kind = Programme.Kind.SKILLS
    name_km = "វគ្គបណ្តុះបណ្តាលជំនាញ"
    name_en = "Skills training"


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    registration_number = factory.LazyFunction(registration_number_new)
    name_km = "សុខ ដារ៉ា"
    name_latin = "Sok Dara"
    sex = "M"
    date_of_birth = datetime.date(1990, 5, 17)
    phone = factory.Sequence(lambda n: f"+8551{2000000 + n:07d}")
    village = factory.LazyFunction(lambda: Village.objects.filter(code="12010101").first())
    actor_type = ActorType.SELF_EMPLOYED
    sector = Sector.SERVICES
    channel = Channel.SELF


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    code = factory.Sequence(lambda n: f"CAMP-{n}")
    name_km = "យុទ្ធនាការ"
    name_en = "Campaign"
    organiser = factory.SubFactory(UserFactory)
    province = factory.LazyFunction(lambda: Province.objects.get(code="12"))
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2026, 12, 31)
    target = 100


def user_with_role(role: str, **scope) -> User:
    user = UserFactory(
        is_superuser=(role == Role.ADMINISTRATOR), is_staff=(role == Role.ADMINISTRATOR)
    )
    RoleAssignment.objects.create(user=user, role=role, **scope)
    return user


# A valid row of the bulk-intake template (DESIGN.md): its required columns.
# The fewest fields person_data_clean accepts for a self-employed registrant.
PERSON_RAW = {
    "name_km": "សុខ ដារ៉ា",
    "sex": "M",
    "date_of_birth": "1990-05-17",
    "village_code": "12010101",
    "actor_type": "self_employed",
    "sector": "services",
}

INTAKE_ROW = {
    "reference": "F-1",
    "name_km": "សុខ ដារា",
    "name_latin": "Sok Dara",
    "sex": "M",
    "date_of_birth": "1990-05-17",
    "national_id": "",
    "phone": "012 345 678",
    "village_code": "12010101",
    "actor_type": "self_employed",
    "sector": "services",
}
