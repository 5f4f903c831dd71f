"""Scoring a pair of records: comparison vector, Fellegi–Sunter weights, hard-negative rules.

Each field is compared into a level (agree, a typo away, partly, disagree, missing). A
level's weight is log2(m/u): m is the probability of that level when the two records are
one person, u when they are two people. The m/u probabilities are learned by EM on the
registry's own candidate pairs (`dedup.engine.training`) and kept in `weights.json`.
The weights add up with the prior log-odds to the pair's posterior log-odds; the score
stored on a case is the match probability.

Fellegi–Sunter assumes fields disagree independently, and look-alike people break that
on purpose: twins share a birth date, family name, village and often a phone; a parent
and child named alike share the name, village and phone. So a few explicit rules cap the
score of such pairs below what the weights alone would give, and say so in the reasons.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from rapidfuzz.distance import Indel, Levenshtein

from dedup.engine.keys import Keys, khmer_key_syllables, latin_skeleton, latin_words

WEIGHTS_PATH = Path(__file__).with_name("weights.json")

# Levels of each field, best first. "missing" (either record lacks the value) always
# weighs 0: it says nothing either way.
LEVELS: dict[str, tuple[str, ...]] = {
    "name_km": ("exact", "close", "partial", "different", "missing"),
    "name_latin": ("exact", "close", "similar", "different", "missing"),
    "date_of_birth": (
        "exact",
        "typo",
        "typo_far",
        "same_year",
        "near",
        "different",
        "generation",
        "missing",
    ),
    "sex": ("agree", "disagree", "missing"),
    "phone": ("agree", "disagree", "missing"),
    "national_id": ("agree", "typo", "disagree", "missing"),
    "place": ("village", "commune", "province", "different", "missing"),
}
FIELDS = tuple(LEVELS)
# How a level reads in the reasons shown to reviewers.
OUTCOMES = {
    "exact": "agree",
    "agree": "agree",
    "village": "agree",
    "close": "partial",
    "typo": "partial",
    "typo_far": "partial",
    "similar": "partial",
    "same_year": "partial",
    "near": "partial",
    "commune": "partial",
    "province": "partial",
    "partial": "partial",
    "different": "disagree",
    "disagree": "disagree",
    "generation": "disagree",
    "missing": "missing",
}

GENERATION_YEARS = 15  # birth dates this far apart: parent and child, not a typo
NEAR_DAYS = 3 * 366


@dataclass(slots=True)
class Record:
    """A record's keys with what comparisons need, computed once per record."""

    person_id: int
    khmer_key: str
    syllables: tuple[str, ...]  # sorted
    latin_key: str
    rotations: frozenset[str]  # the folded words joined, from each starting word
    skeletons: frozenset[str]
    phone: str
    national_id: str
    dob: datetime.date | None
    dob_digits: str
    sex: str
    village_id: int | None
    commune_id: int | None
    province_id: int | None


@cache
def _latin_forms(name_latin: str) -> tuple[str, frozenset[str], frozenset[str]]:
    words = latin_words(name_latin)
    if not words:
        return "", frozenset(), frozenset()
    rotations = frozenset("".join(words[i:] + words[:i]) for i in range(len(words)))
    return " ".join(sorted(words)), rotations, frozenset(map(latin_skeleton, rotations))


def record_from_keys(keys: Keys) -> Record:
    latin_key, rotations, skeletons = _latin_forms(keys.name_latin)
    dob = keys.date_of_birth
    return Record(
        person_id=keys.person_id,
        khmer_key=keys.khmer_key,
        syllables=khmer_key_syllables(keys.khmer_key),
        latin_key=latin_key,
        rotations=rotations,
        skeletons=skeletons,
        phone=keys.phone,
        national_id=keys.national_id,
        dob=dob,
        dob_digits=dob.strftime("%Y%m%d") if dob else "",
        sex=keys.sex,
        village_id=keys.village_id,
        commune_id=keys.commune_id,
        province_id=keys.province_id,
    )


# --------------------------------------------------------------------------- fields


def _multiset_split(x: tuple[str, ...], y: tuple[str, ...]) -> tuple[int, str, str]:
    """(how many syllables both have, the rest of x joined, the rest of y joined), for
    two sorted tuples."""
    i = j = shared = 0
    rest_x: list[str] = []
    rest_y: list[str] = []
    while i < len(x) and j < len(y):
        if x[i] == y[j]:
            shared += 1
            i += 1
            j += 1
        elif x[i] < y[j]:
            rest_x.append(x[i])
            i += 1
        else:
            rest_y.append(y[j])
            j += 1
    rest_x.extend(x[i:])
    rest_y.extend(y[j:])
    return shared, "".join(rest_x), "".join(rest_y)


def compare_khmer(a: Record, b: Record) -> str:
    """Syllables shared, and how alike the syllables that differ are.

    Twins and siblings share the family name and differ in a whole given name (ពៅ/មុំ);
    two records of one person differ at most in a mark or a letter (រ៉ា/រា).
    """
    if not a.syllables or not b.syllables:
        return "missing"
    if a.khmer_key == b.khmer_key:
        return "exact"
    shared, only_a, only_b = _multiset_split(a.syllables, b.syllables)
    longest = max(len(a.syllables), len(b.syllables))
    if shared * 2 >= longest and (
        Indel.normalized_similarity(only_a, only_b) > 0.5
        or ((not only_a or not only_b) and len(only_a + only_b) <= 3)
    ):
        return "close"
    if shared * 5 >= longest * 2:
        return "partial"
    # No syllable in common can still be one name typed with other subscripts or marks.
    if Indel.normalized_similarity(a.khmer_key, b.khmer_key) >= 0.8:
        return "close"
    return "different"


def compare_latin(a: Record, b: Record) -> str:
    if not a.rotations or not b.rotations:
        return "missing"
    if a.latin_key == b.latin_key or a.rotations & b.rotations:
        return "exact"
    if a.skeletons & b.skeletons:
        return "close"
    best = max(Indel.normalized_similarity(x, y) for x in a.rotations for y in b.rotations)
    if best >= 0.85:
        return "close"
    if best >= 0.7:
        return "similar"
    return "different"


def compare_dob(a: Record, b: Record) -> str:
    if a.dob is None or b.dob is None:
        return "missing"
    if a.dob == b.dob:
        return "exact"
    x, y = a.dob_digits, b.dob_digits
    swapped = x[:4] + x[6:] + x[4:6]  # day and month read the wrong way round
    # The known ways a clerk or a person gets a birth date wrong: one mistyped digit, day
    # and month read the wrong way round, the year off by one (counted in Khmer years,
    # or the age turned into a year) with the day and month right.
    year_off_by_one = x[4:] == y[4:] and abs(a.dob.year - b.dob.year) == 1
    if Levenshtein.distance(x, y, score_cutoff=1) <= 1 or swapped == y or year_off_by_one:
        # One digit of the year can move a birth date a generation: 1953 for 1973 is a
        # typo, or a parent born on the same day of the year as the child.
        if abs(a.dob.year - b.dob.year) >= GENERATION_YEARS:
            return "typo_far"
        return "typo"
    if a.dob.year == b.dob.year:
        return "same_year"
    days = abs(a.dob.toordinal() - b.dob.toordinal())
    if days <= NEAR_DAYS:
        return "near"
    if days >= GENERATION_YEARS * 365.25:
        return "generation"
    return "different"


def compare_equal(x: str, y: str) -> str:
    if not x or not y:
        return "missing"
    return "agree" if x == y else "disagree"


def compare_national_id(a: Record, b: Record) -> str:
    x, y = a.national_id, b.national_id
    if not x or not y:
        return "missing"
    if x == y:
        return "agree"
    # One mistyped or two swapped neighbouring digits.
    if Levenshtein.distance(x, y, weights=(1, 1, 1), score_cutoff=1) <= 1 or (
        len(x) == len(y)
        and sorted(x) == sorted(y)
        and sum(1 for i, j in zip(x, y, strict=True) if i != j) == 2
    ):
        return "typo"
    return "disagree"


def compare_place(a: Record, b: Record) -> str:
    if a.village_id is None or b.village_id is None:
        return "missing"
    if a.village_id == b.village_id:
        return "village"
    if a.commune_id == b.commune_id:
        return "commune"
    if a.province_id == b.province_id:
        return "province"
    return "different"


def compare(a: Record, b: Record) -> tuple[str, ...]:
    """The comparison vector of a pair, in FIELDS order."""
    return (
        compare_khmer(a, b),
        compare_latin(a, b),
        compare_dob(a, b),
        compare_equal(a.sex, b.sex),
        compare_equal(a.phone, b.phone),
        compare_national_id(a, b),
        compare_place(a, b),
    )


# --------------------------------------------------------------------------- weights


@dataclass(frozen=True)
class Weights:
    version: str
    prior: float  # log2 odds that a candidate pair is one person
    auto_merge: float  # posterior log2 odds at or above which a pair merges by itself
    review: float  # ... at or above which a pair is opened for review
    weights: dict[str, dict[str, float]]  # field -> level -> log2(m/u)
    raw: dict

    @classmethod
    def from_dict(cls, data: dict) -> Weights:
        weights = {
            field: {
                level: (0.0 if level == "missing" else float(values["weight"]))
                for level, values in data["fields"][field].items()
            }
            for field in FIELDS
        }
        return cls(
            version=data["version"],
            prior=float(data["prior_log2_odds"]),
            auto_merge=float(data["thresholds"]["auto_merge"]),
            review=float(data["thresholds"]["review"]),
            weights=weights,
            raw=data,
        )


def weights_path() -> Path:
    """The weights in use: the file `dedup_retrain` wrote (settings.DEDUP_WEIGHTS_PATH)
    when there is one, else the weights shipped with the code."""
    configured = getattr(settings, "DEDUP_WEIGHTS_PATH", None)
    if configured and Path(configured).is_file():
        return Path(configured)
    return WEIGHTS_PATH


def weights_load(path: Path | None = None) -> Weights:
    """The weights, read again only when their file changes (a retrained file is used by
    the next check, in every process, without a restart)."""
    path = path or weights_path()
    return _weights_read(path, path.stat().st_mtime_ns)


@cache
def _weights_read(path: Path, _mtime_ns: int) -> Weights:
    return Weights.from_dict(json.loads(path.read_text(encoding="utf-8")))


# --------------------------------------------------------------------------- rules

# A rule caps the posterior log-odds of the pairs it recognises: "below_review" keeps a
# pair out of the queue, "below_auto" lets a person decide but never the machine.
CAP_BELOW_REVIEW = "below_review"
CAP_BELOW_AUTO = "below_auto"


def hard_negative_rules(levels: tuple[str, ...]) -> list[tuple[str, str]]:
    """(rule, cap) for each look-alike pattern the pair matches."""
    km, latin, dob, sex, phone, national_id, place = levels
    id_agrees = national_id == "agree"
    rules = []
    if km in ("partial", "different") and not id_agrees:
        # Same birth date or phone with another given name: twins, a household, siblings.
        # Two records of one person do not differ by a whole Khmer name; when the Latin
        # names agree and the birth date too, a person may look (a Khmer typing slip).
        if latin == "exact" and dob == "exact":
            rules.append(("names_differ", CAP_BELOW_AUTO))
        else:
            rules.append(("names_differ", CAP_BELOW_REVIEW))
    elif km in ("partial", "different"):
        rules.append(("names_differ", CAP_BELOW_AUTO))
    if dob == "generation" and not id_agrees:
        rules.append(("parent_child", CAP_BELOW_REVIEW))
    elif dob == "typo_far" and not id_agrees:
        # A parent and child sharing a birthday, or one mistyped year digit: a shared
        # phone makes the typo likely enough for a person to look, never the machine.
        rules.append(("parent_child", CAP_BELOW_AUTO if phone == "agree" else CAP_BELOW_REVIEW))
    if (
        place == "different"
        and dob not in ("exact", "typo")
        and phone != "agree"
        and national_id not in ("agree", "typo")
    ):
        # Namesakes: same name and birth year in another province, nothing else shared.
        rules.append(("namesake", CAP_BELOW_REVIEW))
    if dob in ("same_year", "near", "different") and not id_agrees:
        # Same name, other birth date: siblings named alike, or a person who gave another
        # date. A shared phone and village do not tell them apart; a person decides.
        rules.append(("birth_dates_differ", CAP_BELOW_AUTO))
    if dob in ("typo", "typo_far") and phone == "disagree" and not id_agrees:
        # A birth date one slip away and another phone: two signs of two people, each
        # explainable alone. Same-name neighbours born days apart look exactly like this,
        # and common names make them common in every village: a person decides.
        rules.append(("birth_date_and_phone_differ", CAP_BELOW_AUTO))
    if national_id == "disagree":
        rules.append(("national_id_differs", CAP_BELOW_AUTO))
    if sex == "disagree":
        rules.append(("sex_differs", CAP_BELOW_AUTO))
    return rules


# --------------------------------------------------------------------------- score


@dataclass(frozen=True, slots=True)
class Score:
    log_odds: float  # posterior log2 odds after the rules' caps
    probability: float
    levels: tuple[str, ...]
    rules: tuple[str, ...]

    def reasons(self, weights: Weights) -> list[dict]:
        """What agreed, disagreed or was missing, with each field's weight; then the rules."""
        reasons: list[dict] = [
            {
                "field": field,
                "outcome": OUTCOMES[level],
                "level": level,
                "weight": round(weights.weights[field][level], 2),
            }
            for field, level in zip(FIELDS, self.levels, strict=True)
        ]
        reasons.extend(
            {"field": "rule", "outcome": "disagree", "level": rule, "weight": None}
            for rule in self.rules
        )
        return reasons


def probability(log_odds: float) -> float:
    if log_odds > 60:
        return 1.0
    if log_odds < -60:
        return 0.0
    return 1.0 / (1.0 + 2.0 ** (-log_odds))


def score_levels(levels: tuple[str, ...], weights: Weights) -> Score:
    total = weights.prior + sum(
        weights.weights[field][level] for field, level in zip(FIELDS, levels, strict=True)
    )
    rules = hard_negative_rules(levels)
    for _rule, cap in rules:
        ceiling = weights.review if cap == CAP_BELOW_REVIEW else weights.auto_merge
        # Just below the band the rule keeps the pair out of.
        total = min(total, ceiling - 0.01)
    return Score(
        log_odds=round(total, 4),
        probability=round(probability(total), 6),
        levels=levels,
        rules=tuple(rule for rule, _cap in rules),
    )


def score_pair(a: Record, b: Record, weights: Weights | None = None) -> Score:
    return score_levels(compare(a, b), weights or weights_load())
