"""Read filters for snapshots, scorecards and editions, chainable after the access rules."""

from django.db import models
from django.db.models import Q

from pmf.access import AccessQuerySet


class _OwnedQuerySet(AccessQuerySet):
    """Seen by its owner, managers of its unit and those it is shared with; changed by admins,
    managers of its unit and its owner (unless a viewer): the base rule for updates."""

    unit_field = "org_unit"
    person_fields = ("owner",)

    def visible_to(self, user):
        # sharing joins a many-to-many, which can repeat rows
        return super().visible_to(user).distinct()

    editable_by = AccessQuerySet.updatable_by


class SnapshotQuerySet(_OwnedQuerySet):
    """Also shared with roles across the owner's organisation tree."""

    def shared_q(self, user) -> Q:
        q = Q(shared_with=user)
        if user.org_unit_id:
            q |= Q(shared_roles__contains=f",{user.role},", org_unit__tree_id=user.org_unit.tree_id)
        return q


class ScorecardQuerySet(_OwnedQuerySet):
    """Shared with named people (e.g. the Board)."""

    def shared_q(self, user) -> Q:
        return Q(shared_with=user)

    def published(self):
        return self.filter(active=True).exclude(publication="").exclude(public_slug=None)


class EditionQuerySet(models.QuerySet):
    """Editions follow their scorecard's access; they cannot be changed or deleted in bulk either."""

    def visible_to(self, user):
        from scorecards.models import Scorecard

        if not user.is_authenticated:
            return self.none()
        return self.filter(scorecard__in=Scorecard.objects.visible_to(user).values("pk"))

    def update(self, **kwargs):
        from scorecards.models import ImmutableError

        raise ImmutableError("Issued editions cannot be changed.")

    def delete(self):
        from scorecards.models import ImmutableError

        raise ImmutableError("Issued editions cannot be deleted.")
