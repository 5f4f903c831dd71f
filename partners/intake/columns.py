"""The columns of the bulk-intake template (DESIGN.md) and how a header row is matched.

The column names are part of the stable interface partners build their exports on, so
they are the same in every language. Matching ignores case, surrounding spaces and the
spaces or hyphens people put inside a name ("Village Code", "village-code").
"""

import re
from collections import Counter

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

REQUIRED_COLUMNS = (
    "reference",
    "name_km",
    "name_latin",
    "sex",
    "date_of_birth",
    "national_id",
    "phone",
    "village_code",
    "actor_type",
    "sector",
)
OPTIONAL_COLUMNS = (
    "commune_code",
    "village_name",
    "occupation",
    "consents",
    # The work the other channels ask for (registry.services.work): an owner's business,
    # a worker's employer, a seasonal worker's months.
    "business_name",
    "workers",
    "employer_name",
    "seasonal_months",
    "campaign_code",
)
TEMPLATE_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# One optional yes/no column per programme: consent_<programme code> (and
# consent_data_sharing), compared as header_key makes them ("consent_nssf_pension").
CONSENT_COLUMN_PREFIX = "consent_"
# The two columns our rejected-rows file adds in front of the data: accepted and ignored
# on upload, so a fixed rejected-rows file can be sent back as it is.
REPORT_COLUMNS = ("row", "errors")

REFERENCE_MAX_LENGTH = 64
# The word that stands for "share my data with partner institutions" in `consents`.
DATA_SHARING = "data_sharing"
CONSENT_SEPARATOR = ";"
MONTH_SEPARATOR = ";"

# Codes whose leading zeros a spreadsheet drops when it reads them as numbers
# (village 01020304 -> 1020304): the width to pad them back to.
CODE_WIDTHS = {"village_code": 8, "commune_code": 6}

_HEADER_NOISE = re.compile(r"[\s\-]+")


def header_key(text: str) -> str:
    """The comparable form of a header cell: lower case, no spaces or hyphens."""
    text = text.replace("\ufeff", "").strip().strip("'").lower()
    return _HEADER_NOISE.sub("_", text).strip("_")


def header_match(header: list[str]) -> list[str | None]:
    """Map each header cell to its template column (None for an ignored report column).

    Raises ValidationError (code `columns_missing`, `columns_unknown`,
    `columns_repeated` or `header_empty`) naming the columns concerned. Unknown
    columns are refused rather than ignored: a misspelt optional column ("comune_code")
    silently dropped would register people without the information the partner sent.
    """
    keys = [header_key(str(cell or "")) for cell in header]
    while keys and not keys[-1]:
        keys.pop()  # spreadsheets often carry empty cells after the last column
    if not any(keys):
        raise ValidationError(
            _("The first row must be the header row of the template."), code="header_empty"
        )
    known = set(TEMPLATE_COLUMNS)
    unknown = [
        str(header[i]).strip() or f"#{i + 1}"
        for i, key in enumerate(keys)
        if key not in known and key not in REPORT_COLUMNS and not is_consent_column(key)
    ]
    if unknown:
        raise ValidationError(
            _("Unknown columns: %(columns)s. Use only the columns of the template: %(allowed)s."),
            code="columns_unknown",
            params={"columns": ", ".join(unknown), "allowed": ", ".join(TEMPLATE_COLUMNS)},
        )
    counts = Counter(key for key in keys if key)
    repeated = sorted(key for key, count in counts.items() if count > 1)
    if repeated:
        raise ValidationError(
            _("These columns appear more than once: %(columns)s."),
            code="columns_repeated",
            params={"columns": ", ".join(repeated)},
        )
    missing = [column for column in REQUIRED_COLUMNS if column not in counts]
    if missing:
        raise ValidationError(
            _("Required columns are missing: %(columns)s."),
            code="columns_missing",
            params={"columns": ", ".join(missing)},
        )
    return [None if key in REPORT_COLUMNS else key for key in keys]


def is_consent_column(key: str) -> bool:
    return key.startswith(CONSENT_COLUMN_PREFIX) and len(key) > len(CONSENT_COLUMN_PREFIX)


def file_columns(columns) -> list[str]:
    """The template columns a file has, in template order, then its consent columns."""
    present = set(columns)
    return [column for column in TEMPLATE_COLUMNS if column in present] + sorted(
        column for column in present if column and is_consent_column(column)
    )
