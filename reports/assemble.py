"""One assembly of a report's content from the registered sections; the PDF, web and Word
renderers all take its result."""

import datetime
from collections.abc import Callable

from pmf import periods
from pmf.registry import REPORT_SECTIONS, ReportSection
from reports import content, scope
from reports.params import ReportContext, RunParameters

# done, total, label: called after each section is built
Progress = Callable[[int, int, str], None]


def offered_sections(kind: str) -> list[ReportSection]:
    """The sections a report of KIND may include, in report order."""
    return [section for section in REPORT_SECTIONS if not section.kinds or kind in section.kinds]


def default_sections(kind: str) -> tuple[str, ...]:
    """The keys of the sections a new report of KIND includes, in report order."""
    return tuple(section.key for section in offered_sections(kind) if kind in section.default_for)


def chosen_sections(params: RunParameters) -> list[ReportSection]:
    """The sections PARAMS asks for that its kind offers, in the order PARAMS gives (unknown keys
    and sections the kind does not offer are left out; a key asked twice counts once)."""
    offered = {section.key: section for section in offered_sections(params.kind)}
    chosen, seen = [], set()
    for key in params.sections:
        if key in offered and key not in seen:
            seen.add(key)
            chosen.append(offered[key])
    return chosen


def nothing_line(section: ReportSection, params: RunParameters) -> content.Paragraph:
    return content.Paragraph(f"Nothing to report under {section.label} for {periods.month_label(params.period)}.")


def assemble(params: RunParameters, *, user, today: datetime.date, progress: Progress | None = None) -> content.Report:
    """The report PARAMS asks for, as USER may see it on TODAY. Raises PermissionDenied or
    ObjectDoesNotExist when USER may not see the scope. PROGRESS(done, total, label) is called
    after each section."""
    context = ReportContext(params=params, user=user, today=today)
    found_scope = scope.scope_of(context)
    sections = chosen_sections(params)
    report = content.Report(
        title=params.title,
        period_label=periods.month_label(params.period),
        scope_label=found_scope.label,
        audience=params.audience,
        marking=params.marking,
        generated=today,  # the day the run was made for: a report reads as of that day
    )
    total = len(sections)
    for done, section in enumerate(sections, start=1):
        blocks = tuple(section.build(context) or ())
        if not blocks:
            blocks = (nothing_line(section, params),)
        report.sections.append(content.Section(section.key, section.label, blocks))
        if progress is not None:
            progress(done, total, section.label)
    fill_contents(report)
    return report


def fill_contents(report: content.Report) -> None:
    """Put the entries (every section but the cover and the contents, and their subsections) into
    the report's Contents blocks."""
    entries = []
    for section in report.sections:
        if any(isinstance(block, content.Cover | content.Contents) for block in section.blocks):
            continue
        entries.append(content.ContentsEntry(content.section_anchor(section.key), section.title, 1))
        index = 0
        for block in section.blocks:
            if isinstance(block, content.Subsection):
                index += 1
                entries.append(content.ContentsEntry(content.subsection_anchor(section.key, index), block.title, 2))
    for position, section in enumerate(report.sections):
        if any(isinstance(block, content.Contents) for block in section.blocks):
            blocks = tuple(
                content.Contents(tuple(entries)) if isinstance(block, content.Contents) else block
                for block in section.blocks
            )
            report.sections[position] = content.Section(section.key, section.title, blocks)
