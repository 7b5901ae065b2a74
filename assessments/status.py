"""Pure rules of self-assessments: score roll-ups, gaps, changes between rounds, the progress of a
round and the workflow of an assessment. No database access, so each rule is tested with a table
of cases (assessments/tests/test_status.py).

Scores are whole levels of a judgement scale (0-3 stars, 1-4, No = 0 / Yes = 1). A theme's score
is the weighted mean of the scores below it; means are kept exact (fractions) while they roll up
and rounded half up to two decimals only when shown, so a theme reads the same whether it is
computed from its questions or from its lines of enquiry.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

TWO_PLACES = Decimal("0.01")

# Workflow -------------------------------------------------------------------------------------

DRAFT = "draft"
IN_PROGRESS = "in_progress"
SUBMITTED = "submitted"
MODERATED = "moderated"
SIGNED_OFF = "signed_off"
ARCHIVED = "archived"

STATUS_LABELS = {
    DRAFT: "Draft",
    IN_PROGRESS: "In progress",
    SUBMITTED: "Submitted",
    MODERATED: "Moderated",
    SIGNED_OFF: "Signed off",
    ARCHIVED: "Archived",
}


@dataclass(frozen=True)
class Transition:
    """A step of the workflow: its name (the button), where it goes from and to, and who takes it:
    "runner" (the lead, a manager over the unit, an admin), "moderator" (a manager or admin who
    is not the lead) or "signer" (a manager or admin, who may be the lead)."""

    name: str
    label: str
    source: str
    target: str
    who: str


TRANSITIONS = (
    Transition("start", "Start the assessment", DRAFT, IN_PROGRESS, "runner"),
    Transition("submit", "Submit for moderation", IN_PROGRESS, SUBMITTED, "runner"),
    Transition("return", "Return for more work", SUBMITTED, IN_PROGRESS, "runner"),
    Transition("moderate", "Finish moderation", SUBMITTED, MODERATED, "moderator"),
    Transition("reopen", "Reopen moderation", MODERATED, SUBMITTED, "moderator"),
    Transition("sign_off", "Sign off", MODERATED, SIGNED_OFF, "signer"),
    Transition("archive", "Archive", SIGNED_OFF, ARCHIVED, "signer"),
)
TRANSITIONS_BY_NAME = {t.name: t for t in TRANSITIONS}
WHO = {
    "runner": "the lead, a manager of the unit or the performance team",
    "moderator": "a manager of the unit or the performance team other than the lead",
    "signer": "a manager of the unit or the performance team",
}


class WorkflowError(ValueError):
    """A step that is not allowed; the message says why."""


def may_take(transition: Transition, *, runs_it: bool, oversees: bool, is_lead: bool) -> bool:
    """Whether a person may take TRANSITION. RUNS_IT: they lead the assessment or may edit it
    (a manager over its unit, an admin); OVERSEES: a manager over its unit or an admin; IS_LEAD:
    they are its lead (a lead cannot moderate their own assessment)."""
    if transition.who == "runner":
        return runs_it
    if transition.who == "moderator":
        return oversees and not is_lead
    return oversees


def allowed_transitions(status: str, *, runs_it: bool, oversees: bool, is_lead: bool) -> list[Transition]:
    """The steps a person may take from STATUS, in workflow order."""
    return [
        t
        for t in TRANSITIONS
        if t.source == status and may_take(t, runs_it=runs_it, oversees=oversees, is_lead=is_lead)
    ]


def check_transition(status: str, name: str, *, runs_it: bool, oversees: bool, is_lead: bool) -> Transition:
    """The transition NAME from STATUS, or WorkflowError saying why it cannot be taken."""
    transition = TRANSITIONS_BY_NAME.get(name)
    if transition is None:
        raise WorkflowError(f"There is no step called {name!r}.")
    if transition.source != status:
        raise WorkflowError(
            f"“{transition.label}” is only possible from {STATUS_LABELS[transition.source]}; "
            f"the assessment is {STATUS_LABELS[status]}."
        )
    if not may_take(transition, runs_it=runs_it, oversees=oversees, is_lead=is_lead):
        if transition.who == "moderator" and is_lead and oversees:
            raise WorkflowError("A second person moderates: the lead cannot moderate their own assessment.")
        raise WorkflowError(f"“{transition.label}” is for {WHO[transition.who]}.")
    return transition


def can_score(status: str) -> bool:
    """Assessors set and change scores while the assessment is a draft or in progress."""
    return status in (DRAFT, IN_PROGRESS)


def can_moderate(status: str) -> bool:
    """After submission a score changes only by moderation (a second person, with a reason)."""
    return status == SUBMITTED


def is_read_only(status: str) -> bool:
    """Signed-off and archived assessments change no more: not a score, a note or a link."""
    return status in (SIGNED_OFF, ARCHIVED)


# Scores ---------------------------------------------------------------------------------------


def effective_level(level: int | None, moderated_level: int | None) -> int | None:
    """The score that counts: the moderator's when they changed it, the assessor's otherwise."""
    return moderated_level if moderated_level is not None else level


def check_level(level: int | None, levels: Sequence[int], *, field: str = "level", label: str = "score") -> None:
    """Refuse a LEVEL that is not on the scale (None, no score, is always allowed)."""
    if level is not None and level not in levels:
        shown = ", ".join(str(value) for value in sorted(levels))
        raise ValueError(f"{field}: {level} is not on the scale; the {label} must be one of {shown}.")


def weighted_mean(pairs: Iterable[tuple[Fraction | int, int]]) -> Fraction | None:
    """Exact weighted mean of (value, weight) pairs; None when there are none (or all weigh 0)."""
    total = Fraction(0)
    weights = 0
    for value, weight in pairs:
        total += Fraction(value) * weight
        weights += weight
    return total / weights if weights else None


def two_decimals(value: Fraction | Decimal | int | None) -> Decimal | None:
    """VALUE rounded half up to two decimals, as scores and gaps are shown (2.565 -> 2.57)."""
    if value is None:
        return None
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(value)
    return exact.quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def rollup(
    *,
    children: Mapping[int, Sequence[int]],
    weights: Mapping[int, int],
    scales: Mapping[int, object],
    values: Mapping[int, int | Fraction | None],
) -> dict[int, Fraction | None]:
    """The exact score of every node: a question's own value (VALUES), or the weighted mean of the
    scores of the nodes below it (CHILDREN: tree children and cross-cutting ones) that have a
    score and are judged on the same scale (SCALES), each weighted by its own weight (WEIGHTS).

    CHILDREN must not loop (the library loader refuses cycles); a question without a value and a
    theme with nothing scored below it have None."""
    result: dict[int, Fraction | None] = {}

    def score(node: int) -> Fraction | None:
        if node in result:
            return result[node]
        below = children.get(node, ())
        if not below:
            value = values.get(node)
            result[node] = None if value is None else Fraction(value)
            return result[node]
        pairs = []
        for child in below:
            child_score = score(child)
            if child_score is not None and scales.get(child) == scales.get(node):
                pairs.append((child_score, weights.get(child, 1)))
        result[node] = weighted_mean(pairs)
        return result[node]

    for node in set(children) | set(values) | {c for below in children.values() for c in below}:
        score(node)
    return result


def gap(score: Fraction | Decimal | int | None, target: Fraction | Decimal | int | None) -> Decimal | None:
    """Target minus score, to two decimals: positive is a shortfall, 0 or less is at or above
    target; None when either is missing."""
    if score is None or target is None:
        return None
    return two_decimals(Fraction(target) - Fraction(score))


def change(before: Fraction | Decimal | int | None, after: Fraction | Decimal | int | None) -> Decimal | None:
    """How a score moved from one round to the next (after - before), to two decimals."""
    if before is None or after is None:
        return None
    return two_decimals(Fraction(after) - Fraction(before))


def change_word(delta: Decimal | None) -> str:
    """The change in words, for the comparison table (never colour alone)."""
    if delta is None:
        return "Not comparable"
    if delta > 0:
        return "Improved"
    if delta < 0:
        return "Declined"
    return "No change"


def target_date_missing(*, compliance: bool, level: int | None, target: int | None, target_date) -> bool:
    """On a compliance scale an answer short of its target (a "No") needs the date by which the
    landlord expects to comply, as published self-assessments give it."""
    return compliance and level is not None and target is not None and level < target and target_date is None


# Progress of a round ---------------------------------------------------------------------------


@dataclass
class PersonProgress:
    assigned: int = 0
    answered: int = 0
    overdue: int = 0

    @property
    def open(self) -> int:
        return self.assigned - self.answered


def is_overdue(*, due: datetime.date | None, answered: bool, today: datetime.date) -> bool:
    """An unanswered question past its due date."""
    return not answered and due is not None and due < today


def round_progress(
    rows: Iterable[tuple[object, bool, datetime.date | None]], *, today: datetime.date
) -> dict[object, PersonProgress]:
    """Per assignee (None for unassigned questions): how many questions are assigned, answered and
    overdue, from (assignee, answered, due date) rows."""
    progress: dict[object, PersonProgress] = {}
    for assignee, answered, due in rows:
        entry = progress.setdefault(assignee, PersonProgress())
        entry.assigned += 1
        entry.answered += int(answered)
        entry.overdue += int(is_overdue(due=due, answered=answered, today=today))
    return progress
