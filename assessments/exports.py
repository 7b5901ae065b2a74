"""The rows of an assessment's CSV/Excel download and of the published compliance statement,
built from assessments.scores so the page, the print and the files agree."""

from assessments.models import EvidenceLink
from assessments.scores import AssessmentScores, NodeRow
from plans.models import Status as PlanStatus

HEADER = [
    "Code",
    "Title",
    "Kind",
    "Verified",
    "Score",
    "Score label",
    "Assessor's score",
    "Moderated score",
    "Moderation reason",
    "Target",
    "Gap",
    "Assigned to",
    "Due date",
    "Target date",
    "Strengths",
    "Areas for improvement",
    "Evidence",
    "Improvement actions",
]
PLAN_STATUS = dict(PlanStatus.choices)


def verified_text(value: bool | None) -> str:
    return {True: "Verified", False: "Unverified"}.get(value, "")


def evidence_text(link: EvidenceLink) -> str:
    """One piece of evidence as a line of text."""
    if link.kind == EvidenceLink.Kind.DOCUMENT:
        text = f"Document: {link.document.title}"
    elif link.kind == EvidenceLink.Kind.INDICATOR:
        text = f"PI {link.indicator.code} {link.indicator.title} ({link.indicator.get_latest_status_display()})"
    elif link.kind == EvidenceLink.Kind.PLAN_ITEM:
        text = f"Action {link.plan_item.code} {link.plan_item.title}"
    elif link.kind == EvidenceLink.Kind.RESPONSE:
        text = f"Response {link.other_response.node.code} in {link.other_response.assessment.title}"
    else:
        text = link.url
    return f"{text} – {link.note}" if link.note else text


def action_text(action) -> str:
    due = f", due {action.due_date:%d %b %Y}" if action.due_date else ""
    return f"{action.code} {action.title} ({PLAN_STATUS.get(action.status, action.status)}, {action.progress}%{due})"


def _question_cells(row: NodeRow, evidence: dict) -> list:
    response = row.response
    return [
        response.level if response.level is not None else "",
        response.moderated_level if response.moderated_level is not None else "",
        response.moderation_reason,
        response.target_level if response.target_level is not None else "",
        row.gap if row.gap is not None else "",
        response.assigned_to.name if response.assigned_to else "",
        response.due_date.isoformat() if response.due_date else "",
        response.target_date.isoformat() if response.target_date else "",
        response.strengths,
        response.areas_for_improvement,
        "\n".join(evidence_text(link) for link in evidence.get(response.pk, [])),
        "\n".join(action_text(action) for action in row.actions),
    ]


def assessment_rows(scores: AssessmentScores, evidence: dict) -> list[list]:
    """HEADER and one row per node: themes with their rolled-up score, questions with the answer.
    EVIDENCE maps response ids to their links."""
    rows = [HEADER]
    for row in scores.rows:
        base = [
            row.node.code,
            row.node.title,
            row.node.kind_label,
            verified_text(row.node.verified),
            row.score if row.score is not None else "",
            row.score_label,
        ]
        if row.response is not None:
            rows.append(base + _question_cells(row, evidence))
        else:
            target = row.target if row.target is not None else ""
            rows.append(base + ["", "", "", target, row.gap if row.gap is not None else ""] + [""] * 7)
    return rows
