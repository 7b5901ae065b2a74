from html import escape as _escape

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from indicators import status as rules

register = template.Library()


@register.simple_tag
def light(status):
    """A traffic light: shape, colour and word (never colour alone)."""
    status = status if status in rules.STATUS_LABELS else rules.UNKNOWN
    return format_html(
        '<span class="status status--{}">{}</span>', rules.STATUS_CSS[status], rules.STATUS_LABELS[status]
    )


@register.simple_tag
def trend(value):
    """An arrow with its meaning in words."""
    value = value if value in rules.TREND_LABELS else rules.NO_TREND
    return format_html(
        '<span class="sc-trend sc-trend--{}"><span aria-hidden="true">{}</span> {}</span>',
        value or "none",
        rules.TREND_ARROWS[value],
        rules.TREND_LABELS[value],
    )


@register.simple_tag
def sparkline(row):
    """A small inline SVG of the last values; its label says what it shows."""
    points = row.spark_points
    if not points:
        return format_html('<span class="sc-spark-none">{}</span>', "–")
    return format_html(
        '<svg class="sc-spark" width="96" height="24" viewBox="0 0 96 24" role="img" aria-label="{}">'
        '<polyline fill="none" stroke="currentColor" stroke-width="1.5" points="{}"></polyline></svg>',
        row.spark_label,
        points,
    )


@register.filter
def period_param(period):
    return period.strftime("%Y-%m") if period else ""


# Large tables (a scorecard or snapshot of hundreds of PIs) are drawn here in Python: the same
# markup as the cell tags above, at a fraction of the cost of a template loop per cell.


def escape(text) -> str:
    """HTML-escape TEXT (the standard library's, without Django's lazy-string wrapper: hundreds of rows)."""
    return _escape(str(text), quote=True)


def _url_maker(name: str, **kwargs):
    """A fast url(pk) for NAME: reverse once, then fill the number in (hundreds of rows a page)."""
    marker = 987654321
    pattern = reverse(name, kwargs={**kwargs, "pk" if "pk" not in kwargs else "indicator_pk": marker})
    head, tail = pattern.split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def _light(status) -> str:
    status = status if status in rules.STATUS_LABELS else rules.UNKNOWN
    return f'<span class="status status--{rules.STATUS_CSS[status]}">{rules.STATUS_LABELS[status]}</span>'


def _trend(value) -> str:
    value = value if value in rules.TREND_LABELS else rules.NO_TREND
    return (
        f'<span class="sc-trend sc-trend--{value or "none"}"><span aria-hidden="true">'
        f"{rules.TREND_ARROWS[value]}</span> {rules.TREND_LABELS[value]}</span>"
    )


def _spark(row) -> str:
    points = row.spark_points
    if not points:
        return '<span class="sc-spark-none">–</span>'
    return (
        f'<svg class="sc-spark" width="96" height="24" viewBox="0 0 96 24" role="img" '
        f'aria-label="{escape(row.spark_label)}"><polyline fill="none" stroke="currentColor" '
        f'stroke-width="1.5" points="{points}"></polyline></svg>'
    )


@register.simple_tag
def scorecard_rows(rows, scorecard=None, period=None, compare=False, openable=None):
    """The <tr> of each (entry, row) of a scorecard section; PI titles link to the PI's page when
    its id is in OPENABLE (all of them when OPENABLE is None)."""
    out = []
    period_text = period_param(period)
    pi_url = _url_maker("indicator-detail")
    chart_url = _url_maker("scorecard-chart", pk=scorecard.pk) if scorecard is not None else None
    for entry, row in rows:
        indicator = getattr(entry, "indicator", None)
        code = escape(row.code)
        linked = indicator is not None and (openable is None or indicator.pk in openable)
        title = f'<a href="{pi_url(indicator.pk)}">{escape(row.title)}</a>' if linked else escape(row.title)
        extra = ""
        if row.commentary:
            lines = escape(row.commentary).replace("\r\n", "\n").replace("\n", "<br>")
            extra += f"<details><summary>Commentary</summary><p>{lines}</p></details>"
        if row.restatement:
            extra += (
                f'<p class="sc-restated"><strong>Restated</strong> after issue: '
                f"{escape(row.restatement.old_text)} → {escape(row.restatement.new_text)}</p>"
            )
        if chart_url is not None and indicator is not None:
            extra += (
                f'<div class="no-print"><button type="button" class="link-button" '
                f'hx-get="{chart_url(indicator.pk)}?period={period_text}" hx-target="#chart-slot-{indicator.pk}"'
                f' hx-swap="innerHTML">Show chart<span class="visually-hidden"> of {code}</span></button></div>'
                f'<div id="chart-slot-{indicator.pk}" class="sc-chart" aria-live="polite"></div>'
            )
        approved = "" if row.approved else "<br><small>Not yet approved</small>"
        last_year = ""
        if compare:
            badge = f"<br>{_light(row.last_year_status)}" if row.last_year_text != "–" else ""
            last_year = f'<td class="num">{escape(row.last_year_text)}{badge}</td>'
        out.append(
            f'<tr><td>{_light(row.status)}{approved}</td><td>{code}</td><th scope="row">{title}{extra}</th>'
            f'<td>{escape(row.period_label)}</td><td class="num">{escape(row.value_text)}</td>'
            f'<td class="num">{escape(row.target_text)}</td><td class="num">{escape(row.ytd_text)}</td>'
            f"<td>{_trend(row.short_trend)}</td><td>{_trend(row.long_trend)}</td><td>{_spark(row)}</td>"
            f"<td>{escape(row.quartile_label)}</td>{last_year}</tr>"
        )
    return mark_safe("\n".join(out))


@register.simple_tag
def snapshot_rows(rows, columns):
    """The <tr> of each (indicator, row) of a snapshot, with the chosen COLUMNS."""
    pi_url = _url_maker("indicator-detail")
    out = []
    for indicator, row in rows:
        cells = (
            f"<td>{_light(row.status)}</td><td>{escape(row.code)}</td>"
            f'<th scope="row"><a href="{pi_url(indicator.pk)}">{escape(row.title)}</a><br>'
            f"<small>{escape(indicator.org_unit.name)}</small></th>"
        )
        if "period" in columns:
            cells += f"<td>{escape(row.period_label)}</td>"
        if "value" in columns:
            cells += f'<td class="num">{escape(row.value_text)}</td>'
        if "target" in columns:
            cells += f'<td class="num">{escape(row.target_text)}</td>'
        if "short" in columns:
            cells += f"<td>{_trend(row.short_trend)}</td>"
        if "long" in columns:
            cells += f"<td>{_trend(row.long_trend)}</td>"
        if "spark" in columns:
            cells += f"<td>{_spark(row)}</td>"
        out.append(f"<tr>{cells}</tr>")
    return mark_safe("\n".join(out))
