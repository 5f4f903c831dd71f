"""The six programmes of the design (NSSF, skills, financial services, arrears relief, tax
exemptions, social protection and crisis help), each with its columns and a starting
eligibility rule that administrators and officers then adjust. A programme that already
exists (same code) is left as it is; one without a rule gets this one."""

from django.db import migrations

NAMES = "registration_number name_km name_latin sex".split()

PROGRAMMES = [
    {
        "code": "nssf", "kind": "social_security",
        "name_km": "របបសន្តិសុខសង្គម ប.ស.ស", "name_en": "NSSF social security",
        "description_km": "ការធានារ៉ាប់រងសុខភាព និងគ្រោះថ្នាក់ការងារ ពីបេឡាជាតិរបបសន្តិសុខសង្គម។",
        "description_en": "Health care and employment-injury cover from the National Social Security Fund.",
        "columns": [*NAMES, "date_of_birth", "national_id", "phone", "village_code", "actor_type"],
        "rule": {"age_min": 18, "age_max": 60},
    },
    {
        "code": "skills", "kind": "skills",
        "name_km": "វគ្គបណ្តុះបណ្តាលជំនាញ", "name_en": "Skills training",
        "description_km": "វគ្គបណ្តុះបណ្តាលវិជ្ជាជីវៈ និងជំនាញឌីជីថល ដោយឥតគិតថ្លៃ។",
        "description_en": "Free vocational and digital skills courses.",
        "columns": [*NAMES, "phone", "province_code", "commune_code", "sector"],
        "rule": {"age_min": 15, "age_max": 45},
    },
    {
        "code": "finance", "kind": "finance",
        "name_km": "សេវាហិរញ្ញវត្ថុផ្លូវការ", "name_en": "Formal financial services",
        "description_km": "គណនីធនាគារ និងឥណទានការប្រាក់ទាប តាមរយៈធនាគារដៃគូ។",
        "description_en": "Bank accounts and low-interest credit through partner banks.",
        "columns": [*NAMES, "phone", "national_id", "village_code", "actor_type", "sector"],
        "rule": {"age_min": 18, "has_phone": True},
    },
    {
        "code": "arrears", "kind": "arrears",
        "name_km": "ការសម្រួលបំណុលពន្ធ និងប្រាក់ភាគទាន", "name_en": "Arrears relief",
        "description_km": "ការលើកលែង ឬការបង់រំលស់បំណុលពន្ធ និងប្រាក់ភាគទានដែលហួសកាលកំណត់។",
        "description_en": "Relief or instalments for overdue tax and contribution arrears.",
        "columns": [*NAMES, "national_id", "phone", "province_code", "actor_type"],
        "rule": {"actor_types": ["self_employed", "microenterprise_owner"]},
    },
    {
        "code": "tax", "kind": "tax",
        "name_km": "ការលើកលែងពន្ធ", "name_en": "Tax exemptions",
        "description_km": "ការលើកលែងពន្ធ សម្រាប់សហគ្រាសខ្នាតតូចដែលបានចុះឈ្មោះ។",
        "description_en": "Tax exemptions for registered micro-enterprises.",
        "columns": [*NAMES, "national_id", "phone", "village_code", "sector"],
        "rule": {"actor_types": ["microenterprise_owner"], "workers_max": 10},
    },
    {
        "code": "crisis", "kind": "social_protection",
        "name_km": "ជំនួយសង្គម និងគ្រាអាសន្ន", "name_en": "Social protection and crisis help",
        "description_km": "ជំនួយសាច់ប្រាក់ ពេលមានគ្រោះទឹកជំនន់ ឬការឡើងថ្លៃ។",
        "description_en": "Cash help in a flood or a price shock.",
        "columns": [*NAMES, "phone", "province_code", "district_code", "commune_code", "village_code"],
        "rule": {},
        "receives_targeting": True,
    },
]  # fmt: skip


def seed(apps, schema_editor):
    Programme = apps.get_model("programmes", "Programme")
    EligibilityRule = apps.get_model("programmes", "EligibilityRule")
    for spec in PROGRAMMES:
        spec = dict(spec)
        code, rule = spec.pop("code"), spec.pop("rule")
        programme, _created = Programme.objects.get_or_create(code=code, defaults=spec)
        if not EligibilityRule.objects.filter(programme=programme).exists():
            EligibilityRule.objects.create(programme=programme, **rule)


class Migration(migrations.Migration):
    dependencies = [("programmes", "0002_programme_columns_and_eligibility_rule")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
