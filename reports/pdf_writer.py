"""The WeasyPrint side of the PDF report: imported only through reports.pdf.load_pdf_writer(), when a PDF is made.

WeasyPrint loads Pango and HarfBuzz as it is imported; no other module imports
this one at its top, so a server without those libraries serves every other page.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Mapping
from pathlib import Path

from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports.pdf import STATIC_ORIGIN, RefusedURL

logger = logging.getLogger(__name__)


class AppStaticFetcher(URLFetcher):
    """Serves the app's own static files, the report's chart images and data: URIs; refuses everything else.

    ``images``: the report's chart images (PNG) by their path under reports.pdf.CHARTS_PATH,
    served from memory (as URLs they spare the HTML parser a base64 text each).
    """

    def __init__(self, images: Mapping[str, bytes] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.images = dict(images or {})

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(STATIC_ORIGIN):
            relative = url[len(STATIC_ORIGIN) :].split("?")[0]
            if relative in self.images:
                return URLFetcherResponse(url, body=self.images[relative], headers={"Content-Type": "image/png"})
            if ".." not in Path(relative).parts:
                found = finders.find(relative)
                if found:
                    body = Path(found).read_bytes()
                    mime = mimetypes.guess_type(found)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})
        logger.warning("PDF report: refused to fetch %s", url[:200])
        raise RefusedURL(f"the report may not load {url[:200]}")


def write_pdf(html: str, *, images: Mapping[str, bytes]) -> bytes:
    """The report's HTML as PDF bytes; ``images``: its chart images, for AppStaticFetcher."""
    fetcher = AppStaticFetcher(images=images)
    return HTML(string=html, base_url=STATIC_ORIGIN, url_fetcher=fetcher).write_pdf()
