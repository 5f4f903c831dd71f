"""The whole-registry dedup: idempotent, resumable, and its CSV export."""

import csv
import datetime

import pytest
from django.core.management import call_command

from dedup.engine import dedup_batch
from dedup.models import DedupRun, DuplicateCase, PersonKeys
from dedup.services.review import duplicate_case_decide
from geography.models import Village
from registry.models import Person
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

NAMES = [
    ("សុខ វុទ្ធី", "Sok Vuthy", "Sokh Vutthy", "M"),
    ("ឆាយ ដារ៉ា", "Chhay Dara", "Chay Dara", "M"),
    ("ខៀវ សុភា", "Khiev Sophea", "Sophea Khieu", "F"),
    ("ចាន់ ធីតា", "Chan Thida", "Chann Thidar", "F"),
    ("លី ស្រីមុំ", "Ly Sreymom", "Lee Srey Mom", "F"),
    ("ហេង សុខា", "Heng Sokha", "HENG SOKHAR", "M"),
]


def village():
    return Village.objects.filter(commune__district__province__code="12").order_by("pk").first()


def registry_with_duplicates():
    """Six people, each registered twice (the copy later, spelt otherwise), plus one pair
    that only a person can decide (everything agrees but the sex)."""
    originals, copies = [], []
    for i, (km, latin, variant, sex) in enumerate(NAMES):
        common = {
            "name_km": km,
            "sex": sex,
            "date_of_birth": datetime.date(1980 + i, 1 + i, 10 + i),
            "phone": f"+8551200000{i}",
            "national_id": f"10000000{i}",
            "village": village(),
            "reference": "",
        }
        originals.append(PersonFactory(name_latin=latin, **common))
        copies.append((variant, common))
    copies = [
        PersonFactory(name_latin=variant, **{**common, "reference": f"BR-{n}"})
        for n, (variant, common) in enumerate(copies)
    ]
    uncertain = PersonFactory(
        name_km="មាស សុភី", name_latin="Meas Sophy", sex="F", national_id="900000001",
        date_of_birth=datetime.date(1975, 2, 2), phone="+85516000001", village=village(),
        reference="BR-U1",
    )  # fmt: skip
    uncertain_copy = PersonFactory(
        name_km="មាស សុភី", name_latin="Meah Sophy", sex="M", national_id="900000001",
        date_of_birth=datetime.date(1975, 2, 2), phone="+85516000001", village=village(),
        reference="BR-U2",
    )  # fmt: skip
    return originals, copies, (uncertain, uncertain_copy)


def test_batch_merges_duplicates_and_opens_uncertain_pairs(geography):
    originals, copies, uncertain = registry_with_duplicates()
    summary = dedup_batch(chunk_size=4)
    assert summary.finished
    assert summary.counts["merged"] == len(NAMES)
    assert summary.counts["opened"] == 1
    for original, copy in zip(originals, copies, strict=True):
        copy.refresh_from_db()
        assert copy.merged_into_id == original.pk
    case = DuplicateCase.objects.get(decision=DuplicateCase.Decision.OPEN)
    assert (case.person_a_id, case.person_b_id) == (uncertain[0].pk, uncertain[1].pk)
    assert case.source == DuplicateCase.Source.BATCH


def test_running_the_batch_again_opens_nothing_twice_and_never_reasks(geography):
    registry_with_duplicates()
    dedup_batch(chunk_size=4, resume=False)
    cases = DuplicateCase.objects.count()
    again = dedup_batch(chunk_size=4, resume=False)
    assert again.counts["opened"] == 0
    assert again.counts["merged"] == 0
    assert DuplicateCase.objects.count() == cases
    # A reviewer says "different people": the next runs skip the pair.
    duplicate_case_decide(
        case=DuplicateCase.objects.get(decision="open"), same_person=False, actor=UserFactory()
    )
    third = dedup_batch(chunk_size=4, resume=False)
    assert third.counts["opened"] == 0
    assert third.counts["skipped_decided"] == 1
    assert not DuplicateCase.objects.filter(decision="open").exists()
    assert DuplicateCase.objects.count() == cases


class StopRunError(Exception):
    pass


def test_an_interrupted_batch_resumes_after_its_last_chunk(geography):
    registry_with_duplicates()
    chunks = []

    def stop_after_two(run):
        chunks.append(run.cursor)
        if len(chunks) == 2:
            raise StopRunError

    with pytest.raises(StopRunError):
        dedup_batch(chunk_size=3, resume=False, progress=stop_after_two)
    run = DedupRun.objects.get()
    assert run.status == DedupRun.Status.RUNNING
    assert run.cursor == chunks[-1]
    assert run.done == 6
    merged_before = Person.objects.filter(status=Person.Status.MERGED).count()

    resumed = []
    summary = dedup_batch(chunk_size=3, resume=True, progress=lambda r: resumed.append(r.cursor))
    run.refresh_from_db()
    assert summary.run_id == run.pk
    assert run.status == DedupRun.Status.FINISHED
    assert resumed[0] > chunks[-1]  # nothing before the cursor was done again
    assert run.counts["merged"] == len(NAMES)
    assert Person.objects.filter(status=Person.Status.MERGED).count() == len(NAMES)
    assert merged_before <= len(NAMES)
    assert DuplicateCase.objects.filter(decision="open").count() == 1


def test_export_duplicates_writes_merged_and_possible_pairs(geography, tmp_path):
    originals, copies, _uncertain = registry_with_duplicates()
    dedup_batch(chunk_size=50)
    path = tmp_path / "pairs.csv"
    call_command("export_duplicates", str(path))
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["reference_a", "reference_b", "score", "decision"]
    merged = {(r["reference_a"], r["reference_b"]) for r in rows if r["decision"] == "merged"}
    # Originals came without a reference: they are named by their registration number.
    assert merged == {
        (original.registration_number, copy.reference)
        for original, copy in zip(originals, copies, strict=True)
    }
    possible = [r for r in rows if r["decision"] == "possible"]
    assert [(r["reference_a"], r["reference_b"]) for r in possible] == [("BR-U1", "BR-U2")]
    assert all(0 <= float(r["score"]) <= 1 for r in rows)
    # A pair decided "different" is not a pair found.
    duplicate_case_decide(
        case=DuplicateCase.objects.get(decision="open"), same_person=False, actor=UserFactory()
    )
    call_command("export_duplicates", str(path))
    with path.open(encoding="utf-8") as handle:
        assert len(list(csv.DictReader(handle))) == len(NAMES)


def test_dedupe_command_prints_a_summary(geography, capsys):
    registry_with_duplicates()
    call_command("dedupe", "--chunk-size", "5")
    out = capsys.readouterr().out
    assert f"{len(NAMES)} merged" in out
    assert "1 opened for review" in out
    call_command("dedupe", "--resume")
    assert "0 merged" in capsys.readouterr().out


def test_the_batch_task_runs_the_whole_registry(geography):
    from dedup.tasks import dedup_batch_run

    registry_with_duplicates()
    result = dedup_batch_run.delay(chunk_size=100).get()
    assert result["merged"] == len(NAMES)
    assert DedupRun.objects.get().status == DedupRun.Status.FINISHED


def test_the_batch_pairs_a_record_like_a_merged_one_with_its_survivor(geography):
    common = {"name_km": "សុខ វុទ្ធី", "sex": "M", "date_of_birth": datetime.date(1990, 5, 17)}
    first = PersonFactory(
        name_latin="Sok Vuthy", phone="+85512000111", national_id="123456789",
        village=village(), **common,
    )  # fmt: skip
    PersonFactory(
        name_latin="Sokh Vuthy", phone="+85517000222", national_id="123456789",
        village=village(), **common,
    )  # fmt: skip
    third = PersonFactory(
        name_latin="Vuthy Sok", phone="+85517000222", national_id="", village=village(), **common
    )
    summary = dedup_batch(chunk_size=1)
    assert summary.counts["merged"] == 2
    third.refresh_from_db()
    assert third.merged_into_id == first.pk


def test_the_batch_stores_the_survivors_keys_as_its_merges_left_them(geography):
    common = {"name_km": "ខៀវ សុភា", "sex": "F", "date_of_birth": datetime.date(1988, 3, 9)}
    first = PersonFactory(
        name_latin="Khiev Sophea", phone="", national_id="", village=village(), **common
    )
    PersonFactory(
        name_latin="Khieu Sophea", phone="+85512777888", national_id="222333444",
        village=village(), **common,
    )  # fmt: skip
    summary = dedup_batch(chunk_size=50)  # one chunk: its merges are made together at its end
    assert summary.counts["merged"] == 1
    keys = PersonKeys.objects.get(person=first)
    assert (keys.phone, keys.national_id) == ("+85512777888", "222333444")
    first.refresh_from_db()
    assert (str(first.phone), first.national_id) == ("+85512777888", "222333444")


def test_a_batch_merge_refused_at_the_end_of_its_chunk_leaves_no_case(geography):
    from dedup.engine.blocking import BlockIndex
    from dedup.engine.engine import (
        Counts,
        _Decided,
        _MergeLater,
        keys_refresh_stale,
        registry_keys,
    )
    from dedup.engine.scoring import record_from_keys, score_pair, weights_load

    originals, copies, _uncertain = registry_with_duplicates()
    keys_refresh_stale()
    index = BlockIndex(*registry_keys())
    weights = weights_load()
    decided = _Decided({})
    merger = _MergeLater(weights=weights, source="batch", decided=decided, index=index)
    for original, copy in zip(originals[:2], copies[:2], strict=True):
        pair = (original.pk, copy.pk)
        score = score_pair(
            record_from_keys(index.keys[original.pk]),
            record_from_keys(index.keys[copy.pk]),
            weights,
        )
        assert merger.merge(pair=pair, score=score, via=None, existing=None)
    # Someone withdraws the second copy before the chunk ends.
    Person.objects.filter(pk=copies[1].pk).update(status="withdrawn")
    counts = Counts(pairs_found=2, merged=2)
    merger.flush(counts)
    assert (counts.merged, counts.pairs_found) == (1, 1)
    assert Person.objects.get(pk=copies[0].pk).merged_into_id == originals[0].pk
    assert Person.objects.get(pk=copies[1].pk).status == "withdrawn"
    assert list(DuplicateCase.objects.values_list("person_b_id", "decision")) == [
        (copies[0].pk, "merged")
    ]
    assert decided.get((originals[1].pk, copies[1].pk)) is None


def test_export_duplicates_neutralises_references_that_look_like_formulas(geography, tmp_path):
    _originals, _copies, _uncertain = registry_with_duplicates()
    dedup_batch(chunk_size=50)
    Person.objects.filter(reference="BR-U1").update(reference='=HYPERLINK("x")')
    path = tmp_path / "pairs.csv"
    call_command("export_duplicates", str(path))
    with path.open(encoding="utf-8") as handle:
        possible = [r for r in csv.DictReader(handle) if r["decision"] == "possible"]
    assert possible[0]["reference_a"] == '\'=HYPERLINK("x")'
