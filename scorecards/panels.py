"""What this module adds to other pages: the "My snapshot" section of My work (how many of my PIs
are in each status)."""

from django.db.models import Count, Q

from indicators.models import Indicator
from scorecards.status import status_counts


def my_snapshot_counts(user) -> list[tuple[str, str, int]]:
    """(status, label, count) for the active PIs USER manages or updates; empty when there are none.
    One query, from the PIs' denormalised latest status."""
    counts = dict(
        Indicator.objects.filter(Q(owner=user) | Q(updater=user), active=True)
        .values_list("latest_status")
        .annotate(n=Count("pk"))
        .values_list("latest_status", "n")
    )
    if not counts:
        return []
    return status_counts(status for status, n in counts.items() for _ in range(n))
