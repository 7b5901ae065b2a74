"""Access rules, in one place.

Roles (DESIGN.md section 4):
- admin: the performance team; sees and configures everything;
- manager: sees and edits everything in their org unit's subtree;
- updater: updates the items assigned to them;
- viewer: read-only on what is shared with them or published.
Anyone sees what they own or are assigned.

Every domain queryset inherits `AccessQuerySet` and declares where its org unit and its people
are; views load objects only through `visible_to(user)` (strangers get 404) and check
`editable_by(user)` or `updatable_by(user)` before a write (read-only users get 403).
"""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q
from django.http import Http404
from mptt.querysets import TreeQuerySet

NOTHING = Q(pk__in=[])


def is_admin(user) -> bool:
    return bool(user.is_authenticated and (user.is_superuser or user.role == "admin"))


def is_manager(user) -> bool:
    return bool(user.is_authenticated and user.role == "manager")


def can_write(user) -> bool:
    return bool(user.is_authenticated and (is_admin(user) or user.role in ("manager", "updater")))


def unit_subtree_q(unit, field: str = "org_unit") -> Q:
    """Rows whose unit (at path FIELD; '' for OrgUnit itself) is UNIT or below it.

    Uses the MPTT numbers, so it is one indexed range test, not a recursive query."""
    prefix = f"{field}__" if field else ""
    return Q(**{f"{prefix}tree_id": unit.tree_id, f"{prefix}lft__gte": unit.lft, f"{prefix}rght__lte": unit.rght})


class AccessQuerySet(models.QuerySet):
    """Base for every domain queryset.

    Subclasses set `unit_field` (path to the owning OrgUnit) and `person_fields` (paths to the
    users who own or are assigned the row) and may override `shared_q` for rows shared with a
    person or a role. Override `visible_to`/`editable_by` only when the model's rule differs.
    """

    unit_field: str = "org_unit"
    person_fields: tuple[str, ...] = ()

    def shared_q(self, user) -> Q:
        return NOTHING

    def people_q(self, user) -> Q:
        q = NOTHING
        for field in self.person_fields:
            q |= Q(**{field: user})
        return q

    def managed_q(self, user) -> Q:
        if is_manager(user) and user.org_unit_id:
            return unit_subtree_q(user.org_unit, self.unit_field)
        return NOTHING

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if is_admin(user):
            return self.all()
        return self.filter(self.managed_q(user) | self.people_q(user) | self.shared_q(user))

    def editable_by(self, user):
        """Rows USER may create, change, move or archive."""
        if not user.is_authenticated:
            return self.none()
        if is_admin(user):
            return self.all()
        return self.filter(self.managed_q(user))

    def updatable_by(self, user):
        """Rows USER may post updates to (progress, values): what they may edit plus what they
        own or are assigned. Viewers update nothing."""
        if not can_write(user):
            return self.none()
        if is_admin(user):
            return self.all()
        return self.filter(self.managed_q(user) | self.people_q(user))


class OrgUnitQuerySet(TreeQuerySet, AccessQuerySet):
    """The organisation chart is open to everyone in the same organisation tree."""

    unit_field = ""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if is_admin(user):
            return self.all()
        if not user.org_unit_id:
            return self.none()
        return self.filter(tree_id=user.org_unit.tree_id)


class UserQuerySet(AccessQuerySet):
    """People are visible to colleagues in the same organisation tree; only admins edit them."""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if is_admin(user):
            return self.all()
        q = Q(pk=user.pk)
        if user.org_unit_id:
            q |= Q(org_unit__tree_id=user.org_unit.tree_id)
        return self.filter(q)

    def editable_by(self, user):
        return self.all() if is_admin(user) else self.none()

    updatable_by = editable_by

    def history_visible_to(self, user):
        """A person's record changes (role, unit, e-mail) are for admins and the person."""
        if is_admin(user):
            return self.all()
        return self.filter(pk=user.pk) if user.is_authenticated else self.none()


def get_visible_or_404(queryset, user, **lookup):
    """The object matching LOOKUP among those USER may see; 404 otherwise, so nothing leaks."""
    try:
        return queryset.visible_to(user).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(f"No {queryset.model._meta.verbose_name} found.") from None


def _get_or_deny(queryset, allowed, user, lookup):
    obj = get_visible_or_404(queryset, user, **lookup)
    if not allowed.filter(pk=obj.pk).exists():
        raise PermissionDenied(f"You can see this {queryset.model._meta.verbose_name} but not change it.")
    return obj


def get_editable_or_403(queryset, user, **lookup):
    """404 to those who cannot see the object, 403 to those who can see but not edit it."""
    return _get_or_deny(queryset, queryset.editable_by(user), user, lookup)


def get_updatable_or_403(queryset, user, **lookup):
    """404 to those who cannot see the object, 403 to those who can see but not update it."""
    return _get_or_deny(queryset, queryset.updatable_by(user), user, lookup)


def require_writer(user) -> None:
    """403 for read-only users (viewers) on any write."""
    if not can_write(user):
        raise PermissionDenied("Your role is read-only.")


def require_admin(user) -> None:
    if not is_admin(user):
        raise PermissionDenied("Only the performance team can do this.")
