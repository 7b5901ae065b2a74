"""The Word document opens with python-docx and holds the same content as the PDF."""

import io

import pytest
from docx import Document

from reports import content
from reports.assemble import assemble
from reports.render import docx
from reports.tests.content_builders import LONG, TODAY, dossier, params


@pytest.mark.django_db
def test_word_document_holds_the_exceptions_headings_and_tables(world):
    made = dossier(world)
    asked = params("board", scope="scorecard", scope_id=made.scorecard.pk, marking="OFFICIAL")
    report = assemble(asked, user=world.manager, today=TODAY)
    document = Document(io.BytesIO(docx.render(report)))
    assert document.core_properties.title == "Board performance report – Oct 2026"
    assert document.core_properties.language == "en-GB"
    assert document.sections[0].footer.paragraphs[0].text == "OFFICIAL"
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == ("Title", "Board performance report")
    level_one = [text for style, text in headings if style == "Heading 1"]
    assert level_one[:7] == [
        "Contents",
        "Executive summary",
        "Exceptions",
        "Signposts",
        "Scorecard",
        "Action progress",
        "Risk heat map",
    ]
    exceptions = [
        block.subject
        for section in report.sections
        if section.key == "exceptions"
        for sub in section.blocks
        if isinstance(sub, content.Subsection)
        for block in sub.blocks
    ]
    texts = [p.text for p in document.paragraphs]
    for subject in exceptions:
        assert subject in [text for style, text in headings]
    assert "Why: Off target; Long trend getting worse" in texts
    assert "Cause: Two income officers off sick." in texts
    assert "Expected recovery: Jan 2027" in texts
    assert f"Commentary: {LONG}" in texts  # plain, editable text
    assert texts.count("No commentary given.") == 3
    # the scorecard table with its header row repeated on each page, and each chart as its figures
    tables = document.tables
    income = next(t for t in tables if t.rows[0].cells[-1].text == "Year to date")
    assert [c.text for c in income.rows[1].cells][:5] == [
        "RENT01",
        "Rent collected as % of rent due",
        "80.0%",
        "95.0%",
        "Off target",
    ]
    assert income.rows[0]._tr.trPr.xml.count("w:tblHeader") == 1
    chart = next(t for t in tables if t.rows[0].cells[0].text == "Period")
    assert [[c.text for c in row.cells] for row in chart.rows] == [
        ["Period", "Value", "Target"],
        ["Aug 2026", "97.00", "95.00"],
        ["Sep 2026", "97.00", "95.00"],
        ["Oct 2026", "80.00", "95.00"],
    ]
