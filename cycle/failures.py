"""The failed list the performance team reads: tasks that failed for good."""

import logging

from celery.signals import task_failure
from django.db import DatabaseError

from cycle.models import FailedTask

log = logging.getLogger(__name__)


def record_failure(*, task_name: str, task_id: str | None, exception, args=None, kwargs=None) -> FailedTask | None:
    """A FailedTask row for a task that failed (None, logged, when the database is unreachable:
    the failure that brought the task down may be the database's own)."""
    arguments = ", ".join([*(repr(arg) for arg in args or ()), *(f"{k}={v!r}" for k, v in (kwargs or {}).items())])
    try:
        return FailedTask.objects.create(
            task_name=task_name[:200],
            task_id=(task_id or "")[:64],
            arguments=arguments[:2000],
            error=f"{type(exception).__name__}: {exception}"[:5000],
        )
    except DatabaseError:
        log.exception("Could not record the failure of task %s (%s)", task_name, task_id)
        return None


@task_failure.connect
def _on_task_failure(sender=None, task_id=None, exception=None, args=None, kwargs=None, **extra):
    """Every task that fails for good lands on the admins' failed list; a retry is not a failure,
    so a task that succeeds on its next attempt is not listed. Connected when the app is ready."""
    record_failure(
        task_name=getattr(sender, "name", str(sender)), task_id=task_id, exception=exception, args=args, kwargs=kwargs
    )
