from django import template
from django.utils.html import format_html

from indicators import status as rules

register = template.Library()


@register.simple_tag
def light(status):
    """A traffic light: shape, colour and word (never colour alone)."""
    status = status if status in rules.STATUS_LABELS else rules.UNKNOWN
    return format_html('<span class="status status--{}">{}</span>', rules.STATUS_CSS[status],
                       rules.STATUS_LABELS[status])


@register.simple_tag
def trend(value):
    """An arrow with its meaning in words."""
    value = value if value in rules.TREND_LABELS else rules.NO_TREND
    return format_html('<span class="sc-trend sc-trend--{}"><span aria-hidden="true">{}</span> {}</span>',
                       value or "none", rules.TREND_ARROWS[value], rules.TREND_LABELS[value])


@register.simple_tag
def sparkline(row):
    """A small inline SVG of the last values; its label says what it shows."""
    points = row.spark_points
    if not points:
        return format_html('<span class="sc-spark-none">{}</span>', "–")
    return format_html(
        '<svg class="sc-spark" width="96" height="24" viewBox="0 0 96 24" role="img" aria-label="{}">'
        '<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{}"></polyline></svg>',
        row.spark_label, points)


@register.filter
def period_param(period):
    return period.strftime("%Y-%m") if period else ""
