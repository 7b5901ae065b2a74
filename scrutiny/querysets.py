"""Read filters for scrutiny, chainable after the access rules (pmf/access.py).

- Referrals: the referrer and the manager it is assigned to see it, and so do the referrers of
  those merged into it; managers see those on their unit's subtree; the performance team (admins)
  sees and triages those their rights cover.
- Performance clinics: their lead and staff attendees see them; managers see and edit those of
  their unit's subtree; admins all.
- Board meetings (the review timetable) are open to everyone in the organisation tree; admins set them.
"""

from django.db.models import Q

from pmf.access import AccessQuerySet, is_admin, unit_subtree_q
from scrutiny import rules


class ReferralQuerySet(AccessQuerySet):
    unit_field = "org_unit"
    person_fields = ("raised_by", "assigned_to")

    def shared_q(self, user) -> Q:
        """A referral another one of USER's was merged into: its answer serves theirs too."""
        return Q(pk__in=self.model.objects.filter(raised_by=user, merged_into__isnull=False).values("merged_into"))

    def editable_by(self, user):
        """Triage and outcomes are the performance team's, on the referrals their rights cover."""
        return self.visible_to(user) if is_admin(user) else self.none()

    def answerable_by(self, user):
        """Referrals USER may answer: those assigned to them (and no one else's)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(assigned_to=user)

    def open(self):
        return self.filter(status__in=rules.OPEN)

    def for_listing(self):
        """With what a list row shows: the subject, the people and the meeting."""
        return self.select_related(
            "indicator", "section__scorecard", "action", "raised_by", "assigned_to", "meeting", "clinic"
        )

    def for_page(self):
        return self.for_listing().select_related(
            "org_unit", "triaged_by", "answered_by", "outcome_by", "merged_into", "meeting__org_unit"
        )


class ClinicQuerySet(AccessQuerySet):
    unit_field = "org_unit"
    person_fields = ("lead", "attendees")

    def visible_to(self, user):
        # attendees join a many-to-many, which can repeat rows
        return super().visible_to(user).distinct()


class BoardMeetingQuerySet(AccessQuerySet):
    def visible_to(self, user):
        """The timetable is open to everyone in the same organisation tree, as the chart is."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self.all()
        if not user.org_unit_id:
            return self.none()
        return self.filter(org_unit__tree_id=user.org_unit.tree_id)

    def editable_by(self, user):
        """Admins set the meetings of the Boards within their unit's subtree."""
        if not is_admin(user):
            return self.none()
        if user.is_superuser:
            return self.all()
        if not user.org_unit_id:
            return self.none()
        return self.filter(unit_subtree_q(user.org_unit))

    def upcoming(self, today):
        return self.filter(date__gte=today)
