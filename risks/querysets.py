"""Read filters for risks, chainable after the access rules."""

import datetime

from django.db.models import F, Q
from mptt.querysets import TreeQuerySet

from pmf.access import NOTHING, AccessQuerySet, unit_subtree_q
from risks import status as rules


class RiskQuerySet(TreeQuerySet, AccessQuerySet):
    """Owners and their line managers, and managers of the risk's unit, see and change a risk;
    viewers (the Board, the audit committee) read the register of their own organisation."""

    unit_field = "org_unit"
    person_fields = ("owner", "owner__line_manager")

    def shared_q(self, user) -> Q:
        if user.role == "viewer" and user.org_unit_id:
            return unit_subtree_q(user.org_unit, "org_unit")
        return NOTHING

    # Owners change their own risks, as managers change those of their units.
    editable_by = AccessQuerySet.updatable_by

    def active(self):
        return self.filter(active=True)

    def open(self):
        return self.filter(status="open")

    def in_unit(self, unit):
        return self.filter(unit_subtree_q(unit, "org_unit"))

    def in_cell(self, position: str, likelihood: int, impact: int):
        return self.filter(**{f"{position}_likelihood": likelihood, f"{position}_impact": impact})

    def in_band(self, matrix: rules.Matrix, rank: int, position: str = "current"):
        """Risks whose POSITION lies in a cell of the band of RANK in MATRIX."""
        q = NOTHING
        for likelihood, impact in matrix.cells_in_band(rank):
            q |= Q(**{f"{position}_likelihood": likelihood, f"{position}_impact": impact})
        return self.filter(q)

    def above_appetite(self, today: datetime.date):
        """rules.appetite_state(...) == ABOVE, in SQL: the current score is above the category's
        appetite and no acceptance in force covers it."""
        accepted = Q(accepted_until__gte=today, accepted_score__gte=F("current_score"))
        return self.filter(current_score__gt=F("category__appetite")).exclude(accepted)

    def review_overdue(self, today: datetime.date):
        """rules.is_review_overdue(...), in SQL."""
        return self.filter(status="open", next_review_date__lt=today)

    def for_listing(self):
        return self.select_related("category", "org_unit", "owner")


class ControlQuerySet(AccessQuerySet):
    """Controls follow their risk's access."""

    unit_field = "risk__org_unit"
    person_fields = ("risk__owner", "risk__owner__line_manager")

    def shared_q(self, user) -> Q:
        if user.role == "viewer" and user.org_unit_id:
            return unit_subtree_q(user.org_unit, "risk__org_unit")
        return NOTHING

    editable_by = AccessQuerySet.updatable_by


class ReviewQuerySet(ControlQuerySet):
    pass


class AcceptanceQuerySet(ControlQuerySet):
    pass
