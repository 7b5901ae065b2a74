"""The server-side SVG chart: value against target, labelled, escaped, fast."""

import time
import xml.etree.ElementTree as ET

from reports import svg

NS = "{http://www.w3.org/2000/svg}"
SERIES = {
    "labels": ["Oct 2025", "Nov 2025", "Dec 2025", "Jan 2026"],
    "values": [91.5, None, 94.0, 96.25],
    "targets": [95.0, 95.0, 95.0, 95.0],
    "unit": "%",
}


def parse(text):
    return ET.fromstring(text)


def test_chart_has_title_description_axes_and_both_lines():
    root = parse(svg.line_chart(SERIES, title="RENT01 Rent collected", description="Latest 96.25% against 95%"))
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"{NS}title").get("id") == title_id
    assert root.find(f"{NS}title").text == "RENT01 Rent collected"
    assert root.find(f"{NS}desc").get("id") == desc_id
    assert root.find(f"{NS}desc").text == "Latest 96.25% against 95%"
    texts = [node.text for node in root.iter(f"{NS}text")]
    for label in SERIES["labels"]:
        assert label in texts
    assert "%" in texts  # the y axis names the unit
    assert "Value" in texts and "Target" in texts  # legend in words
    paths = root.findall(f"{NS}path")
    # the target is one dashed line; the value is broken by the missing Nov value (one 2-point run)
    assert [p.get("stroke-dasharray") for p in paths] == ["6 4", None]
    assert len(list(root.iter(f"{NS}circle"))) == 3 + 1  # three values and the legend marker


def test_labels_are_escaped():
    series = {**SERIES, "labels": ["<script>x</script>", "a&b", '"q"', "Jan"], "unit": "<b>"}
    text = svg.line_chart(series, title="</title><script>alert(1)</script>", description="<img src=x>")
    assert "<script>" not in text
    assert "<img" not in text
    root = parse(text)
    assert root.find(f"{NS}title").text == "</title><script>alert(1)</script>"
    assert "<script>x</script>" in [node.text for node in root.iter(f"{NS}text")]


def test_no_values_says_so():
    root = parse(svg.line_chart({"labels": ["Jan"], "values": [None], "targets": [None]}, title="X"))
    assert [node.text for node in root.iter(f"{NS}text")] == ["No values recorded"]
    assert root.findall(f"{NS}path") == []


def test_flat_and_negative_series_draw():
    flat = parse(svg.line_chart({"labels": ["a", "b"], "values": [5.0, 5.0], "targets": [5.0, 5.0]}, title="flat"))
    assert len(flat.findall(f"{NS}path")) == 2
    negative = parse(svg.line_chart({"labels": ["a", "b"], "values": [-3.0, 2.0], "targets": [0.0, 0.0]}, title="n"))
    assert [node.text for node in negative.iter(f"{NS}text")][:4] == ["-4", "-2", "0", "2"]


def test_nice_ticks_cover_the_range():
    assert svg.nice_ticks(0, 97) == [0, 25, 50, 75, 100]
    assert svg.nice_ticks(90.5, 96.25) == [90, 92, 94, 96, 98]
    assert svg.nice_ticks(-3, 2) == [-4, -2, 0, 2]
    assert svg.nice_ticks(5, 5) == [2, 4, 6, 8]  # a flat series gets a band around it


def test_a_thirteen_month_chart_takes_under_20_ms():
    series = {
        "labels": [f"M{i}" for i in range(13)],
        "values": [80.0 + i for i in range(13)],
        "targets": [90.0] * 13,
        "unit": "%",
    }
    svg.line_chart(series, title="warm up")
    runs = 200
    start = time.perf_counter()
    for _ in range(runs):
        svg.line_chart(series, title="RENT01", description="d")
    per_chart = (time.perf_counter() - start) / runs
    assert per_chart < 0.020
