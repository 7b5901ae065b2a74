from django import template
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from plans import status as rules
from plans.models import Status

register = template.Library()
LABELS = dict(Status.choices)


@register.simple_tag
def plan_status(status: str):
    """The status as shape and colour with its word beside it (never colour alone)."""
    if not status:
        return ""
    return format_html('<span class="status {}">{}</span>', rules.CSS_CLASS[status], LABELS[status])


@register.simple_tag
def attention_flag(status: str):
    """The worst status below an item, when it needs a look."""
    if not status:
        return ""
    return format_html(
        '<span class="plan-attention {}" title="Something below needs attention">'
        '<span class="visually-hidden">Below: </span>{} below</span>',
        rules.CSS_CLASS[status],
        LABELS[status],
    )


@register.simple_tag
def row_flags(node):
    """What a tree row says about the items below it and about its own updates: how many overdue
    items below it the reader may see (else the worst other status needing a look), and for an
    action with no progress update for too long, since when. Words, never colour alone."""
    parts = []
    overdue = getattr(node, "overdue_below", 0)
    if overdue:
        parts.append(
            format_html(
                '<span class="plan-attention plan-attention--count {}">{} overdue below</span>',
                rules.CSS_CLASS[rules.OVERDUE],
                overdue,
            )
        )
    elif node.attention and node.attention != rules.OVERDUE:
        parts.append(attention_flag(node.attention))
    stale_since = getattr(node, "stale_since", None)
    if stale_since:
        parts.append(
            format_html(
                '<span class="plan-stale">Stale: no progress update since {}</span>',
                date_format(stale_since, "j M Y"),
            )
        )
    return format_html_join("", " {}", ((part,) for part in parts))


@register.simple_tag
def progress_bar(value: int):
    return format_html(
        '<span class="plan-progress"><progress max="100" value="{}" aria-hidden="true"></progress>'
        " <span>{}%</span></span>",
        value,
        value,
    )
