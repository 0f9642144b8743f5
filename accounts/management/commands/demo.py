"""`python manage.py demo`: load the demo company (idempotent) and print one login per role."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts import demo


class Command(BaseCommand):
    help = (
        "Load the demo company: org tree (2 regions, 4 offices, 8 areas), 40 reps and one "
        "clerk, office manager, regional manager, finance and admin per seat. Safe to run "
        "again: nothing is created twice. Prints one login per role."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default=demo.DEFAULT_PASSWORD,
            help=f"password of every demo user (default: {demo.DEFAULT_PASSWORD})",
        )
        parser.add_argument(
            "--url", default=demo.DEFAULT_URL,
            help=f"address printed above the logins (default: {demo.DEFAULT_URL})",
        )
        parser.add_argument(
            "--seed", type=int, default=demo.DEFAULT_SEED,
            help="seed of the random source for names and numbers",
        )

    def handle(self, *args, password: str, url: str, seed: int, **options):
        try:
            ctx = demo.run(password=password, seed=seed)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(demo.summary(ctx))
        self.stdout.write("")
        self.stdout.write(demo.login_table(ctx, url=url))
