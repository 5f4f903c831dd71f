"""The public card check behind `/verify/<number>/`: is this a real, active registration?

Anyone can ask, without signing in, so the answer carries no personal data: whether the
number is well formed, whether a registration has it, its status, and the province (so a
bank clerk can see the card is plausibly the holder's). Never a name, phone, date of birth
or the number a merged record now lives under.

A card's QR also carries a signed code (registry.card_signing): `card_signature_check`
says whether it is genuine and what it said when the card was issued.
"""

import datetime
import re
from dataclasses import dataclass

from geography.models import Province
from registry.card_signing import CardTokenError, card_token_verify
from registry.models import Person
from registry.normalise import clean_text, khmer_digits_to_ascii
from registry.regnumber import (
    REGISTRATION_NUMBER_LENGTH,
    damm_check_digit,
    registration_number_clean,
)

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2013]")


class NumberProblem:
    """Why a typed number is not a registration number; the page says each differently."""

    FORMAT = "format"  # not 10 digits (or starts with 0): something else was typed
    CHECK_DIGIT = "check_digit"  # 10 digits but the Damm check fails: a slip in the digits


@dataclass(frozen=True)
class VerificationResult:
    typed: str  # what was asked about, separators removed and Khmer digits made ASCII
    number: str | None  # the 10 digits when well formed, else None
    problem: str | None  # a NumberProblem value when not well formed
    found: bool
    status: str | None  # a Person.Status value when found
    province_km: str | None
    province_en: str | None

    @property
    def number_valid(self) -> bool:
        return self.number is not None


def _compact(value: str) -> str:
    return _SEPARATORS.sub("", khmer_digits_to_ascii(clean_text(value)))


def registration_verify(*, number: str) -> VerificationResult:
    """Check `number` as typed (spaces, hyphens and Khmer digits tolerated).

    One query, and only the status and province names are read from the database, so
    the personal fields of the record never reach the caller. A withdrawn registrant has
    left the registry: their card is reported as no longer active, without the province.
    """
    typed = _compact(number)
    digits = registration_number_clean(number)
    if digits is None:
        ten_digits = (
            len(typed) == REGISTRATION_NUMBER_LENGTH and typed.isascii() and typed.isdigit()
        )
        problem = (
            NumberProblem.CHECK_DIGIT
            if ten_digits and typed[0] != "0" and damm_check_digit(typed) != "0"
            else NumberProblem.FORMAT
        )
        return VerificationResult(
            typed=typed,
            number=None,
            problem=problem,
            found=False,
            status=None,
            province_km=None,
            province_en=None,
        )

    row = (
        Person.objects.filter(registration_number=digits)
        .values_list(
            "status",
            "village__commune__district__province__name_km",
            "village__commune__district__province__name_en",
        )
        .first()
    )
    if row is None:
        return VerificationResult(
            typed=typed,
            number=digits,
            problem=None,
            found=False,
            status=None,
            province_km=None,
            province_en=None,
        )
    status, province_km, province_en = row
    withdrawn = status == Person.Status.WITHDRAWN
    return VerificationResult(
        typed=typed,
        number=digits,
        problem=None,
        found=True,
        status=status,
        province_km=None if withdrawn else province_km,
        province_en=None if withdrawn else province_en,
    )


@dataclass(frozen=True)
class SignatureCheck:
    """What a card's signed code says, checked against the published keys."""

    valid: bool
    problem: str | None  # a CardTokenProblem value, or OTHER_NUMBER
    status_at_issue: str | None
    province_at_issue_km: str | None
    province_at_issue_en: str | None
    issued: datetime.date | None
    key_id: str | None


# The code is genuine but names another number than the page's: a card whose printed
# number was altered, or a QR pasted from someone else's card.
OTHER_NUMBER = "other_number"


def card_signature_check(*, number: str, token: str) -> SignatureCheck:
    """Check the signed code of a card's QR (`token`) for the registration `number`."""
    try:
        claims = card_token_verify(token)
    except CardTokenError as error:
        return SignatureCheck(False, error.problem, None, None, None, None, None)
    if claims.number != number:
        return SignatureCheck(False, OTHER_NUMBER, None, None, None, None, claims.key_id)
    names = (
        Province.objects.filter(code=claims.province_code).values_list("name_km", "name_en").first()
    )
    return SignatureCheck(
        valid=True,
        problem=None,
        status_at_issue=claims.status,
        province_at_issue_km=names[0] if names else None,
        province_at_issue_en=names[1] if names else None,
        issued=claims.issued,
        key_id=claims.key_id,
    )
