"""What this module adds to other pages: the "Top risks" section of My work and the risks panel
on a plan item's golden-thread page."""

from django.db.models import Q
from django.utils import timezone

from pmf.access import can_write, is_admin, is_manager
from risks.matrix import load_matrix
from risks.models import Risk
from risks.rows import rows_for

TOP = 5


def top_risks(user) -> dict:
    """USER's highest open risks and, for those who oversee others' risks (managers, admins and
    the Board), the highest open risks they can see; with the count of review-overdue risks of
    each. A fixed number of queries."""
    today = timezone.localdate()
    open_risks = Risk.objects.active().open()
    mine = list(open_risks.filter(owner=user).for_listing().order_by("-current_score", "code")[:TOP])
    oversees = is_admin(user) or is_manager(user) or not can_write(user)
    area = []
    if oversees:
        area = list(
            open_risks.visible_to(user).exclude(owner=user).for_listing().order_by("-current_score", "code")[:TOP]
        )
    rows = rows_for(mine + area, load_matrix(), today=today) if mine or area else []
    return {
        "mine": rows[: len(mine)],
        "mine_overdue": open_risks.filter(owner=user).review_overdue(today).count(),
        "oversees": oversees,
        "area": rows[len(mine) :],
        "area_overdue": open_risks.visible_to(user).review_overdue(today).count() if oversees else 0,
    }


def linked_risks(plan_item, user) -> list:
    """The risks USER may see that PLAN_ITEM mitigates (an action) or that threaten it (an
    objective), highest first, as RiskRows."""
    risks = list(
        Risk.objects.visible_to(user)
        .filter(Q(actions=plan_item) | Q(objectives=plan_item), active=True)
        .distinct()
        .for_listing()
        .order_by("-current_score", "code")
    )
    return rows_for(risks, load_matrix(), today=timezone.localdate()) if risks else []
