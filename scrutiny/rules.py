"""The referral workflow as a table, and the checks on what people type: pure functions, no ORM.

A referral is raised by a Board member or a tenant panel representative; the performance team
triages it (accept and assign it to a service manager with a due date, merge it into another open
referral, or decline it with a reason); the assigned manager answers; the performance team records
the outcome (answered, performance clinic, service review, closed), which is reported back to the
Board meeting the referral feeds.
"""

import datetime
import re

RAISED = "raised"
ACCEPTED = "accepted"
MERGED = "merged"
DECLINED = "declined"
ANSWERED = "answered"
CONCLUDED = "concluded"

STATUS_CHOICES = [
    (RAISED, "Raised, awaiting triage"),
    (ACCEPTED, "Accepted, with the service"),
    (MERGED, "Merged into another referral"),
    (DECLINED, "Declined"),
    (ANSWERED, "Answered, awaiting review"),
    (CONCLUDED, "Outcome recorded"),
]
STATUS_LABELS = dict(STATUS_CHOICES)
OPEN = frozenset({RAISED, ACCEPTED, ANSWERED})

ACCEPT = "accept"
MERGE = "merge"
DECLINE = "decline"
ANSWER = "answer"
CONCLUDE = "conclude"

ACTION_LABELS = {
    ACCEPT: "Accepted and assigned",
    MERGE: "Merged",
    DECLINE: "Declined",
    ANSWER: "Answered",
    CONCLUDE: "Outcome recorded",
}

# (status now, action) -> status after. Anything not listed is refused.
TRANSITIONS = {
    (RAISED, ACCEPT): ACCEPTED,
    (RAISED, MERGE): MERGED,
    (RAISED, DECLINE): DECLINED,
    (ACCEPTED, ANSWER): ANSWERED,
    (ANSWERED, CONCLUDE): CONCLUDED,
}

OUTCOME_ANSWERED = "answered"
OUTCOME_CLINIC = "clinic"
OUTCOME_SERVICE_REVIEW = "service_review"
OUTCOME_CLOSED = "closed"
OUTCOME_CHOICES = [
    (OUTCOME_ANSWERED, "Answered: reported back to the Board"),
    (OUTCOME_CLINIC, "Referred to a performance clinic"),
    (OUTCOME_SERVICE_REVIEW, "Referred for a service review"),
    (OUTCOME_CLOSED, "Closed without further action"),
]
OUTCOME_LABELS = dict(OUTCOME_CHOICES)


class TransitionError(ValueError):
    """The action is not allowed from the referral's status; the message says what is."""


def allowed_actions(status: str) -> list[str]:
    """The actions a referral in STATUS may take, in the table's order."""
    return [action for (source, action) in TRANSITIONS if source == status]


def next_status(status: str, action: str) -> str:
    """The status after ACTION on a referral in STATUS; TransitionError when the table has no such step."""
    try:
        return TRANSITIONS[(status, action)]
    except KeyError:
        now = STATUS_LABELS.get(status, status)
        allowed = allowed_actions(status)
        what = ACTION_LABELS.get(action, action).lower()
        if allowed:
            options = ", ".join(ACTION_LABELS[a].lower() for a in allowed)
            raise TransitionError(f"A referral that is “{now}” cannot be {what}; it can be {options}.") from None
        raise TransitionError(f"A referral that is “{now}” cannot be {what}; its workflow has ended.") from None


def due_date_error(due: datetime.date | None, today: datetime.date) -> str | None:
    """Why DUE cannot be an answer's due date on TODAY, or None when it can."""
    if due is None:
        return "Give the date the answer is due."
    if due < today:
        return f"The due date {due:%-d %B %Y} is in the past; choose today or a later date."
    return None


# An HTML tag, comment or declaration opening (“<script”, “</p”, “<!--”, “<img”), or a script
# URL: what a browser would read as markup. Plain "<" in text such as "rent < £100" is fine.
_MARKUP = re.compile(r"<\s*[a-zA-Z!/?]|javascript\s*:", re.IGNORECASE)


def markup_error(text: str) -> str | None:
    """Why TEXT is refused (it holds HTML or script), or None when it is plain text."""
    if _MARKUP.search(text or ""):
        return "Write plain text: HTML tags and scripts are not accepted."
    return None


def age_in_days(raised_on: datetime.date, today: datetime.date) -> int:
    return max((today - raised_on).days, 0)


AGE_BANDS = ((14, "Under 2 weeks"), (28, "2 to 4 weeks"), (56, "4 to 8 weeks"))
OLDEST_BAND = "Over 8 weeks"


def age_band(days: int) -> str:
    """The work programme's age band of a referral open for DAYS days."""
    for limit, label in AGE_BANDS:
        if days < limit:
            return label
    return OLDEST_BAND
