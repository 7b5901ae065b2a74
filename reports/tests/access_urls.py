"""Report Central's lines of the URL-walking access test (see pmf/tests/test_url_access.py), and
the report world the reports tests share.

Actors: anon, outsider, viewer (dora, Alpha Homes), updater (charlie, Rents Team under Housing),
manager (bob, Housing), admin. "Housing exceptions" belongs to Housing, defined by bob, with
charlie as a recipient; "Property dossier" belongs to the Property directorate; "Alpha Board
dossier" belongs to Alpha Homes (everyone in it sees it; only admins edit it). The run is bob's
scheduled run of the Housing report, done, with its files.
"""

import datetime
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone

from assessments.tests.factories import private_media
from pmf.tests.access import LOGIN
from reports import params as contract
from reports.models import ReportDefinition, ReportRun

PERIOD = datetime.date(2026, 9, 1)


@dataclass
class ReportWorld:
    housing: ReportDefinition
    property: ReportDefinition
    board: ReportDefinition
    run: ReportRun


def make_definition(name, *, unit, author, kind="exceptions", scope_unit=None, **extra) -> ReportDefinition:
    recipients = extra.pop("recipients", ())
    definition = ReportDefinition.objects.create(
        name=name,
        kind=kind,
        scope="unit",
        scope_id=(scope_unit or unit).pk,
        org_unit=unit,
        created_by=author,
        exceptions=dict(contract.DEFAULT_EXCEPTION_SETTINGS),
        **extra,
    )
    definition.recipients.set(recipients)
    return definition


def make_run(definition, *, user, period=PERIOD, status=ReportRun.Status.QUEUED, files=False, **extra) -> ReportRun:
    run = ReportRun.objects.create(
        definition=definition,
        requested_by=user,
        period=period,
        parameters=definition.to_parameters(period).as_dict(),
        status=status,
        **extra,
    )
    if files:
        private_media()
        run.pdf.save(f"run{run.pk}.pdf", ContentFile(b"%PDF-1.7 stored bytes of a finished run"), save=False)
        run.docx.save(f"run{run.pk}.docx", ContentFile(b"PK stored bytes of a finished run"), save=False)
        run.html.save(f"run{run.pk}.html", ContentFile(b"<p>The stored web version.</p>"), save=False)
        run.pages, run.size, run.duration = 1, 39, 0.5
        run.finished_at = timezone.now()
        run.save()
    return run


def report_world(world) -> ReportWorld:
    """Built once per world."""
    if getattr(world, "reports", None) is not None:
        return world.reports
    housing = make_definition(
        "Housing exceptions", unit=world.directorate, author=world.manager, recipients=[world.updater]
    )
    prop = make_definition("Property dossier", unit=world.other_directorate, author=world.admin, kind="board")
    board = make_definition("Alpha Board dossier", unit=world.org, author=world.admin, kind="board")
    run = make_run(
        housing, user=world.manager, status=ReportRun.Status.DONE, trigger=ReportRun.Trigger.SCHEDULE, files=True
    )
    world.reports = ReportWorld(housing, prop, board, run)
    return world.reports


def of(attr):
    return lambda w: {"pk": getattr(report_world(w), attr).pk}


def _definition_payload(w, definition=None):
    definition = definition or report_world(w).housing
    return {
        "name": "Renamed",
        "kind": "exceptions",
        "scope_choice": f"unit:{w.directorate.pk}",
        "audience": "",
        "marking": "",
        "org_unit": w.directorate.pk,
        "section_keys": list(definition.sections) or [],
        "schedule": "",
        "schedule_day": "",
        **{f"ex_{key}": value for key, value in contract.DEFAULT_EXCEPTION_SETTINGS.items() if value is not False},
    }


URLS = {
    "report-central": [(None, LOGIN, 200, 200, 200, 200, 200)],
    "report-definition-create": [(None, LOGIN, 200, 403, 403, 200, 200)],
    "report-definition": [
        (of("housing"), LOGIN, 404, 404, 200, 200, 200),
        (of("property"), LOGIN, 404, 404, 404, 404, 200),
        (of("board"), LOGIN, 404, 200, 200, 200, 200),
    ],
    "report-definition-edit": [
        (of("housing"), LOGIN, 404, 404, 403, 200, 200),
        (of("board"), LOGIN, 404, 403, 403, 403, 200),
    ],
    "report-run-create": [(of("board"), 405, 405, 405, 405, 405, 405)],
    "report-run": [(of("run"), LOGIN, 404, 404, 200, 200, 200)],
    "report-run-status": [(of("run"), LOGIN, 404, 404, 200, 200, 200)],
    "report-run-pdf": [(of("run"), LOGIN, 404, 404, 200, 200, 200)],
    "report-run-docx": [(of("run"), LOGIN, 404, 404, 200, 200, 200)],
    "report-run-web": [(of("run"), LOGIN, 404, 404, 200, 200, 200)],
}

WRITES = {
    "report-definition-create": (
        lambda w: report_world(w) and {},
        _definition_payload,
        "reports.ReportDefinition",
        {"anon": LOGIN, "viewer": 403, "updater": 403},
    ),
    "report-definition-edit": (
        of("housing"),
        _definition_payload,
        "reports.ReportDefinition",
        {"anon": LOGIN, "outsider": 404, "viewer": 404, "updater": 403},
    ),
    "report-run-create": (
        of("property"),
        lambda w: {"period": "2026-09"},
        "reports.ReportDefinition",
        {"anon": LOGIN, "outsider": 404, "viewer": 404, "updater": 404, "manager": 404},
    ),
}
