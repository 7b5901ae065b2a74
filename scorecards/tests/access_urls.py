"""Access table of the scorecards module (merged by pmf/tests/test_url_access.py)."""

import datetime
import io

from PIL import Image

from pmf.tests.access import LOGIN
from scorecards.models import Scorecard, ScorecardSettings, TsmSurvey
from scorecards.tests.factories import PERIOD, issue, make_indicator, make_scorecard, make_snapshot


def _scorecard(w):
    found = Scorecard.objects.filter(title="Housing scorecard").first()
    if found is None:
        indicator = make_indicator("ACC1", w.team, owner=w.manager, updater=w.updater, months=3)
        found = make_scorecard(
            w.directorate,
            [indicator],
            owner=w.manager,
            shared_with=[w.viewer],
            publication=Scorecard.Publication.FULL,
            public_slug="housing",
        )
    return found


def scorecard(w):
    return {"pk": _scorecard(w).pk}


def chart(w):
    found = _scorecard(w)
    return {"pk": found.pk, "indicator_pk": found.entries.first().indicator_id}


def edition(w):
    return {"pk": issue(_scorecard(w), PERIOD).pk}


def public(w):
    issue(_scorecard(w), PERIOD)
    return {"slug": "housing"}


def public_data(w):
    return {**public(w), "fmt": "csv"}


def tsm_survey(w):
    survey, _ = TsmSurvey.objects.get_or_create(
        year=2025,
        defaults={
            "sample_size": 1086,
            "collection_method": "Telephone interviews",
            "fieldwork_start": datetime.date(2025, 6, 2),
            "fieldwork_end": datetime.date(2025, 7, 18),
            "carried_out_by": "contractor",
            "contractor": "Northfield Research Ltd",
        },
    )
    return {"pk": survey.pk}


def public_logo(w):
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, format="PNG")
    ScorecardSettings(public_name="Alpha Homes", public_logo=out.getvalue(), public_logo_type="image/png").save()
    return {}


def _survey_payload(year):
    return lambda w: {
        "year": year,
        "sample_size": 900,
        "collection_method": "Online",
        "fieldwork_start": "2026-06-01",
        "fieldwork_end": "2026-07-01",
        "carried_out_by": "in_house",
    }


def snapshot(w):
    return {"pk": make_snapshot(w.updater, w.team, shared_with=[w.viewer], person_filter=w.updater).pk}


SEEN = (LOGIN, 404, 200, 404, 200, 200)  # shared with the viewer; managed by the manager
EDIT = (LOGIN, 404, 403, 404, 200, 200)
OPEN = (200, 200, 200, 200, 200, 200)
SIGNED_IN = (LOGIN, 200, 200, 200, 200, 200)

URLS = {
    "scorecard-list": [(None, *SIGNED_IN)],
    "scorecard-create": [(None, LOGIN, 200, 403, 403, 200, 200)],
    "scorecard-detail": [(scorecard, *SEEN)],
    "scorecard-edit": [(scorecard, *EDIT)],
    "scorecard-arrange": [(scorecard, *EDIT)],
    "scorecard-changes": [(scorecard, *SEEN)],
    "scorecard-signposts": [(scorecard, *SEEN)],
    "scorecard-chart": [(chart, *SEEN)],
    "scorecard-settings": [(None, LOGIN, 403, 403, 403, 403, 200)],
    "edition-list": [(scorecard, *SEEN)],
    "edition-issue": [(scorecard, LOGIN, 405, 405, 405, 405, 405)],
    "edition-detail": [(edition, *SEEN)],
    "snapshot-list": [(None, *SIGNED_IN)],
    "snapshot-mine": [(None, *SIGNED_IN)],
    "snapshot-create": [(None, LOGIN, 200, 403, 200, 200, 200)],
    "snapshot-detail": [(snapshot, LOGIN, 404, 200, 200, 200, 200)],
    "snapshot-edit": [(snapshot, LOGIN, 404, 403, 200, 200, 200)],
    "public-index": [(None, *OPEN)],
    "public-scorecard": [(public, *OPEN)],
    "public-signposts": [(public, *OPEN)],
    "public-data": [(public_data, *OPEN)],
    "public-data-schema": [(None, *OPEN)],
    "public-logo": [(None, 404, 404, 404, 404, 404, 404), (public_logo, *OPEN)],
    "public-settings": [(None, LOGIN, 403, 403, 403, 403, 200)],
    "tsm-survey-create": [(None, LOGIN, 403, 403, 403, 403, 200)],
    "tsm-survey-edit": [(tsm_survey, LOGIN, 403, 403, 403, 403, 200)],
}

WRITES = {
    "scorecard-edit": (
        scorecard,
        lambda w: {"title": "Renamed", "org_unit": w.directorate.pk},
        "scorecards.Scorecard",
        {"anon": LOGIN, "outsider": 404, "viewer": 403, "updater": 404},
    ),
    "scorecard-arrange": (
        scorecard,
        lambda w: {"action": "add-section", "new-title": "Finance"},
        "scorecards.ScorecardSection",
        {"anon": LOGIN, "outsider": 404, "viewer": 403, "updater": 404},
    ),
    "edition-issue": (
        scorecard,
        lambda w: {"period": "2025-09"},
        "scorecards.ScorecardEdition",
        {"anon": LOGIN, "outsider": 404, "viewer": 403, "updater": 404},
    ),
    "snapshot-create": (
        lambda w: {},
        lambda w: {"name": "Mine", "org_unit": w.org.pk, "columns": ["value"]},
        "scorecards.Snapshot",
        {"anon": LOGIN, "viewer": 403},
    ),
    "snapshot-edit": (
        snapshot,
        lambda w: {"name": "Renamed", "org_unit": w.team.pk, "columns": ["value"]},
        "scorecards.Snapshot",
        {"anon": LOGIN, "outsider": 404, "viewer": 403},
    ),
    "public-settings": (
        lambda w: {},
        lambda w: {"public_name": "Renamed Homes", "public_introduction": "Changed"},
        "scorecards.ScorecardSettings",
        {"anon": LOGIN, "outsider": 403, "viewer": 403, "updater": 403, "manager": 403},
    ),
    "tsm-survey-create": (
        lambda w: {},
        _survey_payload(2026),
        "scorecards.TsmSurvey",
        {"anon": LOGIN, "outsider": 403, "viewer": 403, "updater": 403, "manager": 403},
    ),
    "tsm-survey-edit": (
        tsm_survey,
        _survey_payload(2025),
        "scorecards.TsmSurvey",
        {"anon": LOGIN, "outsider": 403, "viewer": 403, "updater": 403, "manager": 403},
    ),
    "scorecard-settings": (
        lambda w: {},
        lambda w: {"unapproved_values": "refuse", "issue_day": 16},
        "scorecards.ScorecardSettings",
        {"anon": LOGIN, "outsider": 403, "viewer": 403, "updater": 403, "manager": 403},
    ),
}
