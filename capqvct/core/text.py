"""Small helpers on French text."""

import unicodedata


def without_accents(text: str) -> str:
    """« Béziers » → « Beziers »: to compare with data written without accents, or to sort."""
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
