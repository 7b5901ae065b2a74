"""Pure rules for risks: scores and bands, appetite, movement, review scheduling and the key risk
indicator flag.

No database access here: every function takes plain values, so each rule is tested with a table
of cases. The scoring matrix is passed in as a `Matrix` (risks.matrix loads it).
"""

import calendar
import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from indicators import rules as pi_rules

# Scales -------------------------------------------------------------------------------------

LIKELIHOOD = "likelihood"
IMPACT = "impact"
MIN_LEVELS = 3
MAX_LEVELS = 6
POSITIONS = ("inherent", "current", "target")
POSITION_LABELS = {"inherent": "Inherent", "current": "Current", "target": "Target"}


def score(likelihood: int, impact: int) -> int:
    """Likelihood times impact."""
    return likelihood * impact


def level_error(value: int | None, levels: int, label: str) -> str | None:
    """Why VALUE is not a level of a 1..LEVELS scale called LABEL (None when it is)."""
    if value is None:
        return f"Give the {label} (1 to {levels})."
    if not 1 <= value <= levels:
        return f"The {label} must be between 1 and {levels}; {value} is outside the scale."
    return None


def score_errors(
    positions: Mapping[str, tuple[int | None, int | None]], *, likelihood_levels: int, impact_levels: int
) -> dict[str, str]:
    """Errors for a risk's positions, keyed on the field that is wrong ("target_likelihood").

    POSITIONS maps "inherent", "current" and "target" (any of them) to (likelihood, impact).
    Each level must lie on its scale, and the target score may not be above the current score:
    a target is where treatment should bring the risk, never somewhere worse than now."""
    errors = {}
    for position, (likelihood, impact) in positions.items():
        name = POSITION_LABELS[position].lower()
        if message := level_error(likelihood, likelihood_levels, f"{name} likelihood"):
            errors[f"{position}_likelihood"] = message
        if message := level_error(impact, impact_levels, f"{name} impact"):
            errors[f"{position}_impact"] = message
    current, target = positions.get("current"), positions.get("target")
    if current and target and not any(key.startswith(("current_", "target_")) for key in errors):
        if score(*target) > score(*current):
            errors["target_likelihood"] = (
                f"The target score ({target[0]} × {target[1]} = {score(*target)}) is above the current score "
                f"({current[0]} × {current[1]} = {score(*current)}); a target cannot be worse than now."
            )
    return errors


# Bands and the matrix ------------------------------------------------------------------------

CIRCLE = "circle"
TRIANGLE = "triangle"
DIAMOND = "diamond"
SQUARE = "square"
SHAPES = {CIRCLE: "Circle", TRIANGLE: "Triangle", DIAMOND: "Diamond", SQUARE: "Square"}


@dataclass(frozen=True)
class Band:
    """A band of the matrix: RANK orders severity (1 is the least severe)."""

    rank: int
    name: str
    colour: str
    shape: str


@dataclass(frozen=True)
class Level:
    level: int
    label: str
    description: str = ""
    # Impact only: what the level means for each kind of consequence.
    finance: str = ""
    reputation: str = ""
    safety: str = ""
    regulation: str = ""


@dataclass(frozen=True)
class Matrix:
    """The scoring matrix: the two scales, the bands and the band of every cell."""

    likelihood: tuple[Level, ...]
    impact: tuple[Level, ...]
    bands: tuple[Band, ...]
    cells: Mapping[tuple[int, int], int] = field(default_factory=dict)  # (likelihood, impact) -> band rank

    @property
    def likelihood_levels(self) -> int:
        return len(self.likelihood)

    @property
    def impact_levels(self) -> int:
        return len(self.impact)

    def band(self, likelihood: int | None, impact: int | None) -> Band | None:
        """The band of a cell (None off the matrix)."""
        rank = self.cells.get((likelihood, impact))
        return self.band_by_rank(rank) if rank is not None else None

    def band_by_rank(self, rank: int | None) -> Band | None:
        return next((band for band in self.bands if band.rank == rank), None)

    def cells_in_band(self, rank: int) -> list[tuple[int, int]]:
        return sorted(cell for cell, cell_rank in self.cells.items() if cell_rank == rank)

    def errors(self, positions: Mapping[str, tuple[int | None, int | None]]) -> dict[str, str]:
        return score_errors(positions, likelihood_levels=self.likelihood_levels, impact_levels=self.impact_levels)


def banded_cells(likelihood_levels: int, impact_levels: int, thresholds: Sequence[tuple[int, int]]) -> dict:
    """Every cell's band rank by its score: THRESHOLDS lists (lowest score, rank), ascending."""
    cells = {}
    for likelihood in range(1, likelihood_levels + 1):
        for impact in range(1, impact_levels + 1):
            value = score(likelihood, impact)
            cells[(likelihood, impact)] = max((rank for low, rank in thresholds if value >= low), default=1)
    return cells


def resized_cells(cells: Mapping[tuple[int, int], int], likelihood_levels: int, impact_levels: int) -> dict:
    """CELLS fitted to a new size: kept cells keep their band, a new cell takes the band of the
    nearest cell of the old matrix (the admin adjusts it afterwards)."""
    old_l = max((cell[0] for cell in cells), default=1)
    old_i = max((cell[1] for cell in cells), default=1)
    return {
        (likelihood, impact): cells.get(
            (likelihood, impact), cells.get((min(likelihood, old_l), min(impact, old_i)), 1)
        )
        for likelihood in range(1, likelihood_levels + 1)
        for impact in range(1, impact_levels + 1)
    }


DEFAULT_BANDS = (
    Band(1, "Low", "#2e7d32", CIRCLE),
    Band(2, "Medium", "#f2c94c", TRIANGLE),
    Band(3, "High", "#e8833a", DIAMOND),
    Band(4, "Critical", "#b3261e", SQUARE),
)
DEFAULT_THRESHOLDS = ((1, 1), (4, 2), (8, 3), (15, 4))
DEFAULT_LIKELIHOOD = (
    Level(1, "Rare", "Not expected to happen; less than a 5% chance in the next three years."),
    Level(2, "Unlikely", "Could happen but probably will not; 5-20% chance in the next three years."),
    Level(3, "Possible", "Might well happen; 20-50% chance in the next three years."),
    Level(4, "Likely", "More likely than not; 50-80% chance, or has happened here recently."),
    Level(5, "Almost certain", "Expected to happen; above 80% chance, or is happening now."),
)
DEFAULT_IMPACT = (
    Level(
        1,
        "Minimal",
        "Barely noticeable; absorbed in normal work.",
        finance="Under £10k",
        reputation="No external interest",
        safety="No injury",
        regulation="No breach",
    ),
    Level(
        2,
        "Minor",
        "Noticeable to a service; dealt with by its manager.",
        finance="£10k-£100k",
        reputation="Local complaints",
        safety="Minor injury, first aid only",
        regulation="Minor breach, self-reported and put right",
    ),
    Level(
        3,
        "Moderate",
        "Affects residents across a service; needs a director.",
        finance="£100k-£500k",
        reputation="Local media coverage",
        safety="Injury needing medical treatment",
        regulation="Regulator asks questions",
    ),
    Level(
        4,
        "Major",
        "Serious harm to residents or the business; the Board is told.",
        finance="£500k-£2m",
        reputation="Regional media; Housing Ombudsman finding",
        safety="Serious injury",
        regulation="Breach of a consumer standard; regulatory notice",
    ),
    Level(
        5,
        "Severe",
        "Threatens the organisation or a life; the Board acts.",
        finance="Over £2m",
        reputation="National media; loss of partner confidence",
        safety="Death or life-changing injury",
        regulation="Downgrade of the governance or viability grade; enforcement",
    ),
)
DEFAULT_MATRIX = Matrix(
    likelihood=DEFAULT_LIKELIHOOD,
    impact=DEFAULT_IMPACT,
    bands=DEFAULT_BANDS,
    cells=banded_cells(5, 5, DEFAULT_THRESHOLDS),
)


def placeholder_level(level: int) -> Level:
    """A level added when a scale grows, for the admin to describe."""
    return Level(level, f"Level {level}")


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def readable_text(colour: str) -> str:
    """Black or white, whichever contrasts more with a background of COLOUR ("#rrggbb")."""
    lum = _luminance(colour)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


# Appetite -----------------------------------------------------------------------------------

# The categories a new register starts with: (code, name, appetite, appetite statement). Admins
# edit, add and retire categories afterwards.
DEFAULT_CATEGORIES = (
    ("strategic", "Strategic", 12, "Open: we take considered risks to deliver the corporate strategy."),
    ("operational", "Operational", 9, "Cautious: services run safely and reliably, with some room to innovate."),
    ("project", "Project", 12, "Open: development and change projects carry risk we manage actively."),
    ("partnership", "Partnership", 9, "Cautious: partners are chosen and monitored with care."),
    (
        "compliance",
        "Compliance, health and safety",
        4,
        "Averse: we do not knowingly tolerate risk to residents' safety or to legal compliance.",
    ),
    ("financial", "Financial", 8, "Minimal: we protect our covenants, viability and rent income."),
)

WITHIN = "within"
ABOVE = "above"
ACCEPTED = "accepted"
APPETITE_LABELS = {WITHIN: "Within appetite", ABOVE: "Above appetite", ACCEPTED: "Accepted above appetite"}
APPETITE_CSS = {WITHIN: "green", ABOVE: "red", ACCEPTED: "amber"}


def appetite_state(
    *,
    score: int,
    appetite: int | None,
    accepted_until: datetime.date | None,
    accepted_score: int | None,
    today: datetime.date,
) -> str:
    """Within appetite, above it, or above it but accepted.

    An acceptance covers the risk until its end date and only up to the score that was accepted:
    once it expires, or the risk gets worse than what was accepted, the risk is above appetite
    again. A category without an appetite puts no risk above it. (RiskQuerySet.above_appetite is
    the same rule in SQL; a test holds the two together.)"""
    if appetite is None or score <= appetite:
        return WITHIN
    if accepted_until is not None and accepted_score is not None and accepted_until >= today:
        if score <= accepted_score:
            return ACCEPTED
    return ABOVE


def acceptance_errors(
    *, score: int, appetite: int | None, until: datetime.date | None, reason: str, today: datetime.date
) -> dict[str, str]:
    """Why an acceptance of a risk at SCORE cannot be recorded, keyed on the field."""
    errors = {}
    if appetite is None or score <= appetite:
        errors["until"] = (
            f"The current score {score} is within the appetite"
            f"{'' if appetite is None else f' of {appetite}'}; there is nothing to accept."
        )
    elif until is None:
        errors["until"] = "Give the date the acceptance ends."
    elif until <= today:
        errors["until"] = f"The acceptance must end after today ({today:%d %b %Y}); {until:%d %b %Y} has passed."
    if not reason.strip():
        errors["reason"] = "Say why the risk is tolerated above the appetite."
    return errors


# Controls -----------------------------------------------------------------------------------

# CSS modifier of pmf.css's .status for each control effectiveness (the word is always shown).
EFFECTIVENESS_CSS = {"effective": "green", "partly": "amber", "ineffective": "red", "not_tested": "grey"}


# Movement -----------------------------------------------------------------------------------

UP = "up"
DOWN = "down"
SAME = "same"
FIRST = ""
MOVEMENT_LABELS = {UP: "Up", DOWN: "Down", SAME: "No change", FIRST: "First score"}
MOVEMENT_ARROWS = {UP: "▲", DOWN: "▼", SAME: "▶", FIRST: "–"}
MOVEMENT_CSS = {UP: "up", DOWN: "down", SAME: "same", FIRST: "none"}


def movement(*, previous: int | None, current: int) -> str:
    """Up (the risk got worse), down (better) or no change since the score before; FIRST when
    there is nothing to compare with."""
    if previous is None:
        return FIRST
    if current > previous:
        return UP
    if current < previous:
        return DOWN
    return SAME


# Review scheduling ---------------------------------------------------------------------------

MONTHLY, QUARTERLY, HALF_YEARLY, ANNUALLY = 1, 3, 6, 12
FREQUENCIES = {MONTHLY: "Monthly", QUARTERLY: "Quarterly", HALF_YEARLY: "Six-monthly", ANNUALLY: "Annually"}


def add_months(day: datetime.date, months: int) -> datetime.date:
    """DAY moved on by MONTHS calendar months, kept to the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def next_review_date(*, reviewed_on: datetime.date, frequency_months: int) -> datetime.date:
    """When the next review falls due after a review on REVIEWED_ON."""
    return add_months(reviewed_on, frequency_months)


def is_review_overdue(*, next_review: datetime.date | None, today: datetime.date, is_open: bool) -> bool:
    """An open risk whose next review date has passed. (RiskQuerySet.review_overdue in SQL.)"""
    return is_open and next_review is not None and next_review < today


def review_date_error(
    *, reviewed_on: datetime.date | None, today: datetime.date, last_reviewed_on: datetime.date | None
) -> str | None:
    """Why a review cannot be dated REVIEWED_ON (None when it can)."""
    if reviewed_on is None:
        return "Give the date of the review."
    if reviewed_on > today:
        return f"The review date {reviewed_on:%d %b %Y} is in the future; date it today or earlier."
    if last_reviewed_on is not None and reviewed_on < last_reviewed_on:
        return (
            f"The review date {reviewed_on:%d %b %Y} is before the last review ({last_reviewed_on:%d %b %Y}); "
            "reviews are recorded in date order."
        )
    return None


# Key risk indicators -------------------------------------------------------------------------

OFF_TARGET = "off_target"
WORSENING = "worsening"
SIGNAL_LABELS = {OFF_TARGET: "PI off target", WORSENING: "PI worse two periods running"}
REVIEW_SUGGESTED = "Review suggested"


def kri_signal(*, status: str, recent_values: Sequence[Decimal | None], polarity: str) -> str | None:
    """Whether a linked PI signals a change in the risk.

    RECENT_VALUES are the PI's values for its latest consecutive periods, newest first (None where
    a period has no value). The PI signals when it is off target (red), or when it got worse from
    each period to the next over the last two periods (polarity-aware)."""
    if status == pi_rules.RED:
        return OFF_TARGET
    if len(recent_values) >= 3:
        newest, previous, before = recent_values[:3]
        latest_step = pi_rules.direction(latest=newest, reference=previous, polarity=polarity)
        earlier_step = pi_rules.direction(latest=previous, reference=before, polarity=polarity)
        if latest_step == earlier_step == pi_rules.WORSE:
            return WORSENING
    return None


def review_suggested(
    *, signals: Iterable[tuple[str | None, datetime.date | None]], last_reviewed_on: datetime.date | None
) -> bool:
    """A review is suggested when a linked PI signals and its latest value came in after the
    risk's last review (or the risk was never reviewed): reviewing the risk answers the signal.

    SIGNALS are (kri_signal, date the PI's latest value was entered) pairs."""
    for signal, entered_on in signals:
        if signal and (last_reviewed_on is None or entered_on is None or entered_on > last_reviewed_on):
            return True
    return False
