"""Exception rules: which PIs, actions, risks and assessment responses a report flags, and why.

Pure functions over plain values (no ORM), table-tested. SETTINGS is a report definition's
exception settings (reports.params.DEFAULT_EXCEPTION_SETTINGS and the definition's choices).
Each rule gives the words a reader sees ("Off target", "Amber 2 periods running").
"""

from collections.abc import Mapping, Sequence

from indicators import rules as pi_rules
from plans import status as plan_rules
from reports.params import DEFAULT_EXCEPTION_SETTINGS
from risks import status as risk_rules

MISSED = frozenset({pi_rules.AMBER, pi_rules.RED})


def setting(settings: Mapping, name: str):
    """SETTINGS[NAME], or its default when the definition does not say."""
    return settings.get(name, DEFAULT_EXCEPTION_SETTINGS[name])


def running(statuses: Sequence[str | None], wanted: frozenset[str] | set[str]) -> int:
    """How many of STATUSES (consecutive periods, newest first; None for a period without a value)
    in a row, from the newest, are in WANTED."""
    count = 0
    for status in statuses:
        if status not in wanted:
            break
        count += 1
    return count


def pi_exceptions(statuses: Sequence[str | None], long_trend: str, settings: Mapping) -> list[str]:
    """Why a PI is an exception, given its STATUSES (consecutive periods newest first, from the
    period reported on; None where a period has no value) and its LONG_TREND; [] when it is not.

    - red: red in the period reported on;
    - amber_periods N: amber in each of the last N periods (N >= 1; 0 is off);
    - long_trend_worse: off target or within tolerance (not green) and the long trend (against the
      previous year's mean) getting worse; an on-target PI whose trend dips is not an exception;
    - missed_periods N: the target missed (amber or red) in each of the last N periods."""
    found = []
    latest = statuses[0] if statuses else None
    if setting(settings, "red") and latest == pi_rules.RED:
        found.append("Off target")
    amber = int(setting(settings, "amber_periods") or 0)
    if amber > 0 and running(statuses, {pi_rules.AMBER}) >= amber:
        found.append("Within tolerance (amber) 1 period" if amber == 1 else f"Amber {amber} periods running")
    missed = int(setting(settings, "missed_periods") or 0)
    if missed > 0 and running(statuses, MISSED) >= missed:
        found.append("Target missed 1 period" if missed == 1 else f"Target missed {missed} periods running")
    if setting(settings, "long_trend_worse") and latest in MISSED and long_trend == pi_rules.WORSE:
        found.append("Long trend getting worse")
    return found


def action_exception(status: str, settings: Mapping) -> str | None:
    """Why a plan action is an exception ("Overdue", "Check progress"), or None."""
    if status == plan_rules.OVERDUE and setting(settings, "overdue_actions"):
        return "Overdue"
    if status == plan_rules.CHECK_PROGRESS and setting(settings, "check_progress_actions"):
        return "Check progress"
    return None


def risk_exceptions(*, appetite: str, movement: str, settings: Mapping) -> list[str]:
    """Why a risk is an exception, from its APPETITE state (risks.status.appetite_state: within,
    above, accepted) and its MOVEMENT since the last score (risks.status.movement): above appetite
    and not accepted, or rising."""
    found = []
    if setting(settings, "risks_above_appetite") and appetite == risk_rules.ABOVE:
        found.append("Above appetite")
    if setting(settings, "risks_rising") and movement == risk_rules.UP:
        found.append("Rising")
    return found


def gap_exception(*, level: int | None, target: int | None, settings: Mapping) -> int | None:
    """The gap (levels below target) of an assessment response when it counts as an exception:
    LEVEL at least `assessment_gap_levels` below TARGET; None otherwise (or when off, or either is
    missing)."""
    threshold = int(setting(settings, "assessment_gap_levels") or 0)
    if threshold <= 0 or level is None or target is None:
        return None
    gap = target - level
    return gap if gap >= threshold else None
