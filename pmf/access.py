"""Access rules, in one place.

Roles (DESIGN.md section 4):
- admin: the performance team; sees and configures everything in their unit's subtree (an admin
  at the group's root covers the group; a superuser, the platform operator, covers everything);
- manager: sees and edits everything in their org unit's subtree;
- updater: updates the items assigned to them;
- viewer: read-only on what is shared with them or published.
Anyone sees what they own or are assigned.

Every domain queryset inherits `AccessQuerySet` and declares where its org unit and its people
are; views load objects only through `visible_to(user)` (strangers get 404) and check
`editable_by(user)` or `updatable_by(user)` before a write (read-only users get 403).

The role predicates below (`is_admin`, `can_write`, `can_plan`, `can_configure`) are the only
statement of each role rule: the User properties, the navigation and the templates ask them.
`OrgUnit.objects.pickable_by(user)` and `User.objects.pickable_by(user)` are what every form and
import offers as the units and people a person may give work to.
"""

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.db.models import Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.http import Http404
from mptt.querysets import TreeQuerySet

NOTHING = Q(pk__in=[])


# Role predicates: the one statement of each role rule. The User properties, the navigation
# registry, the templates and the views all ask these.


def signed_in(user) -> bool:
    return bool(user.is_authenticated)


def is_admin(user) -> bool:
    """The performance team (superusers count as admins)."""
    return bool(user.is_authenticated and (user.is_superuser or user.role == "admin"))


def is_manager(user) -> bool:
    return bool(user.is_authenticated and user.role == "manager")


def can_write(user) -> bool:
    """Every role but viewer writes somewhere; viewers are read-only everywhere."""
    return bool(user.is_authenticated and (is_admin(user) or user.role in ("manager", "updater")))


def can_plan(user) -> bool:
    """May create, move and archive structure (plan items, PI definitions, scorecards): admins and
    managers. Which rows and units they may touch is still up to the querysets."""
    return is_admin(user) or is_manager(user)


def can_configure(user) -> bool:
    """May change the settings of the system and its modules: the performance team."""
    return is_admin(user)


def can_edit(user, obj) -> bool:
    """Whether USER may change OBJ, by its model's `editable_by` rule."""
    return type(obj)._default_manager.editable_by(user).filter(pk=obj.pk).exists()


def can_update(user, obj) -> bool:
    """Whether USER may post updates to OBJ, by its model's `updatable_by` rule."""
    return type(obj)._default_manager.updatable_by(user).filter(pk=obj.pk).exists()


def can_add_structure(user) -> bool:
    """Whether USER may add plan items, PIs or scorecards anywhere: a planner with a unit to put
    them in. (The unit model is looked up by name: pmf.models imports this module.)"""
    units = apps.get_model("pmf", "OrgUnit").objects
    return can_plan(user) and units.pickable_by(user).exists()


def unit_subtree_q(unit, field: str = "org_unit") -> Q:
    """Rows whose unit (at path FIELD; '' for OrgUnit itself) is UNIT or below it.

    Uses the MPTT numbers, so it is one indexed range test, not a recursive query."""
    prefix = f"{field}__" if field else ""
    return Q(**{f"{prefix}tree_id": unit.tree_id, f"{prefix}lft__gte": unit.lft, f"{prefix}rght__lte": unit.rght})


def covers_everything(user) -> bool:
    """A superuser (the platform operator) is the only person whose rights are not bounded by a unit."""
    return bool(user.is_authenticated and user.is_superuser)


def admin_scope_q(user, field: str = "org_unit") -> Q:
    """The rows (unit at path FIELD) an admin's rights cover: their own unit's subtree, so a
    partner's performance team administers that partner and an admin at the group's root the whole
    group; everything for a superuser; nothing for an admin with no unit. Every admin-only path
    (visible_to, editable_by, exports, history, imports, configuration of units and people) goes
    through this one rule."""
    if covers_everything(user):
        return Q()
    if is_admin(user) and user.org_unit_id:
        return unit_subtree_q(user.org_unit, field)
    return NOTHING


def same_organisation_q(user, field: str = "org_unit") -> Q:
    """Rows whose unit (at path FIELD) is in USER's organisation (see organisation_q)."""
    if not user.is_authenticated or not user.org_unit_id:
        return NOTHING
    return organisation_q(user.org_unit, field)


def organisation_q(unit, field: str = "org_unit") -> Q:
    """Rows whose unit (at path FIELD) is in UNIT's organisation: below the same unit of kind
    "organisation" as UNIT. A group holds several organisations (partners) in one tree, so the tree
    alone is not the organisation; a unit above every organisation (the group's own teams) belongs
    to the whole tree, on either side."""
    organisations = apps.get_model("pmf", "OrgUnit").objects.filter(kind="organisation", tree_id=unit.tree_id)
    users = organisations.filter(lft__lte=unit.lft, rght__gte=unit.rght)
    rows = organisations.filter(lft__lte=OuterRef(f"{field}__lft"), rght__gte=OuterRef(f"{field}__rght"))
    return Q(**{f"{field}__tree_id": unit.tree_id}) & (
        Exists(rows.filter(lft__lte=unit.lft, rght__gte=unit.rght)) | ~Exists(users) | ~Exists(rows)
    )


def admin_covers(user, unit) -> bool:
    """Whether UNIT lies within USER's admin scope (see admin_scope_q)."""
    if covers_everything(user):
        return True
    if not is_admin(user) or unit is None or not user.org_unit_id:
        return False
    top = user.org_unit
    return unit.tree_id == top.tree_id and top.lft <= unit.lft and unit.rght <= top.rght


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
        """Rows USER manages: an admin's scope (admin_scope_q), a manager's subtree."""
        if is_admin(user):
            return admin_scope_q(user, self.unit_field)
        if is_manager(user) and user.org_unit_id:
            return unit_subtree_q(user.org_unit, self.unit_field)
        return NOTHING

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if covers_everything(user):
            return self.all()
        return self.filter(self.managed_q(user) | self.people_q(user) | self.shared_q(user))

    def editable_by(self, user):
        """Rows USER may create, change, move or archive."""
        if not user.is_authenticated:
            return self.none()
        if covers_everything(user):
            return self.all()
        return self.filter(self.managed_q(user))

    def updatable_by(self, user):
        """Rows USER may post updates to (progress, values): what they may edit plus what they
        own or are assigned. Viewers update nothing."""
        if not can_write(user):
            return self.none()
        if covers_everything(user):
            return self.all()
        return self.filter(self.managed_q(user) | self.people_q(user))


class OrgUnitQuerySet(TreeQuerySet, AccessQuerySet):
    """The organisation chart is open to everyone in the same organisation tree."""

    unit_field = ""

    def pickable_by(self, user):
        """Active units USER may give work to (the unit of a plan item, PI, scorecard or snapshot),
        in tree order: admins any, managers their subtree, updaters their own unit, viewers none.
        An inactive unit is never offered, whoever asks."""
        if not can_write(user):
            return self.none()
        units = self.filter(active=True).order_by("tree_id", "lft")
        if is_admin(user):
            return units.filter(admin_scope_q(user, ""))
        if not user.org_unit_id:
            return self.none()
        if is_manager(user):
            return units.filter(unit_subtree_q(user.org_unit, ""))
        return units.filter(pk=user.org_unit_id)

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if covers_everything(user):
            return self.all()
        if not user.org_unit_id:
            return self.none()
        return self.filter(tree_id=user.org_unit.tree_id)


class UserQuerySet(AccessQuerySet):
    """People are visible to colleagues in the same organisation tree; only admins edit them."""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if covers_everything(user):
            return self.all()
        q = Q(pk=user.pk)
        if user.org_unit_id:
            q |= Q(org_unit__tree_id=user.org_unit.tree_id)
        return self.filter(q)

    def editable_by(self, user):
        """People an admin administers: those in their scope (admin_scope_q)."""
        if not is_admin(user):
            return self.none()
        return self.filter(admin_scope_q(user))

    updatable_by = editable_by

    def pickable_by(self, user):
        """Active people USER may name as owner, updater, assignee or reader, by name."""
        return self.visible_to(user).filter(is_active=True).order_by("name", "pk")

    def history_visible_to(self, user):
        """A person's record changes (role, unit, e-mail) are for the admins whose scope they are in
        and for the person."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(admin_scope_q(user) | Q(pk=user.pk))


def line_reports(user) -> RawSQL:
    """The ids of everyone below USER in the line (their direct reports, those reports' reports
    and so on), as a subquery for `__in` filters: one recursive query whatever the depth; a loop in
    the line (A manages B manages A) stops at the first person already found."""
    table = connection.ops.quote_name(apps.get_model("pmf", "User")._meta.db_table)
    return RawSQL(
        f"WITH RECURSIVE below(id) AS (SELECT id FROM {table} WHERE line_manager_id = %s "
        f"UNION SELECT person.id FROM {table} person JOIN below ON person.line_manager_id = below.id) "
        "SELECT id FROM below",
        (user.pk,),
    )


def in_line_of_q(user, field: str = "pk") -> Q:
    """Rows whose person (at path FIELD) is below USER in the line, however deep (see line_reports)."""
    if not user.is_authenticated:
        return NOTHING
    return Q(**{f"{field}__in": line_reports(user)})


def manages_in_line(user, person) -> bool:
    """Whether PERSON is below USER in the line (one query)."""
    if not user.is_authenticated or person is None or person.pk == user.pk:
        return False
    return apps.get_model("pmf", "User").objects.filter(in_line_of_q(user), pk=person.pk).exists()


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


def require_planner(user, message: str = "Only managers and the performance team can do this.") -> None:
    """403 for anyone who may not create or change structure (see can_plan)."""
    require_writer(user)
    if not can_plan(user):
        raise PermissionDenied(message)


def require_configurer(user) -> None:
    """403 for anyone who may not change settings (see can_configure)."""
    if not can_configure(user):
        raise PermissionDenied("Only the performance team changes settings.")
