"""Signed card codes (registry.card_signing): what they hold, and what refuses them."""

import base64
import datetime
import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command

from registry.card_signing import (
    CardTokenError,
    CardTokenProblem,
    card_key_generate,
    card_public_jwks,
    card_token_sign,
    card_token_verify,
)
from tests.test_configuration import PRODUCTION, run_manage

ISSUED = datetime.date(2026, 12, 1)


def _sign(**overrides) -> str:
    claims = {"number": "4829130574", "status": "active", "province_code": "12", "issued": ISSUED}
    claims.update(overrides)
    return card_token_sign(**claims)


def _segment(token: str, index: int) -> dict:
    part = token.split(".")[index]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def _problem(token: str) -> str:
    with pytest.raises(CardTokenError) as caught:
        card_token_verify(token)
    return caught.value.problem


def test_a_signed_code_verifies_and_says_what_was_signed():
    claims = card_token_verify(_sign())
    assert claims.number == "4829130574"
    assert claims.status == "active"
    assert claims.province_code == "12"
    assert claims.issued == ISSUED
    assert claims.key_id == "test"


def test_the_code_is_a_compact_jws_with_nothing_personal():
    token = _sign()
    assert _segment(token, 0) == {"alg": "EdDSA", "kid": "test"}
    # Number, status, province, day of issue: nothing else, so no name, phone or birth date.
    assert _segment(token, 1) == {"n": "4829130574", "s": "active", "p": "12", "d": "2026-12-01"}
    assert len(token) < 220  # small enough for a QR code a phone camera reads off a card


def test_a_changed_payload_is_refused():
    token = _sign()
    header, _payload, signature = token.split(".")
    forged = base64.urlsafe_b64encode(
        json.dumps({"n": "4829130574", "s": "active", "p": "01", "d": "2026-12-01"}).encode()
    )
    assert _problem(f"{header}.{forged.decode().rstrip('=')}.{signature}") == "signature"


def test_a_changed_signature_is_refused():
    token = _sign()
    flipped = ("A" if token[-2] != "A" else "B") + token[-1]
    assert _problem(token[:-2] + flipped) == CardTokenProblem.SIGNATURE


@pytest.mark.parametrize(
    "token", ["", "abc", "a.b", "a.b.c", "....", "eyJ9.eyJ9.eyJ9", "x" * 5000, "é.é.é"]
)
def test_garbage_is_malformed_not_an_error(token):
    assert _problem(token) == CardTokenProblem.MALFORMED


def test_another_algorithm_is_refused():
    token = _sign()
    _header, payload, signature = token.split(".")
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","kid":"test"}').decode().rstrip("=")
    assert _problem(f"{none_header}.{payload}.{signature}") == CardTokenProblem.MALFORMED


def test_a_key_the_registry_does_not_publish_is_refused(settings):
    settings.CARD_SIGNING_KEY, _public = card_key_generate("stranger")
    token = _sign()
    settings.CARD_SIGNING_KEY = "test:gcCRV326odMea6xlOxARC5hOCizlUU4BfnCyeGPxueE"
    assert _problem(token) == CardTokenProblem.UNKNOWN_KEY


def test_rotation_keeps_old_cards_valid_and_signs_with_the_new_key(settings):
    old_private, old_public = card_key_generate("2026a")
    settings.CARD_SIGNING_KEY = old_private
    old_card = _sign()
    new_private, _new_public = card_key_generate("2026b")
    settings.CARD_SIGNING_KEY = new_private
    settings.CARD_VERIFICATION_KEYS = [old_public]
    assert card_token_verify(old_card).key_id == "2026a"
    assert card_token_verify(_sign()).key_id == "2026b"
    jwks = card_public_jwks()
    assert jwks["signing_kid"] == "2026b"
    assert [key["kid"] for key in jwks["keys"]] == ["2026b", "2026a"]
    assert all(key["kty"] == "OKP" and key["crv"] == "Ed25519" for key in jwks["keys"])
    assert not any("d" in key for key in jwks["keys"])  # never the private half
    # Once the old key is retired from the list, its cards no longer verify.
    settings.CARD_VERIFICATION_KEYS = []
    assert _problem(old_card) == CardTokenProblem.UNKNOWN_KEY


@pytest.mark.parametrize("value", ["nokey", "k:short", "bad id!:" + "A" * 43, ":" + "A" * 43])
def test_a_malformed_key_setting_says_how_to_make_one(settings, value):
    settings.CARD_SIGNING_KEY = value
    with pytest.raises(ImproperlyConfigured, match="card_key_new"):
        _sign()


def test_card_key_new_prints_a_working_key(settings, capsys):
    call_command("card_key_new", "2027a")
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("CARD_SIGNING_KEY="))
    settings.CARD_SIGNING_KEY = line.removeprefix("CARD_SIGNING_KEY=")
    assert card_token_verify(_sign()).key_id == "2027a"


def test_production_refuses_to_start_without_a_card_signing_key():
    result = run_manage("check", env={**PRODUCTION, "CARD_SIGNING_KEY": ""})
    assert result.returncode != 0
    assert "CARD_SIGNING_KEY must be set when DEBUG is off" in result.stderr


def test_development_signs_with_the_published_development_key():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CARD_SIGNING_KEY.split(':')[0])",
        env={"DEBUG": "true", "CARD_SIGNING_KEY": ""},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("development")
