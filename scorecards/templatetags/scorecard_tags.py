"""The rows of large scorecard and snapshot tables, drawn in Python: hundreds of rows a page, at a
fraction of the cost of a template loop per cell. Cells use the same badge, trend and sparkline
markup as every other page (`indicators.templatetags.indicator_tags`)."""

from html import escape as _escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe

from indicators.templatetags.indicator_tags import sparkline_html, status_badge_html, trend_html

register = template.Library()


@register.filter
def period_param(period):
    return period.strftime("%Y-%m") if period else ""


def escape(text) -> str:
    """HTML-escape TEXT (the standard library's, without Django's lazy-string wrapper: hundreds of rows)."""
    return _escape(str(text), quote=True)


def _url_maker(name: str, **kwargs):
    """A fast url(pk) for NAME: reverse once, then fill the number in (hundreds of rows a page)."""
    marker = 987654321
    pattern = reverse(name, kwargs={**kwargs, "pk" if "pk" not in kwargs else "indicator_pk": marker})
    head, tail = pattern.split(str(marker))
    return lambda pk: f"{head}{pk}{tail}"


def _lines(text) -> str:
    return escape(text).replace("\r\n", "\n").replace("\n", "<br>")


def red_commentary_html(row) -> str:
    """Why a red ROW is off target, what is being done and when it should be back on target, in
    words (no colour needed); "" when the row is not red or says none of these."""
    if not row.red_commentary:
        return ""
    parts = []
    if row.cause:
        parts.append(f"<strong>Why:</strong> {_lines(row.cause)}")
    if row.action_taken:
        parts.append(f"<strong>What we are doing:</strong> {_lines(row.action_taken)}")
    if row.recovery_date:
        parts.append(f"<strong>Expected back on target:</strong> {escape(row.recovery_text)}")
    return f'<p class="sc-red-note">{"<br>".join(parts)}</p>'


@register.simple_tag
def red_commentary(row):
    """The why / what we are doing / expected recovery of a red ROW (nothing for other rows)."""
    return mark_safe(red_commentary_html(row))


@register.simple_tag
def scorecard_rows(rows, scorecard=None, period=None, compare=False, openable=None):
    """The <tr> of each row of a scorecard section; PI titles link to the PI's page when its id is
    in OPENABLE (all of them when OPENABLE is None); with SCORECARD, each row can show its chart."""
    out = []
    period_text = period_param(period)
    pi_url = _url_maker("indicator-detail")
    chart_url = _url_maker("scorecard-chart", pk=scorecard.pk) if scorecard is not None else None
    for row in rows:
        pk = row.indicator_id
        code = escape(row.code)
        linked = pk is not None and (openable is None or pk in openable)
        title = f'<a href="{pi_url(pk)}">{escape(row.title)}</a>' if linked else escape(row.title)
        extra = red_commentary_html(row)
        if row.commentary:
            extra += f"<details><summary>Commentary</summary><p>{_lines(row.commentary)}</p></details>"
        if row.restatement:
            extra += (
                f'<p class="sc-restated"><strong>Restated</strong> after issue: '
                f"{escape(row.restatement.old_text)} → {escape(row.restatement.new_text)}</p>"
            )
        if chart_url is not None and pk is not None:
            extra += (
                f'<div class="no-print"><button type="button" class="link-button" '
                f'hx-get="{chart_url(pk)}?period={period_text}" hx-target="#chart-slot-{pk}"'
                f' hx-swap="innerHTML">Show chart<span class="visually-hidden"> of {code}</span></button></div>'
                f'<div id="chart-slot-{pk}" class="sc-chart" aria-live="polite"></div>'
            )
        approved = "" if row.approved else "<br><small>Not yet approved</small>"
        last_year = ""
        if compare:
            badge = f"<br>{status_badge_html(row.last_year_status)}" if row.last_year_text != "–" else ""
            last_year = f'<td class="num">{escape(row.last_year_text)}{badge}</td>'
        out.append(
            f'<tr><td>{status_badge_html(row.status)}{approved}</td><td>{code}</td><th scope="row">{title}{extra}</th>'
            f'<td>{escape(row.period_label)}</td><td class="num">{escape(row.value_text)}</td>'
            f'<td class="num">{escape(row.target_text)}</td><td class="num">{escape(row.ytd_text)}</td>'
            f"<td>{trend_html(row.short_trend)}</td><td>{trend_html(row.long_trend)}</td>"
            f"<td>{sparkline_html(row.spark)}</td><td>{escape(row.quartile_label)}</td>{last_year}</tr>"
        )
    return mark_safe("\n".join(out))


@register.simple_tag
def snapshot_rows(rows, columns):
    """The <tr> of each (indicator, row) of a snapshot, with the chosen COLUMNS."""
    pi_url = _url_maker("indicator-detail")
    out = []
    for indicator, row in rows:
        cells = (
            f"<td>{status_badge_html(row.status)}</td><td>{escape(row.code)}</td>"
            f'<th scope="row"><a href="{pi_url(indicator.pk)}">{escape(row.title)}</a><br>'
            f"<small>{escape(indicator.org_unit.name)}</small>{red_commentary_html(row)}</th>"
        )
        if "period" in columns:
            cells += f"<td>{escape(row.period_label)}</td>"
        if "value" in columns:
            cells += f'<td class="num">{escape(row.value_text)}</td>'
        if "target" in columns:
            cells += f'<td class="num">{escape(row.target_text)}</td>'
        if "short" in columns:
            cells += f"<td>{trend_html(row.short_trend)}</td>"
        if "long" in columns:
            cells += f"<td>{trend_html(row.long_trend)}</td>"
        if "spark" in columns:
            cells += f"<td>{sparkline_html(row.spark)}</td>"
        out.append(f"<tr>{cells}</tr>")
    return mark_safe("\n".join(out))
