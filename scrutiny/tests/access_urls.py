"""The scrutiny module's lines of the URL-walking access test (see pmf/tests/test_url_access.py).

Actors: anon, outsider, viewer, updater, manager, admin. dora (viewer) reads the Board scorecard
holding RNT1 and raised the referrals on it; bob (manager of Housing) answers them; alice (admin,
the performance team) triages. PRP1 sits in Property, which only alice sees. Viewers may raise a
referral (their one write) but never triage; only the assigned manager answers."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from pmf.tests.access import LOGIN
from scrutiny.models import ReferralAttachment
from scrutiny.tests.factories import scrutiny_world

SIGNED_IN = (LOGIN, 200, 200, 200, 200, 200)
TRIAGE = (LOGIN, 404, 403, 404, 403, 200)


def of(attr):
    return lambda w: {"pk": getattr(scrutiny_world(w), attr).pk}


def raise_on(kind, attr):
    return lambda w: {"kind": kind, "pk": getattr(scrutiny_world(w), attr).pk}


def attachment(w):
    referral = scrutiny_world(w).answered
    found = referral.attachments.first()
    if found is None:
        found = ReferralAttachment.objects.create(
            referral=referral,
            file=SimpleUploadedFile("figures.txt", b"Arrears by patch\n"),
            original_name="figures.txt",
            content_type="text/plain; charset=utf-8",
            size=17,
            uploaded_by=w.manager,
        )
    return {"pk": found.pk}


URLS = {
    "referral-mine": [(None, *SIGNED_IN)],
    "referral-raise": [
        (raise_on("indicator", "indicator"), LOGIN, 404, 200, 200, 200, 200),
        (raise_on("indicator", "hidden_indicator"), LOGIN, 404, 404, 404, 404, 200),
        (raise_on("section", "section"), LOGIN, 404, 200, 404, 200, 200),
        (raise_on("action", "action"), LOGIN, 404, 404, 200, 200, 200),
        (lambda w: {"kind": "risk", "pk": 1}, LOGIN, 404, 404, 404, 404, 404),
    ],
    "referral-detail": [(of("raised"), LOGIN, 404, 200, 404, 200, 200)],
    "referral-accept": [(of("raised"), *TRIAGE)],
    "referral-merge": [(of("raised"), *TRIAGE)],
    "referral-decline": [(of("raised"), *TRIAGE)],
    "referral-outcome": [(of("answered"), *TRIAGE)],
    "referral-answer": [(of("accepted"), LOGIN, 404, 403, 404, 200, 403)],
    "referral-attachment": [(attachment, LOGIN, 404, 200, 404, 200, 200)],
    "work-programme": [(None, *SIGNED_IN)],
    "board-meeting-list": [(None, *SIGNED_IN)],
    "board-meeting-create": [(None, LOGIN, 403, 403, 403, 403, 200)],
    "board-meeting-detail": [(of("meeting"), LOGIN, 404, 200, 200, 200, 200)],
    "board-meeting-edit": [(of("meeting"), LOGIN, 404, 403, 403, 403, 200)],
    "clinic-list": [(None, *SIGNED_IN)],
    "clinic-create": [(None, LOGIN, 200, 403, 403, 200, 200)],
    "clinic-detail": [(of("clinic"), LOGIN, 404, 404, 200, 200, 200)],
    "clinic-edit": [(of("clinic"), LOGIN, 404, 404, 403, 200, 200)],
    "clinic-action-create": [(of("clinic"), LOGIN, 404, 403, 403, 200, 200)],
}


def _meeting_payload(w):
    day = timezone.localdate() + datetime.timedelta(days=100)
    return {
        "title": "Alpha Homes Board",
        "org_unit": w.org.pk,
        "date": day.isoformat(),
        "papers_deadline": (day - datetime.timedelta(days=10)).isoformat(),
    }


def _clinic_payload(w):
    return {
        "topic": "Voids",
        "held_on": timezone.localdate().isoformat(),
        "org_unit": w.directorate.pk,
        "lead": w.manager.pk,
        "attendees": [w.manager.pk],
    }


def _due(w):
    return {"assigned_to": w.manager.pk, "due_on": (timezone.localdate() + datetime.timedelta(days=7)).isoformat()}


NOT_ADMIN = {"anon": LOGIN, "outsider": 404, "viewer": 403, "updater": 404, "manager": 403}

WRITES = {
    "referral-raise": (
        raise_on("indicator", "hidden_indicator"),
        lambda w: {"question": "Why is this red?"},
        "scrutiny.Referral",
        {"anon": LOGIN, "outsider": 404, "viewer": 404, "updater": 404, "manager": 404},
    ),
    "referral-accept": (of("raised"), _due, "scrutiny.Referral", NOT_ADMIN),
    "referral-merge": (
        of("raised"),
        lambda w: {"merged_into": scrutiny_world(w).accepted.pk},
        "scrutiny.Referral",
        NOT_ADMIN,
    ),
    "referral-decline": (of("raised"), lambda w: {"decline_reason": "Covered"}, "scrutiny.Referral", NOT_ADMIN),
    "referral-outcome": (of("answered"), lambda w: {"outcome": "answered"}, "scrutiny.Referral", NOT_ADMIN),
    "referral-answer": (
        of("accepted"),
        lambda w: {"answer": "Collection recovers in March."},
        "scrutiny.Referral",
        {"anon": LOGIN, "outsider": 404, "viewer": 403, "updater": 404, "admin": 403},
    ),
    "board-meeting-create": (
        lambda w: None,
        _meeting_payload,
        "scrutiny.BoardMeeting",
        {"anon": LOGIN, "outsider": 403, "viewer": 403, "updater": 403, "manager": 403},
    ),
    "board-meeting-edit": (
        of("meeting"),
        _meeting_payload,
        "scrutiny.BoardMeeting",
        {"anon": LOGIN, "outsider": 404, "viewer": 403, "updater": 403, "manager": 403},
    ),
    "clinic-create": (
        lambda w: None,
        _clinic_payload,
        "scrutiny.PerformanceClinic",
        {"anon": LOGIN, "viewer": 403, "updater": 403},
    ),
    "clinic-edit": (
        of("clinic"),
        _clinic_payload,
        "scrutiny.PerformanceClinic",
        {"anon": LOGIN, "outsider": 404, "viewer": 404, "updater": 403},
    ),
    "clinic-action-create": (
        of("clinic"),
        lambda w: {"objective": "", "code": "NEW 1", "title": "New action"},
        "plans.PlanItem",
        {"anon": LOGIN, "outsider": 404, "viewer": 403, "updater": 403},
    ),
}
