"""The words of a PDF as a reader sees them, for tests: poppler's pdftotext, without -layout so that a
sentence wrapped over two lines reads as one, every run of spaces (no-break ones included) as one."""

import subprocess


def pdf_text(pdf: bytes) -> str:
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return " ".join(text.split())
