"""The scrutiny blocks other pages show: My work and the Board member's briefing."""

from scrutiny import pages

SHOWN = 10


def my_referrals(user) -> dict:
    """Referrals waiting for USER's answer and the latest USER raised: two queries."""
    return {"to_answer": pages.to_answer(user, SHOWN), "raised": pages.referrals_of(user, SHOWN)}
