"""The fixed list of columns a programme may receive about a consenting registrant.

A programme's administrator picks from this list only (docs/programmes.md documents it):
the file header uses these codes, stable for the programme's own systems, and each
column's label is what the pages show. The SQL for each lives with the exporter
(sharing.exports.sql), which reads the registry; this list is data the catalogue holds.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

EXPORT_COLUMNS: dict[str, Promise] = {
    "registration_number": _("Registration number"),
    "name_km": _("Name in Khmer script"),
    "name_latin": _("Name in Latin letters"),
    "sex": _("Sex"),
    "date_of_birth": _("Date of birth"),
    "phone": _("Phone"),
    "national_id": _("National ID number"),
    "province_code": _("Province code"),
    "district_code": _("District code"),
    "commune_code": _("Commune code"),
    "village_code": _("Village code"),
    "actor_type": _("Actor type"),
    "sector": _("Sector"),
    "occupation": _("Occupation"),
    "registered_on": _("Registered on"),
    "channel": _("Registration channel"),
}
# What a new programme receives unless its administrator chooses otherwise.
DEFAULT_COLUMNS = ["registration_number", "name_km", "name_latin", "sex", "phone", "village_code"]


def default_columns() -> list[str]:
    return list(DEFAULT_COLUMNS)


# Always first in every file: the key a programme's system matches rows on.
KEY_COLUMN = "registration_number"


def columns_ordered(columns: list[str]) -> list[str]:
    """The key column first, then the chosen ones in the documented order, no repeats."""
    chosen = set(columns) | {KEY_COLUMN}
    return [code for code in EXPORT_COLUMNS if code in chosen]
