from registry.models.consent import Consent
from registry.models.dedup import DedupRun, DuplicateCase, Merge, PersonAlias, PersonKeys
from registry.models.enterprises import Employment, Enterprise
from registry.models.geography import Commune, District, Province, Village
from registry.models.history import PersonChange
from registry.models.people import Person
from registry.models.phone_codes import PhoneCode
from registry.models.programmes import Programme
from registry.models.sms import SmsMessage

__all__ = [
    "Commune",
    "Consent",
    "DedupRun",
    "District",
    "DuplicateCase",
    "Employment",
    "Enterprise",
    "Merge",
    "Person",
    "PersonAlias",
    "PersonChange",
    "PersonKeys",
    "PhoneCode",
    "Programme",
    "Province",
    "SmsMessage",
    "Village",
]
