"""The assessments module's lines of the URL-walking access test (see pmf/tests/test_url_access.py).

Actors: anon, outsider, viewer, updater, manager, admin. The assessment of the Rents Team is led by
the manager, has a question assigned to the updater and is shared with the viewer; the Property
assessment (another unit, no lead) and its evidence file are for admins only.
"""

from assessments.tests.factories import assessment_world
from pmf.tests.access import LOGIN


def of(attr):
    return lambda w: {"pk": getattr(assessment_world(w), attr).pk}


EVERYONE = (LOGIN, 200, 200, 200, 200, 200)
POST_ONLY = (LOGIN, 405, 405, 405, 405, 405)
ADMIN_ONLY_SEEN = (LOGIN, 404, 404, 404, 404, 200)
SEEN = (LOGIN, 404, 200, 200, 200, 200)

URLS = {
    "assessment-list": [(None, *EVERYONE)],
    "assessment-create": [(None, LOGIN, 200, 403, 403, 200, 200)],
    "assessment-detail": [(of("assessment"), *SEEN), (of("other_assessment"), *ADMIN_ONLY_SEEN)],
    "assessment-edit": [
        (of("assessment"), LOGIN, 404, 403, 403, 200, 200),
        (of("other_assessment"), *ADMIN_ONLY_SEEN),
    ],
    "assessment-step": [(of("assessment"), *POST_ONLY)],
    "assessment-gaps": [(of("assessment"), *SEEN), (of("other_assessment"), *ADMIN_ONLY_SEEN)],
    "assessment-compare": [(of("assessment"), *SEEN), (of("other_assessment"), *ADMIN_ONLY_SEEN)],
    "assessment-print": [(of("assessment"), *SEEN), (of("other_assessment"), *ADMIN_ONLY_SEEN)],
    "assessment-export": [(of("assessment"), *SEEN), (of("other_assessment"), *ADMIN_ONLY_SEEN)],
    "assessment-statement": [(of("assessment"), *SEEN), (of("other_assessment"), *ADMIN_ONLY_SEEN)],
    "assessment-documents": [(of("assessment"), *SEEN), (of("other_assessment"), *ADMIN_ONLY_SEEN)],
    "evidence-download": [
        (of("document"), *SEEN),
        # another unit's file id: nobody but an admin learns it exists
        (of("foreign_document"), *ADMIN_ONLY_SEEN),
    ],
    "document-delete": [(of("document"), *POST_ONLY)],
    "evidence-remove": [(of("link"), *POST_ONLY)],
    "response-detail": [(of("response"), *SEEN), (of("foreign_response"), *ADMIN_ONLY_SEEN)],
    "response-edit": [
        (of("response"), LOGIN, 404, 403, 200, 200, 200),
        (of("other_response"), LOGIN, 404, 403, 403, 200, 200),
        (of("foreign_response"), *ADMIN_ONLY_SEEN),
    ],
    "response-moderate": [
        # in progress: nothing to moderate yet
        (of("response"), LOGIN, 404, 403, 403, 403, 403),
        # submitted, no lead: the performance team moderates
        (of("foreign_response"), *ADMIN_ONLY_SEEN),
    ],
    "response-evidence": [
        (of("response"), LOGIN, 404, 403, 200, 200, 200),
        (of("other_response"), LOGIN, 404, 403, 403, 200, 200),
    ],
    "response-action": [
        (of("response"), LOGIN, 404, 403, 200, 200, 200),
        (of("foreign_response"), *ADMIN_ONLY_SEEN),
    ],
    "framework-list": [(None, *EVERYONE)],
    "framework-create": [(None, LOGIN, 403, 403, 403, 403, 200)],
    "framework-load": [(None, *POST_ONLY)],
    "framework-detail": [(of("framework"), *EVERYONE), (of("local_framework"), *EVERYONE)],
    "node-create": [
        (of("local_framework"), LOGIN, 403, 403, 403, 403, 200),
        # a library never changes in the browser
        (of("framework"), LOGIN, 403, 403, 403, 403, 403),
    ],
    "node-detail": [(of("local_node"), *EVERYONE)],
    "node-edit": [(of("local_node"), LOGIN, 403, 403, 403, 403, 200)],
}


def _response_payload(w):
    response = assessment_world(w).response
    return {"level": "3", "target_level": "4", "strengths": "x", "version": response.version}


WRITES = {
    "response-edit": (
        of("response"),
        _response_payload,
        "assessments.Response",
        {"anon": LOGIN, "outsider": 404, "viewer": 403},
    ),
    "assessment-step": (
        of("assessment"),
        lambda w: {"step": "submit"},
        "assessments.Assessment",
        {"anon": LOGIN, "outsider": 404, "viewer": 403, "updater": 403},
    ),
    "assessment-edit": (
        of("assessment"),
        lambda w: {"title": "Renamed", "kind": "self_assessment", "lead": w.manager.pk, "assessed_on": "2026-12-01"},
        "assessments.Assessment",
        {"anon": LOGIN, "outsider": 404, "viewer": 403, "updater": 403},
    ),
    "response-evidence": (
        of("response"),
        lambda w: {"kind": "url", "url": "https://example.org/new"},
        "assessments.EvidenceLink",
        {"anon": LOGIN, "outsider": 404, "viewer": 403},
    ),
    "evidence-remove": (
        of("link"),
        lambda w: {},
        "assessments.EvidenceLink",
        {"anon": LOGIN, "outsider": 404, "viewer": 403},
    ),
    "document-delete": (
        of("document"),
        lambda w: {},
        "assessments.Document",
        {"anon": LOGIN, "outsider": 404, "viewer": 403},
    ),
    "response-action": (
        of("response"),
        lambda w: {"objective": "", "title": "Fix it"},
        "plans.PlanItem",
        {"anon": LOGIN, "outsider": 404, "viewer": 403},
    ),
    "framework-load": (
        lambda w: None,
        lambda w: {},
        "assessments.Framework",
        {"anon": LOGIN, "outsider": 403, "viewer": 403, "updater": 403, "manager": 403},
    ),
    "assessment-documents": (
        of("assessment"),
        lambda w: {"title": "x"},
        "assessments.Document",
        {"anon": LOGIN, "outsider": 404, "viewer": 403},
    ),
}
