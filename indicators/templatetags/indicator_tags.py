"""How a PI's figures look on every page: values in the PI's unit, period labels, the status badge,
the trend and the sparkline.

The badge, trend and sparkline are plain functions returning HTML as well as template tags, so
tables drawn in Python (hundreds of rows, `scorecards.templatetags.scorecard_tags`) give exactly
the same markup. Status and trend always show their words; colour and shape only repeat them.
"""

from collections.abc import Sequence
from decimal import Decimal
from html import escape

from django import template
from django.utils.safestring import mark_safe

from indicators import rules
from indicators.charts import sparkline_points

register = template.Library()


def badge_html(status: str, word: str) -> str:
    """A status badge: the shape and colour of STATUS with WORD (the internal label, or the
    public pages' plain-English word), escaped."""
    return f'<span class="status status--{rules.STATUS_CSS[status]}">{escape(word)}</span>'


_STATUS_HTML = {status: badge_html(status, label) for status, label in rules.STATUS_LABELS.items()}
_TREND_HTML = {
    trend: (
        f'<span class="trend trend--{trend or "none"}"><span aria-hidden="true">{rules.TREND_ARROWS[trend]}</span> '
        f"{escape(label)}</span>"
    )
    for trend, label in rules.TREND_LABELS.items()
}


def status_badge_html(status: str | None) -> str:
    """The status as a shape, a colour and its word (never colour alone); Unknown for no status."""
    return _STATUS_HTML.get(status, _STATUS_HTML[rules.UNKNOWN])


def trend_html(trend: str | None) -> str:
    """The trend as an arrow (hidden from screen readers) and its word; No trend for none."""
    return _TREND_HTML.get(trend, _TREND_HTML[rules.NO_TREND])


def _plain(value) -> str:
    return f"{value.normalize():f}" if isinstance(value, Decimal) else str(value)


def sparkline_html(values: Sequence[Decimal | None]) -> str:
    """A small inline SVG line of VALUES (oldest first) whose label says what it shows; a dash when
    there are fewer than two values."""
    points = sparkline_points(values)
    if not points:
        return '<span class="spark-none">–</span>'
    present = [value for value in values if value is not None]
    label = f"Last {len(present)} values, from {_plain(present[0])} to {_plain(present[-1])}"
    return (
        f'<svg class="spark" width="96" height="24" viewBox="0 0 96 24" role="img" aria-label="{escape(label)}">'
        f'<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{points}"></polyline></svg>'
    )


@register.simple_tag
def pi_value(indicator, value):
    """VALUE formatted with the PI's unit and decimals."""
    return indicator.format_value(value)


@register.simple_tag
def pi_period(indicator, period):
    return indicator.period_label(period) if period else "–"


@register.simple_tag
def status_badge(status):
    return mark_safe(status_badge_html(status))  # built from constant labels, escaped above


@register.simple_tag
def trend_badge(trend):
    return mark_safe(trend_html(trend))  # built from constant labels, escaped above


@register.simple_tag
def sparkline(values):
    return mark_safe(sparkline_html(values))  # numbers and an escaped label
