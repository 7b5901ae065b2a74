import datetime

from django.core.management.base import BaseCommand, CommandError

from plans.services import refresh_statuses


class Command(BaseCommand):
    help = "Recompute every plan item's progress, status and attention flag (what the daily job does)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Work out statuses as of this day (YYYY-MM-DD); default today.")

    def handle(self, *args, date=None, **options):
        try:
            on = datetime.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError(f'--date "{date}" is not a date like 2026-03-31.') from None
        changed = refresh_statuses(on=on)
        self.stdout.write(f"{changed} plan item{'s' if changed != 1 else ''} changed.")
