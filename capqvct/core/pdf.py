"""Every PDF of the platform is drawn here, by WeasyPrint, without ever fetching a URL.

A PDF's HTML carries what users typed (answers, names, addresses) and images they uploaded. Were
WeasyPrint left with its default fetcher, an `<img src>`, a CSS `url()` (even written `u\\72l(…)`),
an `@import`, an SVG `<image href>` or an `xml:base` pointing at `http://127.0.0.1:…` or
`file:///etc/…` would make the server reach its own network or read its own files into the document.
`SafeUrlFetcher` answers only `data:` URIs; everything else is refused before any connection, and
the refusal is logged. Fonts come from the system through fontconfig, which is no URL.
"""

import logging

from weasyprint import HTML
from weasyprint.urls import URLFetcher

logger = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("data",)


class SafeUrlFetcher(URLFetcher):
    """A WeasyPrint fetcher that serves `data:` URIs and refuses every other address."""

    def __init__(self):
        super().__init__(allowed_protocols=ALLOWED_SCHEMES, allow_redirects=False, timeout=1)
        self.refused: list[str] = []

    def fetch(self, url, headers=None):
        scheme, _, _ = url.partition(":")
        if scheme.strip().lower() not in ALLOWED_SCHEMES:
            self.refused.append(url)
            logger.warning("PDF rendering refused to fetch %s", url[:200])
            raise ValueError("Only data: URIs are read while rendering a PDF.")
        return super().fetch(url, headers)


def render_pdf(html: str, *, fetcher: SafeUrlFetcher | None = None) -> bytes:
    """The PDF of an HTML document, drawn with no network and no file but the document itself.

    No base URL: a relative address resolves to nothing, and an absolute one is refused."""
    return HTML(string=html, base_url=None, url_fetcher=fetcher or SafeUrlFetcher()).write_pdf()
