"""Table tests of the pure risk rules."""

import datetime
from decimal import Decimal

import pytest

from risks import status as rules

D = datetime.date
TODAY = D(2026, 12, 1)


@pytest.mark.parametrize(
    ("likelihood", "impact", "band"),
    [
        (1, 1, "Low"),
        (1, 3, "Low"),
        (2, 2, "Medium"),
        (3, 2, "Medium"),
        (2, 4, "High"),
        (3, 4, "High"),
        (3, 5, "Critical"),
        (5, 5, "Critical"),
        (5, 1, "Medium"),
    ],
)
def test_default_matrix_bands_each_cell_by_its_score(likelihood, impact, band):
    assert rules.DEFAULT_MATRIX.band(likelihood, impact).name == band


@pytest.mark.parametrize(("likelihood", "impact"), [(0, 3), (6, 1), (3, 0), (3, 6), (None, 2)])
def test_off_the_matrix_has_no_band(likelihood, impact):
    assert rules.DEFAULT_MATRIX.band(likelihood, impact) is None


def test_bands_come_from_the_cells_not_from_the_score():
    matrix = rules.Matrix(
        likelihood=rules.DEFAULT_LIKELIHOOD,
        impact=rules.DEFAULT_IMPACT,
        bands=rules.DEFAULT_BANDS,
        cells={**rules.DEFAULT_MATRIX.cells, (5, 1): 4},
    )
    assert matrix.band(5, 1).name == "Critical"
    assert matrix.band(1, 5).name == "Medium"
    assert (5, 1) in matrix.cells_in_band(4)


@pytest.mark.parametrize(
    ("positions", "errors"),
    [
        ({"inherent": (4, 4), "current": (3, 4), "target": (2, 3)}, {}),
        ({"current": (3, 3), "target": (3, 3)}, {}),
        (
            {"current": (6, 3)},
            {"current_likelihood": "The current likelihood must be between 1 and 5; 6 is outside the scale."},
        ),
        (
            {"inherent": (2, 0)},
            {"inherent_impact": "The inherent impact must be between 1 and 5; 0 is outside the scale."},
        ),
        ({"target": (None, 2)}, {"target_likelihood": "Give the target likelihood (1 to 5)."}),
        (
            {"current": (2, 3), "target": (3, 3)},
            {
                "target_likelihood": "The target score (3 × 3 = 9) is above the current score (2 × 3 = 6); "
                "a target cannot be worse than now."
            },
        ),
        # A target that is off the scale is reported as that, not compared with the current score.
        (
            {"current": (2, 3), "target": (7, 3)},
            {"target_likelihood": "The target likelihood must be between 1 and 5; 7 is outside the scale."},
        ),
    ],
)
def test_score_errors_name_the_field(positions, errors):
    assert rules.DEFAULT_MATRIX.errors(positions) == errors


def test_a_smaller_scale_refuses_levels_beyond_it():
    assert rules.score_errors({"current": (4, 4)}, likelihood_levels=3, impact_levels=4) == {
        "current_likelihood": "The current likelihood must be between 1 and 3; 4 is outside the scale."
    }


def test_resized_cells_keep_bands_and_copy_the_nearest_for_new_cells():
    cells = rules.resized_cells(rules.DEFAULT_MATRIX.cells, 6, 4)
    assert len(cells) == 24
    assert cells[(5, 4)] == rules.DEFAULT_MATRIX.cells[(5, 4)]
    assert cells[(6, 4)] == rules.DEFAULT_MATRIX.cells[(5, 4)]
    assert cells[(6, 1)] == rules.DEFAULT_MATRIX.cells[(5, 1)]
    assert (1, 5) not in cells


@pytest.mark.parametrize(
    ("colour", "text"),
    [("#b3261e", "#ffffff"), ("#f2c94c", "#000000"), ("#2e7d32", "#ffffff"), ("#e8833a", "#000000")],
)
def test_text_on_a_band_colour_is_whichever_of_black_and_white_reads_better(colour, text):
    assert rules.readable_text(colour) == text


@pytest.mark.parametrize(
    ("score", "appetite", "until", "accepted_score", "state"),
    [
        (8, 9, None, None, rules.WITHIN),
        (9, 9, None, None, rules.WITHIN),
        (10, 9, None, None, rules.ABOVE),
        (10, None, None, None, rules.WITHIN),
        (10, 9, D(2027, 3, 31), 12, rules.ACCEPTED),
        (10, 9, TODAY, 10, rules.ACCEPTED),
        (10, 9, D(2026, 11, 30), 12, rules.ABOVE),  # acceptance expired yesterday
        (15, 9, D(2027, 3, 31), 12, rules.ABOVE),  # worse than what was accepted
        (10, 9, D(2027, 3, 31), None, rules.ABOVE),
    ],
)
def test_appetite_state(score, appetite, until, accepted_score, state):
    assert (
        rules.appetite_state(
            score=score, appetite=appetite, accepted_until=until, accepted_score=accepted_score, today=TODAY
        )
        == state
    )


@pytest.mark.parametrize(
    ("score", "appetite", "until", "reason", "errors"),
    [
        (12, 9, D(2027, 3, 31), "Board agreed", {}),
        (
            8,
            9,
            D(2027, 3, 31),
            "x",
            {"until": "The current score 8 is within the appetite of 9; there is nothing to accept."},
        ),
        (12, 9, None, "x", {"until": "Give the date the acceptance ends."}),
        (
            12,
            9,
            TODAY,
            "x",
            {"until": "The acceptance must end after today (01 Dec 2026); 01 Dec 2026 has passed."},
        ),
        (12, 9, D(2027, 3, 31), "  ", {"reason": "Say why the risk is tolerated above the appetite."}),
    ],
)
def test_acceptance_errors(score, appetite, until, reason, errors):
    assert rules.acceptance_errors(score=score, appetite=appetite, until=until, reason=reason, today=TODAY) == errors


@pytest.mark.parametrize(
    ("previous", "current", "movement", "label", "arrow"),
    [
        (None, 12, rules.FIRST, "First score", "–"),
        (9, 12, rules.UP, "Up", "▲"),
        (12, 9, rules.DOWN, "Down", "▼"),
        (12, 12, rules.SAME, "No change", "▶"),
    ],
)
def test_movement_with_words_and_arrows(previous, current, movement, label, arrow):
    result = rules.movement(previous=previous, current=current)
    assert result == movement
    assert (rules.MOVEMENT_LABELS[result], rules.MOVEMENT_ARROWS[result]) == (label, arrow)


@pytest.mark.parametrize(
    ("reviewed_on", "frequency", "due"),
    [
        (D(2026, 9, 15), rules.QUARTERLY, D(2026, 12, 15)),
        (D(2026, 11, 30), rules.QUARTERLY, D(2027, 2, 28)),
        (D(2027, 11, 30), rules.QUARTERLY, D(2028, 2, 29)),
        (D(2026, 1, 31), rules.MONTHLY, D(2026, 2, 28)),
        (D(2026, 8, 31), rules.HALF_YEARLY, D(2027, 2, 28)),
        (D(2026, 12, 1), rules.ANNUALLY, D(2027, 12, 1)),
    ],
)
def test_next_review_date_moves_on_by_the_frequency(reviewed_on, frequency, due):
    assert rules.next_review_date(reviewed_on=reviewed_on, frequency_months=frequency) == due


@pytest.mark.parametrize(
    ("next_review", "is_open", "overdue"),
    [
        (D(2026, 11, 30), True, True),
        (TODAY, True, False),
        (D(2026, 12, 2), True, False),
        (D(2026, 11, 30), False, False),
        (None, True, False),
    ],
)
def test_review_overdue(next_review, is_open, overdue):
    assert rules.is_review_overdue(next_review=next_review, today=TODAY, is_open=is_open) is overdue


@pytest.mark.parametrize(
    ("reviewed_on", "last", "error"),
    [
        (TODAY, None, None),
        (D(2026, 10, 1), D(2026, 10, 1), None),
        (D(2026, 12, 2), None, "The review date 02 Dec 2026 is in the future; date it today or earlier."),
        (
            D(2026, 9, 1),
            D(2026, 10, 1),
            "The review date 01 Sep 2026 is before the last review (01 Oct 2026); reviews are recorded in date order.",
        ),
        (None, None, "Give the date of the review."),
    ],
)
def test_review_date_error(reviewed_on, last, error):
    assert rules.review_date_error(reviewed_on=reviewed_on, today=TODAY, last_reviewed_on=last) == error


def _values(*numbers):
    return [None if n is None else Decimal(n) for n in numbers]


@pytest.mark.parametrize(
    ("status", "values", "polarity", "signal"),
    [
        ("red", _values(80, 85, 90), "up", rules.OFF_TARGET),
        ("green", _values(92, 95, 97), "up", rules.WORSENING),  # down twice on an up-is-good PI
        ("green", _values(97, 95, 92), "down", rules.WORSENING),  # up twice on a down-is-good PI
        ("green", _values(92, 95, 94), "up", None),  # worse once, better before
        ("amber", _values(92, 92, 97), "up", None),  # no change, then worse
        ("green", _values(92, None, 97), "up", None),  # a gap breaks the run
        ("green", _values(92, 95), "up", None),  # too short a history
        ("data", _values(1, 2, 3), "data", None),
        ("amber", _values(97, 92, 90), "up", None),  # improving
    ],
)
def test_kri_signal(status, values, polarity, signal):
    assert rules.kri_signal(status=status, recent_values=values, polarity=polarity) == signal


@pytest.mark.parametrize(
    ("signals", "last_review", "suggested"),
    [
        ([(rules.OFF_TARGET, D(2026, 11, 10))], D(2026, 9, 30), True),
        ([(rules.OFF_TARGET, D(2026, 11, 10))], D(2026, 11, 10), False),  # reviewed since the value came in
        ([(rules.WORSENING, D(2026, 11, 10))], None, True),
        ([(None, D(2026, 11, 10))], D(2026, 1, 1), False),
        ([(None, None), (rules.OFF_TARGET, None)], D(2026, 11, 20), True),
        ([], None, False),
    ],
)
def test_review_suggested(signals, last_review, suggested):
    assert rules.review_suggested(signals=signals, last_reviewed_on=last_review) is suggested
