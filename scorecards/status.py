"""Pure rules of the scorecards module (no ORM): status summaries, periods asked for, restatements."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from indicators import rules

STATUS_ORDER = [rules.GREEN, rules.AMBER, rules.RED, rules.DATA_ONLY, rules.UNKNOWN]


def status_counts(statuses: Iterable[str]) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status in the usual order, zero counts included."""
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for status in statuses:
        counts[status if status in counts else rules.UNKNOWN] += 1
    return [(status, rules.STATUS_LABELS[status], counts[status]) for status in STATUS_ORDER]


def parse_period(text: str | None) -> datetime.date | None:
    """'2025-10' or '2025-10-01' -> 1 Oct 2025; None for anything else (the range a page may show
    is `pmf.periods.period_error`'s)."""
    if not text:
        return None
    try:
        parts = [int(part) for part in text.split("-")[:2]]
        return datetime.date(parts[0], parts[1], 1)
    except (ValueError, IndexError, OverflowError):
        return None


def changed(old: Decimal | None, new: Decimal | None) -> bool:
    """Whether a frozen value and the current one differ (a restatement)."""
    if old is None or new is None:
        return old is not new
    return old.normalize() != new.normalize()
