from registry.models.geography import Commune, District, Province, Village
from registry.models.history import PersonChange
from registry.models.people import Person
from registry.models.programmes import Programme
from registry.models.sms import SmsMessage

__all__ = [
    "Commune",
    "District",
    "Person",
    "PersonChange",
    "Programme",
    "Province",
    "SmsMessage",
    "Village",
]
