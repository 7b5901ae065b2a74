"""Pure rules of the scorecards module (no ORM): status summaries, sparklines, periods shown."""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from indicators import status as rules

STATUS_ORDER = [rules.GREEN, rules.AMBER, rules.RED, rules.DATA_ONLY, rules.UNKNOWN]


def status_counts(statuses: Iterable[str]) -> list[tuple[str, str, int]]:
    """(status, label, count) for every status in the usual order, zero counts included."""
    counts = dict.fromkeys(STATUS_ORDER, 0)
    for status in statuses:
        counts[status if status in counts else rules.UNKNOWN] += 1
    return [(status, rules.STATUS_LABELS[status], counts[status]) for status in STATUS_ORDER]


def sparkline_points(values: Sequence[Decimal | None], *, width: int = 96, height: int = 24, pad: int = 2) -> str:
    """SVG polyline points for VALUES (oldest first; missing values skipped), scaled to the box.

    A flat series sits in the middle; fewer than two values give no line."""
    present = [(index, float(value)) for index, value in enumerate(values) if value is not None]
    if len(present) < 2:
        return ""
    low = min(value for _, value in present)
    high = max(value for _, value in present)
    span = high - low
    steps = max(len(values) - 1, 1)
    inner_w, inner_h = width - 2 * pad, height - 2 * pad
    points = []
    for index, value in present:
        x = pad + inner_w * index / steps
        y = pad + inner_h / 2 if span == 0 else pad + inner_h * (high - value) / span
        points.append(f"{x:.1f},{y:.1f}")
    return " ".join(points)


def previous_year_values(rows: Sequence[tuple[datetime.date, Decimal]], latest: datetime.date) -> list[Decimal]:
    """Values of ROWS (period, value; newest first, latest excluded) in the 12 months before LATEST."""
    year_ago = datetime.date(latest.year - 1, latest.month, 1)
    return [value for period, value in rows if year_ago <= period < latest]


def parse_period(text: str | None) -> datetime.date | None:
    """'2025-10' or '2025-10-01' -> 1 Oct 2025; None for anything else."""
    if not text:
        return None
    try:
        parts = [int(part) for part in text.split("-")[:2]]
        return datetime.date(parts[0], parts[1], 1)
    except (ValueError, IndexError):
        return None


def changed(old: Decimal | None, new: Decimal | None) -> bool:
    """Whether a frozen value and the current one differ (a restatement)."""
    if old is None or new is None:
        return old is not new
    return old.normalize() != new.normalize()
