import io

import pytest
from pypdf import PdfReader

from pmf.pdf import BASE_URL, LocalFilesFetcher, render_pdf


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_renders_a_two_page_pdf_with_our_print_stylesheet():
    html = """<html><head><link rel="stylesheet" href="/static/css/print.css"></head><body>
      <h1>Quarterly performance report</h1><p>Rent collected 98.7%</p>
      <div style="break-before: page"><h2>Repairs</h2><p>Completed right first time</p></div>
    </body></html>"""
    pages, text = pdf_text(render_pdf(html))
    assert pages == 2
    assert "Quarterly performance report" in text
    assert "Completed right first time" in text
    # The running footer comes from print.css, so the stylesheet was fetched through our fetcher.
    assert "Page 1 of 2" in text


def test_fetcher_serves_our_static_files():
    response = LocalFilesFetcher().fetch(f"{BASE_URL}static/css/print.css")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/logo.png",
        "https://pmf.internal/static/css/print.css",
        "file:///etc/passwd",
        f"{BASE_URL}static/../../pmf/settings.py",
        f"{BASE_URL}media/../pmf/settings.py",
        f"{BASE_URL}admin/",
    ],
)
def test_fetcher_refuses_anything_but_our_static_and_media_files(url):
    with pytest.raises(ValueError, match="Refusing to fetch"):
        LocalFilesFetcher().fetch(url)


def test_an_external_image_is_left_out_not_fetched():
    pages, text = pdf_text(render_pdf('<p>Before</p><img src="http://example.com/x.png" alt="x"><p>After</p>'))
    assert pages == 1
    assert "Before" in text and "After" in text
