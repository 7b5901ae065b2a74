"""The "Referral outcomes" section a report can include: what is reported back to the Board on the
referrals answered or given their outcome in the quarter to the report's period."""

import datetime

from django.db.models import F, Q

from pmf import periods
from pmf.access import unit_subtree_q
from pmf.models import OrgUnit
from pmf.registry import ReportSection
from reports.content import KeyFigure, KeyFigures, Paragraph, Table
from reports.params import ReportContext
from scrutiny import rules
from scrutiny.models import Referral

KEY = "referral-outcomes"
LABEL = "Referral outcomes"


def span(period: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The quarter to PERIOD: from the first day of PERIOD's quarter to the last day of its month
    (the Board's cycle is quarterly)."""
    return periods.quarter_start(period), periods.add_months(period, 1) - datetime.timedelta(days=1)


def _referrals(context: ReportContext, start, end) -> list[Referral]:
    found = (
        Referral.objects.visible_to(context.user)
        .filter(Q(answered_on__range=(start, end)) | Q(outcome_on__range=(start, end)))
        .for_listing()
        .select_related("answered_by")
    )
    params = context.params
    if params.scope == "unit" and params.scope_id:
        unit = OrgUnit.objects.filter(pk=params.scope_id).first()
        found = found.filter(unit_subtree_q(unit)) if unit else found.none()
    # by the Board meeting they feed (those feeding none last, on every database), then by answer
    return list(found.order_by(F("meeting__date").asc(nulls_last=True), "answered_on", "pk"))


def referral_outcome_blocks(context: ReportContext) -> list:
    """A count by outcome and a table of each referral: subject, question, who raised it, the
    service's answer and the outcome. Two queries at most, whatever the number of referrals."""
    start, end = span(context.params.period)
    referrals = _referrals(context, start, end)
    if not referrals:
        return []
    concluded = [r for r in referrals if r.status == rules.CONCLUDED]
    counts = [
        KeyFigure(label, str(sum(1 for r in concluded if r.outcome == value))) for value, label in rules.OUTCOME_CHOICES
    ]
    awaiting = len(referrals) - len(concluded)
    rows = tuple(
        (
            r.subject_label,
            r.question,
            f"{r.raised_by.name}, {r.raised_on:%-d %b %Y}",
            r.meeting.title + f", {r.meeting.date:%-d %b %Y}" if r.meeting else "–",
            f"{r.answer} ({r.answered_by.name if r.answered_by else '–'}, {r.answered_on:%-d %b %Y})"
            if r.answered_on
            else "–",
            (rules.OUTCOME_LABELS[r.outcome] + (f": {r.outcome_note}" if r.outcome_note else ""))
            if r.status == rules.CONCLUDED
            else "Answered, outcome to be recorded",
        )
        for r in referrals
    )
    return [
        Paragraph(
            f"Referrals from the Board and tenant panels answered or concluded between {start:%-d %B %Y} and "
            f"{end:%-d %B %Y}: {len(referrals)}" + (f", of which {awaiting} await their outcome." if awaiting else ".")
        ),
        KeyFigures(tuple(counts)),
        Table(
            columns=("Referred", "Question", "Raised by", "Board meeting", "Answer", "Outcome"),
            rows=rows,
            caption=f"Referral outcomes, {periods.quarter_label(context.params.period)}",
        ),
    ]


SECTION = ReportSection(
    KEY,
    LABEL,
    referral_outcome_blocks,
    order=70,
    kinds=frozenset({"board", "tenants", "exceptions"}),
    default_for=frozenset({"board"}),
)
