"""How assessment figures look on every page: the workflow status, a score or gap, whether a
library item is verified. Words always carry the meaning; colour and shape only repeat it."""

from django import template
from django.utils.html import format_html
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
