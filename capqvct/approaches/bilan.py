"""The bilan of an establishment's approach as a PDF (WeasyPrint), assembled from the four sequences:
the comité and its decisions, the scope, the communication plan, the EDT, the indicators with their
formulas and their change, the priorities, the action plan with its timeline, what worked and what
continues, the comité's validation and the closures of the sequences."""

from datetime import datetime

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from capqvct.approaches.review_selectors import Bilan, bilan_of
from capqvct.cohorts.models import Participant
from capqvct.core.pdf import render_pdf


def bilan_file_name(participant: Participant) -> str:
    return f"bilan-demarche-qvt-{participant.establishment.finess_et or participant.pk}.pdf"


def bilan_html(participant: Participant, *, now: datetime | None = None, bilan: Bilan | None = None) -> str:
    bilan = bilan or bilan_of(participant, now=now)
    return render_to_string(
        "approaches/bilan_pdf.html",
        {
            "bilan": bilan,
            "participant": participant,
            "call": participant.call,
            # timeline.py escapes every text it draws.
            "timeline": mark_safe(bilan.plan.svg),  # noqa: S308
        },
    )


def bilan_pdf(participant: Participant, *, now: datetime | None = None, bilan: Bilan | None = None) -> bytes:
    return render_pdf(bilan_html(participant, now=now, bilan=bilan))
