from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from dedup.engine import BatchAlreadyRunningError, dedup_batch


class Command(BaseCommand):
    help = (
        "Find duplicates in the whole registry: merge sure ones, open the uncertain ones "
        "for review. Chunked and resumable; pairs already decided are never asked again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=5000)
        parser.add_argument(
            "--resume",
            action="store_true",
            help="continue the last run that did not finish, after its last chunk",
        )

    def handle(self, *args, chunk_size: int, resume: bool, **options):
        bar = None

        def progress(run):
            nonlocal bar
            if bar is None:
                bar = tqdm(total=run.total, initial=0, unit="rec", file=self.stderr._out)
            bar.update(run.done - bar.n)

        try:
            summary = dedup_batch(chunk_size=chunk_size, resume=resume, progress=progress)
        except BatchAlreadyRunningError as error:
            raise CommandError(str(error)) from None
        finally:
            if bar is not None:
                bar.close()
        counts = summary.counts
        self.stdout.write(
            f"run {summary.run_id}: {summary.done} records checked, "
            f"{counts.get('pairs_found', 0)} pairs found, {counts.get('merged', 0)} merged, "
            f"{counts.get('opened', 0)} opened for review, "
            f"{counts.get('updated', 0)} open cases updated, "
            f"{counts.get('skipped_decided', 0)} skipped (already decided)"
        )
