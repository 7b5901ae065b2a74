"""Scrutiny records for tests, hung off the `world` fixture's organisation.

The Board scorecard (Housing directorate, shared with dora the viewer) holds RNT1 (Rents Team,
owned by bob, updated by charlie); the viewer refers it. Bob (manager of Housing) is the service
manager referrals are assigned to; alice (admin) triages."""

import datetime
from dataclasses import dataclass

from django.utils import timezone

from plans.tests.factories import plan_world
from scorecards.tests.factories import make_indicator, make_scorecard
from scrutiny import services
from scrutiny.models import BoardMeeting, PerformanceClinic, Referral


@dataclass
class ScrutinyWorld:
    indicator: object
    hidden_indicator: object
    scorecard: object
    section: object
    action: object
    meeting: BoardMeeting
    raised: Referral
    accepted: Referral
    answered: Referral
    clinic: PerformanceClinic


def make_meeting(world, days_ahead: int = 40, **fields) -> BoardMeeting:
    date = timezone.localdate() + datetime.timedelta(days=days_ahead)
    return services.save_meeting(
        meeting=BoardMeeting(
            title=fields.pop("title", "Alpha Homes Board"),
            org_unit=world.org,
            date=date,
            papers_deadline=date - datetime.timedelta(days=10),
            **fields,
        ),
        user=world.admin,
    )


def raise_on(world, indicator, *, question="Why is this off target?", user=None, meeting=None) -> Referral:
    return services.raise_referral(
        kind="indicator", subject_id=indicator.pk, question=question, meeting=meeting, user=user or world.viewer
    )


def accept(world, referral, *, days: int = 14) -> Referral:
    return services.accept_referral(
        referral=referral,
        assigned_to=world.manager,
        due_on=timezone.localdate() + datetime.timedelta(days=days),
        user=world.admin,
    )


def answer(
    world, referral, text: str = "Arrears rose after the benefit change; a recovery plan is in place."
) -> Referral:
    return services.answer_referral(referral=referral, answer=text, files=[], user=world.manager)


def scrutiny_world(world) -> ScrutinyWorld:
    """Built once per world."""
    if getattr(world, "scrutiny", None) is not None:
        return world.scrutiny
    indicator = make_indicator("RNT1", world.team, owner=world.manager, updater=world.updater, months=3)
    hidden = make_indicator("PRP1", world.other_directorate, owner=world.admin, months=3)
    scorecard = make_scorecard(
        world.directorate, [indicator], owner=world.manager, shared_with=[world.viewer], title="Board scorecard"
    )
    meeting = make_meeting(world)
    raised = raise_on(world, indicator, meeting=meeting)
    accepted = accept(world, raise_on(world, indicator, question="When will collection recover?", meeting=meeting))
    answered = answer(world, accept(world, raise_on(world, indicator, question="How many evictions?", meeting=meeting)))
    clinic = services.save_clinic(
        clinic=PerformanceClinic(
            topic="Rent arrears", held_on=timezone.localdate(), org_unit=world.directorate, lead=world.manager
        ),
        attendees=[world.manager, world.updater],
        indicators=[indicator],
        actions=[],
        referrals=[],
        user=world.manager,
    )
    world.scrutiny = ScrutinyWorld(
        indicator,
        hidden,
        scorecard,
        scorecard.sections.first(),
        plan_world(world).action,
        meeting,
        Referral.objects.get(pk=raised.pk),
        Referral.objects.get(pk=accepted.pk),
        Referral.objects.get(pk=answered.pk),
        clinic,
    )
    return world.scrutiny
