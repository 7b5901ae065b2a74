"""A report as a PDF: the print template and stylesheet rendered by WeasyPrint through the fetcher
that loads only the application's own files (pmf.pdf).

The PDF is tagged (WeasyPrint's pdf_tags), with the document language (en-GB) and title, an
outline from the section headings (h1) and their subsections (h2), and a contents page whose page
numbers WeasyPrint works out (target-counter)."""

from dataclasses import dataclass

from django.template.loader import render_to_string

from pmf.pdf import render_pdf_document
from reports import content
from reports.render.html import Writer

TEMPLATE = "reports/report/print.html"


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


def html(report: content.Report) -> str:
    """The final HTML WeasyPrint prints."""
    has_cover = any(isinstance(block, content.Cover) for section in report.sections for block in section.blocks)
    body = Writer(heading=1).sections(report)
    return render_to_string(TEMPLATE, {"report": report, "body": body, "has_cover": has_cover})


def render(report: content.Report) -> RenderedPdf:
    data, pages = render_pdf_document(html(report), pdf_tags=True)
    return RenderedPdf(data=data, pages=pages)
