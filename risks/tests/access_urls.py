"""The risks module's lines of the URL-walking access test (see pmf/tests/test_url_access.py).

Actors: anon, outsider, viewer, updater, manager, admin. R 01 sits in the Rents Team and is owned
by charlie (line manager bob, who also manages the unit); R 02 sits in the Property directorate,
owned by alice. The viewer reads her organisation's register; owners and their managers edit.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pmf.tests.access import LOGIN
from risks.models import Risk
from risks.tests.factories import category, risk_world


def of(attr):
    return lambda w: {"pk": getattr(risk_world(w), attr).pk}


URLS = {
    "risk-register": [(None, LOGIN, 200, 200, 200, 200, 200)],
    "risk-heatmap": [(None, LOGIN, 200, 200, 200, 200, 200)],
    "risk-create": [(None, LOGIN, 200, 403, 403, 200, 200)],
    "risk-import": [(None, LOGIN, 200, 403, 403, 200, 200)],
    "risk-matrix": [(None, LOGIN, 403, 403, 403, 403, 200)],
    "risk-appetite": [(None, LOGIN, 403, 403, 403, 403, 200)],
    "risk-detail": [
        (of("risk"), LOGIN, 404, 200, 200, 200, 200),
        (of("other_risk"), LOGIN, 404, 200, 404, 404, 200),
    ],
    "risk-edit": [
        (of("risk"), LOGIN, 404, 403, 200, 200, 200),
        (of("other_risk"), LOGIN, 404, 403, 404, 404, 200),
    ],
    "risk-review": [(of("risk"), LOGIN, 404, 403, 200, 200, 200)],
    "risk-accept": [(of("risk"), LOGIN, 404, 403, 403, 200, 200)],
    "risk-control-create": [(of("risk"), LOGIN, 404, 403, 200, 200, 200)],
    "risk-action-create": [(of("risk"), LOGIN, 404, 403, 403, 200, 200)],
    "risk-control-edit": [
        (of("control"), LOGIN, 404, 403, 200, 200, 200),
    ],
    "risk-control-delete": [(of("control"), LOGIN, 405, 405, 405, 405, 405)],
}


def _risk_payload(w, risk=None):
    risk = risk or risk_world(w).risk
    return {
        "code": risk.code,
        "title": "Renamed",
        "category": category().pk,
        "org_unit": w.team.pk,
        "owner": w.updater.pk,
        "inherent_likelihood": 4,
        "inherent_impact": 4,
        "current_likelihood": 3,
        "current_impact": 3,
        "target_likelihood": 2,
        "target_impact": 2,
        "proximity": "near",
        "treatment": "treat",
        "status": "open",
        "review_frequency": 3,
        "active": "on",
        "version": risk.version,
    }


def _new_risk_payload(w):
    return {**_risk_payload(w, Risk(code="R NEW")), "version": ""}


def _review_payload(w):
    risk = risk_world(w).risk
    return {
        "reviewed_on": timezone.localdate().isoformat(),
        "likelihood": 2,
        "impact": 3,
        "note": "Better",
        "version": risk.version,
    }


def _control_payload(w):
    return {"description": "Monthly audit", "owner": w.updater.pk, "type": "detective", "effectiveness": "effective"}


def _import_payload(w):
    text = (
        "code,title,category,org_unit,owner,inherent_likelihood,inherent_impact,current_likelihood,"
        "current_impact,target_likelihood,target_impact\n"
        f"R 01,Renamed,operational,{w.team.code},{w.updater.username},4,4,3,3,2,2\n"
    )
    return {"file": SimpleUploadedFile("risks.csv", text.encode()), "commit": "1"}


WRITES = {
    "risk-edit": (of("risk"), _risk_payload, "risks.Risk", {"anon": LOGIN, "outsider": 404, "viewer": 403}),
    "risk-create": (lambda w: None, _new_risk_payload, "risks.Risk", {"anon": LOGIN, "viewer": 403, "updater": 403}),
    "risk-review": (of("risk"), _review_payload, "risks.RiskReview", {"anon": LOGIN, "outsider": 404, "viewer": 403}),
    "risk-accept": (
        of("risk"),
        lambda w: {"until": "2099-01-01", "reason": "x", "version": risk_world(w).risk.version},
        "risks.RiskAcceptance",
        {"anon": LOGIN, "outsider": 404, "viewer": 403, "updater": 403},
    ),
    "risk-control-create": (
        of("risk"),
        _control_payload,
        "risks.Control",
        {"anon": LOGIN, "outsider": 404, "viewer": 403},
    ),
    "risk-control-edit": (
        of("control"),
        _control_payload,
        "risks.Control",
        {"anon": LOGIN, "outsider": 404, "viewer": 403},
    ),
    "risk-control-delete": (
        of("control"),
        lambda w: {},
        "risks.Control",
        {"anon": LOGIN, "outsider": 404, "viewer": 403},
    ),
    "risk-action-create": (
        of("risk"),
        lambda w: {"objective": "", "code": "NEW 1", "title": "New action"},
        "plans.PlanItem",
        {"anon": LOGIN, "outsider": 404, "viewer": 403, "updater": 403},
    ),
    "risk-import": (lambda w: None, _import_payload, "risks.Risk", {"anon": LOGIN, "viewer": 403, "updater": 403}),
    "risk-matrix": (
        lambda w: None,
        lambda w: {"resize": "1", "likelihood_levels": 4, "impact_levels": 4},
        "risks.ScaleLevel",
        {"anon": LOGIN, "outsider": 403, "viewer": 403, "updater": 403, "manager": 403},
    ),
    "risk-appetite": (
        lambda w: None,
        lambda w: {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "0",
            "form-0-name": "New",
            "form-0-code": "new",
            "form-0-appetite": "5",
            "form-0-order": "1",
            "form-0-active": "on",
        },
        "risks.RiskCategory",
        {"anon": LOGIN, "outsider": 403, "viewer": 403, "updater": 403, "manager": 403},
    ),
}
