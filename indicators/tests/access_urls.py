"""The indicators module's rows of the URL access table (merged by pmf/tests/test_url_access.py)."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from indicators.tests.factories import MeasurementFactory, team_indicator
from pmf.tests.access import LOGIN


def _indicator(world):
    return team_indicator(world, code="ACC01")


def indicator_pk(world):
    return {"pk": _indicator(world).pk}


def measurement_pk(world):
    return {"pk": MeasurementFactory(indicator=_indicator(world), period=datetime.date(2025, 1, 1)).pk}


def approved_measurement_pk(world):
    measurement = MeasurementFactory(
        indicator=_indicator(world),
        period=datetime.date(2025, 1, 1),
        approved_by=world.manager,
        approved_at=datetime.datetime(2025, 2, 20, tzinfo=datetime.UTC),
    )
    return {"pk": measurement.pk}


def value_period(world):
    return {"pk": _indicator(world).pk, "period": "2025-01-01"}


def indicator_payload(world):
    return {
        "code": "ACC01",
        "title": "Renamed",
        "unit": "percent",
        "decimals": 1,
        "polarity": "up",
        "frequency": "monthly",
        "ytd_rule": "mean",
        "tolerance_kind": "absolute",
        "tolerance": "2",
        "org_unit": world.team.pk,
        "source": "local",
        "active": "on",
    }


def value_payload(world):
    return {f"pi{_first_pk()}-value": "95", f"pi{_first_pk()}-version": "0"}


def _first_pk():
    from indicators.models import Indicator

    first = Indicator.objects.order_by("pk").first()
    return first.pk if first else 0


def import_payload(world):
    return {
        "kind": "values",
        "commit": "on",
        "file": SimpleUploadedFile("values.csv", b"code,period,value\nACC01,2025-02-01,93\n", "text/csv"),
    }


# name: list of (kwargs builder, anon, outsider, viewer, updater, manager, admin)
URLS = {
    "indicator-list": [(None, LOGIN, 200, 200, 200, 200, 200)],
    "indicator-create": [(None, LOGIN, 200, 403, 403, 200, 200)],
    "indicator-monthly-update": [(None, LOGIN, 200, 403, 200, 200, 200)],
    "indicator-approvals": [(None, LOGIN, 200, 403, 200, 200, 200)],
    "indicator-target-flags": [(None, LOGIN, 200, 200, 200, 200, 200)],
    "indicator-import": [(None, LOGIN, 200, 403, 200, 200, 200)],
    "indicator-export": [
        (lambda w: {"kind": "values", "fmt": "csv"}, LOGIN, 200, 200, 200, 200, 200),
        (lambda w: {"kind": "definitions", "fmt": "xlsx"}, LOGIN, 200, 200, 200, 200, 200),
        (lambda w: {"kind": "secrets", "fmt": "csv"}, LOGIN, 404, 404, 404, 404, 404),
    ],
    "indicator-detail": [(indicator_pk, LOGIN, 404, 404, 200, 200, 200)],
    "indicator-edit": [(indicator_pk, LOGIN, 404, 404, 403, 200, 200)],
    "indicator-target-add": [(indicator_pk, LOGIN, 404, 404, 403, 200, 200)],
    "measurement-edit": [(value_period, LOGIN, 404, 404, 200, 200, 200)],
    "measurement-approve": [(measurement_pk, LOGIN, 405, 405, 405, 405, 405)],
    "measurement-reopen": [(approved_measurement_pk, LOGIN, 405, 405, 405, 405, 405)],
}

# name: (kwargs builder, payload builder, model with history, {actor: answer})
WRITES = {
    "indicator-edit": (
        indicator_pk,
        indicator_payload,
        "indicators.Indicator",
        {"anon": LOGIN, "outsider": 404, "viewer": 404, "updater": 403},
    ),
    "indicator-create": (
        lambda w: None,
        lambda w: {**indicator_payload(w), "code": "NEW01"},
        "indicators.Indicator",
        {"anon": LOGIN, "viewer": 403, "updater": 403},
    ),
    "indicator-target-add": (
        indicator_pk,
        lambda w: {"effective_from": "2025-04-01", "target": "95", "tolerance_kind": "absolute", "tolerance": "1"},
        "indicators.TargetPeriod",
        {"anon": LOGIN, "outsider": 404, "viewer": 404, "updater": 403},
    ),
    "measurement-approve": (
        measurement_pk,
        lambda w: {},
        "indicators.Measurement",
        {"anon": LOGIN, "outsider": 404, "viewer": 404, "updater": 403},
    ),
    "measurement-reopen": (
        approved_measurement_pk,
        lambda w: {},
        "indicators.Measurement",
        {"anon": LOGIN, "outsider": 404, "viewer": 404, "updater": 403, "manager": 403},
    ),
    "measurement-edit": (
        value_period,
        lambda w: {f"pi{_first_pk()}-value": "95"},
        "indicators.Measurement",
        {"anon": LOGIN, "outsider": 404, "viewer": 404},
    ),
    "indicator-monthly-update": (
        lambda w: None,
        value_payload,
        "indicators.Measurement",
        {"anon": LOGIN, "viewer": 403},
    ),
    "indicator-import": (lambda w: None, import_payload, "indicators.Measurement", {"anon": LOGIN, "viewer": 403}),
}
