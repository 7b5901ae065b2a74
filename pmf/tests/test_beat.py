import pytest
from django.conf import settings

from pmf.celery import app


# Importing the task modules runs Celery's Django fixup, which runs the system checks; on SQLite
# the JSONField check asks the database whether it supports JSON.
@pytest.mark.django_db
def test_every_periodic_job_names_a_registered_task():
    app.loader.import_default_modules()
    assert settings.CELERY_BEAT_SCHEDULE, "the schedule lists the periodic jobs"
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"beat entry {name!r} names unknown task {entry['task']!r}"
