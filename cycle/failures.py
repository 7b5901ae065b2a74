"""The failed list the performance team reads: tasks that failed for good."""

import logging

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
