from django import template
from django.utils.html import format_html

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
def progress_bar(value: int):
    return format_html(
        '<span class="plan-progress"><progress max="100" value="{}" aria-hidden="true"></progress>'
        " <span>{}%</span></span>",
        value,
        value,
    )
