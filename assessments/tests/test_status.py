"""The pure rules of assessments.status, as tables of cases."""

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from assessments import status as rules

D = Decimal


@pytest.mark.parametrize(
    "pairs, expected",
    [
        ([], None),
        ([(3, 1)], Fraction(3)),
        ([(3, 1), (2, 1)], Fraction(5, 2)),
        ([(4, 2), (1, 1)], Fraction(3)),
        ([(3, 1), (2, 1), (2, 1)], Fraction(7, 3)),
        ([(Fraction(5, 2), 3), (4, 1)], Fraction(23, 8)),
    ],
)
def test_weighted_mean(pairs, expected):
    assert rules.weighted_mean(pairs) == expected


@pytest.mark.parametrize(
    "value, shown",
    [
        (None, None),
        (Fraction(18, 7), D("2.57")),  # 2.5714...
        (Fraction(513, 200), D("2.57")),  # 2.565 rounds half up
        (Fraction(7, 3), D("2.33")),
        (Fraction(3), D("3.00")),
        (Fraction(-1, 8), D("-0.13")),
        (D("1.005"), D("1.01")),
        (2, D("2.00")),
    ],
)
def test_two_decimals_rounds_half_up(value, shown):
    assert rules.two_decimals(value) == shown


def test_rollup_weighted_by_child_weight_and_exact_until_shown():
    # root 1 > themes 2, 3; theme 2 > questions 4 (weight 2), 5; theme 3 > question 6 and the
    # cross-cutting question 5 (also under 3)
    children = {1: [2, 3], 2: [4, 5], 3: [6, 5]}
    weights = {1: 1, 2: 1, 3: 1, 4: 2, 5: 1, 6: 1}
    scales = dict.fromkeys(range(1, 7), "s")
    result = rules.rollup(children=children, weights=weights, scales=scales, values={4: 3, 5: 2, 6: 4})
    assert result[2] == Fraction(8, 3)  # (3*2 + 2) / 3
    assert result[3] == Fraction(3)  # (4 + 2) / 2: the cross-cutting question counts here too
    assert result[1] == Fraction(17, 6)  # mean of 8/3 and 3, not of their rounded values
    assert rules.two_decimals(result[1]) == D("2.83")


@pytest.mark.parametrize(
    "values, expected_theme, expected_root",
    [
        ({}, None, None),  # nothing scored
        ({4: None, 5: 2}, Fraction(2), Fraction(2)),  # an unscored question does not count
        ({4: 1, 5: 1}, Fraction(1), Fraction(1)),
    ],
)
def test_rollup_skips_unscored(values, expected_theme, expected_root):
    children = {1: [2], 2: [4, 5]}
    result = rules.rollup(
        children=children,
        weights=dict.fromkeys([1, 2, 4, 5], 1),
        scales=dict.fromkeys([1, 2, 4, 5], "s"),
        values=values,
    )
    assert result[2] == expected_theme
    assert result[1] == expected_root


def test_rollup_only_counts_children_on_the_same_scale():
    # a prospects question (1-4) under a service-quality theme (0-3) is not averaged into it
    children = {1: [2, 3], 2: [4, 5]}
    scales = {1: "quality", 2: "quality", 3: "prospects", 4: "quality", 5: "prospects"}
    result = rules.rollup(
        children=children, weights=dict.fromkeys(range(1, 6), 1), scales=scales, values={4: 1, 5: 4, 3: 3}
    )
    assert result[2] == Fraction(1)
    assert result[1] == Fraction(1)
    assert result[3] == Fraction(3)


@pytest.mark.parametrize(
    "score, target, expected",
    [
        (2, 3, D("1.00")),
        (3, 3, D("0.00")),
        (4, 3, D("-1.00")),
        (Fraction(18, 7), 3, D("0.43")),
        (None, 3, None),
        (2, None, None),
        (0, 1, D("1.00")),  # a "No" against a "Yes" target
    ],
)
def test_gap_is_target_minus_score(score, target, expected):
    assert rules.gap(score, target) == expected


@pytest.mark.parametrize(
    "before, after, delta, word",
    [
        (1, 2, D("1.00"), "Improved"),
        (Fraction(7, 3), Fraction(7, 3), D("0.00"), "No change"),
        (3, 2, D("-1.00"), "Declined"),
        (None, 2, None, "Not comparable"),
        (D("2.57"), D("3.14"), D("0.57"), "Improved"),
    ],
)
def test_change_between_rounds(before, after, delta, word):
    assert rules.change(before, after) == delta
    assert rules.change_word(delta) == word


@pytest.mark.parametrize(
    "level, moderated, expected", [(None, None, None), (2, None, 2), (2, 1, 1), (None, 3, 3), (3, 3, 3)]
)
def test_effective_level_is_the_moderators_when_given(level, moderated, expected):
    assert rules.effective_level(level, moderated) == expected


@pytest.mark.parametrize("level", [None, 1, 4])
def test_check_level_accepts_levels_on_the_scale(level):
    rules.check_level(level, [1, 2, 3, 4])


@pytest.mark.parametrize("level", [0, 5, -1])
def test_check_level_refuses_levels_off_the_scale(level):
    with pytest.raises(ValueError) as refused:
        rules.check_level(level, [1, 2, 3, 4], field="level", label="score")
    assert str(refused.value) == f"level: {level} is not on the scale; the score must be one of 1, 2, 3, 4."


RUNNER = {"runs_it": True, "oversees": False, "is_lead": True}
LEAD_MANAGER = {"runs_it": True, "oversees": True, "is_lead": True}
SECOND = {"runs_it": True, "oversees": True, "is_lead": False}
ASSIGNEE = {"runs_it": False, "oversees": False, "is_lead": False}


@pytest.mark.parametrize(
    "status, who, names",
    [
        (rules.DRAFT, RUNNER, ["start"]),
        (rules.DRAFT, ASSIGNEE, []),
        (rules.IN_PROGRESS, RUNNER, ["submit"]),
        (rules.SUBMITTED, RUNNER, ["return"]),
        (rules.SUBMITTED, LEAD_MANAGER, ["return"]),  # the lead never moderates their own
        (rules.SUBMITTED, SECOND, ["return", "moderate"]),
        (rules.MODERATED, RUNNER, []),
        (rules.MODERATED, LEAD_MANAGER, ["sign_off"]),
        (rules.MODERATED, SECOND, ["reopen", "sign_off"]),
        (rules.SIGNED_OFF, SECOND, ["archive"]),
        (rules.SIGNED_OFF, RUNNER, []),
        (rules.ARCHIVED, SECOND, []),
    ],
)
def test_allowed_transitions(status, who, names):
    assert [t.name for t in rules.allowed_transitions(status, **who)] == names


@pytest.mark.parametrize(
    "status, name, who, message",
    [
        (rules.DRAFT, "sign_off", SECOND, "“Sign off” is only possible from Moderated; the assessment is Draft."),
        (
            rules.SUBMITTED,
            "moderate",
            LEAD_MANAGER,
            "A second person moderates: the lead cannot moderate their own assessment.",
        ),
        (
            rules.MODERATED,
            "sign_off",
            RUNNER,
            "“Sign off” is for a manager of the unit or the performance team.",
        ),
        (rules.IN_PROGRESS, "fly", SECOND, "There is no step called 'fly'."),
        (
            rules.SIGNED_OFF,
            "submit",
            SECOND,
            "“Submit for moderation” is only possible from In progress; the assessment is Signed off.",
        ),
    ],
)
def test_refused_transitions_say_why(status, name, who, message):
    with pytest.raises(rules.WorkflowError) as refused:
        rules.check_transition(status, name, **who)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    "status, score, moderate, read_only",
    [
        (rules.DRAFT, True, False, False),
        (rules.IN_PROGRESS, True, False, False),
        (rules.SUBMITTED, False, True, False),
        (rules.MODERATED, False, False, False),
        (rules.SIGNED_OFF, False, False, True),
        (rules.ARCHIVED, False, False, True),
    ],
)
def test_what_each_status_allows(status, score, moderate, read_only):
    assert (rules.can_score(status), rules.can_moderate(status), rules.is_read_only(status)) == (
        score,
        moderate,
        read_only,
    )


@pytest.mark.parametrize(
    "compliance, level, target, date, missing",
    [
        (True, 0, 1, None, True),
        (True, 0, 1, datetime.date(2027, 3, 31), False),
        (True, 1, 1, None, False),
        (True, None, 1, None, False),
        (False, 2, 3, None, False),
    ],
)
def test_a_no_on_a_compliance_scale_needs_a_target_date(compliance, level, target, date, missing):
    assert rules.target_date_missing(compliance=compliance, level=level, target=target, target_date=date) is missing


def test_round_progress_counts_per_person():
    today = datetime.date(2026, 12, 1)
    past, future = datetime.date(2026, 11, 20), datetime.date(2026, 12, 20)
    progress = rules.round_progress(
        [
            ("sarah", True, past),
            ("sarah", False, past),
            ("sarah", False, future),
            ("tom", False, None),
            (None, False, past),
        ],
        today=today,
    )
    assert (
        progress["sarah"].assigned,
        progress["sarah"].answered,
        progress["sarah"].open,
        progress["sarah"].overdue,
    ) == (
        3,
        1,
        2,
        1,
    )
    assert (progress["tom"].assigned, progress["tom"].overdue) == (1, 0)
    assert progress[None].overdue == 1
