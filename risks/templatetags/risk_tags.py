"""How a risk's scores and states look on every page: bands as a shape, a colour and a word;
appetite, movement and review state always in words (colour and arrows only repeat them)."""

from django import template
from django.utils.html import format_html, format_html_join

from risks import status as rules

register = template.Library()


@register.simple_tag
def band_badge(band, score=None):
    """A band's shape in its colour, then its word (and the score when given); a dash off the matrix."""
    if band is None:
        return "–" if score is None else str(score)
    return format_html(
        '<span class="status risk-band risk-band--{}" style="--band-colour: {}">{}{}</span>',
        band.shape,
        band.colour,
        f"{score} " if score is not None else "",
        band.name,
    )


@register.simple_tag
def appetite_badge(state, until=None):
    label = rules.APPETITE_LABELS[state]
    if state == rules.ACCEPTED and until is not None:
        label = f"Accepted above appetite until {until:%d %b %Y}"
    return format_html('<span class="status status--{}">{}</span>', rules.APPETITE_CSS[state], label)


@register.simple_tag
def risk_flags(row):
    """What a list says about a risk beside its scores: appetite, and review overdue, review
    suggested or closed when they apply (each a shape and a word)."""
    flags = [appetite_badge(row.appetite, row.risk.accepted_until)]
    extra = []
    if row.overdue:
        extra.append(("red", "Review overdue"))
    if row.review_suggested:
        extra.append(("amber", rules.REVIEW_SUGGESTED))
    if not row.risk.is_open:
        extra.append(("grey", "Closed"))
    flags.append(format_html_join("", ' <span class="status status--{}">{}</span>', extra))
    return format_html("{}{}", *flags)


@register.simple_tag
def movement_badge(movement):
    return format_html(
        '<span class="movement movement--{}"><span aria-hidden="true">{}</span> {}</span>',
        rules.MOVEMENT_CSS[movement],
        rules.MOVEMENT_ARROWS[movement],
        rules.MOVEMENT_LABELS[movement],
    )


@register.simple_tag
def level_label(levels, value):
    """'4 – Likely' for VALUE on a scale (LEVELS from the matrix)."""
    level = next((level for level in levels if level.level == value), None)
    return f"{value} – {level.label}" if level else str(value)


@register.filter
def text_on(colour):
    """Black or white, whichever reads better on COLOUR."""
    return rules.readable_text(colour)
