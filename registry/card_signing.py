"""Signed card codes: what a card's QR carries so that it can be checked without a network.

A card code is a compact JWS (RFC 7515) signed with Ed25519 (`"alg": "EdDSA"`, RFC 8037),
whose header names the key (`kid`) and whose payload holds only what a checker needs:

    {"n": "4829130574", "s": "active", "p": "12", "d": "2026-12-01"}

the registration number, the status and the province code when the card was issued, and
the day of issue. Nothing personal: no name, no phone, no date of birth (the number is
already printed on the card and public at /verify/<number>/).

Keys come from the environment (settings.CARD_SIGNING_KEY: the one key that signs, and
settings.CARD_VERIFICATION_KEYS: earlier keys whose cards are still accepted), each as
`<key id>:<32 bytes, base64url>`. `manage.py card_key_new` makes one; the README says
how to rotate. The public halves are published at /verify/keys/ as a JWK set, so that
an offline checker can hold them all.
"""

import base64
import binascii
import datetime
import functools
import json
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ALGORITHM = "EdDSA"
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
# A card code is a few hundred characters; anything much longer is not one of ours.
MAX_TOKEN_LENGTH = 1024


class CardTokenProblem:
    """Why a card code does not verify; the pages say each in words."""

    MALFORMED = "malformed"  # not a compact JWS of ours at all (cut short, garbled)
    UNKNOWN_KEY = "unknown_key"  # signed with a key this registry does not publish
    SIGNATURE = "signature"  # the signature does not match: the code was altered


class CardTokenError(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass(frozen=True)
class CardClaims:
    number: str
    status: str
    province_code: str
    issued: datetime.date
    key_id: str


@dataclass(frozen=True)
class CardKeys:
    signing_key_id: str
    signing_key: Ed25519PrivateKey
    public_keys: dict[str, Ed25519PublicKey]  # every accepted key, the signing one first


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]*", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key_parse(value: str, *, setting: str) -> tuple[str, bytes]:
    key_id, _sep, material = value.strip().partition(":")
    try:
        raw = b64url_decode(material)
    except (ValueError, binascii.Error):
        raw = b""
    if not KEY_ID.fullmatch(key_id) or len(raw) != 32:
        raise ImproperlyConfigured(
            f"{setting} must be '<key id>:<32 bytes in base64url>' (key id: letters, digits, "
            "- and _, at most 32): make one with `manage.py card_key_new` (README, "
            "'Card signing keys')."
        )
    return key_id, raw


@functools.cache
def _keys(signing: str, verification: tuple[str, ...]) -> CardKeys:
    key_id, seed = _key_parse(signing, setting="CARD_SIGNING_KEY")
    private = Ed25519PrivateKey.from_private_bytes(seed)
    public = {key_id: private.public_key()}
    for value in verification:
        old_id, raw = _key_parse(value, setting="CARD_VERIFICATION_KEYS")
        if old_id in public:
            raise ImproperlyConfigured(f"Card key id {old_id!r} is given twice.")
        public[old_id] = Ed25519PublicKey.from_public_bytes(raw)
    return CardKeys(signing_key_id=key_id, signing_key=private, public_keys=public)


def card_keys() -> CardKeys:
    """The keys of settings.CARD_SIGNING_KEY and CARD_VERIFICATION_KEYS (checked, cached)."""
    return _keys(settings.CARD_SIGNING_KEY, tuple(settings.CARD_VERIFICATION_KEYS))


def card_key_generate(key_id: str) -> tuple[str, str]:
    """A new key as the settings want it: (CARD_SIGNING_KEY value, its public half)."""
    if not KEY_ID.fullmatch(key_id):
        raise ValueError("key id: letters, digits, - and _, at most 32")
    private = Ed25519PrivateKey.generate()
    seed = private.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return f"{key_id}:{b64url_encode(seed)}", f"{key_id}:{public_key_b64(private.public_key())}"


def public_key_b64(key: Ed25519PublicKey) -> str:
    return b64url_encode(
        key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def card_token_sign(*, number: str, status: str, province_code: str, issued: datetime.date) -> str:
    """The compact JWS for a card, signed with the active key."""
    keys = card_keys()
    header = {"alg": ALGORITHM, "kid": keys.signing_key_id}
    payload = {"n": number, "s": status, "p": province_code, "d": issued.isoformat()}
    signing_input = f"{_json_b64(header)}.{_json_b64(payload)}"
    signature = keys.signing_key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


def _json_b64(value: dict) -> str:
    return b64url_encode(json.dumps(value, separators=(",", ":")).encode())


def card_token_verify(token: str) -> CardClaims:
    """The claims of a card code whose signature holds; CardTokenError otherwise."""
    parts = token.split(".") if len(token) <= MAX_TOKEN_LENGTH else []
    if len(parts) != 3:
        raise CardTokenError(CardTokenProblem.MALFORMED)
    try:
        header = json.loads(b64url_decode(parts[0]))
        signature = b64url_decode(parts[2])
    except (ValueError, binascii.Error):
        raise CardTokenError(CardTokenProblem.MALFORMED) from None
    if not isinstance(header, dict) or header.get("alg") != ALGORITHM:
        raise CardTokenError(CardTokenProblem.MALFORMED)
    key = card_keys().public_keys.get(str(header.get("kid")))
    if key is None:
        raise CardTokenError(CardTokenProblem.UNKNOWN_KEY)
    try:
        key.verify(signature, f"{parts[0]}.{parts[1]}".encode("ascii"))
    except InvalidSignature:
        raise CardTokenError(CardTokenProblem.SIGNATURE) from None
    # Signed by us, so well formed unless a key leaked: still, never trust it blindly.
    try:
        payload = json.loads(b64url_decode(parts[1]))
        return CardClaims(
            number=str(payload["n"]),
            status=str(payload["s"]),
            province_code=str(payload["p"]),
            issued=datetime.date.fromisoformat(payload["d"]),
            key_id=str(header["kid"]),
        )
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise CardTokenError(CardTokenProblem.MALFORMED) from None


def card_public_jwks() -> dict:
    """Every accepted key as a JWK set (RFC 7517/8037), with the one now signing named."""
    keys = card_keys()
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "alg": ALGORITHM,
                "use": "sig",
                "kid": key_id,
                "x": public_key_b64(key),
            }
            for key_id, key in keys.public_keys.items()
        ],
        "signing_kid": keys.signing_key_id,
    }
