"""The risk register's sections of Report Central (registered in pmf.registry.REPORT_SECTIONS):
the heat map of current positions (a table grid with counts and band words) and the top risks, with
those above appetite or rising as exceptions carrying their owner's latest review note.

Each loads in a fixed number of queries whatever the number of risks, and only risks the runner
may see."""

from django.db.models import F, Q

from reports import content, exceptions, scope
from reports.params import ReportContext
from risks import status as rules
from risks.heatmap import cell_counts
from risks.matrix import load_matrix
from risks.models import Risk, RiskReview
from risks.rows import rows_for

TOP = 10
KINDS = frozenset({"board", "risks"})


def risks_in_scope(context: ReportContext):
    """The open, active risks of the report's scope that the runner may see (a queryset), or None
    when the scope has no risks (a snapshot without a unit, an assessment...)."""
    found = scope.scope_of(context)
    risks = Risk.objects.visible_to(context.user).active().open()
    if found.kind == "risk-category":
        return risks.filter(category=found.obj)
    if found.kind in ("unit", "scorecard", "snapshot", "assessment") and found.unit is not None:
        return risks.in_unit(found.unit)
    if found.kind == "unit":
        return risks
    return None


def _matrix(context: ReportContext) -> rules.Matrix:
    if "risk-matrix" not in context.cache:
        context.cache["risk-matrix"] = load_matrix()
    return context.cache["risk-matrix"]


def heatmap_blocks(context: ReportContext) -> list:
    risks = risks_in_scope(context)
    if risks is None:
        return []
    counts = cell_counts(risks, "current")
    total = sum(counts.values())
    if not total:
        return []
    matrix = _matrix(context)
    columns = ("Likelihood", *(f"{level.level} {level.label}" for level in matrix.impact))
    rows = []
    for likelihood in reversed(matrix.likelihood):
        cells = [f"{likelihood.level} {likelihood.label}"]
        for impact in matrix.impact:
            band = matrix.band(likelihood.level, impact.level)
            count = counts.get((likelihood.level, impact.level), 0)
            cells.append(f"{count} – {band.name}" if band else str(count))
        rows.append(tuple(cells))
    bands = []
    for band in sorted(matrix.bands, key=lambda band: -band.rank):
        number = sum(count for cell, count in counts.items() if matrix.band(*cell) == band)
        bands.append(content.KeyFigure(band.name, str(number)))
    return [
        content.Paragraph(
            f"{total} open risks by their current likelihood and impact; each cell gives the number of risks "
            "and the band of the cell."
        ),
        content.KeyFigures(tuple(bands)),
        content.Table(
            columns,
            tuple(rows),
            caption="Heat map of current risk positions (rows: likelihood, most likely first; columns: impact)",
        ),
    ]


def top_blocks(context: ReportContext) -> list:
    risks = risks_in_scope(context)
    if risks is None:
        return []
    matrix = _matrix(context)
    top = list(risks.for_listing().order_by("-current_score", "code")[:TOP])
    if not top:
        return []
    settings = context.params.exceptions
    rising = Q(previous_score__isnull=False, current_score__gt=F("previous_score"))
    above = Q(pk__in=risks.above_appetite(context.today).values("pk"))
    flagged = list(risks.filter(rising | above).for_listing().order_by("-current_score", "code"))
    rows = rows_for(top + [risk for risk in flagged if risk not in top], matrix, today=context.today)
    by_pk = {row.risk.pk: row for row in rows}
    table = content.Table(
        ("Risk", "Title", "Category", "Owner", "Current score", "Appetite", "Since last score"),
        tuple(
            (
                risk.code,
                risk.title,
                risk.category.name,
                risk.owner.name,
                _score_status(by_pk[risk.pk], risk),
                rules.APPETITE_LABELS[by_pk[risk.pk].appetite],
                rules.MOVEMENT_LABELS[risk.movement],
            )
            for risk in top
        ),
        caption=f"The {len(top)} highest-scoring open risks",
        wrap=frozenset({1, 2, 3}),
    )
    blocks: list = [table]
    notes = _latest_notes([risk.pk for risk in flagged]) if context.params.commentary else {}
    items = []
    for risk in flagged:
        row = by_pk[risk.pk]
        reasons = exceptions.risk_exceptions(appetite=row.appetite, movement=risk.movement, settings=settings)
        if not reasons:
            continue
        appetite = risk.category.appetite
        detail = f"Current score {risk.current_score}"
        if appetite is not None:
            detail += f" against an appetite of {appetite}"
        if risk.previous_score is not None:
            detail += f"; {risk.previous_score} before"
        note = notes.get(risk.pk)
        commentary = None
        if context.params.commentary:
            commentary = content.Commentary(text=f"{note[1]} ({note[0]:%d %b %Y})") if note else content.Commentary()
        items.append(
            content.ExceptionItem(
                rule="; ".join(reasons),
                subject=f"{risk.code} {risk.title}",
                owner=risk.owner.name,
                detail=detail,
                status=_score_status(row, risk),
                commentary=commentary,
            )
        )
    if items:
        blocks.append(content.Subsection(f"Risks above appetite or rising ({len(items)})", tuple(items)))
    return blocks


def _score_status(row, risk) -> content.Status:
    band = row.current_band
    word = f"{risk.current_score} {band.name}" if band else str(risk.current_score)
    return content.Status(f"band-{band.rank}" if band else "grey", word)


def _latest_notes(risk_ids: list[int]) -> dict[int, tuple]:
    """{risk id: (date, note)} of the newest review with a note of each risk. One query."""
    found: dict[int, tuple] = {}
    if not risk_ids:
        return found
    for risk_id, day, note in (
        RiskReview.objects.filter(risk_id__in=risk_ids)
        .exclude(note="")
        .order_by("risk_id", "-reviewed_on", "-pk")
        .values_list("risk_id", "reviewed_on", "note")
    ):
        found.setdefault(risk_id, (day, note))
    return found


def register() -> None:
    from pmf.registry import REPORT_SECTIONS, ReportSection

    REPORT_SECTIONS.register(
        ReportSection("risk-heatmap", "Risk heat map", heatmap_blocks, order=60, kinds=KINDS, default_for=KINDS)
    )
    REPORT_SECTIONS.register(
        ReportSection("risk-top", "Top risks", top_blocks, order=62, kinds=KINDS, default_for=KINDS)
    )
