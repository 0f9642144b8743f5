from django.core.management.base import BaseCommand

from accounts.workdays import covered_years, sync_from_library


class Command(BaseCommand):
    help = ("Add to the working-day calendar every year the installed chinesecalendar "
            "library knows and the table lacks (years already there are kept as edited).")

    def handle(self, *args, **options) -> None:
        added = sync_from_library()
        years = sorted(covered_years())
        self.stdout.write(f"added: {added or 'none'}; covered: {years[0]}–{years[-1]}"
                          if years else "the calendar is empty")
