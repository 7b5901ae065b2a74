"""The core sections every report can hold: cover, contents, executive summary, exceptions,
signposts, scorecard sections with a chart per PI, action progress by plan, and the appendix of PI
definitions. Each builder takes a ReportContext and returns reports.content blocks, loading what
it needs through reports.scope (bulk loads shared by the sections of one run)."""

from collections import Counter, defaultdict

from indicators import rules
from indicators.models import Indicator
from plans import status as plan_rules
from pmf import periods
from pmf.registry import REPORT_SECTIONS, ReportSection
from reports import exceptions, scope
from reports.content import (
    Chart,
    Commentary,
    Contents,
    Cover,
    Definition,
    ExceptionItem,
    KeyFigure,
    KeyFigures,
    Paragraph,
    Signpost,
    Status,
    Subsection,
    Table,
)
from reports.params import KINDS, ReportContext
from scorecards.status import STATUS_ORDER

ALL = frozenset(KINDS)
RANK = {rules.GREEN: 3, rules.AMBER: 2, rules.RED: 1}


def count(number: int, noun: str) -> str:
    """'1 PI', '3 PIs'."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def pi_status(status: str) -> Status:
    """The traffic light of a PI status, with the word the pages show."""
    return Status(rules.STATUS_CSS.get(status, "grey"), rules.STATUS_LABELS.get(status, rules.STATUS_LABELS["unknown"]))


def action_status(status: str) -> Status:
    return Status(plan_rules.CSS_CLASS.get(status, "status--grey").removeprefix("status--"), _action_word(status))


def _action_word(status: str) -> str:
    from plans.models import Status as PlanStatus

    return dict(PlanStatus.choices).get(status, status or "Unknown")


def period_label(context: ReportContext) -> str:
    return periods.month_label(context.params.period)


def commentary_of(row) -> Commentary:
    """The owner's structured commentary of a PI's row (cause, action being taken and expected
    recovery are kept only for red values, as the pages show them)."""
    return Commentary(text=row.commentary, cause=row.cause, action=row.action_taken, recovery=row.recovery_date)


# Cover and contents ---------------------------------------------------------------------------


def cover(context: ReportContext) -> list:
    return [Cover()]


def contents(context: ReportContext) -> list:
    # The entries are filled in by the assembly once every section is built.
    return [Contents()]


# Executive summary ----------------------------------------------------------------------------


def summary(context: ReportContext) -> list:
    found = scope.figures(context)
    if not found:
        return []
    label = period_label(context)
    current = [item for item in found.values() if item.current]
    counts = Counter(item.row.status if item.current else rules.UNKNOWN for item in found.values())
    blocks: list = [
        KeyFigures(
            tuple(
                KeyFigure(rules.STATUS_LABELS[status], str(counts.get(status, 0)), pi_status(status))
                for status in STATUS_ORDER
            )
            + (KeyFigure("PIs in this report", str(len(found))),)
        )
    ]
    if not current:
        blocks.append(Paragraph(f"No PI in this report has a value for {label}; the counts show every PI as Unknown."))
        return blocks
    missing = len(found) - len(current)
    text = f"{len(current)} of {len(found)} PIs have a value for {label}."
    if missing:
        text += f" {missing} have none yet and are counted as Unknown."
    blocks.append(Paragraph(text))
    changes = []
    for item in current:
        before = item.previous_status()
        now = item.row.status
        if before in RANK and now in RANK and before != now:
            word = "Better" if RANK[now] > RANK[before] else "Worse"
            changes.append((RANK[now] - RANK[before], item, before, now, word))
    if not changes:
        blocks.append(Paragraph("No PI changed its traffic light since the previous period."))
        return blocks
    changes.sort(key=lambda change: (change[0], change[1].indicator.code))
    worse = sum(1 for change in changes if change[4] == "Worse")
    blocks.append(
        Paragraph(
            f"{count(len(changes), 'PI')} changed their traffic light since the previous period: "
            f"{worse} got worse and {len(changes) - worse} got better."
        )
    )
    blocks.append(
        Table(
            columns=("PI", "Title", "Previous period", "This period", "Change"),
            rows=tuple(
                (item.indicator.code, item.indicator.title, pi_status(before), pi_status(now), word)
                for _, item, before, now, word in changes
            ),
            caption=f"PIs whose traffic light changed in {label}",
            wrap=frozenset({1}),
        )
    )
    return blocks


# Exceptions -----------------------------------------------------------------------------------


def pi_exception_items(context: ReportContext) -> list[ExceptionItem]:
    """The PIs of the scope that the definition's exception rules flag, worst first."""
    settings = context.params.exceptions
    found = []
    for item in scope.figures(context).values():
        if not item.current:
            continue
        reasons = exceptions.pi_exceptions(item.statuses(), item.row.long_trend, settings)
        if not reasons:
            continue
        row = item.row
        detail = (
            f"{row.value_text} against a target of {row.target_text} in {row.period_label}; "
            f"{row.short_label.lower()} on the previous period, {row.long_label.lower()} over the year"
        )
        found.append(
            ExceptionItem(
                rule="; ".join(reasons),
                subject=f"{row.code} {row.title}",
                owner=_owner(item.indicator),
                detail=detail,
                status=pi_status(row.status),
                commentary=commentary_of(row) if context.params.commentary else None,
            )
        )
    found.sort(key=lambda exc: (RANK.get(_status_key(exc.status), 9), exc.subject))
    return found


def _status_key(status: Status | None) -> str:
    return status.code if status else ""


def _owner(indicator: Indicator) -> str:
    owner = indicator.owner
    return owner.name if owner is not None and owner.name else "No owner named"


def action_exception_items(context: ReportContext) -> list[ExceptionItem]:
    settings = context.params.exceptions
    flagged = [
        (action, reason)
        for action in scope.actions(context)
        if (reason := exceptions.action_exception(action.status, settings))
    ]
    notes = scope.latest_notes(context, [action.pk for action, _ in flagged]) if context.params.commentary else {}
    today = context.today
    items = []
    for action, reason in flagged:
        detail = f"{action.progress}% complete"
        if action.due_date:
            detail += f", due {action.due_date:%d %b %Y}"
            if action.due_date < today:
                late = (today - action.due_date).days
                detail += f" ({late} day{'' if late == 1 else 's'} ago)"
        note = notes.get(action.pk)
        commentary = None
        if context.params.commentary:
            commentary = Commentary(text=f"{note[1]} ({note[0]:%d %b %Y})") if note else Commentary()
        person = action.assigned_to or action.managed_by
        items.append(
            ExceptionItem(
                rule=reason,
                subject=f"{action.code} {action.title}",
                owner=person.name if person else "No one assigned",
                detail=detail,
                status=action_status(action.status),
                commentary=commentary,
            )
        )
    items.sort(key=lambda item: (item.rule != "Overdue", item.subject))
    return items


def exception_blocks(context: ReportContext) -> list:
    pis = pi_exception_items(context)
    actions = action_exception_items(context)
    blocks: list = []
    label = period_label(context)
    if pis:
        blocks.append(Subsection(f"PIs ({len(pis)})", tuple(pis)))
    if actions:
        blocks.append(Subsection(f"Plan actions ({len(actions)})", tuple(actions)))
    if blocks:
        blocks.insert(
            0,
            Paragraph(
                f"{count(len(pis), 'PI')} and {count(len(actions), 'plan action')} meet this report's exception rules "
                f"for {label}."
            ),
        )
    return blocks


# Signposts ------------------------------------------------------------------------------------


def signpost_blocks(context: ReportContext) -> list:
    """The key PIs of each group as signposts (every PI when none is marked); plain-language
    titles where the scorecard gives them."""
    found = scope.figures(context)
    plain = context.params.kind == "tenants"
    any_flagged = any(group.signposts for group in scope.groups(context))
    blocks = []
    for group in scope.groups(context):
        chosen = [pk for pk in group.indicator_ids if pk in found and (pk in group.signposts or not any_flagged)]
        if not chosen:
            continue
        posts = []
        for pk in chosen:
            row = found[pk].row
            title = group.plain_titles.get(pk, row.title) if plain else row.title
            posts.append(
                Signpost(
                    code="" if plain else row.code,
                    name=title,
                    value=row.value_text,
                    target=row.target_text,
                    status=pi_status(row.status),
                    trend=_trend_words(row, plain),
                    commentary=commentary_of(row) if context.params.commentary else None,
                )
            )
        blocks.append(Subsection(group.title, tuple(posts)))
    return blocks


def _trend_words(row, plain: bool) -> str:
    if not plain:
        return f"{row.short_label} on the previous period; {row.long_label.lower()} over the year"
    words = {
        rules.IMPROVING: "Getting better",
        rules.NO_CHANGE: "About the same",
        rules.WORSE: "Getting worse",
        rules.NO_TREND: "Too early to say",
    }
    return f"{words[row.short_trend]} since last time"


# Scorecard sections ---------------------------------------------------------------------------


def scorecard_blocks(context: ReportContext) -> list:
    """Each group's PIs in a table, then a chart of value against target for each signpost PI (for
    every PI in a Full Suite, or when the scope marks no signposts), with its commentary."""
    found = scope.figures(context)
    groups = scope.groups(context)
    any_flagged = any(group.signposts for group in groups)
    every_chart = context.params.kind == "full-suite" or not any_flagged
    last_year = context.params.last_year
    columns = ("PI", "Title", "Value", "Target", "Status", "Short trend", "Long trend", "Year to date")
    numeric = frozenset({2, 3, 7})
    if last_year:
        columns += ("Same period last year",)
        numeric |= {8}
    blocks = []
    for group in groups:
        rows = [found[pk].row for pk in group.indicator_ids if pk in found]
        if not rows:
            continue
        inner: list = []
        if group.commentary and context.params.commentary:
            inner.append(Paragraph(group.commentary))
        table_rows = []
        expected = {pk: found[pk].expected_period for pk in group.indicator_ids if pk in found}
        for row in rows:
            # a PI without a value for the period shows its latest before it, with its period
            value = row.value_text if row.period == expected.get(row.indicator_id) else _dated(row)
            cells = (
                row.code,
                row.title,
                value,
                row.target_text,
                pi_status(row.status),
                row.short_label,
                row.long_label,
                row.ytd_text,
            )
            if last_year:
                cells += (row.last_year_text,)
            table_rows.append(cells)
        inner.append(
            Table(
                columns,
                tuple(table_rows),
                caption=f"{group.title}: PIs for {period_label(context)}",
                numeric=numeric,
                wrap=frozenset({1}),
            )
        )
        if context.params.charts:
            for pk in group.indicator_ids:
                if pk not in found or not (every_chart or pk in group.signposts):
                    continue
                item = found[pk]
                if not item.history:
                    continue
                with_commentary = context.params.commentary and item.row.commentary
                inner.append(pi_chart(item, commentary_of(item.row) if with_commentary else None))
        blocks.append(Subsection(group.title, tuple(inner)))
    return blocks


def _dated(row) -> str:
    return f"{row.value_text} ({row.period_label})" if row.period else row.value_text


def pi_chart(item: scope.Figures, commentary: Commentary | None = None) -> Chart:
    row = item.row
    series = item.series()
    return Chart(
        title=f"{row.code} {row.title}",
        series={**series, "unit": item.indicator.get_unit_display()},
        description=chart_description(row, series),
        commentary=commentary,
    )


def chart_description(row, series: dict) -> str:
    labels = series["labels"]
    if not labels:
        return f"{row.code}: no values recorded."
    return (
        f"{row.code} from {labels[0]} to {labels[-1]}: latest value {row.value_text} against a target of "
        f"{row.target_text} ({row.status_label}); {row.long_label.lower()} over the year."
    )


# Action progress ------------------------------------------------------------------------------


def action_blocks(context: ReportContext) -> list:
    """The scope's actions grouped by plan: counts by status and the actions needing attention
    (overdue, check progress) first, then the rest by due date."""
    found = scope.actions(context)
    if not found:
        return []
    plans = scope.plans_of(context)
    by_plan: dict[object, list] = defaultdict(list)
    titles = {}
    for action in found:
        plan = plans.get(action.pk)
        key = plan.pk if plan else None
        titles[key] = f"{plan.code} {plan.title}" if plan else "Actions outside a plan"
        by_plan[key].append(action)
    overdue = sum(1 for action in found if action.status == plan_rules.OVERDUE)
    check = sum(1 for action in found if action.status == plan_rules.CHECK_PROGRESS)
    blocks: list = [
        Paragraph(
            f"{count(len(found), 'action')} in {count(len(by_plan), 'plan')}: {overdue} overdue and "
            f"{check} to check progress as of {context.today:%d %b %Y}."
        )
    ]
    for key, items in by_plan.items():
        items.sort(
            key=lambda action: (
                -plan_rules.SEVERITY.get(action.status, 0),
                action.due_date or context.today,
                action.code,
            )
        )
        counts = Counter(action.status for action in items)
        summary = ", ".join(
            f"{counts[status]} {_action_word(status).lower()}" for status in plan_rules.SEVERITY if counts[status]
        )
        rows = tuple(
            (
                action.code,
                action.title,
                (action.assigned_to or action.managed_by).name if (action.assigned_to or action.managed_by) else "–",
                action.due_date.strftime("%d %b %Y") if action.due_date else "–",
                f"{action.progress}%",
                action_status(action.status),
            )
            for action in items
        )
        blocks.append(
            Subsection(
                titles[key],
                (
                    Paragraph(f"{count(len(items), 'action')}: {summary}."),
                    Table(
                        ("Code", "Action", "Assigned to", "Due", "Progress", "Status"),
                        rows,
                        caption=f"Actions of {titles[key]}, those needing attention first",
                        numeric=frozenset({4}),
                        wrap=frozenset({1, 2}),
                    ),
                ),
            )
        )
    return blocks


# Appendix -------------------------------------------------------------------------------------


def appendix_blocks(context: ReportContext) -> list:
    """The definitions of the scope's PIs: one query for their texts."""
    pis = scope.indicators(context)
    if not pis:
        return []
    texts = {
        pk: (definition, description)
        for pk, definition, description in Indicator.objects.filter(pk__in=[pi.pk for pi in pis]).values_list(
            "pk", "definition", "description"
        )
    }
    items = []
    for pi in pis:
        definition, description = texts.get(pi.pk, ("", ""))
        facts = (
            ("Unit", pi.get_unit_display()),
            ("Good performance is", pi.get_polarity_display()),
            ("Reported", pi.get_frequency_display()),
            ("Year to date", pi.get_ytd_rule_display()),
            ("Managed by", _owner(pi)),
            ("Unit responsible", pi.org_unit.name),
        )
        items.append(Definition(pi.code, pi.title, facts, definition or description or "No definition recorded."))
    return items


# Registration ---------------------------------------------------------------------------------

PI_KINDS = frozenset({"board", "exceptions", "scorecard", "full-suite", "tenants"})

SECTIONS = (
    ReportSection("cover", "Cover", cover, order=0, kinds=ALL, default_for=ALL - {"exceptions"}),
    ReportSection(
        "contents",
        "Contents",
        contents,
        order=5,
        kinds=ALL - {"tenants"},
        default_for=frozenset({"board", "scorecard", "full-suite", "risks", "assessment", "actions"}),
    ),
    ReportSection(
        "summary",
        "Executive summary",
        summary,
        order=10,
        kinds=PI_KINDS,
        default_for=frozenset({"board", "exceptions", "scorecard", "full-suite"}),
    ),
    ReportSection(
        "exceptions",
        "Exceptions",
        exception_blocks,
        order=20,
        kinds=frozenset({"board", "exceptions", "scorecard", "actions"}),
        default_for=frozenset({"board", "exceptions", "actions"}),
    ),
    ReportSection(
        "signposts",
        "Signposts",
        signpost_blocks,
        order=30,
        kinds=frozenset({"board", "scorecard", "tenants"}),
        default_for=frozenset({"board", "tenants"}),
    ),
    ReportSection(
        "scorecard",
        "Scorecard",
        scorecard_blocks,
        order=40,
        kinds=frozenset({"board", "scorecard", "full-suite"}),
        default_for=frozenset({"board", "scorecard", "full-suite"}),
    ),
    ReportSection(
        "actions",
        "Action progress",
        action_blocks,
        order=50,
        kinds=frozenset({"board", "actions", "scorecard"}),
        default_for=frozenset({"board", "actions"}),
    ),
    ReportSection(
        "appendix",
        "Appendix: PI definitions",
        appendix_blocks,
        order=90,
        kinds=frozenset({"board", "scorecard", "full-suite"}),
        default_for=frozenset({"full-suite"}),
    ),
)


def register() -> None:
    for section in SECTIONS:
        REPORT_SECTIONS.register(section)
