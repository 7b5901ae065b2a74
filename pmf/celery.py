import os

from celery import Celery
from celery.signals import task_failure

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmf.settings")

app = Celery("pmf")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_failure.connect
def _record_failure(sender=None, task_id=None, exception=None, args=None, kwargs=None, **extra):
    """Every task that fails for good lands on the admins' failed list (cycle.FailedTask); a
    retry is not a failure, so a task that succeeds on its next attempt is not listed."""
    from cycle.failures import record_failure

    record_failure(
        task_name=getattr(sender, "name", str(sender)), task_id=task_id, exception=exception, args=args, kwargs=kwargs
    )
