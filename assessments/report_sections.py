"""The self-assessments' section of Report Central (registered in pmf.registry.REPORT_SECTIONS):
the gap summary of an assessment (the scope's, or the latest one of the scope's unit): overall and
theme scores against their targets, and each question a set number of levels or more below its
target as an exception, with the areas for improvement and the improvement actions."""

from assessments.models import Assessment
from assessments.scores import score_assessment
from pmf.access import unit_subtree_q
from reports import content, exceptions, scope
from reports.params import ReportContext

KINDS = frozenset({"board", "assessment"})


def assessment_of(context: ReportContext) -> Assessment | None:
    """The assessment the report is about: the scope itself, or the most recent assessment of the
    scope's unit subtree that the runner may see (none for other scopes)."""
    found = scope.scope_of(context)
    if found.kind == "assessment":
        return found.obj
    visible = Assessment.objects.visible_to(context.user).select_related("framework")
    if found.kind in ("unit", "scorecard") and found.unit is not None:
        return visible.filter(unit_subtree_q(found.unit)).order_by("-assessed_on", "-pk").first()
    if found.kind == "unit":
        return visible.order_by("-assessed_on", "-pk").first()
    return None


def _number(value) -> str:
    return "–" if value is None else f"{value}"


def gap_blocks(context: ReportContext) -> list:
    assessment = assessment_of(context)
    if assessment is None:
        return []
    scores = score_assessment(assessment)
    blocks: list = [
        content.Paragraph(
            f"{assessment.title}: {assessment.get_kind_display().lower()} against {assessment.framework.name}, "
            f"assessed {assessment.assessed_on:%d %b %Y} ({assessment.get_status_display().lower()})."
        )
    ]
    if scores.overall:
        blocks.append(
            content.Table(
                ("Scale", "Score", "Target", "Gap"),
                tuple(
                    (row.scale.name, _number(row.score), _number(row.target), _number(row.gap))
                    for row in scores.overall
                ),
                caption="Overall score against target, by scale",
                numeric=frozenset({1, 2, 3}),
            )
        )
    themes = scores.themes
    if themes:
        blocks.append(
            content.Table(
                ("Code", "Theme", "Score", "Target", "Gap"),
                tuple(
                    (row.node.code or "–", row.node.title, _number(row.score), _number(row.target), _number(row.gap))
                    for row in themes
                ),
                caption="Themes: mean score against mean target",
                wrap=frozenset({1}),
                numeric=frozenset({2, 3, 4}),
            )
        )
    settings = context.params.exceptions
    items = []
    for row in scores.questions:
        response = row.response
        if response is None or response.not_applicable:
            continue
        gap = exceptions.gap_exception(level=response.score, target=response.target_level, settings=settings)
        if gap is None:
            continue
        commentary = None
        if context.params.commentary:
            actions = ", ".join(f"{action.code} {action.title}" for action in row.actions)
            commentary = content.Commentary(text=response.areas_for_improvement, action=actions)
        items.append(
            content.ExceptionItem(
                rule=f"{gap} level{'s' if gap != 1 else ''} below target",
                subject=f"{row.node.code} {row.node.title}".strip(),
                owner=response.assigned_to.name if response.assigned_to else "No one assigned",
                detail=f"Score {row.score_label} against a target of {response.target_level}",
                commentary=commentary,
            )
        )
    if items:
        blocks.append(content.Subsection(f"Questions below target ({len(items)})", tuple(items)))
    else:
        blocks.append(content.Paragraph("No question is below its target by the levels this report flags."))
    return blocks


def register() -> None:
    from pmf.registry import REPORT_SECTIONS, ReportSection

    REPORT_SECTIONS.register(
        ReportSection("assessment-gaps", "Assessment gaps", gap_blocks, order=70, kinds=KINDS, default_for=KINDS)
    )
