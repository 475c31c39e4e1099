"""The WeasyPrint side of the PDF report: imported only through reports.pdf.load_pdf_writer(), when a PDF is made.

WeasyPrint loads Pango and HarfBuzz as it is imported; no other module imports
this one at its top, so a server without those libraries serves every other page.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from django.contrib.staticfiles import finders
from weasyprint import HTML
from weasyprint.formatting_structure.boxes import MarginBox
from weasyprint.pdf.stream import Stream
from weasyprint.urls import URLFetcher, URLFetcherResponse

from reports.pdf import STATIC_ORIGIN, RefusedURL

logger = logging.getLogger(__name__)

# Tagged PDF for accessibility (PDF/UA-1, ISO 14289-1): public-sector bodies' documents.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


class AppStaticFetcher(URLFetcher):
    """Serves the app's own static files, the report's chart images and data: URIs; refuses everything else.

    ``images``: the report's chart drawings (SVG) by their path under reports.pdf.CHARTS_PATH,
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
                mime = mimetypes.guess_type(relative)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=self.images[relative], headers={"Content-Type": mime})
            if ".." not in Path(relative).parts:
                found = finders.find(relative)
                if found:
                    body = Path(found).read_bytes()
                    mime = mimetypes.guess_type(found)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})
        logger.warning("PDF report: refused to fetch %s", url[:200])
        raise RefusedURL(f"the report may not load {url[:200]}")


def write_pdf(html: str, *, images: Mapping[str, bytes]) -> bytes:
    """The report's HTML as tagged PDF/UA-1 bytes; ``images``: its chart drawings, for AppStaticFetcher.

    PDF/UA-1: a structure tree in reading order, the figures' alternative text,
    table header cells, the document's language (the HTML's lang) and its title
    shown as the window's. The running header and footer (the pages' margin
    boxes) are marked as artefacts, not content (_ArtefactMargins).
    """
    fetcher = AppStaticFetcher(images=images)
    document = HTML(string=html, base_url=STATIC_ORIGIN, url_fetcher=fetcher).render(**PDF_OPTIONS)
    with _margins_as_artefacts(document):
        return document.write_pdf(**PDF_OPTIONS)


# The boxes of the pages' margins (running header and footer) of the document being written, by id.
_MARGIN_BOXES: ContextVar[frozenset[int]] = ContextVar("margin_boxes", default=frozenset())


@contextmanager
def _margins_as_artefacts(document):
    """While ``document`` is written, the text of its pages' margin boxes is marked as an artefact.

    WeasyPrint 70 tags that text as content of structure elements it leaves out of
    the structure tree; PDF/UA wants running headers and footers as artefacts
    (ISO 14289-1, 7.8), which screen readers skip.
    """
    ids = frozenset(
        id(box)
        for page in document.pages
        for margin in page._page_box.children
        if isinstance(margin, MarginBox)
        for box in margin.descendants()
    )
    token = _MARGIN_BOXES.set(ids)
    try:
        yield
    finally:
        _MARGIN_BOXES.reset(token)


_weasyprint_marked = Stream.marked


@contextmanager
def _marked(self, box, tag):
    """Stream.marked, but a margin box's text is an artefact (its tag still recorded, as the tree builder expects)."""
    if self._tags is None or id(box) not in _MARGIN_BOXES.get():
        with _weasyprint_marked(self, box, tag):
            yield
        return
    self._tags[box] = {"tag": tag, "mcid": len(self._tags)}
    with self.artifact():
        yield


Stream.marked = _marked
