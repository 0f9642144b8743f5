"""`python manage.py demo_visits`: this month's approved plans and worked days for the
demo reps (run `manage.py demo` first; idempotent)."""

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEFAULT_SEED
from visits.demo_month import build_visits


class Command(BaseCommand):
    help = "Give every demo rep this month's approved visit plan, with the past days worked."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)

    def handle(self, *args, seed: int, **options):
        with transaction.atomic():
            created, existing = build_visits(seed=seed)
        parts = [f"{what}: {created[what]} created, {existing[what]} already there"
                 for what in dict.fromkeys([*created, *existing])]
        self.stdout.write("Demo visits ready (" + ("; ".join(parts) or "no demo reps") + ").")
