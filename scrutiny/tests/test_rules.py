"""The referral workflow's table and the text checks, case by case."""

import datetime

import pytest

from scrutiny import rules

ACTIONS = (rules.ACCEPT, rules.MERGE, rules.DECLINE, rules.ANSWER, rules.CONCLUDE)
STATUSES = [status for status, _ in rules.STATUS_CHOICES]

# Every (status, action) pair and where it leads; None means refused.
EXPECTED = {
    (rules.RAISED, rules.ACCEPT): rules.ACCEPTED,
    (rules.RAISED, rules.MERGE): rules.MERGED,
    (rules.RAISED, rules.DECLINE): rules.DECLINED,
    (rules.RAISED, rules.ANSWER): None,
    (rules.RAISED, rules.CONCLUDE): None,
    (rules.ACCEPTED, rules.ACCEPT): None,
    (rules.ACCEPTED, rules.MERGE): None,
    (rules.ACCEPTED, rules.DECLINE): None,
    (rules.ACCEPTED, rules.ANSWER): rules.ANSWERED,
    (rules.ACCEPTED, rules.CONCLUDE): None,
    (rules.ANSWERED, rules.ACCEPT): None,
    (rules.ANSWERED, rules.MERGE): None,
    (rules.ANSWERED, rules.DECLINE): None,
    (rules.ANSWERED, rules.ANSWER): None,
    (rules.ANSWERED, rules.CONCLUDE): rules.CONCLUDED,
    **{(status, action): None for status in (rules.MERGED, rules.DECLINED, rules.CONCLUDED) for action in ACTIONS},
}


def test_the_table_covers_every_status_and_action():
    assert set(EXPECTED) == {(status, action) for status in STATUSES for action in ACTIONS}


@pytest.mark.parametrize(("status", "action"), sorted(EXPECTED))
def test_each_step_leads_where_the_table_says_or_is_refused(status, action):
    expected = EXPECTED[(status, action)]
    if expected is None:
        with pytest.raises(rules.TransitionError):
            rules.next_status(status, action)
    else:
        assert rules.next_status(status, action) == expected


def test_a_refusal_names_the_status_and_what_is_allowed():
    with pytest.raises(rules.TransitionError) as refused:
        rules.next_status(rules.RAISED, rules.ANSWER)
    assert str(refused.value) == (
        "A referral that is “Raised, awaiting triage” cannot be answered; "
        "it can be accepted and assigned, merged, declined."
    )
    with pytest.raises(rules.TransitionError) as ended:
        rules.next_status(rules.DECLINED, rules.ACCEPT)
    assert str(ended.value) == "A referral that is “Declined” cannot be accepted and assigned; its workflow has ended."


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (rules.RAISED, [rules.ACCEPT, rules.MERGE, rules.DECLINE]),
        (rules.ACCEPTED, [rules.ANSWER]),
        (rules.ANSWERED, [rules.CONCLUDE]),
        (rules.MERGED, []),
        (rules.DECLINED, []),
        (rules.CONCLUDED, []),
    ],
)
def test_allowed_actions(status, allowed):
    assert rules.allowed_actions(status) == allowed


def test_open_statuses_are_those_still_in_the_workflow():
    assert rules.OPEN == {rules.RAISED, rules.ACCEPTED, rules.ANSWERED}


TODAY = datetime.date(2026, 12, 2)


@pytest.mark.parametrize(
    ("due", "error"),
    [
        (None, "Give the date the answer is due."),
        (datetime.date(2026, 12, 1), "The due date 1 December 2026 is in the past; choose today or a later date."),
        (TODAY, None),
        (datetime.date(2027, 1, 15), None),
    ],
)
def test_due_date(due, error):
    assert rules.due_date_error(due, TODAY) == error


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("Arrears rose by 3%.", False),
        ("Rent < £100 a week and > £50", False),
        ("3 <= 4 and 5 <6", False),
        ("<b>bold</b>", True),
        ("<script>alert(1)</script>", True),
        ("See < script>", True),
        ("Click <a href='x'>here</a>", True),
        ("<img src=x onerror=alert(1)>", True),
        ("</p>", True),
        ("<!-- hidden -->", True),
        ("javascript:alert(1)", True),
        ("JavaScript :void(0)", True),
        ("", False),
    ],
)
def test_markup_is_refused_and_plain_text_kept(text, refused):
    assert (rules.markup_error(text) is not None) == refused


@pytest.mark.parametrize(
    ("days", "band"),
    [
        (0, "Under 2 weeks"),
        (13, "Under 2 weeks"),
        (14, "2 to 4 weeks"),
        (27, "2 to 4 weeks"),
        (28, "4 to 8 weeks"),
        (55, "4 to 8 weeks"),
        (56, "Over 8 weeks"),
        (400, "Over 8 weeks"),
    ],
)
def test_age_bands(days, band):
    assert rules.age_band(days) == band


def test_age_never_negative():
    assert rules.age_in_days(TODAY, TODAY - datetime.timedelta(days=3)) == 0
    assert rules.age_in_days(TODAY - datetime.timedelta(days=10), TODAY) == 10
