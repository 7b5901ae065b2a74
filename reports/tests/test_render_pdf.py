"""The PDF, read back with pypdf: pages, contents page numbers, outline, exceptions, footer,
escaped commentary, and nothing fetched from outside the application."""

import io
import re

import pytest
from pypdf import PdfReader

from pmf import pdf as pmf_pdf
from reports.assemble import assemble, default_sections
from reports.render import pdf
from reports.tests.content_builders import TODAY, dossier, params


def text_of(reader):
    return [page.extract_text() for page in reader.pages]


def squash(text):
    return re.sub(r"\s+", " ", text)


@pytest.fixture
def board(world):
    made = dossier(world)
    asked = params(
        "board",
        sections=(*default_sections("board"), "appendix"),
        scope="scorecard",
        scope_id=made.scorecard.pk,
        marking="OFFICIAL-SENSITIVE",
        audience="Board, 14 January 2027",
    )
    report = assemble(asked, user=world.manager, today=TODAY)
    rendered = pdf.render(report)
    return report, rendered, PdfReader(io.BytesIO(rendered.data))


@pytest.mark.django_db
def test_pages_footer_and_header(board):
    report, rendered, reader = board
    assert rendered.data.startswith(b"%PDF-")
    assert rendered.pages == len(reader.pages)
    pages = text_of(reader)
    total = len(pages)
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in text
        assert "OFFICIAL-SENSITIVE" in text
        if number > 1:  # the running header, not on the cover
            assert "Board performance report – Oct 2026" in text
    cover = squash(pages[0])
    assert "Board performance report" in cover
    assert "Period Oct 2026" in cover
    assert "Scope Housing scorecard" in cover
    assert "For Board, 14 January 2027" in cover


@pytest.mark.django_db
def test_contents_page_numbers_match_the_outline_and_the_headings(board):
    report, _, reader = board
    lines = text_of(reader)[1].splitlines()
    listed = dict(match.groups() for line in lines if (match := re.match(r"^(.*?)\s*\.{3,}\s*(\d+)$", line)))
    outline = {}

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                outline.setdefault(item.title, reader.get_destination_page_number(item) + 1)

    walk(reader.outline)
    expected = [s.title for s in report.sections if s.key not in ("cover", "contents")]
    core = [
        "Executive summary",
        "Exceptions",
        "Signposts",
        "Scorecard",
        "Action progress",
        "Risk heat map",
        "Top risks",
        "Assessment gaps",
        "Appendix: PI definitions",
    ]
    assert [title for title in expected if title in core] == core  # other modules may add theirs
    pages = text_of(reader)
    for title in expected:
        number = int(listed[title])
        assert outline[title] == number, title
        assert pages[number - 1].lstrip().startswith(title) or title in pages[number - 1].splitlines()[0:3], title


@pytest.mark.django_db
def test_exceptions_are_in_the_pdf_with_commentary_or_its_absence(board):
    _, _, reader = board
    everything = squash(" ".join(text_of(reader)))
    for subject in (
        "RENT01 Rent collected as % of rent due",
        "VOID02 Average days to relet",
        "REP03 Repairs right first time",
        "HDP 1.1 Action HDP 1.1",
        "HDP 1.2 Action HDP 1.2",
    ):
        assert subject in everything
    assert "Why: Off target; Long trend getting worse" in everything
    assert "Cause: Two income officers off sick." in everything
    assert "Action being taken: Agency cover from 1 November." in everything
    assert "Expected recovery: Jan 2027" in everything
    # the exceptions REP03 and HDP 1.2, and the signpost SAT04
    assert everything.count("No commentary given.") == 3
    # the HTML in commentary is printed as text
    assert "<script>alert('x')</" in everything


@pytest.mark.django_db
def test_commentary_html_is_escaped_and_nothing_remote_is_fetched(world, monkeypatch):
    made = dossier(world)
    report = assemble(
        params("exceptions", scope="scorecard", scope_id=made.scorecard.pk), user=world.manager, today=TODAY
    )
    html = pdf.html(report)
    assert "<script>" not in html
    assert '<img src="http://example.com' not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;&lt;img src=&quot;http://example.com/track.png" in html
    fetched = []
    original = pmf_pdf.LocalFilesFetcher.fetch

    def spy(self, url, headers=None):
        fetched.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(pmf_pdf.LocalFilesFetcher, "fetch", spy)
    rendered = pdf.render(report)
    assert fetched == ["http://pmf.internal/static/css/report-print.css"]
    reader = PdfReader(io.BytesIO(rendered.data))
    assert all("example.com" not in str(page.get("/Annots", "")) for page in reader.pages)
    # the 10,000 characters are wrapped onto following pages, none cut off
    assert squash(" ".join(text_of(reader))).count("Arrears rose.") == 720


@pytest.mark.django_db
def test_a_typical_monthly_exception_report_is_short(world):
    from indicators.models import Measurement

    made = dossier(world)
    Measurement.objects.filter(indicator=made.amber).update(commentary="Voids rose after two long-term empties.")
    asked = params("exceptions", scope="scorecard", scope_id=made.scorecard.pk, title="Monthly exceptions")
    rendered = pdf.render(assemble(asked, user=world.manager, today=TODAY))
    assert rendered.pages == 2  # the summary, then the exceptions
    pages = text_of(PdfReader(io.BytesIO(rendered.data)))
    assert pages[0].lstrip().startswith("Monthly exceptions")  # a title line instead of a cover
    assert pages[1].lstrip().startswith("Exceptions")


@pytest.mark.django_db
def test_document_language_title_and_tags(board):
    _, rendered, reader = board
    assert reader.metadata.title == "Board performance report – Oct 2026"
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in root  # tagged PDF
    assert bool(root["/MarkInfo"]["/Marked"])


@pytest.mark.django_db
def test_a_long_table_repeats_its_header_on_every_page(world):
    from reports.tests.content_builders import make_pi, make_scorecard

    pis = [make_pi(f"L{index:03d}", world.team, ["green", "amber"], owner=world.manager) for index in range(90)]
    scorecard = make_scorecard(world.directorate, {"Everything": pis}, owner=world.manager)
    asked = params("scorecard", sections=["scorecard"], scope="scorecard", scope_id=scorecard.pk, charts=False)
    rendered = pdf.render(assemble(asked, user=world.manager, today=TODAY))
    pages = text_of(PdfReader(io.BytesIO(rendered.data)))
    assert len(pages) >= 2
    header = "PI Title Value Target Status Short trend Long trend Year to date"
    for text in pages:
        assert header in squash(text)
    # every row is on one page, whole: its code, value and status together
    rows = [line for text in pages for line in text.splitlines() if line.startswith("L0")]
    assert len(rows) == 90
    assert all("94.0%" in line and "Within tolerance" in line for line in rows)
