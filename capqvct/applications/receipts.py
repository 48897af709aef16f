"""The dated receipt of a submission, as a PDF (WeasyPrint)."""

from django.template.loader import render_to_string

from capqvct.applications.models import Submission
from capqvct.applications.summary import summarize
from capqvct.calls.application_form import dossier_form
from capqvct.core.formatting import format_datetime
from capqvct.core.pdf import render_pdf


def receipt_pdf(submission: Submission) -> bytes:
    application = submission.application
    call = application.call
    html = render_to_string(
        "applications/receipt.html",
        {
            "submission": submission,
            "application": application,
            "call": call,
            "submitted_at": format_datetime(submission.submitted_at, call.time_zone, with_zone=True),
            "seconds": f"{submission.submitted_at.second:02d}",
            # The header names the establishment and its FINESS number: the answers do not repeat it.
            "sections": summarize(
                dossier_form(call, submission.form_version),
                submission.answers,
                shown_elsewhere=application.establishment.finess_et,
            ),
        },
    )
    return render_pdf(html)


def receipt_pdf_of(*, submission_id: int) -> bytes:
    """The outbox's attachment builder: the receipt of a submission, built when the e-mail leaves."""
    return receipt_pdf(
        Submission.objects.select_related(
            "application__call__programme__region", "application__establishment"
        ).get(pk=submission_id)
    )
