"""A report as an accessible web page fragment (for screen readers and the meeting-room screen):
the same blocks as the PDF, sections as h2 under the page's own h1, tables with captions and
header scopes, every traffic light with its word, charts as SVG with a text alternative."""

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from reports import content
from reports.render.html import Writer

TEMPLATE = "reports/report/web.html"


def render(report: content.Report) -> SafeString:
    """The report's sections as a safe HTML fragment (every text escaped)."""
    body = Writer(heading=2).sections(report)
    return mark_safe(render_to_string(TEMPLATE, {"report": report, "body": body}))
