"""Pure rules for plan items: status, expected progress, roll-ups. No database access here."""

import datetime
from collections.abc import Iterable

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
CHECK_PROGRESS = "check_progress"
OVERDUE = "overdue"
COMPLETED = "completed"
CANCELLED = "cancelled"

DEFAULT_TOLERANCE = 10

# Worst first: the order in which a manager wants to look at things.
SEVERITY = {OVERDUE: 5, CHECK_PROGRESS: 4, NOT_STARTED: 3, IN_PROGRESS: 2, COMPLETED: 1, CANCELLED: 0}
NEEDS_ATTENTION = frozenset({OVERDUE, CHECK_PROGRESS})

# The shape-and-colour class from pmf.css for each status (the word is always shown beside it).
CSS_CLASS = {
    OVERDUE: "status--red",
    CHECK_PROGRESS: "status--amber",
    IN_PROGRESS: "status--green",
    COMPLETED: "status--green",
    NOT_STARTED: "status--grey",
    CANCELLED: "status--grey",
}


def expected_progress(*, start: datetime.date | None, due: datetime.date | None, today: datetime.date) -> float | None:
    """Where progress should be today on the straight line from 0 % at START to 100 % at DUE.

    None when either date is missing or the due date is before the start."""
    if start is None or due is None or due < start:
        return None
    if today <= start:
        return 0.0
    if today >= due:
        return 100.0
    return 100.0 * (today - start).days / (due - start).days


def action_status(
    *,
    progress: int,
    start: datetime.date | None,
    due: datetime.date | None,
    completed: datetime.date | None,
    cancelled: datetime.date | None,
    started: bool,
    today: datetime.date,
    tolerance: int = DEFAULT_TOLERANCE,
) -> str:
    """The status of an action (or of a parent, given its rolled-up progress).

    - Cancelled when it has a cancelled date; Completed when it has a completed date or 100 %.
    - Overdue when the due date has passed and it is not complete.
    - Check progress when progress is behind the straight line from start to due date by more
      than TOLERANCE percentage points.
    - In progress once it has progress or an actual start; otherwise Not started.
    """
    if cancelled is not None:
        return CANCELLED
    if completed is not None or progress >= 100:
        return COMPLETED
    if due is not None and today > due:
        return OVERDUE
    expected = expected_progress(start=start, due=due, today=today)
    if expected is not None and expected - progress > tolerance:
        return CHECK_PROGRESS
    if progress > 0 or started:
        return IN_PROGRESS
    return NOT_STARTED


def milestone_progress(milestones: Iterable[tuple[int, bool]]) -> int | None:
    """Completed weight / total weight as a whole percentage, from (weight, is_complete) pairs.

    None when there are no milestones (progress then comes from the latest update)."""
    total = done = 0
    for weight, complete in milestones:
        total += weight
        if complete:
            done += weight
    if total == 0:
        return None
    return round(100 * done / total)


def rolled_up_progress(children: Iterable[tuple[int, int, str]]) -> int | None:
    """A parent's progress: its children's progress weighted by their weight.

    Takes (progress, weight, status) triples; cancelled children do not count. None when no
    child counts (the parent keeps its own progress)."""
    total = weighted = 0
    for progress, weight, status in children:
        if status == CANCELLED or weight <= 0:
            continue
        total += weight
        weighted += progress * weight
    if total == 0:
        return None
    return round(weighted / total)


def worst_status(statuses: Iterable[str]) -> str:
    """The status a manager should look at first among STATUSES ("" when there are none)."""
    worst = ""
    for status in statuses:
        if status and (not worst or SEVERITY[status] > SEVERITY[worst]):
            worst = status
    return worst


def attention_flag(statuses: Iterable[str]) -> str:
    """The worst of STATUSES when it needs attention (Overdue, Check progress), else ""."""
    worst = worst_status(statuses)
    return worst if worst in NEEDS_ATTENTION else ""
