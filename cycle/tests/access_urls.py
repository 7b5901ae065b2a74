"""The cycle module's rows of the URL access table (merged by pmf/tests/test_url_access.py).

charlie (updater, Rents Team, line manager bob) owns the job; bob manages the Housing
directorate above the team; olga manages another group."""

from cycle.tests.factories import job_of
from indicators.tests.factories import team_indicator
from pmf.tests.access import LOGIN


def charlie(world):
    return {"pk": world.updater.pk}


def charlies_job(world):
    return {"pk": job_of(world.updater).pk}


def team_value(world):
    return {"pk": team_indicator(world, code="CYC01").pk, "period": "2025-01-01"}


def correction_payload(world):
    from indicators.models import Indicator

    indicator = Indicator.objects.get(code="CYC01")
    return {f"pi{indicator.pk}-value": "95", f"pi{indicator.pk}-version": "0", f"pi{indicator.pk}-reason": "Late"}


def alpha_homes(world):
    return {"unit_pk": world.org.pk}


def calendar_payload(world):
    return {
        "values_due_day": "12",
        "approvals_due_day": "15",
        "scorecards_day": "16",
        "executive_review_day": "20",
        "service_review_day": "23",
        "lock_values": "on",
        "reminder_lead_days": "3",
        "escalate_manager_after_days": "3",
        "escalate_director_after_days": "7",
        "action_due_soon_days": "7",
        "action_stale_days": "30",
        "overrides-TOTAL_FORMS": "0",
        "overrides-INITIAL_FORMS": "0",
    }


# name: list of (kwargs builder, anon, outsider, viewer, updater, manager, admin)
URLS = {
    "cycle-calendar": [(None, LOGIN, 200, 200, 200, 200, 200)],
    "cycle-calendar-edit": [(alpha_homes, LOGIN, 404, 403, 403, 403, 200)],
    "cycle-notifications": [(None, LOGIN, 200, 200, 200, 200, 200)],
    "cycle-notifications-read": [(None, LOGIN, 405, 405, 405, 405, 405)],
    "cycle-preferences": [(None, LOGIN, 200, 200, 200, 200, 200)],
    "cycle-behind": [(None, LOGIN, 200, 403, 403, 200, 200)],
    "cycle-behind-person": [(charlie, LOGIN, 404, 403, 403, 200, 200)],
    "cycle-chase": [(charlie, LOGIN, 405, 405, 405, 405, 405)],
    "cycle-correct": [(team_value, LOGIN, 404, 404, 403, 200, 200)],
    "cycle-job": [(charlies_job, LOGIN, 404, 404, 200, 404, 200)],
    "cycle-job-progress": [(charlies_job, LOGIN, 404, 404, 200, 404, 200)],
    "cycle-failed": [(None, LOGIN, 403, 403, 403, 403, 200)],
}

# name: (kwargs builder, payload builder, model with history, {actor: answer})
WRITES = {
    "cycle-calendar-edit": (
        alpha_homes,
        calendar_payload,
        "cycle.ReportingCalendar",
        {"anon": LOGIN, "outsider": 404, "viewer": 403, "updater": 403, "manager": 403},
    ),
    "cycle-correct": (
        team_value,
        correction_payload,
        "indicators.Measurement",
        {"anon": LOGIN, "outsider": 404, "viewer": 404, "updater": 403},
    ),
}
