from django.core.management.base import BaseCommand, CommandError

from assessments import services
from assessments.library import LibraryError


class Command(BaseCommand):
    help = (
        "Load or update a framework library from a YAML file (idempotent: unchanged content loads nothing; "
        "changed content becomes a new version). --shipped loads the three libraries shipped with the project."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="YAML library files")
        parser.add_argument("--shipped", action="store_true", help="Load the libraries in assessments/libraries/")

    def handle(self, *args, files, shipped, **options):
        if not files and not shipped:
            raise CommandError("Name one or more YAML files, or use --shipped.")
        paths = [services.LIBRARIES / name for name in services.SHIPPED] if shipped else []
        paths += files
        for path in paths:
            try:
                framework, created = services.load_library_file(path=path)
            except LibraryError as exc:
                problems = "\n  ".join(exc.problems)
                raise CommandError(f"{path}: nothing loaded.\n  {problems}") from None
            except OSError as exc:
                raise CommandError(f"{path}: cannot be read ({exc.strerror}).") from None
            verb = "Loaded" if created else "Unchanged:"
            self.stdout.write(f"{verb} {framework} from {path}")
