"""Builders for the cycle tests, on top of the shared `world` fixture (see the root conftest)."""

import datetime

from django.core.files.base import ContentFile

from cycle.models import Job, ReportingCalendar


def group_calendar(world, **days) -> ReportingCalendar:
    """The Alpha Group's calendar (the default for Alpha Homes), with DAYS changed."""
    calendar = ReportingCalendar(org_unit=world.group, **days)
    calendar.full_clean()
    calendar.save()
    return calendar


def job_of(user, *, kind="indicator-values", name="values.csv", data=b"code,period,value\n", commit=True) -> Job:
    job = Job(kind=kind, user=user, file_name=name, commit=commit)
    job.upload.save(name, ContentFile(data), save=False)
    job.save()
    return job


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)
