"""Writes on the register: bad input refused with a message naming the field and nothing saved;
reviews move the next review date on; concurrent re-scores; acceptances; the matrix."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from plans.models import PlanItem
from plans.tests.factories import plan_world
from pmf.locking import EditConflict
from risks import services
from risks import status as rules
from risks.matrix import load_matrix, resized, save_matrix
from risks.models import Control, Risk, RiskAcceptance, RiskReview
from risks.tests.factories import category, make_risk

D = datetime.date
TODAY = D(2026, 12, 1)


def history_count():
    return Risk.history.count() + RiskReview.history.count() + Control.history.count()


def refused(call) -> dict:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_a_new_risk_gets_its_next_review_from_the_frequency(world):
    risk = Risk(
        code="N 1",
        title="New",
        category=category(),
        org_unit=world.team,
        owner=world.updater,
        inherent_likelihood=4,
        inherent_impact=4,
        current_likelihood=3,
        current_impact=3,
        target_likelihood=2,
        target_impact=2,
        review_frequency=rules.HALF_YEARLY,
    )
    services.save_risk(risk=risk, on=D(2026, 8, 31))
    risk.refresh_from_db()
    assert risk.next_review_date == D(2027, 2, 28)
    assert (risk.inherent_score, risk.current_score, risk.target_score) == (16, 9, 4)
    assert risk.version == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"current_likelihood": 6},
            "current_likelihood",
            "The current likelihood must be between 1 and 5; 6 is outside the scale.",
        ),
        (
            {"inherent_impact": 0},
            "inherent_impact",
            "The inherent impact must be between 1 and 5; 0 is outside the scale.",
        ),
        (
            {"target_likelihood": 4, "target_impact": 4},
            "target_likelihood",
            "The target score (4 × 4 = 16) is above the current score (3 × 4 = 12); a target cannot be worse than now.",
        ),
    ],
)
def test_bad_scores_are_refused_naming_the_field_and_nothing_is_saved(risks, changes, field, message):
    risk = Risk.objects.get(pk=risks.risk.pk)
    before = (history_count(), risk.version)
    for name, value in changes.items():
        setattr(risk, name, value)
    errors = refused(lambda: services.save_risk(risk=risk, expected_version=risk.version))
    assert errors[field] == [message]
    fresh = Risk.objects.get(pk=risk.pk)
    assert (history_count(), fresh.version) == before
    assert fresh.position("current") == (3, 4)


def test_a_parent_that_would_make_a_loop_is_refused(world):
    top = make_risk("S 1", unit=world.team, owner=world.updater)
    middle = make_risk("O 1", unit=world.team, owner=world.updater, parent=top)
    bottom = make_risk("O 2", unit=world.team, owner=world.updater, parent=middle)
    top.refresh_from_db()
    before = history_count()
    top.parent = bottom
    errors = refused(lambda: services.save_risk(risk=top))
    assert errors["parent"] == ["S 1 cannot sit beneath itself or a risk escalated to it; that would make a loop."]
    assert history_count() == before
    assert Risk.objects.get(pk=top.pk).parent_id is None


def test_a_control_with_no_owner_is_refused(risks):
    before = Control.objects.count()
    errors = refused(lambda: services.save_control(control=Control(risk=risks.risk, description="Audit")))
    assert errors["owner"] == ["Every control needs an owner who makes sure it works."]
    assert Control.objects.count() == before


def test_a_control_tested_in_the_future_is_refused(risks, world):
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    control = Control(risk=risks.risk, description="Audit", owner=world.updater, last_tested_on=tomorrow)
    errors = refused(lambda: services.save_control(control=control))
    assert errors["last_tested_on"] == [f"The last tested date {tomorrow:%d %b %Y} is in the future."]


def test_a_review_rescores_moves_the_next_review_on_and_keeps_the_band_of_the_day(world):
    risk = make_risk("R 9", unit=world.team, owner=world.updater, current=(4, 4), target=(2, 2))
    review = services.record_review(
        risk=risk,
        reviewer=world.updater,
        reviewed_on=D(2026, 11, 30),
        likelihood=3,
        impact=4,
        note="Fewer cases",
        expected_version=risk.version,
        on=TODAY,
    )
    risk.refresh_from_db()
    assert (review.score, review.previous_score, review.band_name, review.movement) == (12, 16, "High", rules.DOWN)
    assert risk.position("current") == (3, 4)
    assert (risk.previous_score, risk.last_reviewed_on, risk.next_review_date) == (16, D(2026, 11, 30), D(2027, 2, 28))
    assert risk.movement == rules.DOWN
    assert risk.version == 2
    assert risk.history.first().history_change_reason == "Reviewed on 30 Nov 2026"


@pytest.mark.parametrize(
    ("reviewed_on", "likelihood", "impact", "field", "message"),
    [
        (
            D(2026, 12, 2),
            3,
            3,
            "reviewed_on",
            "The review date 02 Dec 2026 is in the future; date it today or earlier.",
        ),
        (
            D(2026, 11, 1),
            3,
            3,
            "reviewed_on",
            "The review date 01 Nov 2026 is before the last review (21 Nov 2026); reviews are recorded in date order.",
        ),
        (D(2026, 12, 1), 7, 3, "likelihood", "The current likelihood must be between 1 and 5; 7 is outside the scale."),
        (
            D(2026, 12, 1),
            1,
            2,
            "likelihood",
            "A current score of 1 × 2 = 2 would be below the target score of 4; lower the target on the risk first.",
        ),
    ],
)
def test_bad_reviews_are_refused_naming_the_field_and_nothing_is_saved(
    world, reviewed_on, likelihood, impact, field, message
):
    risk = make_risk("R 9", unit=world.team, owner=world.updater, current=(4, 4), target=(2, 2))
    services.record_review(
        risk=risk,
        reviewer=world.updater,
        reviewed_on=D(2026, 11, 21),
        likelihood=4,
        impact=4,
        note="",
        expected_version=risk.version,
        on=TODAY,
    )
    before = (history_count(), RiskReview.objects.count(), Risk.objects.get(pk=risk.pk).version)
    errors = refused(
        lambda: services.record_review(
            risk=risk,
            reviewer=world.updater,
            reviewed_on=reviewed_on,
            likelihood=likelihood,
            impact=impact,
            note="",
            expected_version=risk.version,
            on=TODAY,
        )
    )
    assert errors[field] == [message]
    assert (history_count(), RiskReview.objects.count(), Risk.objects.get(pk=risk.pk).version) == before


def test_two_people_rescoring_at_once_the_second_is_told_and_the_first_is_kept(world):
    risk = make_risk("R 9", unit=world.team, owner=world.updater, current=(4, 4))
    loaded_by_owner = Risk.objects.get(pk=risk.pk)
    loaded_by_manager = Risk.objects.get(pk=risk.pk)
    services.record_review(
        risk=loaded_by_owner,
        reviewer=world.updater,
        reviewed_on=TODAY,
        likelihood=3,
        impact=4,
        note="Owner's review",
        expected_version=loaded_by_owner.version,
        on=TODAY,
    )
    with pytest.raises(EditConflict) as caught:
        services.record_review(
            risk=loaded_by_manager,
            reviewer=world.manager,
            reviewed_on=TODAY,
            likelihood=2,
            impact=4,
            note="Manager's review",
            expected_version=loaded_by_manager.version,
            on=TODAY,
        )
    assert caught.value.message == (
        "R 9 was changed by someone else after you opened it (version 1, now 2). Reload the page to see their "
        "change, then make yours again if it is still needed."
    )
    risk.refresh_from_db()
    assert risk.position("current") == (3, 4)
    assert list(risk.reviews.values_list("note", flat=True)) == ["Owner's review"]


def test_an_edit_from_a_stale_form_is_refused_and_changes_nothing(risks):
    stale = Risk.objects.get(pk=risks.risk.pk)
    fresh = Risk.objects.get(pk=risks.risk.pk)
    fresh.title = "First"
    services.save_risk(risk=fresh, expected_version=fresh.version)
    stale.title = "Second"
    with pytest.raises(EditConflict):
        services.save_risk(risk=stale, expected_version=stale.version)
    assert Risk.objects.get(pk=risks.risk.pk).title == "First"


def test_an_acceptance_tolerates_a_risk_until_its_end_date_and_up_to_its_score(world):
    risk = make_risk("R 9", unit=world.team, owner=world.updater, current=(3, 4), category=category(appetite=9))
    services.accept_risk(
        risk=risk,
        user=world.manager,
        reason="Agreed by the Board",
        until=D(2027, 3, 31),
        expected_version=risk.version,
        on=TODAY,
    )
    risk.refresh_from_db()
    assert (risk.accepted_until, risk.accepted_score) == (D(2027, 3, 31), 12)
    acceptance = RiskAcceptance.objects.get(risk=risk)
    assert (acceptance.accepted_by, acceptance.appetite, acceptance.score) == (world.manager, 9, 12)

    def state(today):
        return rules.appetite_state(
            score=risk.current_score,
            appetite=9,
            accepted_until=risk.accepted_until,
            accepted_score=risk.accepted_score,
            today=today,
        )

    assert state(TODAY) == rules.ACCEPTED
    assert state(D(2027, 4, 1)) == rules.ABOVE
    assert list(Risk.objects.above_appetite(TODAY)) == []
    assert list(Risk.objects.above_appetite(D(2027, 4, 1))) == [risk]
    services.record_review(
        risk=risk,
        reviewer=world.updater,
        reviewed_on=TODAY,
        likelihood=4,
        impact=4,
        note="Worse",
        expected_version=risk.version,
        on=TODAY,
    )
    assert list(Risk.objects.above_appetite(TODAY)) == [risk]


def test_a_risk_within_appetite_cannot_be_accepted(world):
    risk = make_risk("R 9", unit=world.team, owner=world.updater, current=(2, 4), category=category(appetite=9))
    errors = refused(
        lambda: services.accept_risk(
            risk=risk, user=world.manager, reason="x", until=D(2027, 1, 1), expected_version=risk.version, on=TODAY
        )
    )
    assert errors == {"until": ["The current score 8 is within the appetite of 9; there is nothing to accept."]}
    assert not RiskAcceptance.objects.exists()


def test_changing_the_matrix_rebands_risks_but_never_rewrites_past_reviews(risks):
    assert load_matrix().band(3, 4).name == "High"
    default = load_matrix()
    cells = dict(default.cells)
    cells[(3, 4)] = 4
    save_matrix(matrix=rules.Matrix(default.likelihood, default.impact, default.bands, cells))
    assert load_matrix().band(3, 4).name == "Critical"
    assert risks.review.score == 12
    assert RiskReview.objects.get(pk=risks.review.pk).band_name == "High"


def test_a_band_can_be_renamed_and_recoloured(db):
    default = load_matrix()
    bands = tuple(
        rules.Band(b.rank, "Severe" if b.rank == 4 else b.name, "#7a1c14" if b.rank == 4 else b.colour, b.shape)
        for b in default.bands
    )
    save_matrix(matrix=rules.Matrix(default.likelihood, default.impact, bands, default.cells))
    saved = save_matrix(matrix=rules.Matrix(default.likelihood, default.impact, bands, default.cells))
    assert saved.band(5, 5) == rules.Band(4, "Severe", "#7a1c14", rules.SQUARE)


def test_the_scale_cannot_shrink_below_levels_risks_use(risks):
    matrix = resized(load_matrix(), likelihood_levels=4, impact_levels=3)
    errors = refused(lambda: save_matrix(matrix=matrix))
    assert errors == {"impact_levels": ["Risks are scored at impact 4; re-score them before the scale drops below it."]}
    assert load_matrix().impact_levels == 5


def test_a_scale_can_grow_and_new_cells_take_the_nearest_band(db):
    matrix = save_matrix(matrix=resized(load_matrix(), likelihood_levels=6, impact_levels=5))
    assert matrix.likelihood_levels == 6
    assert matrix.likelihood[-1].label == "Level 6"
    assert matrix.band(6, 5).name == "Critical"
    assert matrix.band(6, 1).name == "Medium"


def test_a_mitigating_action_is_created_under_an_objective_and_linked(risks, world):
    plans = plan_world(world)
    action = services.create_mitigating_action(
        risk=risks.risk,
        objective=plans.objective,
        code="H 1.9",
        title="Contact every resident moving to Universal Credit",
        due_date=D(2027, 3, 31),
        assigned_to=world.updater,
    )
    assert (action.kind, action.parent, action.org_unit, action.managed_by) == (
        PlanItem.Kind.ACTION,
        plans.objective,
        world.team,
        world.updater,
    )
    assert list(risks.risk.actions.all()) == [action]
    assert list(action.mitigates.all()) == [risks.risk]


def test_a_mitigating_action_needs_an_objective(risks, world):
    plans = plan_world(world)
    errors = refused(
        lambda: services.create_mitigating_action(
            risk=risks.risk, objective=plans.action, code="X", title="x", due_date=None, assigned_to=None
        )
    )
    assert errors == {"objective": ["H 1.1 is not an objective; choose the objective it serves."]}
