import datetime

import pytest

from plans import status as rules

D = datetime.date
START, DUE = D(2026, 1, 1), D(2026, 1, 31)  # 30 days: one day is 3.33 points


@pytest.mark.parametrize(
    ("start", "due", "today", "expected"),
    [
        (START, DUE, D(2025, 12, 1), 0.0),
        (START, DUE, START, 0.0),
        (START, DUE, D(2026, 1, 16), 50.0),
        (START, DUE, DUE, 100.0),
        (START, DUE, D(2026, 3, 1), 100.0),
        (None, DUE, D(2026, 1, 16), None),
        (START, None, D(2026, 1, 16), None),
        (DUE, START, D(2026, 1, 16), None),
        (START, START, START, 0.0),
        (START, START, D(2026, 1, 2), 100.0),
    ],
)
def test_expected_progress_follows_the_straight_line(start, due, today, expected):
    assert rules.expected_progress(start=start, due=due, today=today) == expected


STATUS_CASES = [
    # progress, start, due, completed, cancelled, started, today, tolerance, expected
    (0, START, DUE, None, D(2026, 1, 5), False, D(2026, 1, 10), 10, rules.CANCELLED),
    (100, START, DUE, D(2026, 1, 20), D(2026, 1, 21), True, D(2026, 2, 10), 10, rules.CANCELLED),
    (40, START, DUE, D(2026, 1, 20), None, True, D(2026, 2, 10), 10, rules.COMPLETED),
    (100, START, DUE, None, None, True, D(2026, 2, 10), 10, rules.COMPLETED),
    (99, START, DUE, None, None, True, D(2026, 2, 1), 10, rules.OVERDUE),
    (0, START, DUE, None, None, False, D(2026, 2, 1), 10, rules.OVERDUE),
    (50, START, DUE, None, None, True, DUE, 10, rules.CHECK_PROGRESS),
    (39, START, DUE, None, None, True, D(2026, 1, 16), 10, rules.CHECK_PROGRESS),
    (40, START, DUE, None, None, True, D(2026, 1, 16), 10, rules.IN_PROGRESS),
    (39, START, DUE, None, None, True, D(2026, 1, 16), 11, rules.IN_PROGRESS),
    (20, START, DUE, None, None, True, D(2026, 1, 16), 30, rules.IN_PROGRESS),
    (0, START, DUE, None, None, False, D(2026, 1, 2), 10, rules.NOT_STARTED),
    (0, START, DUE, None, None, True, D(2026, 1, 2), 10, rules.IN_PROGRESS),
    (5, START, DUE, None, None, False, D(2025, 12, 1), 10, rules.IN_PROGRESS),
    (0, None, None, None, None, False, D(2026, 1, 2), 10, rules.NOT_STARTED),
    (0, None, DUE, None, None, False, D(2026, 1, 20), 10, rules.NOT_STARTED),
    (0, START, DUE, None, None, False, D(2026, 1, 5), 10, rules.CHECK_PROGRESS),
]


@pytest.mark.parametrize(
    ("progress", "start", "due", "completed", "cancelled", "started", "today", "tolerance", "expected"), STATUS_CASES
)
def test_action_status_rules(progress, start, due, completed, cancelled, started, today, tolerance, expected):
    assert (
        rules.action_status(
            progress=progress,
            start=start,
            due=due,
            completed=completed,
            cancelled=cancelled,
            started=started,
            today=today,
            tolerance=tolerance,
        )
        == expected
    )


@pytest.mark.parametrize(
    ("milestones", "expected"),
    [
        ([], None),
        ([(1, False)], 0),
        ([(1, True)], 100),
        ([(1, True), (3, False)], 25),
        ([(1, True), (2, True), (1, False)], 75),
        ([(1, True), (1, True), (1, False)], 67),
    ],
)
def test_milestone_progress_is_completed_weight_over_total_weight(milestones, expected):
    assert rules.milestone_progress(milestones) == expected


@pytest.mark.parametrize(
    ("children", "expected"),
    [
        ([], None),
        ([(50, 1, rules.IN_PROGRESS)], 50),
        ([(100, 1, rules.COMPLETED), (0, 1, rules.NOT_STARTED)], 50),
        ([(100, 3, rules.COMPLETED), (0, 1, rules.NOT_STARTED)], 75),
        ([(100, 1, rules.COMPLETED), (10, 5, rules.CANCELLED)], 100),
        ([(10, 1, rules.CANCELLED)], None),
        ([(33, 1, rules.IN_PROGRESS), (34, 2, rules.IN_PROGRESS)], 34),
    ],
)
def test_rolled_up_progress_weights_children_and_skips_cancelled(children, expected):
    assert rules.rolled_up_progress(children) == expected


@pytest.mark.parametrize(
    ("statuses", "worst", "flag"),
    [
        ([], "", ""),
        ([rules.COMPLETED, rules.IN_PROGRESS], rules.IN_PROGRESS, ""),
        ([rules.IN_PROGRESS, rules.NOT_STARTED], rules.NOT_STARTED, ""),
        ([rules.IN_PROGRESS, rules.CHECK_PROGRESS, rules.COMPLETED], rules.CHECK_PROGRESS, rules.CHECK_PROGRESS),
        ([rules.CHECK_PROGRESS, rules.OVERDUE, rules.CANCELLED], rules.OVERDUE, rules.OVERDUE),
        (["", rules.CANCELLED], rules.CANCELLED, ""),
    ],
)
def test_worst_status_and_attention_flag(statuses, worst, flag):
    assert rules.worst_status(statuses) == worst
    assert rules.attention_flag(statuses) == flag
