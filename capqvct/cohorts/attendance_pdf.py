"""The printable sign-in sheet (feuille d’émargement) of a session, as a PDF (WeasyPrint): the programme,
the call, the cohort, the session in the call's time zone, where it takes place, a line with a blank
signature box for each person expected, and the consultants who lead it."""

from django.template.loader import render_to_string

from capqvct.cohorts.attendance_selectors import event_when, session_consultants, sheet_of
from capqvct.cohorts.models import Session
from capqvct.core.formatting import zone_label
from capqvct.core.pdf import render_pdf


def sign_in_sheet_file_name(session: Session) -> str:
    return f"emargement-seance-{session.pk}.pdf"


def sign_in_sheet_pdf(session: Session) -> bytes:
    call = session.call
    html = render_to_string(
        "cohorts/attendance/sheet_pdf.html",
        {
            "session": session,
            "call": call,
            "programme": call.programme,
            "when": event_when(session),
            "zone": zone_label(call.time_zone, at=session.starts_at),
            "groups": sheet_of(session),
            "consultants": session_consultants(session),
        },
    )
    return render_pdf(html)
