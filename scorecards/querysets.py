"""Read filters for snapshots, scorecards and editions, chainable after the access rules."""

from django.db import models
from django.db.models import Q

from pmf.access import AccessQuerySet, can_write, is_admin


class SnapshotQuerySet(AccessQuerySet):
    """Seen by its owner, managers of its unit, people and roles it is shared with; changed by its
    owner (unless a viewer) and managers of its unit."""

    unit_field = "org_unit"
    person_fields = ("owner",)

    def shared_q(self, user) -> Q:
        q = Q(shared_with=user)
        if user.org_unit_id:
            q |= Q(shared_roles__contains=f",{user.role},", org_unit__tree_id=user.org_unit.tree_id)
        return q

    def visible_to(self, user):
        return super().visible_to(user).distinct()

    def editable_by(self, user):
        if not can_write(user):
            return self.none()
        if is_admin(user):
            return self.all()
        return self.filter(self.managed_q(user) | Q(owner=user))

    updatable_by = editable_by


class ScorecardQuerySet(AccessQuerySet):
    """Seen by managers of its unit, its owner and the people it is shared with (e.g. the Board);
    changed by admins, managers of its unit and its owner (unless a viewer)."""

    unit_field = "org_unit"
    person_fields = ("owner",)

    def shared_q(self, user) -> Q:
        return Q(shared_with=user)

    def visible_to(self, user):
        return super().visible_to(user).distinct()

    def editable_by(self, user):
        if not can_write(user):
            return self.none()
        if is_admin(user):
            return self.all()
        return self.filter(self.managed_q(user) | Q(owner=user))

    updatable_by = editable_by

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
