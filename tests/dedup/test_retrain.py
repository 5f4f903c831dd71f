"""`manage.py dedup_retrain`: reviewers' decisions become training data for the weights."""

import itertools
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from dedup.engine.scoring import FIELDS, score_levels, weights_load
from dedup.models import DuplicateCase
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

# Same-name neighbours a slip of a birth date apart, with their own phones.
NEIGHBOURS = ("exact", "exact", "typo", "agree", "disagree", "missing", "village")
# One person, the Latin name spelled another way, met in another village of the commune.
RESPELLED = ("exact", "close", "exact", "agree", "missing", "missing", "commune")


def reasons(levels):
    return [
        {"field": field, "outcome": "x", "level": level, "weight": 0.0}
        for field, level in zip(FIELDS, levels, strict=True)
    ]


@pytest.fixture
def pairs(geography):
    people = [PersonFactory() for _ in range(30)]
    return iter(itertools.combinations(sorted(p.pk for p in people), 2))


def decide(pairs, levels, decision, count, *, by):
    DuplicateCase.objects.bulk_create(
        DuplicateCase(
            person_a_id=a,
            person_b_id=b,
            score=0.5,
            reasons=reasons(levels),
            decision=decision,
            automatic=False,
            decided_by=by,
            decided_at=timezone.now(),
            source=DuplicateCase.Source.BATCH,
        )
        for a, b in itertools.islice(pairs, count)
    )


def test_too_few_decisions_write_nothing(pairs, tmp_path):
    decide(pairs, NEIGHBOURS, DuplicateCase.Decision.DIFFERENT, 5, by=UserFactory())
    out = tmp_path / "weights.json"
    with pytest.raises(CommandError, match="Only 5 reviewed pairs"):
        call_command("dedup_retrain", "--out", str(out))
    assert not out.exists()


def test_reviewers_calling_neighbours_different_lowers_that_pattern(pairs, tmp_path, settings):
    reviewer = UserFactory()
    decide(pairs, NEIGHBOURS, DuplicateCase.Decision.DIFFERENT, 60, by=reviewer)
    decide(pairs, RESPELLED, DuplicateCase.Decision.MERGED, 20, by=reviewer)
    # Automatic decisions and open cases are not reviewers' answers: left out.
    DuplicateCase.objects.filter(pk__in=DuplicateCase.objects.all()[:3].values("pk")).update(
        automatic=True
    )
    decide(pairs, RESPELLED, DuplicateCase.Decision.OPEN, 10, by=None)
    out = tmp_path / "weights.json"
    current = weights_load()

    call_command("dedup_retrain", "--out", str(out), "--min-decisions", "50", "--strength", "50")

    document = json.loads(out.read_text(encoding="utf-8"))
    assert document["trained_on"]["method"] == "reviews"
    assert document["trained_on"]["decisions_different"] == 57
    assert document["trained_on"]["decisions_same"] == 20
    assert document["trained_on"]["based_on"] == current.version
    assert document["thresholds"] == current.raw["thresholds"]
    settings.DEDUP_WEIGHTS_PATH = out
    retrained = weights_load()
    assert retrained.version == document["version"]
    # A slip of the birth date with another phone is weaker evidence than before ...
    assert retrained.weights["phone"]["disagree"] < current.weights["phone"]["disagree"]
    assert score_levels(NEIGHBOURS, retrained).log_odds < score_levels(NEIGHBOURS, current).log_odds
    # ... and a respelled Latin name of one person stronger.
    assert retrained.weights["name_latin"]["close"] > current.weights["name_latin"]["close"]


def test_a_dry_run_writes_nothing(pairs, tmp_path):
    decide(pairs, NEIGHBOURS, DuplicateCase.Decision.DIFFERENT, 60, by=UserFactory())
    out = tmp_path / "weights.json"
    call_command("dedup_retrain", "--out", str(out), "--min-decisions", "50", "--dry-run")
    assert not out.exists()


def test_weights_that_would_merge_a_pair_reviewers_called_different_are_refused(pairs, tmp_path):
    reviewer = UserFactory()
    current = weights_load()
    assert current.review <= score_levels(RESPELLED, current).log_odds < current.auto_merge
    decide(pairs, RESPELLED, DuplicateCase.Decision.MERGED, 100, by=reviewer)
    decide(pairs, RESPELLED, DuplicateCase.Decision.DIFFERENT, 1, by=reviewer)
    out = tmp_path / "weights.json"
    with pytest.raises(CommandError, match="would merge by themselves 1 pairs"):
        call_command(
            "dedup_retrain", "--out", str(out), "--min-decisions", "50", "--strength", "100"
        )
    assert not out.exists()
