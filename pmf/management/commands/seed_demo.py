from django.core.management.base import BaseCommand

from pmf.demo import DEMO_PASSWORD, login_table, seed_organisation
from pmf.registry import DEMO_SEEDERS


class Command(BaseCommand):
    help = "Create or refresh the demo housing group (idempotent) and print the demo logins."

    def handle(self, *args, **options):
        organisation = seed_organisation()
        for _, seeder in DEMO_SEEDERS:
            seeder(organisation)
        units, people = len(organisation["units"]), len(organisation["people"])
        self.stdout.write(self.style.SUCCESS(f"Demo data ready: {units} organisation units, {people} people."))
        self.stdout.write("Demo logins (sign in with the username or its e-mail address):")
        self.stdout.write(login_table())
        self.stdout.write(f"Password for every demo login: {DEMO_PASSWORD}")
