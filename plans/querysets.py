"""Read filters for plans: access rules plus chainable filters for the tree and lists."""

import datetime

from django.db.models import Q
from mptt.querysets import TreeQuerySet

from plans import status as rules
from pmf.access import AccessQuerySet, unit_subtree_q


class PlanItemQuerySet(TreeQuerySet, AccessQuerySet):
    unit_field = "org_unit"
    person_fields = ("managed_by", "assigned_to")
    STRUCTURE_KINDS = ("strategy", "plan", "objective")

    def shared_q(self, user) -> Q:
        """The plan structure (strategy, plans, objectives) is published to everyone in the same
        organisation tree, so each person sees what their actions serve; actions follow the
        ordinary rules (unit subtree for managers, own and assigned items for everyone)."""
        if not user.org_unit_id:
            return Q(pk__in=[])
        return Q(kind__in=self.STRUCTURE_KINDS, org_unit__tree_id=user.org_unit.tree_id)

    def active(self):
        return self.filter(active=True)

    def actions(self):
        return self.filter(kind="action")

    def with_status(self, *statuses: str):
        return self.filter(status__in=statuses)

    def in_unit(self, unit):
        return self.filter(unit_subtree_q(unit, "org_unit"))

    def for_person(self, user):
        return self.filter(Q(assigned_to=user) | Q(managed_by=user))

    def open(self):
        return self.exclude(status__in=(rules.COMPLETED, rules.CANCELLED))

    def overdue(self):
        return self.filter(status=rules.OVERDUE)

    def due_within(self, days: int, today: datetime.date):
        return self.open().filter(due_date__gte=today, due_date__lte=today + datetime.timedelta(days=days))

    def under(self, node):
        """NODE and everything below it (one range test on the MPTT numbers)."""
        return self.filter(tree_id=node.tree_id, lft__gte=node.lft, rght__lte=node.rght)

    def for_listing(self):
        return self.select_related("org_unit", "assigned_to", "managed_by")

    def level(self, parent):
        """The active items directly below PARENT (the top of every plan for None), in tree order."""
        items = self.filter(active=True)
        items = items.filter(parent=parent) if parent is not None else items.filter(parent__isnull=True)
        return items.order_by("tree_id", "lft")

    def matching(
        self,
        *,
        today: datetime.date,
        root=None,
        status: str = "",
        unit=None,
        person=None,
        due: str = "",
        archived: bool = False,
    ):
        """The flat list the tree filters ask for, in tree order: archived items only when ARCHIVED
        (active ones otherwise), below ROOT when exploring from a node, then by STATUS, UNIT
        subtree, PERSON (assigned or managing) and DUE ("overdue" or "next30" days from TODAY)."""
        items = self.filter(active=not archived)
        if root is not None:
            items = items.under(root).exclude(pk=root.pk)
        if status:
            items = items.filter(status=status)
        if unit is not None:
            items = items.in_unit(unit)
        if person is not None:
            items = items.for_person(person)
        if due == "overdue":
            items = items.overdue()
        elif due == "next30":
            items = items.due_within(30, today)
        return items.order_by("tree_id", "lft")

    def chain(self, item, user) -> list[dict]:
        """ITEM's ancestors from the strategy down, each marked with whether USER may open it (the
        breadcrumbs of the golden thread: an updater sees the titles of what their action serves)."""
        ancestors = list(item.get_ancestors())
        visible = set(self.visible_to(user).filter(pk__in=[a.pk for a in ancestors]).values_list("pk", flat=True))
        return [{"item": ancestor, "visible": ancestor.pk in visible} for ancestor in ancestors]


class _ActionChildQuerySet(AccessQuerySet):
    unit_field = "action__org_unit"
    person_fields = ("action__managed_by", "action__assigned_to")


class MilestoneQuerySet(_ActionChildQuerySet):
    def open(self):
        return self.filter(completed_on__isnull=True)


class ProgressUpdateQuerySet(_ActionChildQuerySet):
    pass
