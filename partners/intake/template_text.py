"""The instructions sheet of the XLSX template, in Khmer and English side by side.

Both languages are printed at once (a branch shares one file between staff who read
either), so these texts are not gettext catalogue entries.
"""

REQUIRED = "ចាំបាច់ / required"
REQUIRED_COLUMN = "ជួរឈរចាំបាច់ អាចទុកទទេ / column required, value may be empty"
OPTIONAL = "ស្រេចចិត្ត / optional"
COLUMN_HELP_CONSENT = "ស្រេចចិត្ត yes/no / optional yes/no"

# column -> (required, Khmer, English)
COLUMN_HELP: dict[str, tuple[str, str, str]] = {
    "reference": (
        REQUIRED,
        "លេខទម្រង់របស់ធនាគារអ្នកសម្រាប់បុគ្គលនេះ មិនត្រូវស្ទួនគ្នាក្នុងធនាគាររបស់អ្នកទេ "
        "ច្រើនបំផុត ៦៤ តួអក្សរ។ ជួរដេកដែលមានលេខយោងដែលបានចុះឈ្មោះរួចហើយ "
        "មិនត្រូវបានចុះឈ្មោះម្តងទៀតទេ។",
        "Your bank's own form number for this person, unique within your bank, at most "
        "64 characters. A row whose reference is already registered is never registered "
        "again.",
    ),
    "name_km": (
        REQUIRED,
        "ឈ្មោះជាអក្សរខ្មែរ នាមត្រកូលមុន ឧទាហរណ៍ សុខ ដារា។",
        "Name in Khmer script, family name first, for example សុខ ដារា.",
    ),
    "name_latin": (
        REQUIRED_COLUMN,
        "ឈ្មោះជាអក្សរឡាតាំង ឧទាហរណ៍ Sok Dara។ អនុញ្ញាតដកឃ្លា សញ្ញា - និង '។",
        "Name in Latin letters, for example Sok Dara. Spaces, hyphens (-) and "
        "apostrophes (') are allowed.",
    ),
    "sex": (REQUIRED, "F (ស្រី) ឬ M (ប្រុស)។", "F (female) or M (male)."),
    "date_of_birth": (
        REQUIRED,
        "ឆ្នាំ-ខែ-ថ្ងៃ (1990-12-25) ឬ ថ្ងៃ/ខែ/ឆ្នាំ (25/12/1990)។ អាយុពី ១៥ ដល់ ១០០ ឆ្នាំ។",
        "YYYY-MM-DD (1990-12-25) or DD/MM/YYYY (25/12/1990). Age 15 to 100 years.",
    ),
    "national_id": (
        REQUIRED_COLUMN,
        "លេខអត្តសញ្ញាណប័ណ្ណសញ្ជាតិខ្មែរ ៩ ខ្ទង់ ឬទុកទទេ ប្រសិនបើគ្មាន។",
        "The 9 digits of the Khmer national ID card, or empty if the person has none.",
    ),
    "phone": (
        REQUIRED_COLUMN,
        "លេខទូរស័ព្ទកម្ពុជា ឧទាហរណ៍ 012 345 678 ឬ +855 12 345 678 (លេខខ្មែរក៏បាន) ឬទុកទទេ។",
        "A Cambodian phone number in any usual form, for example 012 345 678 or "
        "+855 12 345 678 (Khmer digits too), or empty.",
    ),
    "village_code": (
        REQUIRED,
        "លេខកូដភូមិផ្លូវការ ៨ ខ្ទង់ ឧទាហរណ៍ 12010101។",
        "The official 8-digit village code, for example 12010101.",
    ),
    "actor_type": (
        REQUIRED,
        "self_employed (អ្នកប្រកបរបរដោយខ្លួនឯង), microenterprise_owner "
        "(ម្ចាស់សហគ្រាសខ្នាតតូចបំផុត), microenterprise_worker "
        "(កម្មករនៅសហគ្រាសខ្នាតតូចបំផុត), seasonal_worker (កម្មករតាមរដូវកាល)។",
        "self_employed, microenterprise_owner, microenterprise_worker or seasonal_worker.",
    ),
    "sector": (
        REQUIRED,
        "agriculture (កសិកម្ម), manufacturing (ផលិតកម្ម), construction (សំណង់), "
        "wholesale_retail (លក់ដុំ និងលក់រាយ), transport (ដឹកជញ្ជូន), accommodation_food "
        "(ស្នាក់នៅ និងម្ហូបអាហារ), services (សេវាកម្ម), other (ផ្សេងៗ)។",
        "agriculture, manufacturing, construction, wholesale_retail, transport, "
        "accommodation_food, services or other.",
    ),
    "commune_code": (
        OPTIONAL,
        "លេខកូដឃុំ/សង្កាត់ ៦ ខ្ទង់។ ចាំបាច់នៅពេលលេខកូដភូមិដូចគ្នាត្រូវបានប្រើនៅក្នុងឃុំ/សង្កាត់ពីរ ក្នុងបញ្ជីផ្លូវការ។",
        "The 6-digit commune code. Needed when the official list uses the village code "
        "in two communes.",
    ),
    "village_name": (
        OPTIONAL,
        "ឈ្មោះភូមិ ជាអក្សរខ្មែរ ឬអង់គ្លេស។ ចាំបាច់នៅពេលលេខកូដភូមិដូចគ្នាត្រូវបានប្រើច្រើនដងក្នុងឃុំ/សង្កាត់តែមួយ។",
        "The village's name in Khmer or English. Needed when the official list repeats "
        "the village code inside one commune.",
    ),
    "occupation": (
        OPTIONAL,
        "មុខរបរ ច្រើនបំផុត ១៥០ តួអក្សរ។",
        "The person's occupation, at most 150 characters.",
    ),
    "consents": (
        OPTIONAL,
        "លេខកូដកម្មវិធីដែលបុគ្គលនោះបានយល់ព្រម (មើលខាងក្រោម) និងពាក្យ data_sharing "
        "(យល់ព្រមចែករំលែកទិន្នន័យ) បំបែកដោយសញ្ញា ; ។ ទុកទទេ = មិនបានយល់ព្រមអ្វីទាំងអស់។ "
        "បំពេញតែអ្វីដែលបុគ្គលនោះបានចុះហត្ថលេខាយល់ព្រមប៉ុណ្ណោះ។",
        "The codes of the programmes the person agreed to be contacted for (listed "
        "below) and the word data_sharing, separated by ; . Empty = no consent. Fill in "
        "only what the person signed.",
    ),
    "business_name": (
        OPTIONAL,
        "ឈ្មោះអាជីវកម្មរបស់ microenterprise_owner ច្រើនបំផុត ២០០ តួអក្សរ។ "
        "នៅពេលឯកសារមានជួរឈរនេះ វាចាំបាច់សម្រាប់ម្ចាស់សហគ្រាសគ្រប់រូប។ "
        "បើគ្មានជួរឈរនេះ ម្ចាស់សហគ្រាសត្រូវបានចុះឈ្មោះដោយគ្មានអាជីវកម្មរបស់ខ្លួន។",
        "The business of a microenterprise_owner, at most 200 characters. When the file "
        "has this column, every owner's row needs it; without the column, owners are "
        "registered without their business.",
    ),
    "workers": (
        OPTIONAL,
        "ចំនួនកម្មករក្នុងអាជីវកម្មរបស់ microenterprise_owner ពី ០ ដល់ ៥០០។ ទុកទទេ = ០។",
        "The number of workers in a microenterprise_owner's business, 0 to 500. Empty = 0.",
    ),
    "employer_name": (
        OPTIONAL,
        "ឈ្មោះនិយោជករបស់ microenterprise_worker ឬ seasonal_worker។ នៅពេលឯកសារមានជួរឈរនេះ "
        "វាចាំបាច់សម្រាប់ជួរដេកទាំងនោះ។ អាជីវកម្មដែលមានឈ្មោះដូចគ្នា (អក្សរធំឬតូចមិនខុសគ្នា) "
        "ក្នុងឃុំ/សង្កាត់តែមួយ គឺជានិយោជកតែមួយ បើមិនដូច្នោះទេ វាត្រូវបានបន្ថែមថ្មី។",
        "The employer of a microenterprise_worker or seasonal_worker. When the file has "
        "this column, those rows need it. A business of the same name (any case) in the "
        "same commune is the same employer; otherwise a new one is added.",
    ),
    "seasonal_months": (
        OPTIONAL,
        "ខែដែល seasonal_worker ធ្វើការ៖ លេខខែពី 1 ដល់ 12 បំបែកដោយសញ្ញា ; ឧទាហរណ៍ 1;2;11 "
        "(លេខខ្មែរក៏បាន)។ ចាំបាច់សម្រាប់កម្មករតាមរដូវកាល នៅពេលឯកសារមានជួរឈរ employer_name។",
        "The months a seasonal_worker works: month numbers 1 to 12 separated by ; for "
        "example 1;2;11 (Khmer digits too). Seasonal workers' rows need it when the file "
        "has employer_name.",
    ),
    "campaign_code": (
        OPTIONAL,
        "លេខកូដរបស់យុទ្ធនាការដែលកំពុងដំណើរការ (ដូចនៅលើផ្ទាំងរូបភាព /register/?campaign=CODE) "
        "ដើម្បីកត់ត្រាថាការចុះឈ្មោះនេះមកពីយុទ្ធនាការនោះ។ លេខកូដមិនស្គាល់ "
        "ឬយុទ្ធនាការដែលបានបញ្ចប់ គឺជាកំហុស។ ទុកទទេ = គ្មាន។",
        "The code of a running campaign (as on its posters, /register/?campaign=CODE), "
        "to credit the registration to it. An unknown or ended campaign's code is an "
        "error. Empty = none.",
    ),
}

# Notes under the column list; {max_mb} and {max_rows} are filled in.
NOTES: tuple[tuple[str, str], ...] = (
    (
        "បំពេញមួយជួរដេកសម្រាប់មនុស្សម្នាក់ ក្នុងសន្លឹកទីមួយ ក្រោមជួរក្បាល។ កុំប្តូរឈ្មោះជួរឈរ។",
        "One row per person on the first sheet, below the header row. Do not rename the columns.",
    ),
    (
        "រក្សាទុកជា Excel (.xlsx) ឬ CSV UTF-8។ ទំហំឯកសារច្រើនបំផុត {max_mb} MB និង {max_rows} ជួរដេក។",
        "Save as Excel (.xlsx) or CSV UTF-8. At most {max_mb} MB and {max_rows} rows per file.",
    ),
    (
        "ជួរដេកដែលមានកំហុសមិនត្រូវបានចុះឈ្មោះទេ៖ ទាញយកឯកសារជួរដេកដែលត្រូវបានបដិសេធ "
        "កែតម្រូវ ហើយផ្ទុកវាឡើងវិញ។ ជួរដេកត្រឹមត្រូវមិនរងផលប៉ះពាល់ទេ។",
        "Rows with mistakes are not registered: download the rejected rows, correct "
        "them and upload that file again. Correct rows are not affected.",
    ),
    (
        "ជួរឈរស្រេចចិត្ត consent_<លេខកូដកម្មវិធី> (ឧទាហរណ៍ consent_nssf) មួយសម្រាប់កម្មវិធីនីមួយៗ "
        "(មើលខាងលើ) និង consent_data_sharing៖ yes (y, 1, បាទ, ចាស) = បានយល់ព្រម, "
        "no (n, 0, ទេ) = មិនបានយល់ព្រម, ទុកទទេ = មិនកត់ត្រាអ្វីទេ។ "
        "អាចប្រើរួមជាមួយជួរឈរ consents បាន។",
        "Optional columns consent_<programme code> (for example consent_nssf), one per "
        "programme listed above, and consent_data_sharing: yes (y, 1, បាទ, ចាស) = agreed, "
        "no (n, 0, ទេ) = not agreed, empty = nothing recorded. They can be used together "
        "with the consents column.",
    ),
)


def sheet_titles() -> tuple[str, str]:
    # Sheet names cannot contain "/" and have at most 31 characters.
    return "data", "Instructions - ការណែនាំ"
