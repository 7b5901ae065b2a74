"""Read filters for indicators, chainable after the access rules."""

from django.db.models import Q

from indicators import rules
from pmf.access import AccessQuerySet, can_write, covers_everything, unit_subtree_q


class IndicatorQuerySet(AccessQuerySet):
    unit_field = "org_unit"
    person_fields = ("owner", "updater")

    def active(self):
        return self.filter(active=True)

    def in_unit(self, unit):
        return self.filter(unit_subtree_q(unit, "org_unit"))

    def due_for(self, user):
        """Active PIs USER enters values for (calculated PIs compute themselves)."""
        return self.filter(updater=user, active=True, formula="")

    def search(self, text: str):
        return self.filter(Q(code__icontains=text) | Q(title__icontains=text))

    def flaggable(self):
        """Active PIs with a target whose latest value met it (green) or missed it (red): the ones a
        run of periods on or off target can flag for a target review."""
        return self.active().exclude(polarity=rules.DATA).filter(latest_status__in=[rules.GREEN, rules.RED])


class _ThroughIndicator(AccessQuerySet):
    """Targets, measurements and benchmarks follow their indicator's access."""

    unit_field = "indicator__org_unit"
    person_fields = ("indicator__owner", "indicator__updater")


class TargetQuerySet(_ThroughIndicator):
    pass


class MeasurementQuerySet(_ThroughIndicator):
    def recorded(self):
        """Measurements holding a value (future periods may carry a target only)."""
        return self.filter(value__isnull=False)

    def awaiting_approval_by(self, user):
        """Values of active PIs that USER approves (as the PI's owner, a manager over its unit or an
        admin) and nobody has approved yet. Viewers approve nothing."""
        if not can_write(user):
            return self.none()
        pending = self.recorded().filter(approved_at__isnull=True, indicator__active=True)
        if covers_everything(user):
            return pending
        return pending.filter(self.managed_q(user) | Q(indicator__owner=user))


class BenchmarkQuerySet(_ThroughIndicator):
    pass
