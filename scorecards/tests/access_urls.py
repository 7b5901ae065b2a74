"""Access table of the scorecards module (merged by pmf/tests/test_url_access.py)."""

from pmf.tests.access import LOGIN
from scorecards.models import Scorecard
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
    "scorecard-settings": (
        lambda w: {},
        lambda w: {"unapproved_values": "refuse", "issue_day": 16},
        "scorecards.ScorecardSettings",
        {"anon": LOGIN, "outsider": 403, "viewer": 403, "updater": 403, "manager": 403},
    ),
}
