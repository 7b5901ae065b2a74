"""Values awaiting approval, read so that a backlog of any size is paged and counted cheaply.

`awaiting_approval_by` (indicators.querysets) is the rule of who approves what; these functions
give the same rows in a form the database can walk newest first without joining and sorting the
whole backlog (a director over hundreds of thousands of values), and count them up to a cap.
"""

from django.db.models import OuterRef, Subquery

from indicators.models import Indicator, Measurement

# Values awaiting approval are counted up to this many (the approvals page's first ten pages).
COUNTED = 1000
# A person who sees at least this many PIs approves a large share of the backlog.
WIDE_SCOPE = 2000


def pending_for(user):
    """The values USER approves (`Measurement.objects.awaiting_approval_by`), unsorted.

    Someone who sees few PIs: the database starts from their PIs. Someone who sees thousands: the
    index of values awaiting approval (period, indicator) is walked and each value's PI checked as
    it comes (a subquery per value), so a page in period order, or a count up to COUNTED, reads
    about as many values as it shows."""
    pending = Measurement.objects.awaiting_approval_by(user)
    if Indicator.objects.visible_to(user)[:WIDE_SCOPE].count() < WIDE_SCOPE:
        return pending
    approvable = pending.filter(pk=OuterRef("pk")).values("pk")[:1]
    return (
        Measurement.objects.recorded()
        .filter(approved_at__isnull=True)
        .annotate(approvable=Subquery(approvable))
        .filter(approvable__isnull=False)
    )


def count_for(user) -> tuple[int, bool]:
    """(how many values USER approves, up to COUNTED; whether there are more than that)."""
    found = pending_for(user).order_by("-period", "-indicator_id").values("pk")[: COUNTED + 1].count()
    return min(found, COUNTED), found > COUNTED
