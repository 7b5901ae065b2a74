"""The people module's lines of the URL-walking access test (see pmf/tests/test_url_access.py).

Actors: anon, outsider, viewer, updater (charlie), manager (bob, charlie's line manager), admin.
1-2-1s and appraisals are the person's, their line's and the performance team's only: the viewer
and the outsider get 404; the admin reads them but, being outside the line, cannot write in them.
"""

import datetime

from people.tests.factories import people_world
from pmf.tests.access import LOGIN


def of(attr):
    return lambda w: {"pk": getattr(people_world(w), attr).pk}


def person(attr):
    return lambda w: {"pk": getattr(w, attr).pk}


POST_ONLY = (LOGIN, 405, 405, 405, 405, 405)

URLS = {
    "people-home": [(None, LOGIN, 200, 200, 200, 200, 200)],
    "people-person": [
        (person("updater"), LOGIN, 404, 404, 200, 200, 200),
        (person("manager"), LOGIN, 404, 404, 404, 200, 200),
    ],
    "meeting-start": [(None, LOGIN, 200, 403, 200, 200, 200)],
    "meeting-detail": [
        (of("meeting"), LOGIN, 404, 404, 200, 200, 200),
        (of("frank_meeting"), LOGIN, 404, 404, 200, 200, 200),
    ],
    "meeting-save": [(of("meeting"), *POST_ONLY)],
    "meeting-action": [(of("meeting"), *POST_ONLY)],
    "meeting-complete": [(of("meeting"), *POST_ONLY)],
    "appraisal-start": [(None, LOGIN, 200, 403, 200, 200, 200)],
    "appraisal-detail": [(of("appraisal"), LOGIN, 404, 404, 200, 200, 200)],
    "appraisal-save": [(of("appraisal"), *POST_ONLY)],
    "appraisal-objective": [(of("appraisal"), *POST_ONLY)],
    "appraisal-need": [(of("appraisal"), *POST_ONLY)],
    "appraisal-sign": [(of("appraisal"), *POST_ONLY)],
}

STRANGERS = {"anon": LOGIN, "outsider": 404, "viewer": 404, "admin": 403}


def _soon():
    return (datetime.date.today() + datetime.timedelta(days=30)).isoformat()


WRITES = {
    "meeting-start": (
        lambda w: None,
        lambda w: {"person": w.updater.pk, "held_on": datetime.date.today().isoformat()},
        "people.Meeting",
        {"anon": LOGIN, "outsider": 400, "viewer": 403, "updater": 400},
    ),
    "meeting-save": (
        of("meeting"),
        lambda w: {"notes": "Changed", "next_meeting": _soon()},
        "people.Meeting",
        STRANGERS,
    ),
    "meeting-action": (
        of("meeting"),
        lambda w: {"title": "Agreed", "objective": w.plans.objective.pk, "due_date": _soon()},
        "plans.PlanItem",
        {**STRANGERS, "updater": 403},
    ),
    "meeting-complete": (of("meeting"), lambda w: {}, "people.Meeting", {**STRANGERS, "updater": 403}),
    "appraisal-start": (
        lambda w: None,
        lambda w: {"person": w.updater.pk, "year": 2027},
        "people.Appraisal",
        {"anon": LOGIN, "outsider": 400, "viewer": 403, "updater": 400},
    ),
    "appraisal-save": (of("appraisal"), lambda w: {"comments": "Changed"}, "people.Appraisal", STRANGERS),
    "appraisal-objective": (
        of("appraisal"),
        lambda w: {"title": "Another", "plan_item": w.plans.action.pk},
        "people.PersonalObjective",
        STRANGERS,
    ),
    "appraisal-need": (of("appraisal"), lambda w: {"need": "Coaching"}, "people.DevelopmentNeed", STRANGERS),
    "appraisal-sign": (of("appraisal"), lambda w: {}, "people.Appraisal", STRANGERS),
}
