"""Read filters for snapshots, scorecards and editions, chainable after the access rules."""

from django.db.models import Q

from pmf.access import AccessQuerySet, same_organisation_q


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
    """Also shared with roles across the snapshot's organisation (not the whole group: another
    partner's people never see it through a role)."""

    def shared_q(self, user) -> Q:
        q = Q(shared_with=user)
        if user.org_unit_id:
            q |= Q(shared_roles__contains=f",{user.role},") & same_organisation_q(user)
        return q


class _ScorecardAccessQuerySet(_OwnedQuerySet):
    """The scorecard rule: seen by its owner, managers of its unit and the people it is shared with
    (e.g. the Board). SCORECARD is the path from the rows to their scorecard ('' for scorecards)."""

    scorecard = ""

    def shared_q(self, user) -> Q:
        return Q(**{f"{self.scorecard}shared_with": user})


class ScorecardQuerySet(_ScorecardAccessQuerySet):
    def published(self):
        return self.filter(active=True).exclude(publication="").exclude(public_slug=None)


class ImmutableError(Exception):
    """An issued edition never changes."""


class EditionQuerySet(_ScorecardAccessQuerySet):
    """Editions follow their scorecard's access rule, read through the edition's scorecard. They
    cannot be changed or deleted in bulk either."""

    scorecard = "scorecard__"
    unit_field = "scorecard__org_unit"
    person_fields = ("scorecard__owner",)

    def update(self, **kwargs):
        raise ImmutableError("Issued editions cannot be changed.")

    def delete(self):
        raise ImmutableError("Issued editions cannot be deleted.")
