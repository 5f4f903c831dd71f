"""Demo data: one user per role, the five partner banks, the six programmes (also made by
programmes' data migration, with their starting eligibility rules), a campaign and
a few hundred registrants. Safe to run again: what exists is left as it is.

Registrants come from the bench generator (bench/generate.py), the same realistic
Khmer names every benchmark uses, and go through the normal registration service.
"""

import datetime
import random

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from wcwidth import wcswidth

from accounts.models import Role, User
from accounts.services import user_create_with_role
from campaigns.models import Campaign, Event
from dashboards.services import rollups_refresh
from geography.models import Province, Village
from geography.services import geography_load
from partners.models import Branch, Partner
from programmes.models import Programme
from registry.models import Person
from registry.models.people import ActorType, Channel, Sector
from registry.services.people import PersonData, person_data_clean
from registry.services.registration import registration_submit
from registry.services.work import WorkData

DEMO_PASSWORD = "demo-2026-kh"  # noqa: S105 - printed on purpose: demo data only
# The demo registrant signs in at /me/ with this phone; the code is in the SMS outbox.
DEMO_REGISTRANT_PHONE = "+85512345678"

PARTNERS = [
    ("wing", "Wing Bank", "ធនាគារ វីង", [("pp", "Phnom Penh Head Office", "12"), ("sr", "Siem Reap", "17")]),
    ("acleda", "ACLEDA Bank", "ធនាគារ អេស៊ីលីដា", [("pp", "Phnom Penh", "12"), ("btb", "Battambang", "02"), ("kcm", "Kampong Cham", "03")]),
    ("aba", "ABA Bank", "ធនាគារ ABA", [("pp", "Phnom Penh", "12"), ("shv", "Preah Sihanouk", "18")]),
    ("sme", "SME Bank", "ធនាគារ SME", [("pp", "Phnom Penh", "12"), ("kpt", "Kampot", "07")]),
    ("ardb", "ARDB Bank", "ធនាគារអភិវឌ្ឍន៍ជនបទ និងកសិកម្ម", [("pp", "Phnom Penh", "12"), ("tk", "Takeo", "21")]),
]  # fmt: skip

PROGRAMMES = [
    ("nssf", Programme.Kind.SOCIAL_SECURITY, "របបសន្តិសុខសង្គម ប.ស.ស", "NSSF social security",
     "ការធានារ៉ាប់រងសុខភាព និងគ្រោះថ្នាក់ការងារ ពីបេឡាជាតិរបបសន្តិសុខសង្គម។",
     "Health care and employment-injury cover from the National Social Security Fund."),
    ("skills", Programme.Kind.SKILLS, "វគ្គបណ្តុះបណ្តាលជំនាញ", "Skills training",
     "វគ្គបណ្តុះបណ្តាលវិជ្ជាជីវៈ និងជំនាញឌីជីថល ដោយឥតគិតថ្លៃ។",
     "Free vocational and digital skills courses."),
    ("finance", Programme.Kind.FINANCE, "សេវាហិរញ្ញវត្ថុផ្លូវការ", "Formal financial services",
     "គណនីធនាគារ និងឥណទានការប្រាក់ទាប តាមរយៈធនាគារដៃគូ។",
     "Bank accounts and low-interest credit through partner banks."),
    ("arrears", Programme.Kind.ARREARS, "ការសម្រួលបំណុលពន្ធ និងប្រាក់ភាគទាន", "Arrears relief",
     "ការលើកលែង ឬការបង់រំលស់បំណុលពន្ធ និងប្រាក់ភាគទានដែលហួសកាលកំណត់។",
     "Relief or instalments for overdue tax and contribution arrears."),
    ("tax", Programme.Kind.TAX, "ការលើកលែងពន្ធ", "Tax exemptions",
     "ការលើកលែងពន្ធ សម្រាប់សហគ្រាសខ្នាតតូចដែលបានចុះឈ្មោះ។",
     "Tax exemptions for registered micro-enterprises."),
    ("crisis", Programme.Kind.SOCIAL_PROTECTION, "ជំនួយសង្គម និងគ្រាអាសន្ន", "Social protection and crisis help",
     "ជំនួយសាច់ប្រាក់ ពេលមានគ្រោះទឹកជំនន់ ឬការឡើងថ្លៃ។",
     "Cash help in a flood or a price shock."),
]  # fmt: skip


class Command(BaseCommand):
    help = "Create demo users (one per role), partners, programmes, a campaign and registrants."

    def add_arguments(self, parser):
        parser.add_argument("--registrants", type=int, default=300)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, registrants: int, seed: int, **options):
        if not Village.objects.exists():
            self.stdout.write("Loading the gazetteer first…")
            geography_load()
        with transaction.atomic():
            programmes = self._programmes()
            branches = self._partners()
            users = self._users(branches, programmes)
            campaign = self._campaign(users[Role.CAMPAIGN_ORGANISER])
        created = self._registrants(registrants, seed, branches, campaign, users)
        created += self._pairs_for_review(branches[0], users[Role.BRANCH_STAFF])
        rollups_refresh()  # the dashboards count the demo's people at once
        self._print_credentials(users, created)

    def _programmes(self) -> dict[str, Programme]:
        out = {}
        for code, kind, name_km, name_en, desc_km, desc_en in PROGRAMMES:
            out[code], _ = Programme.objects.get_or_create(
                code=code,
                defaults={
                    "kind": kind,
                    "name_km": name_km,
                    "name_en": name_en,
                    "description_km": desc_km,
                    "description_en": desc_en,
                },
            )
        return out

    def _partners(self) -> list[Branch]:
        branches = []
        for code, name, name_km, branch_rows in PARTNERS:
            partner, _ = Partner.objects.get_or_create(
                code=code, defaults={"name": name, "name_km": name_km}
            )
            for branch_code, branch_name, province_code in branch_rows:
                branch, _ = Branch.objects.get_or_create(
                    code=f"{code}-{branch_code}",
                    defaults={
                        "partner": partner,
                        "name": branch_name,
                        "province": Province.objects.get(code=province_code),
                    },
                )
                branches.append(branch)
        return branches

    def _users(self, branches, programmes) -> dict[str, User]:
        acleda_pp = next(b for b in branches if b.code == "acleda-pp")
        phnom_penh = Province.objects.get(code="12")
        specs = {
            Role.BRANCH_STAFF: ("demo_branch", "Chan Sophea", {"branch": acleda_pp}),
            Role.PARTNER_SUPERVISOR: (
                "demo_supervisor",
                "Keo Vannak",
                {"partner": acleda_pp.partner},
            ),
            Role.CAMPAIGN_ORGANISER: ("demo_organiser", "Heng Sreymom", {"province": phnom_penh}),
            Role.MINISTRY_OFFICER: ("demo_ministry", "Ly Bunthoeun", {}),
            Role.PROGRAMME_OFFICER: ("demo_programme", "Meas Pisey", {"programme": programmes["nssf"]}),
            Role.ADMINISTRATOR: ("demo_admin", "Administrator", {}),
        }  # fmt: skip
        users: dict[str, User] = {}
        for role, (username, full_name, scope) in specs.items():
            user = User.objects.filter(username=username).first()
            if user is None:
                user = user_create_with_role(
                    username=username,
                    password=DEMO_PASSWORD,
                    role=role,
                    first_name=full_name,
                    **scope,
                )
            users[role] = user
        return users

    def _campaign(self, organiser: User) -> Campaign:
        phnom_penh = Province.objects.get(code="12")
        today = timezone.localdate()
        campaign, created = Campaign.objects.get_or_create(
            code="PP-2026",
            defaults={
                "name_km": "យុទ្ធនាការចុះឈ្មោះ រាជធានីភ្នំពេញ",
                "name_en": "Phnom Penh registration drive",
                "organiser": organiser,
                "province": phnom_penh,
                "starts_on": today - datetime.timedelta(days=30),
                "ends_on": today + datetime.timedelta(days=60),
                "target": 1500,
                "status": Campaign.Status.RUNNING,
            },
        )
        if created:
            # Every partner bank takes part: their counters can credit it.
            campaign.partners.set(Partner.objects.all())
            village = Village.objects.filter(commune__district__province=phnom_penh).first()
            if village is None:
                raise CommandError("The gazetteer has no village in Phnom Penh.")
            Event.objects.create(
                campaign=campaign,
                name="Central Market outreach day",
                village=village,
                place="Phsar Thmei",
                held_on=today - datetime.timedelta(days=7),
                expected_attendance=1500,
                actual_attendance=1320,
            )
        return campaign

    def _registrants(self, count, seed, branches, campaign, users) -> int:
        from bench.generate import generate

        if Person.objects.filter(channel__in=[c.value for c in Channel]).count() >= count:
            return 0
        rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
        now = timezone.now()
        event = campaign.events.first()
        programme_ids = [*Programme.objects.values_list("pk", flat=True), None]
        created = skipped = 0
        # The generator also makes duplicates and look-alikes (for dedup benchmarks);
        # the demo takes distinct people only.
        for row in generate(count * 3, seed):
            if created >= count:
                break
            if row.get("kind", "unique") != "unique":
                continue
            try:
                data = person_data_clean(raw=row)
            except ValidationError:
                skipped += 1
                continue
            channel = rng.choice([Channel.SELF, Channel.BRANCH, Channel.BRANCH, Channel.CAMPAIGN])
            branch = rng.choice(branches) if channel == Channel.BRANCH else None
            person, is_new = registration_submit(
                data=data,
                work=_demo_work(rng, data),
                consents={p for p in programme_ids if rng.random() < 0.6},
                channel=channel,
                branch=branch,
                reference=row["reference"] if branch else "",
                entered_by=users[Role.BRANCH_STAFF] if branch else None,
                campaign=campaign if channel == Channel.CAMPAIGN else None,
                event=event if channel == Channel.CAMPAIGN else None,
            )
            if is_new:
                created += 1
                # Spread registration dates over the past year so dashboards show a trend.
                registered = now - datetime.timedelta(days=rng.randint(0, 365))
                Person.objects.filter(pk=person.pk).update(created_at=registered)
        if not Person.objects.filter(phone=DEMO_REGISTRANT_PHONE).exists():
            registrant = Person.objects.filter(channel=Channel.SELF).order_by("pk").first()
            if registrant is not None:
                registrant.phone = DEMO_REGISTRANT_PHONE
                registrant.save(update_fields=["phone"])
        if skipped:
            self.stdout.write(f"{skipped} generated rows did not validate and were skipped.")
        return created

    def _pairs_for_review(self, branch: Branch, staff: User) -> int:
        """People registered twice with one detail that only a reviewer can settle (the
        sex differs, all else agrees), so a newcomer finds cases at /review/duplicates/.
        They go through registration like everyone; the duplicate check runs on commit."""
        village = Village.objects.filter(code="12010101").first() or Village.objects.first()
        created = 0
        for number, (name_km, latin_first, latin_second) in enumerate(REVIEW_PAIRS, 1):
            for copy, (sex, latin) in enumerate((("F", latin_first), ("M", latin_second)), 1):
                raw = {
                    "name_km": name_km,
                    "name_latin": latin,
                    "sex": sex,
                    "date_of_birth": f"0{number}/0{number + 2}/198{number}",
                    "national_id": f"90000000{number}",
                    "phone": f"016 00{number} 00{number}",
                    "village": village,
                    "actor_type": ActorType.SELF_EMPLOYED,
                    "sector": Sector.SERVICES,
                }
                _person, is_new = registration_submit(
                    data=person_data_clean(raw=raw),
                    work=None,
                    consents=set(),
                    channel=Channel.BRANCH,
                    branch=branch,
                    reference=f"DEMO-REVIEW-{number}-{copy}",
                    entered_by=staff,
                )
                created += is_new
        return created

    def _print_credentials(self, users, created):
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} registrants added)."))
        self.stdout.write(f"Sign in at /accounts/login/ with password: {DEMO_PASSWORD}")
        labels = {role: str(Role(role).label) for role in users}
        column = max(map(display_width, labels.values()))
        for role, user in users.items():
            self.stdout.write(f"  {pad_display(labels[role], column)}  {user.username}")
        self.stdout.write(
            f"Registrant: sign in at /me/ with phone {DEMO_REGISTRANT_PHONE}; the code is "
            "printed by `manage.py sms_outbox` (development SMS backend)."
        )


def display_width(text: str) -> int:
    """Columns a terminal gives the text: Khmer vowel signs and subscripts (coeng) take
    none, so `len` overcounts a Khmer label and `str.ljust` misaligns the column."""
    return max(wcswidth(text), 0)


def pad_display(text: str, width: int) -> str:
    return text + " " * max(width - display_width(text), 0)


# Khmer name, then the Latin spelling on each of the two records.
REVIEW_PAIRS = [
    ("មាស សុភី", "Meas Sophy", "Meah Sophy"),
    ("ឈឹម វណ្ណា", "Chhim Vanna", "Chhim Vana"),
    ("កែវ ច័ន្ទធី", "Keo Chanthy", "Keo Chanthy"),
]

EMPLOYERS = ["ហាងកាត់ដេរ សុខា", "Lucky Garment Workshop", "ភោជនីយដ្ឋាន ម្លប់ស្វាយ", "Angkor Brick Kiln"]


def _demo_work(rng: random.Random, data: PersonData) -> WorkData:
    if data.actor_type == ActorType.MICROENTERPRISE_OWNER:
        family = (data.name_latin or "Sok").split()[0]
        return WorkData(enterprise_name=f"{family} family business", workers=rng.randint(1, 9))
    if data.actor_type == ActorType.MICROENTERPRISE_WORKER:
        return WorkData(employer_name=rng.choice(EMPLOYERS))
    if data.actor_type == ActorType.SEASONAL_WORKER:
        start = rng.randint(1, 9)
        return WorkData(
            employer_name=rng.choice(EMPLOYERS), seasonal_months=tuple(range(start, start + 4))
        )
    return WorkData()
