"""Who sees 1-2-1s and appraisals: the person, the people above them in the line and the
performance team over the person's unit (pmf.access.admin_scope_q); nobody else (not peers,
viewers or other managers, whatever their unit)."""

from django.db.models import Q

from pmf.access import AccessQuerySet, admin_scope_q, covers_everything, in_line_of_q, is_admin


def line_or_admin_q(user, field: str = "person") -> Q:
    """Rows whose person (at FIELD; "pk" for people themselves) is USER, below USER in the line
    or, for an admin, in a unit their rights cover. (Superusers, who cover everything, are let
    through before this.)"""
    q = Q(**{field: user.pk}) | in_line_of_q(user, field)
    if is_admin(user):
        q |= admin_scope_q(user, "org_unit" if field == "pk" else f"{field}__org_unit")
    return q


class LineQuerySet(AccessQuerySet):
    """Records about a person (at `person`), private to their line."""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if covers_everything(user):
            return self.all()
        return self.filter(line_or_admin_q(user))

    def editable_by(self, user):
        """Records USER writes in as the person or as someone above them in the line (admins
        outside the line read them but do not write in them)."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(Q(person=user.pk) | in_line_of_q(user, "person"))

    updatable_by = editable_by

    def of_person(self, person):
        return self.filter(person=person)
