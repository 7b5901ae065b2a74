"""PDF rendering with WeasyPrint, confined to our own static and media files."""

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

# Relative URLs in report templates resolve against this; nothing is fetched over the network.
BASE_URL = "http://pmf.internal/"


class LocalFilesFetcher(URLFetcher):
    """Serves /static/ from the static finders (or STATIC_ROOT) and /media/ from MEDIA_ROOT.

    Anything else (other hosts, file:// paths, paths outside those folders) is refused, so a
    report can never read arbitrary files or reach the network."""

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parsed = urlparse(url)
        if f"{parsed.scheme}://{parsed.netloc}/" != BASE_URL:
            raise ValueError(f"Refusing to fetch {url}: reports may load only the application's own files.")
        path = self._local_path(unquote(parsed.path))
        if path is None:
            raise ValueError(f"Refusing to fetch {url}: not a static or media file.")
        mime_type, _ = mimetypes.guess_type(path.name)
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime_type or "application/octet-stream"})

    @staticmethod
    def _local_path(path: str) -> Path | None:
        if path.startswith(settings.STATIC_URL):
            relative = path.removeprefix(settings.STATIC_URL)
            try:
                found = finders.find(relative)
            except SuspiciousFileOperation:
                return None
            if found:
                return Path(found)
            root = Path(settings.STATIC_ROOT)
        elif path.startswith(settings.MEDIA_URL):
            relative = path.removeprefix(settings.MEDIA_URL)
            root = Path(settings.MEDIA_ROOT)
        else:
            return None
        resolved = (root / relative).resolve()
        return resolved if resolved.is_relative_to(root.resolve()) and resolved.is_file() else None


def render_pdf(html: str) -> bytes:
    """Render an HTML string (with print CSS) to PDF bytes."""
    return HTML(string=html, base_url=BASE_URL, url_fetcher=LocalFilesFetcher()).write_pdf()


def render_pdf_document(html: str, **options) -> tuple[bytes, int]:
    """Render an HTML string to PDF bytes and say how many pages it has. OPTIONS go to WeasyPrint's
    write_pdf (e.g. pdf_tags=True for a tagged PDF)."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=LocalFilesFetcher()).render()
    return document.write_pdf(**options), len(document.pages)
