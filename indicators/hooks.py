"""Extension point for later modules: periods that must never be re-coloured.

A scorecard edition freezes the status of the PIs it reports. The scorecards module registers a
check here; recalculation of a calculated PI leaves a measurement untouched when any check says
its period has been issued.
"""

import datetime
from collections.abc import Callable

ISSUED_PERIOD_CHECKS: list[Callable[[int, datetime.date], bool]] = []


def register_issued_period_check(check: Callable[[int, datetime.date], bool]) -> None:
    if check not in ISSUED_PERIOD_CHECKS:
        ISSUED_PERIOD_CHECKS.append(check)


def is_issued(indicator_id: int, period: datetime.date) -> bool:
    return any(check(indicator_id, period) for check in ISSUED_PERIOD_CHECKS)
