from django import template
from django.utils.html import format_html

from indicators import status as rules

register = template.Library()


@register.simple_tag
def pi_value(indicator, value):
    """VALUE formatted with the PI's unit and decimals."""
    return indicator.format_value(value)


@register.simple_tag
def pi_period(indicator, period):
    return indicator.period_label(period) if period else "–"


@register.simple_tag
def status_badge(status):
    """Status as shape, colour and word (never colour alone)."""
    status = status or rules.UNKNOWN
    return format_html(
        '<span class="status status--{}">{}</span>', rules.STATUS_CSS[status], rules.STATUS_LABELS[status]
    )


@register.simple_tag
def trend_badge(trend):
    trend = trend or rules.NO_TREND
    return format_html(
        '<span class="trend trend--{}"><span aria-hidden="true">{}</span> {}</span>',
        trend or "none",
        rules.TREND_ARROWS[trend],
        rules.TREND_LABELS[trend],
    )
