from registry.models.consent import Consent
from registry.models.enterprises import Employment, Enterprise
from registry.models.history import PersonChange
from registry.models.people import Person
from registry.models.phone_codes import PhoneCode
from registry.models.registrant_tokens import RegistrantToken
from registry.models.sms import SmsMessage

__all__ = [
    "Consent",
    "Employment",
    "Enterprise",
    "Person",
    "PersonChange",
    "PhoneCode",
    "RegistrantToken",
    "SmsMessage",
]
