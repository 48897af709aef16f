"""Signals the review listens to; data flows from applications to review, so review connects here."""

from django.dispatch import Signal

# Sent once a dossier is withdrawn, with `application` and `by` (who withdrew it).
application_withdrawn = Signal()
