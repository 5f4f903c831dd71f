"""Comparison keys of a registrant: what blocking and scoring compare.

Built on the shared normalisation (`registry.normalise`), so a name or phone typed on any
channel yields the same key. The keys are deliberately forgiving where people's records
of one person differ for harmless reasons (romanisation, name order, invisible
characters, legacy Khmer typing order, phone layout) and strict where they do not.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from django.core.exceptions import ValidationError

from registry.normalise import clean_text, khmer_digits_to_ascii, normalise_phone

# --------------------------------------------------------------------------- Khmer

_COENG = "\u17d2"
_KHMER_BASE = range(0x1780, 0x17B4)  # consonants and independent vowels
_KHMER_MARKS = range(0x17B4, 0x17DE)  # dependent vowels, signs, coeng


def _mark_rank(mark: str) -> int:
    """Rank of a combining mark in the canonical (Unicode-recommended) order.

    Legacy keyboards type the same glyphs in another order (NIKAHIT before the vowel
    below it, the vowel before the register shifter): ``ំុ`` for ``ុំ``, ``ុ៊`` for ``៊ុ``.
    Sorting a syllable's marks by this rank makes both orders one key.
    """
    code = ord(mark)
    if code in (0x17C9, 0x17CA):  # register shifters MUUSIKATOAN, TRIISAP
        return 1
    if code == 0x17CC:  # ROBAT
        return 2
    if 0x17B6 <= code <= 0x17C5:  # dependent vowels
        return 3
    if code in (0x17C6, 0x17C7, 0x17C8):  # NIKAHIT, REAHMUK, YUUKALEAPINTU
        return 4
    return 5  # other signs (BANTOC, TOANDAKHIAT, ...)


def khmer_syllables(name_km: str) -> list[str]:
    """The name's orthographic syllables, each with its marks in canonical order.

    A syllable is a base letter, its subscript consonants (coeng + consonant, kept in
    typed order, they spell different sounds) and its marks (sorted, duplicates
    dropped). Spaces, zero-width characters and anything not Khmer are boundaries.
    """
    text = khmer_digits_to_ascii(clean_text(name_km))
    syllables: list[str] = []
    base = ""
    subscripts: list[str] = []
    marks: list[str] = []
    i, length = 0, len(text)

    def flush() -> None:
        if base:
            ordered = sorted(dict.fromkeys(marks), key=_mark_rank)
            syllables.append(base + "".join(subscripts) + "".join(ordered))

    while i < length:
        char = text[i]
        code = ord(char)
        if code in _KHMER_BASE:
            flush()
            base, subscripts, marks = char, [], []
        elif char == _COENG:
            if i + 1 < length and ord(text[i + 1]) in _KHMER_BASE and base:
                subscripts.append(char + text[i + 1])
                i += 1
        elif code in _KHMER_MARKS:
            if base:
                marks.append(char)
        else:
            flush()
            base, subscripts, marks = "", [], []
        i += 1
    flush()
    return syllables


@lru_cache(maxsize=200_000)
def khmer_key(name_km: str) -> str:
    """Order-free key of a Khmer name: its canonical syllables, sorted, space-separated.

    Sorting syllables rather than words makes the key indifferent to name order and
    to a missing space (Khmer word processors often join words with a zero-width space,
    which normalisation removes).
    """
    return " ".join(sorted(khmer_syllables(name_km)))


def khmer_key_syllables(key: str) -> tuple[str, ...]:
    """The sorted syllables a Khmer key is made of."""
    return tuple(key.split(" ")) if key else ()


def khmer_words(name_km: str) -> list[str]:
    """The name's words (family name first by convention), syllables canonicalised."""
    return ["".join(khmer_syllables(word)) for word in clean_text(name_km).split(" ") if word]


# --------------------------------------------------------------------------- Latin

# Folding of Khmer romanisations. There is no one system in use: UNGEGN, ALA-LC, French
# colonial spellings and personal habit all meet in a registry, so the same name arrives
# as Sok/Sokh, Chhay/Chay, Khiev/Khieu/Khiew, Touch/Toch/Tuch, Sophea/Sophear. The rules
# fold what these systems write differently for one Khmer sound:
# - aspiration written or not after c/t (chh/ch, th/t), and kh after a vowel (Sokh/Sok);
#   an initial kh/ph stays: Khun and Kun, Phal and Pal are different letters (ខ/ក, ផ/ប);
# - w for v (Watthana), -ck for -k (Hock), tch for ch (Petch), gn for nh (Kagna);
# - a final or pre-consonant r after a vowel, which French-style spellings add to show a
#   long vowel (Sokhar, Chhorn, Soeurng);
# - doubled letters (Vutthy, Chann, Kakkada);
# - vowel runs, folded into classes: i-like (i, e, y, ee, ey, ei, ae, ie), a-like
#   (a, ea, aa), o/u-like (o, u, ou, oo, uo, ua, oa, au, ao, eou), and the central
#   vowels (oe, eu, ue, oeu); Sophea/Sophear, Lim/Lem, Pov/Peou, Nuon/Nuan fold together.
# Folding loses distinctions (Kim and Kem become one key) that the Khmer name keeps:
# the Latin key is a second opinion, never the only evidence.
_ASCII = str.maketrans({"'": "", "-": " "})
_CONSONANT_RULES = (
    (re.compile(r"w"), "v"),
    (re.compile(r"tch"), "ch"),
    (re.compile(r"ck"), "k"),
    (re.compile(r"chh"), "ch"),
    (re.compile(r"gn"), "nh"),
    (re.compile(r"(?<=[aeiouy])kh"), "k"),
    (re.compile(r"th"), "t"),
    (re.compile(r"b$"), "p"),
    (re.compile(r"(?<=[aeiouy])r(?=[^aeiouy]|$)"), ""),
)
_VOWEL_RUN = re.compile(r"[aeiou]+y(?![aeiou])|[aeiou]+|(?<=[^aeiou])y(?![aeiou])|^y(?![aeiou])")
_DOUBLE = re.compile(r"(.)\1+")
# A final glide written as a vowel or as v: Khieu/Khiev, Keo/Kev, Peou/Pov.
_FINAL_GLIDES = (
    (re.compile(r"ieu$"), "iev"),
    (re.compile(r"eou$"), "ov"),
    (re.compile(r"eo$"), "ev"),
)
# Final s and h (after a vowel) are written or left out: Meas/Meah, Ros/Rous, Vong/Vongs.
_FINAL_S_H = re.compile(r"(?<=[a-z]{2})s$|(?<=[aeiou])h$")
# French-style spellings: a mute final e (Daline), a final b for p (Sopheab).
_FINAL_MUTE = re.compile(r"(?<=[^aeiouy])e$")
# oe before m or k is the short vowel of Kem/Koem, Yim/Yoem, Nhek/Nhoek.
_SHORT_OE = re.compile(r"oe(?=[mk])")


def _vowel_class(run: str) -> str:
    if run in ("a", "aa", "ea", "ia", "eaa"):
        return "a"
    if run in ("ai", "ay", "aai", "aay"):
        return "ai"
    if any(v in run for v in ("oe", "eu", "ue")):
        return "ə"
    if "o" in run or "u" in run:
        return "o"
    return "i"  # i, e, y, ee, ey, ei, ae, ie, ai, ay...


@lru_cache(maxsize=100_000)
def fold_latin_word(word: str) -> str:
    """One word of a romanised Khmer name, folded (see the rules above)."""
    word = unicodedata.normalize("NFKD", word.lower())
    word = "".join(char for char in word if "a" <= char <= "z")
    if not word:
        return ""
    for pattern, replacement in _CONSONANT_RULES:
        word = pattern.sub(replacement, word)
    for pattern, replacement in _FINAL_GLIDES:
        word = pattern.sub(replacement, word)
    word = _DOUBLE.sub(r"\1", word)
    word = _FINAL_S_H.sub("", word)
    word = _FINAL_MUTE.sub("", word) if len(word) > 4 else word
    word = _SHORT_OE.sub("e", word)
    word = _VOWEL_RUN.sub(lambda match: _vowel_class(match.group()), word)
    return _DOUBLE.sub(r"\1", word)


def latin_words(name_latin: str) -> list[str]:
    """Folded words of a Latin name, in written order; "Srey" is joined to the word after
    it (Srey Mom and Sreymom are the same given name, written apart or together)."""
    words = [fold_latin_word(w) for w in clean_text(name_latin).translate(_ASCII).split(" ")]
    words = [w for w in words if w]
    joined: list[str] = []
    i = 0
    while i < len(words):
        if words[i] == "sri" and i + 1 < len(words):
            joined.append(words[i] + words[i + 1])
            i += 2
        else:
            joined.append(words[i])
            i += 1
    return joined


_VOWEL_CLASSES = str.maketrans(dict.fromkeys("aioə"))


def latin_skeleton(folded: str) -> str:
    """The consonants of a folded name: equal when two spellings differ only in vowels
    (Sam/Som, Kosal/Kosol, Rachana/Rachna), which Khmer's inherent vowels make common."""
    return folded.translate(_VOWEL_CLASSES)


@lru_cache(maxsize=200_000)
def latin_key(name_latin: str) -> str:
    """Order-free phonetic key of a Latin name: folded words, sorted, space-separated."""
    return " ".join(sorted(latin_words(name_latin)))


# --------------------------------------------------------------------------- record

_E164_KH = re.compile(r"\+855[1-9][0-9]{7,8}")


def phone_key(phone: object) -> str:
    """The phone in E.164, or "" when empty or not a Cambodian number."""
    text = str(phone or "")
    if not text:
        return ""
    if _E164_KH.fullmatch(text):  # stored numbers are already E.164
        return text
    try:
        return normalise_phone(text, required=False)
    except ValidationError:
        return ""


def national_id_key(national_id: str) -> str:
    """The 9 digits of the ID card, or "" (separators and Khmer digits removed)."""
    if national_id.isascii() and national_id.isdigit():  # as stored: the fast path
        return national_id if len(set(national_id)) > 1 else ""
    digits = re.sub(r"[^0-9]", "", khmer_digits_to_ascii(clean_text(national_id or "")))
    return digits if len(set(digits)) > 1 else ""


class Keys(NamedTuple):
    """Comparison keys of one record; the fields of `registry.models.PersonKeys`."""

    person_id: int
    name_km: str
    name_latin: str
    latin_key: str
    khmer_key: str
    phone: str
    national_id: str
    date_of_birth: datetime.date | None
    birth_year: int | None
    sex: str
    village_id: int | None
    commune_id: int | None
    province_id: int | None


KEY_FIELDS = Keys._fields


_clean = lru_cache(maxsize=200_000)(clean_text)


def keys_compute(
    *,
    person_id: int,
    name_km: str,
    name_latin: str,
    phone: object,
    national_id: str,
    date_of_birth: datetime.date | None,
    sex: str,
    village_id: int | None,
    commune_id: int | None,
    province_id: int | None,
) -> Keys:
    """Keys of one record given its stored (already normalised) values."""
    name_km = _clean(name_km or "")
    name_latin = _clean(name_latin or "")
    return Keys(
        person_id=person_id,
        name_km=name_km,
        name_latin=name_latin,
        latin_key=latin_key(name_latin),
        khmer_key=khmer_key(name_km),
        phone=phone_key(phone),
        national_id=national_id_key(national_id),
        date_of_birth=date_of_birth,
        birth_year=date_of_birth.year if date_of_birth else None,
        sex=sex or "",
        village_id=village_id,
        commune_id=commune_id,
        province_id=province_id,
    )
