"""The scores of an assessment as every page, export and report shows them: each node of the
framework with its rolled-up score, target and gap (assessments.status.rollup), the response of
each question, and the comparison of two rounds.

`score_assessment` reads a fixed number of queries whatever the size of the framework: the nodes
and their scales, the cross-cutting links, the responses (with evidence count) and their
assignees, and the improvement actions of the responses.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property

from django.db.models import Count

from assessments import status as rules
from assessments.models import Assessment, EvidenceLink, FrameworkNode, Response, Scale
from plans.models import PlanItem
from pmf.models import User


@dataclass
class NodeRow:
    node: FrameworkNode
    exact_score: Fraction | None
    exact_target: Fraction | None
    response: Response | None = None
    other_parents: list[FrameworkNode] = field(default_factory=list)
    actions: list[PlanItem] = field(default_factory=list)

    @property
    def depth(self) -> int:
        return self.node.level - 1

    @property
    def score(self) -> Decimal | None:
        return rules.two_decimals(self.exact_score)

    @property
    def target(self) -> Decimal | None:
        return rules.two_decimals(self.exact_target)

    @property
    def gap(self) -> Decimal | None:
        return rules.gap(self.exact_score, self.exact_target)

    @property
    def is_question(self) -> bool:
        return self.node.is_question

    @property
    def score_label(self) -> str:
        """A question's score as its level label; a theme's as its mean."""
        if self.response is not None:
            if self.response.not_applicable:
                return "Not applicable"
            if self.response.score is None:
                return "Not scored"
            return f"{self.response.score} – {self.node.scale.label_of(self.response.score)}"
        return "–" if self.score is None else f"{self.score}"


@dataclass
class Overall:
    scale: Scale
    exact_score: Fraction | None
    exact_target: Fraction | None

    @property
    def score(self) -> Decimal | None:
        return rules.two_decimals(self.exact_score)

    @property
    def target(self) -> Decimal | None:
        return rules.two_decimals(self.exact_target)

    @property
    def gap(self) -> Decimal | None:
        return rules.gap(self.exact_score, self.exact_target)


@dataclass
class AssessmentScores:
    assessment: Assessment
    rows: list[NodeRow]
    overall: list[Overall]

    @property
    def questions(self) -> list[NodeRow]:
        return [row for row in self.rows if row.is_question]

    @property
    def themes(self) -> list[NodeRow]:
        return [row for row in self.rows if row.node.level == 1]

    def by_code(self) -> dict[str, NodeRow]:
        return {row.node.code: row for row in self.rows}

    def gaps(self) -> list[NodeRow]:
        """Questions below their target, the largest gap first (then in framework order)."""
        found = [row for row in self.questions if row.gap is not None and row.gap > 0]
        return sorted(found, key=lambda row: -row.gap)


def framework_tree(framework_id: int) -> tuple[list[FrameworkNode], list[tuple[int, int]]]:
    """The nodes of a framework in tree order, each with its scale, and its cross-cutting links
    (child id, other parent id): three queries. Two rounds of one framework version share it."""
    # the long texts (guidance, descriptors...) are for the question's own page, not these tables
    nodes = list(
        FrameworkNode.objects.filter(framework_id=framework_id)
        .defer("description", "guidance", "notes", "descriptors")
        .order_by("lft")
    )
    # the few scales are read once and shared by the rows (not one copy per row)
    scales_by_id = Scale.objects.in_bulk({node.scale_id for node in nodes})
    for node in nodes:
        node.scale = scales_by_id[node.scale_id]
    through = FrameworkNode.also_under.through
    cross = list(
        through.objects.filter(from_frameworknode__framework_id=framework_id).values_list(
            "from_frameworknode_id", "to_frameworknode_id"
        )
    )
    return nodes, cross


def score_assessment(assessment: Assessment, *, with_actions: bool = True, tree=None) -> AssessmentScores:
    """Every node of ASSESSMENT's framework, in tree order (without the root), with its scores.
    Without WITH_ACTIONS (a comparison of rounds needs only the scores) the improvement actions,
    the evidence counts and the assignees are not read. TREE: framework_tree() of the
    assessment's framework, when the caller has it already."""
    nodes, cross = tree if tree is not None else framework_tree(assessment.framework_id)
    if with_actions:
        found = assessment.responses.annotate(evidence_count=Count("evidence"))
    else:
        found = assessment.responses.only(
            "pk", "assessment_id", "node_id", "level", "moderated_level", "not_applicable", "target_level"
        )
    responses = {response.node_id: response for response in found}
    if with_actions:
        people = User.objects.in_bulk({r.assigned_to_id for r in responses.values() if r.assigned_to_id is not None})
        for response in responses.values():
            response.assigned_to = people.get(response.assigned_to_id)
    actions: dict[int, list[PlanItem]] = {}
    if with_actions and responses:
        links = Response.improvement_actions.through.objects.filter(response__assessment=assessment).select_related(
            "planitem"
        )
        for link in links.order_by("planitem__code"):
            actions.setdefault(link.response_id, []).append(link.planitem)
    by_id = {node.pk: node for node in nodes}
    children: dict[int, list[int]] = {}
    for node in nodes:
        if node.parent_id is not None:
            children.setdefault(node.parent_id, []).append(node.pk)
    other_parents: dict[int, list[FrameworkNode]] = {}
    for child, parent in cross:
        children.setdefault(parent, []).append(child)
        other_parents.setdefault(child, []).append(by_id[parent])
    weights = {node.pk: node.weight for node in nodes}
    scales = {node.pk: node.scale_id for node in nodes}
    scores = rules.rollup(
        children=children,
        weights=weights,
        scales=scales,
        values={node_id: response.score for node_id, response in responses.items()},
    )
    targets = rules.rollup(
        children=children,
        weights=weights,
        scales=scales,
        values={
            node_id: None if response.not_applicable or response.score is None else response.target_level
            for node_id, response in responses.items()
        },
    )
    rows = []
    for node in nodes:
        if node.parent_id is None:
            continue
        response = responses.get(node.pk)
        rows.append(
            NodeRow(
                node=node,
                exact_score=scores.get(node.pk),
                exact_target=targets.get(node.pk),
                response=response,
                other_parents=other_parents.get(node.pk, []),
                actions=actions.get(response.pk, []) if response is not None else [],
            )
        )
    overall = []
    seen_scales = []
    for node in nodes:
        if node.level == 1 and node.scale_id not in [scale.pk for scale in seen_scales]:
            seen_scales.append(node.scale)
    for scale in seen_scales:
        tops = [node for node in nodes if node.level == 1 and node.scale_id == scale.pk]
        overall.append(
            Overall(
                scale=scale,
                exact_score=rules.weighted_mean((scores[n.pk], n.weight) for n in tops if scores.get(n.pk) is not None),
                exact_target=rules.weighted_mean(
                    (targets[n.pk], n.weight) for n in tops if targets.get(n.pk) is not None
                ),
            )
        )
    return AssessmentScores(assessment=assessment, rows=rows, overall=overall)


@dataclass
class ComparedRow:
    code: str
    title: str
    depth: int
    is_question: bool
    before: Decimal | None
    after: Decimal | None
    before_label: str
    after_label: str

    @cached_property
    def change(self) -> Decimal | None:
        return rules.change(self.before, self.after)

    @cached_property
    def change_word(self) -> str:
        return rules.change_word(self.change)


def compare(before: AssessmentScores, after: AssessmentScores) -> list[ComparedRow]:
    """The nodes of both rounds matched by code (so rounds made against different versions of a
    framework compare where their codes agree): AFTER's tree order, then nodes only BEFORE has."""
    earlier = before.by_code()
    rows = []
    for row in after.rows:
        old = earlier.pop(row.node.code, None)
        rows.append(
            ComparedRow(
                code=row.node.code,
                title=row.node.title,
                depth=row.depth,
                is_question=row.is_question,
                before=old.score if old else None,
                after=row.score,
                before_label=old.score_label if old else "Not in this round",
                after_label=row.score_label,
            )
        )
    for old in earlier.values():
        rows.append(
            ComparedRow(
                code=old.node.code,
                title=old.node.title,
                depth=old.depth,
                is_question=old.is_question,
                before=old.score,
                after=None,
                before_label=old.score_label,
                after_label="Not in this round",
            )
        )
    return rows


SHORT_CODE = 10


def comparison_figure(before: Assessment, after: Assessment, rows: list[ComparedRow]) -> dict:
    """Plotly figure: the score of each theme in both rounds, side by side (the table beside it
    has the same figures)."""
    themes = [row for row in rows if row.depth == 0]
    # a short code ("SQ", "1") leads the label; a long one (a slug such as "housing-management")
    # only repeats the title
    labels = [(f"{row.code} {row.title}" if 0 < len(row.code) <= SHORT_CODE else row.title)[:48] for row in themes]
    data = []
    for name, values, colour in (
        (f"{before.title} ({before.assessed_on:%b %Y})", [row.before for row in themes], "#8a99ad"),
        (f"{after.title} ({after.assessed_on:%b %Y})", [row.after for row in themes], "#1d4f91"),
    ):
        data.append(
            {
                "type": "bar",
                "orientation": "h",
                "name": name,
                "y": labels,
                "x": [None if value is None else float(value) for value in values],
                "marker": {"color": colour},
                "hovertemplate": "%{y}: %{x:.2f}<extra>%{fullData.name}</extra>",
            }
        )
    return {
        "data": data,
        "layout": {
            "barmode": "group",
            "height": max(260, 70 * len(themes) + 120),
            "margin": {"l": 300, "r": 20, "t": 10, "b": 40},
            "yaxis": {"autorange": "reversed", "automargin": True},
            "xaxis": {"title": {"text": "Score (weighted mean)"}, "rangemode": "tozero"},
            "legend": {"orientation": "h", "y": -0.2},
            "font": {"family": "system-ui, sans-serif", "size": 13},
        },
        "config": {"displaylogo": False, "responsive": True},
    }


def evidence_of(assessment: Assessment) -> dict[int, list[EvidenceLink]]:
    """{response id: its evidence links} for every response of ASSESSMENT: one query."""
    found: dict[int, list[EvidenceLink]] = {}
    links = EvidenceLink.objects.filter(response__assessment=assessment).select_related(
        "document", "indicator", "plan_item", "other_response__node", "other_response__assessment"
    )
    for link in links.order_by("kind", "pk"):
        found.setdefault(link.response_id, []).append(link)
    return found
