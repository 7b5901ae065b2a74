"""The plans module's lines of the URL-walking access test (see pmf/tests/test_url_access.py).

Actors: anon, outsider, viewer, updater, manager, admin. The plan structure (strategy, plans,
objectives) is published to everyone in the organisation; actions follow unit and people rules.
"""

from plans.tests.factories import plan_world
from pmf.tests.access import LOGIN


def of(attr):
    return lambda w: {"pk": getattr(plan_world(w), attr).pk}


def milestone(w):
    return {"pk": plan_world(w).milestone.pk}


URLS = {
    "plan-tree": [(None, LOGIN, 200, 200, 200, 200, 200)],
    "plan-tree-children": [
        (of("objective"), LOGIN, 404, 200, 200, 200, 200),
        (of("action"), LOGIN, 404, 404, 200, 200, 200),
    ],
    "plan-export": [(None, LOGIN, 200, 200, 200, 200, 200)],
    "plan-import": [(None, LOGIN, 200, 403, 403, 200, 200)],
    "plan-settings": [(None, LOGIN, 403, 403, 403, 403, 200)],
    "planitem-create": [
        (None, LOGIN, 200, 403, 403, 200, 200),
    ],
    "planitem-detail": [
        (of("strategy"), LOGIN, 404, 200, 200, 200, 200),
        (of("action"), LOGIN, 404, 404, 200, 200, 200),
        (of("other_action"), LOGIN, 404, 404, 404, 404, 200),
    ],
    "planitem-edit": [
        (of("action"), LOGIN, 404, 404, 403, 200, 200),
        (of("plan"), LOGIN, 404, 403, 403, 200, 200),
        (of("strategy"), LOGIN, 404, 403, 403, 403, 200),
    ],
    "planitem-move": [(of("action"), LOGIN, 404, 404, 403, 200, 200)],
    "planitem-archive": [(of("action"), LOGIN, 404, 404, 403, 200, 200)],
    "progress-create": [
        (of("action"), LOGIN, 404, 404, 200, 200, 200),
        (of("objective"), LOGIN, 404, 403, 403, 404, 404),
    ],
    "milestone-create": [(of("action"), LOGIN, 404, 404, 200, 200, 200)],
    "milestone-bulk": [(of("action"), LOGIN, 405, 405, 405, 405, 405)],
    "milestone-promote": [(milestone, LOGIN, 405, 405, 405, 405, 405)],
}


def _action_payload(w):
    action = plan_world(w).action
    return {
        "kind": "action",
        "code": action.code,
        "title": "Renamed",
        "org_unit": w.team.pk,
        "weight": 1,
        "priority": "medium",
        "version": action.version,
    }


WRITES = {
    "planitem-edit": (
        of("action"),
        _action_payload,
        "plans.PlanItem",
        {"anon": LOGIN, "outsider": 404, "viewer": 404, "updater": 403},
    ),
    "planitem-move": (
        of("action"),
        lambda w: {"parent_code": "", "version": plan_world(w).action.version},
        "plans.PlanItem",
        {"anon": LOGIN, "outsider": 404, "viewer": 404, "updater": 403},
    ),
    "planitem-archive": (
        of("action"),
        lambda w: {"version": plan_world(w).action.version},
        "plans.PlanItem",
        {"anon": LOGIN, "outsider": 404, "viewer": 404, "updater": 403},
    ),
    "planitem-create": (
        lambda w: None,
        lambda w: {
            "kind": "strategy",
            "code": "NEW",
            "title": "New",
            "org_unit": w.org.pk,
            "weight": 1,
            "priority": "medium",
        },
        "plans.PlanItem",
        {"anon": LOGIN, "viewer": 403, "updater": 403},
    ),
    "progress-create": (
        of("action"),
        lambda w: {"progress": 50, "outcome": "in_progress", "note": "x"},
        "plans.ProgressUpdate",
        {"anon": LOGIN, "outsider": 404, "viewer": 404},
    ),
    "milestone-create": (
        of("action"),
        lambda w: {"title": "New", "weight": 1},
        "plans.Milestone",
        {"anon": LOGIN, "outsider": 404, "viewer": 404},
    ),
    "milestone-bulk": (
        of("action"),
        lambda w: {"milestone": [plan_world(w).milestone.pk], "operation": "delete"},
        "plans.Milestone",
        {"anon": LOGIN, "outsider": 404, "viewer": 404},
    ),
    "milestone-promote": (
        milestone,
        lambda w: {},
        "plans.Milestone",
        {"anon": LOGIN, "outsider": 404, "viewer": 404, "updater": 403},
    ),
    "plan-settings": (
        lambda w: None,
        lambda w: {"check_progress_tolerance": 20},
        "plans.PlanSettings",
        {"anon": LOGIN, "outsider": 403, "viewer": 403, "updater": 403, "manager": 403},
    ),
}
