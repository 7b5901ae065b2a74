"""How assessment figures look on every page: the workflow status, a score or gap, whether a
library item is verified. Words always carry the meaning; colour and shape only repeat it."""

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from assessments import status as rules

register = template.Library()

STATUS_CSS = {
    rules.DRAFT: "grey",
    rules.IN_PROGRESS: "amber",
    rules.SUBMITTED: "amber",
    rules.MODERATED: "green",
    rules.SIGNED_OFF: "green",
    rules.ARCHIVED: "grey",
}


@register.simple_tag
def assessment_status(status: str):
    return format_html(
        '<span class="status status--{}">{}</span>', STATUS_CSS.get(status, "grey"), rules.STATUS_LABELS[status]
    )


@register.simple_tag
def verified_mark(verified):
    """'Unverified' beside a library item its source has not confirmed (nothing otherwise)."""
    if verified is False:
        return format_html(
            '<span class="tag tag--unverified" title="{}">Unverified</span>',
            "Not yet checked against the official source; see the library's notes.",
        )
    return ""


@register.simple_tag
def gap_text(gap):
    """A gap as a shortfall ('1.50 below target'), 'At target' or 'Above target'."""
    if gap is None:
        return mark_safe('<span class="gap gap--none">–</span>')  # a constant
    if gap > 0:
        return format_html('<span class="gap gap--short">{} below target</span>', gap)
    if gap == 0:
        return mark_safe('<span class="gap gap--met">At target</span>')  # a constant
    return format_html('<span class="gap gap--met">{} above target</span>', -gap)


@register.filter
def level_label(scale, value):
    return scale.label_of(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, [])


# Long tables ----------------------------------------------------------------------------------
# The question tables of the assessment page, the gap analysis and the comparison have a row per
# node of the framework (hundreds); they are written here in Python rather than with template
# tags per cell, which keeps those pages fast. Every text is escaped with `escape`; numbers and
# the fixed markup are not text anyone typed.

UNVERIFIED_TAG = ' <span class="tag tag--unverified">Unverified</span>'
CROSS_TAG = ' <span class="tag tag--cross">Cross-cutting</span>'
MODERATED_TAG = ' <span class="tag">Moderated</span>'


def _url_of(name: str):
    """A function giving NAME's URL for a pk, reversing the pattern once."""
    marker = 987654321
    head, tail = reverse(name, kwargs={"pk": marker}).split(str(marker))
    return lambda pk: f"{escape(head)}{int(pk)}{escape(tail)}"


def _dash(value) -> str:
    """A number (or level), or a dash when there is none."""
    return "–" if value is None else str(value)


@register.simple_tag
def question_rows(rows, today):
    """The rows of the assessment page's question table: themes with their rolled-up score, target
    and gap; questions with score, target, gap, assignee, due date (overdue marked in words),
    evidence and action counts."""
    response_url, node_url = _url_of("response-detail"), _url_of("node-detail")
    out = []
    for row in rows:
        node, r = row.node, row.response
        start = f'<td>{escape(node.code)}</td><td class="assess-title" style="--depth: {int(row.depth)}">'
        if r is None:
            out.append(
                f'<tr class="assess-theme">{start}<a href="{node_url(node.pk)}">{escape(node.title)}</a> '
                f'<span class="hint">{escape(node.kind_label)}</span></td><td>{_dash(row.score)}</td>'
                f'<td class="num">{_dash(row.target)}</td><td>{gap_text(row.gap)}</td><td colspan="4"></td></tr>'
            )
            continue
        tags = (
            (UNVERIFIED_TAG if node.verified is False else "")
            + (CROSS_TAG if row.other_parents else "")
            + (MODERATED_TAG if r.moderated_level is not None else "")
        )
        due = "–"
        if r.due_date:
            due = f"{r.due_date.day} {r.due_date:%b %Y}"
            if not r.is_answered and r.due_date < today:
                due += " <strong>overdue</strong>"
        out.append(
            f'<tr>{start}<a href="{response_url(r.pk)}">{escape(node.title)}</a>{tags}</td>'
            f'<td>{escape(row.score_label)}</td><td class="num">{_dash(r.target_level)}</td>'
            f"<td>{gap_text(row.gap)}</td>"
            f"<td>{escape(r.assigned_to or '–')}</td><td>{due}</td>"
            f'<td class="num">{int(r.evidence_count)}</td><td class="num">{len(row.actions)}</td></tr>'
        )
    return mark_safe("\n".join(out))  # texts escaped above


@register.simple_tag
def gap_rows(rows):
    """The rows of the gap analysis: each question below target with its owner and improvement
    actions (status in words and shape, and progress)."""
    from plans.templatetags.plans_tags import plan_status

    response_url = _url_of("response-detail")
    out = []
    for row in rows:
        node, r = row.node, row.response
        actions = "".join(
            f"<div>{escape(action.code)} {escape(action.title)} {plan_status(action.status)} "
            f"{int(action.progress)}%</div>"
            for action in row.actions
        )
        out.append(
            f'<tr><td><a href="{response_url(r.pk)}">{escape(node.code)} {escape(node.title)}</a>'
            f"{UNVERIFIED_TAG if node.verified is False else ''}</td><td>{escape(row.score_label)}</td>"
            f'<td class="num">{_dash(r.target_level)}</td><td>{gap_text(row.gap)}</td>'
            f"<td>{escape(r.assigned_to or 'Not assigned')}</td>"
            f"<td>{actions or '<span class="hint">None yet</span>'}</td></tr>"
        )
    return mark_safe("\n".join(out))  # texts escaped above


CHANGE_CSS = {"Improved": "change--up", "Declined": "change--down"}


@register.simple_tag
def compare_rows(rows):
    """The rows of the comparison of two rounds: each node's score in both and the change, with
    the direction in words."""
    out = []
    for row in rows:
        word = row.change_word
        out.append(
            f"<tr{'' if row.is_question else ' class="assess-theme"'}><td>{escape(row.code)}</td>"
            f'<td class="assess-title" style="--depth: {int(row.depth)}">{escape(row.title)}</td>'
            f'<td class="num">{escape(row.before_label)}</td><td class="num">{escape(row.after_label)}</td>'
            f'<td class="num">{_dash(row.change)}</td>'
            f'<td><span class="{CHANGE_CSS.get(word, "")}">{escape(word)}</span></td></tr>'
        )
    return mark_safe("\n".join(out))  # texts escaped above
