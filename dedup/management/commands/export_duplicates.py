from pathlib import Path

from django.core.management.base import BaseCommand

from dedup.engine.export import duplicates_export


class Command(BaseCommand):
    help = (
        "Write the duplicate pairs found to a CSV file: reference_a,reference_b,score,decision "
        "(decision 'merged' or 'possible')."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        rows = duplicates_export(path=path)
        self.stdout.write(f"{rows} pairs written to {path}")
