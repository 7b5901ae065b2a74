"""Read filters for indicators, chainable after the access rules."""

from django.db.models import Q

from pmf.access import AccessQuerySet, unit_subtree_q


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


class _ThroughIndicator(AccessQuerySet):
    """Targets, measurements and benchmarks follow their indicator's access."""

    unit_field = "indicator__org_unit"
    person_fields = ("indicator__owner", "indicator__updater")


class TargetQuerySet(_ThroughIndicator):
    pass


class MeasurementQuerySet(_ThroughIndicator):
    pass


class BenchmarkQuerySet(_ThroughIndicator):
    pass
