"""Fixtures of the security tests: the HTTP server that records requests a render must not make."""

from capqvct.core.tests.test_pdf_fetches_nothing import server  # noqa: F401
