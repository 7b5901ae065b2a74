"""The web fragment: headings under the page's h1, tables with captions and scopes, every status
with its word, and all text escaped."""

import re

import pytest

from reports.assemble import assemble
from reports.render import web
from reports.tests.content_builders import TODAY, dossier, params


@pytest.mark.django_db
def test_web_fragment_is_escaped_and_accessible(world):
    made = dossier(world)
    report = assemble(params("board", scope="scorecard", scope_id=made.scorecard.pk), user=world.manager, today=TODAY)
    html = str(web.render(report))
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<h1" not in html  # the page gives the h1
    assert '<h2 id="s-exceptions">Exceptions</h2>' in html
    assert '<h3 id="s-exceptions-1">PIs (3)</h3>' in html
    assert '<h4 class="exception__subject">RENT01 Rent collected as % of rent due</h4>' in html
    assert '<th scope="col">PI</th>' in html
    assert '<th scope="row" class="nowrap">RENT01</th>' in html
    assert "<caption>Income: PIs for Oct 2026</caption>" in html
    assert '<span class="status status--red">Off target</span>' in html
    assert '<span class="status status--amber">Within tolerance</span>' in html
    assert 'role="img"' in html and "<title id=" in html  # charts with a text alternative
    assert 'style="' not in html
    assert re.search(r"<[^>]+\son[a-z]+\s*=", html) is None  # no event attributes
    assert html.count('<section class="report-section') == len(report.sections) - 1  # all but the cover
