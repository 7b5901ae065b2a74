import datetime
from decimal import Decimal as D

import pytest
from django.template import Context, Template

from indicators import charts
from indicators.models import Benchmark, Indicator, Measurement
from indicators.templatetags.indicator_tags import sparkline_html, status_badge_html, trend_html


@pytest.mark.parametrize(
    ("values", "points"),
    [
        ([], ""),
        ([D(5)], ""),
        ([D(1), D(3)], "2.0,22.0 94.0,2.0"),
        ([D(2), D(2), D(2)], "2.0,12.0 48.0,12.0 94.0,12.0"),
        ([D(4), None, D(0)], "2.0,2.0 94.0,22.0"),
    ],
)
def test_sparkline_points_scale_into_the_box(values, points):
    assert charts.sparkline_points(values) == points


def _measurements(indicator, values):
    return [
        Measurement(indicator=indicator, period=datetime.date(2025, month, 1), value=value, target=D(90))
        for month, value in values
    ]


def test_value_target_figure_has_value_and_target_by_period_label():
    quarterly = Indicator(code="Q", unit="number", frequency="quarterly")
    figure = charts.value_target_figure(quarterly, _measurements(quarterly, [(4, D(91)), (7, None)]))
    assert [(trace["name"], trace["x"], trace["y"]) for trace in figure["data"]] == [
        ("Value", ["Q1 2025/26", "Q2 2025/26"], [91.0, None]),
        ("Target", ["Q1 2025/26", "Q2 2025/26"], [90.0, 90.0]),
    ]
    assert figure["layout"]["shapes"] == []


def test_value_target_figure_draws_the_benchmark_band_and_median():
    indicator = Indicator(code="M", unit="percent", frequency="monthly")
    benchmark = Benchmark(source="Peers", year="2024/25", top_quartile=D(95), median=D(90), bottom_quartile=D(85))
    figure = charts.value_target_figure(indicator, _measurements(indicator, [(4, D(91))]), benchmark)
    assert [trace["name"] for trace in figure["data"]] == ["Benchmark median (Peers 2024/25)", "Value", "Target"]
    assert (figure["layout"]["shapes"][0]["y0"], figure["layout"]["shapes"][0]["y1"]) == (85.0, 95.0)


@pytest.mark.parametrize(
    ("status", "html"),
    [
        ("green", '<span class="status status--green">On target</span>'),
        ("amber", '<span class="status status--amber">Within tolerance</span>'),
        ("red", '<span class="status status--red">Off target</span>'),
        ("data", '<span class="status status--grey">Data only</span>'),
        ("unknown", '<span class="status status--grey">Unknown</span>'),
        ("", '<span class="status status--grey">Unknown</span>'),
        (None, '<span class="status status--grey">Unknown</span>'),
        ("bogus", '<span class="status status--grey">Unknown</span>'),
    ],
)
def test_status_badge_shows_the_word_with_its_shape(status, html):
    assert status_badge_html(status) == html
    assert Template("{% load indicator_tags %}{% status_badge s %}").render(Context({"s": status})) == html


@pytest.mark.parametrize(
    ("trend", "html"),
    [
        ("improving", '<span class="trend trend--improving"><span aria-hidden="true">▲</span> Improving</span>'),
        ("same", '<span class="trend trend--same"><span aria-hidden="true">▶</span> No change</span>'),
        ("worse", '<span class="trend trend--worse"><span aria-hidden="true">▼</span> Getting worse</span>'),
        ("", '<span class="trend trend--none"><span aria-hidden="true">–</span> No trend</span>'),
        (None, '<span class="trend trend--none"><span aria-hidden="true">–</span> No trend</span>'),
        ("bogus", '<span class="trend trend--none"><span aria-hidden="true">–</span> No trend</span>'),
    ],
)
def test_trend_shows_the_word_beside_its_arrow(trend, html):
    assert trend_html(trend) == html
    assert Template("{% load indicator_tags %}{% trend_badge t %}").render(Context({"t": trend})) == html


def test_sparkline_is_labelled_with_what_it_shows():
    assert sparkline_html([D("1.50"), None, D(3)]) == (
        '<svg class="spark" width="96" height="24" viewBox="0 0 96 24" role="img" '
        'aria-label="Last 2 values, from 1.5 to 3"><polyline fill="none" stroke="currentColor" '
        'stroke-width="1.5" points="2.0,22.0 94.0,2.0"></polyline></svg>'
    )
    assert sparkline_html([D(1)]) == '<span class="spark-none">–</span>'
    rendered = Template("{% load indicator_tags %}{% sparkline v %}").render(Context({"v": [D(1), D(3)]}))
    assert rendered == sparkline_html([D(1), D(3)])
