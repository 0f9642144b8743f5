"""Run the nightly jobs now, in this process (the embedded default has no Celery worker).

    python manage.py run_nightly [--date 2026-11-25] [--step grading]
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from grading import nightly
from grading.services import today


class Command(BaseCommand):
    help = "Run the nightly jobs (grading, then the later steps) in-process, every company."

    def add_arguments(self, parser):
        parser.add_argument("--date", type=date.fromisoformat, default=None,
                            help="Business date (default: today in Asia/Shanghai).")
        parser.add_argument("--step", action="append", dest="steps",
                            choices=[step.name for step in nightly.STEPS],
                            help="Only this step (repeatable).")

    def handle(self, *args, date=None, steps=None, **options):
        business_date = date or today()
        try:
            runs = nightly.run_in_process(business_date=business_date, steps=steps,
                                          report=self.stdout.write)
        except nightly.NightlyFailed as failed:
            raise CommandError(f"{len(failed.failures)} part(s) failed: {failed}") from failed
        self.stdout.write(self.style.SUCCESS(
            f"Nightly jobs for {business_date}: {len(runs)} run(s) finished."))
