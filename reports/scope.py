"""What a report is about: the scope object (through the access rules) and what the sections need
from it, loaded in bulk once per run and kept in the ReportContext's cache.

`resolve(params, user)` finds the scope object among those the runner may see. The loaders below
(`indicators`, `figures`, `actions`...) each run a fixed number of queries whatever the number of
PIs or actions, and cache their answer so several sections share one load.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Q

from indicators import charts
from indicators.figures import ROW_FIELDS, Row, latest_benchmarks, latest_details, ratio_inputs, recent_measurements
from indicators.figures import row_for as figure_row
from indicators.models import Indicator
from pmf import periods
from pmf.access import unit_subtree_q
from pmf.models import OrgUnit
from reports.params import SCOPES, ReportContext, RunParameters

INDICATOR_FIELDS = (*ROW_FIELDS, "owner__name", "org_unit__name")


@dataclass
class Group:
    """A titled group of the scope's PIs: a scorecard section, or the PIs of one unit."""

    title: str
    indicator_ids: list[int]
    commentary: str = ""
    signposts: frozenset[int] = frozenset()
    plain_titles: dict[int, str] = field(default_factory=dict)  # plain-language labels for the public


@dataclass
class Scope:
    """The object a report is about, what its cover calls it, and how to find its PIs and actions."""

    kind: str
    obj: object | None
    label: str
    unit: OrgUnit | None = None  # the unit subtree (unit scope; the scorecard's or plan's unit)
    groups: list[Group] = field(default_factory=list)  # set when the scope orders its own PIs


def _get(queryset, user, pk):
    """The object PK of QUERYSET's model when USER may see it."""
    model = queryset.model
    if pk is None or not model.objects.filter(pk=pk).exists():
        raise model.DoesNotExist(f"There is no {model._meta.verbose_name} {pk}.")
    found = queryset.visible_to(user).filter(pk=pk).first()
    if found is None:
        raise PermissionDenied(f"You may not see {model._meta.verbose_name} {pk}.")
    return found


def resolve(params: RunParameters, user) -> Scope:
    """The scope of PARAMS as USER may see it. PermissionDenied when USER may not see the scope
    object, ObjectDoesNotExist when there is none (or the scope kind is unknown)."""
    kind = params.scope
    if kind not in SCOPES:
        raise ObjectDoesNotExist(f"Unknown scope {kind!r}.")
    if kind == "unit":
        if params.scope_id is None:
            if user.org_unit_id is None:
                return Scope(kind, None, "Whole organisation")
            root = OrgUnit.objects.filter(tree_id=user.org_unit.tree_id, level=0).first()
            return Scope(kind, root, root.name if root else "Whole organisation", unit=root)
        unit = _get(OrgUnit.objects, user, params.scope_id)
        return Scope(kind, unit, unit.name, unit=unit)
    if kind == "scorecard":
        from scorecards.models import Scorecard
        from scorecards.services import load_layout

        scorecard = _get(Scorecard.objects, user, params.scope_id)
        layout = load_layout(scorecard)
        groups = [
            Group(
                section.title,
                [entry.indicator_id for entry in entries],
                commentary="" if section.commentary_internal else section.commentary,
                signposts=frozenset(entry.indicator_id for entry in entries if entry.signpost),
                plain_titles={entry.indicator_id: entry.plain_title for entry in entries if entry.plain_title},
            )
            for section, entries in layout.sections
        ]
        return Scope(kind, scorecard, scorecard.title, unit=scorecard.org_unit, groups=groups)
    if kind == "snapshot":
        from scorecards.models import Snapshot

        snapshot = _get(Snapshot.objects, user, params.scope_id)
        return Scope(kind, snapshot, snapshot.name, unit=snapshot.unit_filter)
    if kind == "plan":
        from plans.models import PlanItem

        plan = _get(PlanItem.objects, user, params.scope_id)
        return Scope(kind, plan, f"{plan.code} {plan.title}", unit=None)
    if kind == "risk-category":
        from risks.models import RiskCategory

        category = RiskCategory.objects.filter(pk=params.scope_id).first()
        if category is None:
            raise RiskCategory.DoesNotExist(f"There is no risk category {params.scope_id}.")
        return Scope(kind, category, category.name)
    from assessments.models import Assessment

    assessment = _get(Assessment.objects, user, params.scope_id)
    return Scope(kind, assessment, assessment.title, unit=assessment.org_unit)


def _cached(context: ReportContext, key: str, load):
    if key not in context.cache:
        context.cache[key] = load()
    return context.cache[key]


def scope_of(context: ReportContext) -> Scope:
    return _cached(context, "scope", lambda: resolve(context.params, context.user))


# PIs ------------------------------------------------------------------------------------------


def indicators(context: ReportContext) -> list[Indicator]:
    """The active PIs of the scope the runner may see, in the scope's order (scorecard order, else
    by code). One query (two for a snapshot)."""

    def load():
        scope = scope_of(context)
        visible = Indicator.objects.visible_to(context.user).filter(active=True)
        if scope.kind == "snapshot":
            from scorecards.services import snapshot_indicators

            found, _ = snapshot_indicators(scope.obj, context.user)
            wanted = [pi.pk for pi in found]
            chosen = visible.filter(pk__in=wanted)
        elif scope.kind == "scorecard":
            wanted = [pk for group in scope.groups for pk in group.indicator_ids]
            # A scorecard shows every PI on it to those who may see the scorecard.
            chosen = Indicator.objects.filter(pk__in=wanted, active=True)
        elif scope.kind == "unit":
            chosen = visible if scope.unit is None else visible.filter(unit_subtree_q(scope.unit))
            wanted = None
        elif scope.kind == "plan":
            plan = scope.obj
            chosen = visible.filter(
                actions__tree_id=plan.tree_id, actions__lft__gte=plan.lft, actions__rght__lte=plan.rght
            ).distinct()
            wanted = None
        else:
            return []
        found = {pi.pk: pi for pi in chosen.select_related("owner", "org_unit").only(*INDICATOR_FIELDS)}
        if wanted is None:
            return sorted(found.values(), key=lambda pi: pi.code)
        seen: set[int] = set()
        ordered = []
        for pk in wanted:
            if pk in found and pk not in seen:
                seen.add(pk)
                ordered.append(found[pk])
        return ordered

    return _cached(context, "indicators", load)


def groups(context: ReportContext) -> list[Group]:
    """The scope's PIs in titled groups: the scorecard's sections, else one group per unit."""

    def load():
        scope = scope_of(context)
        pis = indicators(context)
        if scope.groups:
            present = {pi.pk for pi in pis}
            return [
                Group(
                    g.title, [pk for pk in g.indicator_ids if pk in present], g.commentary, g.signposts, g.plain_titles
                )
                for g in scope.groups
            ]
        by_unit: dict[str, list[int]] = defaultdict(list)
        for pi in pis:
            by_unit[pi.org_unit.name].append(pi.pk)
        return [Group(title, ids) for title, ids in sorted(by_unit.items())]

    return _cached(context, "groups", load)


@dataclass
class Figures:
    """A PI's row for the period (as every page shows it) and its history newest first:
    [(period, value, target, status, measurement id), ...] of up to 13 periods."""

    indicator: Indicator
    row: Row
    history: list[tuple]
    expected_period: datetime.date | None = None  # the PI's period that the report's month falls in

    @property
    def current(self) -> bool:
        """Whether the row's figures are those of the period reported on (not an older one)."""
        return bool(self.history) and self.row.period == self.expected_period

    def statuses(self) -> list[str | None]:
        """The statuses of consecutive periods, newest first, from the period reported on; None
        for a period without a value (so a gap breaks a run)."""
        by_period = {item[0]: item[3] for item in self.history}
        if not self.history or self.expected_period is None:
            return []
        step = self.indicator.step()
        oldest = self.history[-1][0]
        found = []
        period = self.expected_period
        while period >= oldest:
            found.append(by_period.get(period))
            period = periods.add_months(period, -step)
        return found

    def previous_status(self) -> str | None:
        """The status of the period before the one reported on (None when it has no value)."""
        statuses = self.statuses()
        return statuses[1] if len(statuses) > 1 else None

    def series(self) -> dict:
        """The value-against-target chart series (oldest first), as the Plotly chart draws it."""
        points = [SimpleNamespace(period=p, value=v, target=t) for p, v, t, *_ in reversed(self.history)]
        return charts.value_target_series(self.indicator, points)


def figures(context: ReportContext) -> dict[int, Figures]:
    """{indicator id: Figures} of the scope's PIs for the period. Four queries at most whatever the
    number of PIs (values, commentary, benchmarks, ratio-of-sums inputs)."""

    def load():
        pis = indicators(context)
        period = context.params.period
        history = recent_measurements(pis, period)
        marks = latest_benchmarks([pi.pk for pi in pis]) if pis else {}
        details = latest_details(history)
        inputs = ratio_inputs(
            [
                (pi, periods.financial_year_start(history[pi.pk][0][0]), history[pi.pk][0][0])
                for pi in pis
                if history.get(pi.pk)
            ]
        )
        return {
            pi.pk: Figures(
                pi,
                figure_row(pi, history.get(pi.pk, []), marks.get(pi.pk), details, inputs),
                history.get(pi.pk, []),
                expected_period=pi.period_for(period),
            )
            for pi in pis
        }

    return _cached(context, "figures", load)


# Actions --------------------------------------------------------------------------------------


def actions(context: ReportContext) -> list:
    """The active plan actions of the scope the runner may see, in plan order, with their unit and
    people. One query."""

    def load():
        from plans.models import PlanItem

        scope = scope_of(context)
        visible = PlanItem.objects.visible_to(context.user).filter(kind=PlanItem.Kind.ACTION, active=True)
        if scope.kind == "plan":
            chosen = visible.under(scope.obj)
        elif scope.kind in ("unit", "scorecard") and scope.unit is not None:
            chosen = visible.in_unit(scope.unit)
        elif scope.kind == "unit":
            chosen = visible
        elif scope.kind == "snapshot":
            snapshot = scope.obj
            if not snapshot.include_actions or not (snapshot.unit_filter_id or snapshot.person_filter_id):
                return []
            chosen = visible
            if snapshot.unit_filter_id:
                chosen = chosen.in_unit(snapshot.unit_filter)
            if snapshot.person_filter_id:
                chosen = chosen.filter(
                    Q(assigned_to_id=snapshot.person_filter_id) | Q(managed_by_id=snapshot.person_filter_id)
                )
        else:
            return []
        return list(chosen.for_listing().order_by("tree_id", "lft"))

    return _cached(context, "actions", load)


def plans_of(context: ReportContext) -> dict[int, object]:
    """{action id: the nearest plan (or strategy) above it}: one query for the plans of every tree
    the actions are in."""

    def load():
        from plans.models import PlanItem

        found_actions = actions(context)
        if not found_actions:
            return {}
        trees = {action.tree_id for action in found_actions}
        by_tree: dict[int, list] = defaultdict(list)
        heads = list(
            PlanItem.objects.filter(tree_id__in=trees, kind__in=(PlanItem.Kind.PLAN, PlanItem.Kind.STRATEGY))
            .only("code", "title", "kind", "tree_id", "lft", "rght", "level")
            .order_by("tree_id", "lft")
        )
        for head in heads:
            by_tree[head.tree_id].append(head)
        found = {}
        for action in found_actions:
            above = [head for head in by_tree[action.tree_id] if head.lft < action.lft and head.rght > action.rght]
            plans = [head for head in above if head.kind == PlanItem.Kind.PLAN] or above
            found[action.pk] = max(plans, key=lambda head: head.level) if plans else None
        return found

    return _cached(context, "plans_of", load)


def latest_notes(context: ReportContext, action_ids: list[int]) -> dict[int, tuple[datetime.date, str]]:
    """{action id: (date, note)} of the newest progress update with a note of each of ACTION_IDS.
    One query."""
    from plans.models import ProgressUpdate

    found: dict[int, tuple[datetime.date, str]] = {}
    if not action_ids:
        return found
    for action_id, date, note in (
        ProgressUpdate.objects.filter(action_id__in=action_ids)
        .exclude(note="")
        .order_by("action_id", "-date", "-pk")
        .values_list("action_id", "date", "note")
    ):
        found.setdefault(action_id, (date, note))
    return found
