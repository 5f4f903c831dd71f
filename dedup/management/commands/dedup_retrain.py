"""Retrain the dedup weights on reviewers' decisions: `manage.py dedup_retrain`.

Every pair a person decided (in the review queue, or by undoing an automatic merge)
is a labelled example: "same person" or "different people". The command updates the
weights in use with them (`dedup.engine.training.weights_from_reviews`), shows what
would change, and writes the new weights to settings.DEDUP_WEIGHTS_PATH, which the
engine uses from its next check on. It refuses new weights that would merge by
themselves a pair a reviewer called two people.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from dedup.engine.scoring import FIELDS, Weights, score_levels, weights_load
from dedup.engine.training import band, levels_from_reasons, weights_from_reviews
from dedup.models import DuplicateCase


class Command(BaseCommand):
    help = (
        "Update the dedup weights with reviewers' 'same person' and 'different people' decisions."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--min-decisions",
            type=int,
            default=200,
            help="refuse to retrain on fewer reviewed pairs than this (default 200)",
        )
        parser.add_argument(
            "--strength",
            type=float,
            default=1000.0,
            help="how many pairs the current weights count as against the decisions (default 1000)",
        )
        parser.add_argument("--out", type=Path, help="default: settings.DEDUP_WEIGHTS_PATH")
        parser.add_argument(
            "--dry-run", action="store_true", help="show the changes, write nothing"
        )

    def handle(self, *args, min_decisions, strength, out, dry_run, **options):
        if strength <= 0:
            raise CommandError("--strength must be above 0.")
        labelled, skipped = reviewed_pairs()
        if len(labelled) < min_decisions:
            raise CommandError(
                f"Only {len(labelled)} reviewed pairs (at least {min_decisions} needed); "
                "nothing written."
            )
        current = weights_load()
        version = f"{timezone.now():%Y-%m-%d}.reviews-{len(labelled)}"
        document = weights_from_reviews(current, labelled, strength=strength, version=version)
        retrained = Weights.from_dict(document)
        same = sum(1 for _levels, is_same in labelled if is_same)
        self.stdout.write(
            f"{len(labelled)} reviewed pairs ({same} same person, {len(labelled) - same} "
            f"different people; {skipped} without stored levels skipped), on {current.version}"
        )
        for field in FIELDS:
            for level, weight in retrained.weights[field].items():
                before = current.weights[field][level]
                if abs(weight - before) >= 0.05:
                    self.stdout.write(f"  {field} {level}: {before:+.2f} -> {weight:+.2f} bits")
        moves = band_changes(labelled, current, retrained)
        for (same_person, before, after), count in sorted(moves.items()):
            label = "same person" if same_person else "different people"
            self.stdout.write(f"  {count} pairs decided '{label}': {before} -> {after}")
        wrong = sum(
            count
            for (same_person, _before, after), count in moves.items()
            if not same_person and after == "merge"
        )
        if wrong:
            raise CommandError(
                f"The new weights would merge by themselves {wrong} pairs that reviewers called "
                "different people and the current weights do not; nothing written. Use a higher "
                "--strength."
            )
        if dry_run:
            self.stdout.write("Dry run: nothing written.")
            return
        path = out or Path(settings.DEDUP_WEIGHTS_PATH)
        _write_atomically(path, document)
        self.stdout.write(self.style.SUCCESS(f"Weights {version} written to {path}."))


def reviewed_pairs() -> tuple[list[tuple[tuple[str, ...], bool]], int]:
    """(levels, same person) for every pair a person decided; and how many had no levels."""
    decided = DuplicateCase.objects.filter(automatic=False, decided_by__isnull=False).exclude(
        decision=DuplicateCase.Decision.OPEN
    )
    labelled = []
    skipped = 0
    for decision, reasons in decided.values_list("decision", "reasons").iterator():
        levels = levels_from_reasons(reasons)
        if levels is None:
            skipped += 1
            continue
        labelled.append((levels, decision == DuplicateCase.Decision.MERGED))
    return labelled, skipped


def band_changes(
    labelled: list[tuple[tuple[str, ...], bool]], before: Weights, after: Weights
) -> dict[tuple[bool, str, str], int]:
    moves: dict[tuple[bool, str, str], int] = {}
    for levels, same in labelled:
        old = band(score_levels(levels, before).log_odds, before)
        new = band(score_levels(levels, after).log_odds, after)
        if old != new:
            moves[(same, old, new)] = moves.get((same, old, new), 0) + 1
    return moves


def _write_atomically(path: Path, document: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=".weights-", delete=False
    ) as handle:
        json.dump(document, handle, indent=2, ensure_ascii=False)
        handle.write("\n")
    os.replace(handle.name, path)
