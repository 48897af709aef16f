"""The sign-in sheet of a session (digital, and as a printable PDF with its scan), a trio member's own
« je suis présent », and the report of a support visit.

Sessions come through sessions_followed_by (the programme managers and the cohort's pair) or
sessions_expecting (the trio members expected), visits through visits_reported_by (their consultant
and the pair): anyone else gets a 404.
"""

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from capqvct.cohorts import attendance_services
from capqvct.cohorts.attendance_forms import (
    ABSENT,
    PRESENT,
    AttendanceSheetForm,
    PostedForm,
    ScanForm,
    VisitReportForm,
)
from capqvct.cohorts.attendance_pdf import sign_in_sheet_file_name, sign_in_sheet_pdf
from capqvct.cohorts.attendance_selectors import (
    event_when,
    scans_followed_by,
    scans_of,
    session_consultants,
    sessions_expecting,
    sessions_followed_by,
    sheet_of,
    visits_reported_by,
)
from capqvct.cohorts.cohort_views import _cohort_crumbs, _linked
from capqvct.cohorts.models import Session
from capqvct.core.exceptions import Refusal
from capqvct.core.formatting import zone_label
from capqvct.core.outcomes import report_outcome


def _session_crumbs(user, session: Session) -> list:
    if session.cohort is None:
        return [(session.call.title, None), (f"Émargement — {session}", None)]
    return [
        *_cohort_crumbs(user, session.cohort)[:-1],
        _linked(session.cohort),
        (f"Émargement — {session}", None),
    ]


def sheet(request, pk: int):
    """The session's sign-in sheet: « présent » / « absent » for everyone expected, and its scan."""
    session = get_object_or_404(sessions_followed_by(request.user), pk=pk)
    groups = sheet_of(session)
    members = [line.member for group in groups for line in group.lines]
    attendance_form = AttendanceSheetForm(members=members)
    scan_form = ScanForm()
    scan_error = None
    if request.method == "POST":
        if PostedForm(request.POST).posted() == "scan":
            scan_form = ScanForm(request.POST, request.FILES)
            scan_form.is_valid()
            try:
                attendance_services.attach_scan(session=session, upload=scan_form.upload(), by=request.user)
            except Refusal as refusal:
                scan_error = refusal.message
                messages.error(request, refusal.message)
            else:
                messages.success(request, "Feuille signée jointe à la séance.")
                return redirect("cohorts:attendance_sheet", pk=session.pk)
        else:
            attendance_form = AttendanceSheetForm(request.POST, members=members)
            if report_outcome(
                request,
                lambda: attendance_services.record_attendance(
                    session=session, by=request.user, presence=attendance_form.presence()
                ),
                success="Émargement enregistré.",
            ):
                return redirect("cohorts:attendance_sheet", pk=session.pk)
    # What was chosen (posted, else recorded) for each line, so a refused form loses nothing.
    posted = attendance_form.data if attendance_form.is_bound else {}
    for group in groups:
        for line in group.lines:
            line.choice = posted.get(f"member-{line.member.pk}", line.state) if posted else line.state
    zone = session.call.time_zone
    return render(
        request,
        "cohorts/attendance/sheet.html",
        {
            "page_title": f"Émargement — {session} — {session.call.title}",
            "session": session,
            "call": session.call,
            "when": event_when(session),
            "zone": zone_label(zone, at=session.starts_at),
            "groups": groups,
            "consultants": session_consultants(session),
            "scans": scans_of(session),
            "scan_error": scan_error,
            "PRESENT": PRESENT,
            "ABSENT": ABSENT,
            "breadcrumb": _session_crumbs(request.user, session),
        },
    )


@require_POST
def declare(request, pk: int):
    """A trio member ticks themself present, on the session's day."""
    session = get_object_or_404(sessions_expecting(request.user), pk=pk)
    report_outcome(
        request,
        lambda: attendance_services.declare_presence(session=session, by=request.user),
        success="Votre présence est enregistrée. Bonne séance.",
    )
    return redirect("cohorts:mine")


def sheet_pdf(request, pk: int):
    """The printable sheet, to sign on paper."""
    session = get_object_or_404(sessions_followed_by(request.user), pk=pk)
    return FileResponse(
        iter([sign_in_sheet_pdf(session)]),
        content_type="application/pdf",
        filename=sign_in_sheet_file_name(session),
    )


def scan(request, pk: int):
    """A signed sheet's scan, downloaded again, as it was received."""
    found = get_object_or_404(scans_followed_by(request.user), pk=pk)
    return FileResponse(
        found.file.open("rb"), as_attachment=True, filename=found.name, content_type=found.content_type
    )


def visit_report(request, pk: int):
    """Write or edit the report of a support visit that took place."""
    visit = get_object_or_404(visits_reported_by(request.user), pk=pk)
    participant = visit.participant
    initial = {
        "done": visit.report_done,
        "decisions": visit.report_decisions,
        "next_steps": visit.report_next_steps,
    }
    form = VisitReportForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            attendance_services.write_visit_report(visit=visit, by=request.user, **form.cleaned_data)
        except Refusal as refusal:
            form.add_refusal(refusal)
            if refusal.field is None:
                messages.error(request, refusal.message)
        else:
            messages.success(request, "Compte rendu enregistré : l’établissement peut le lire.")
            return redirect(reverse("cohorts:participation", args=[participant.pk]) + "#comptes-rendus")
    return render(
        request,
        "cohorts/attendance/report.html",
        {
            "page_title": f"Compte rendu — {participant.establishment.name}",
            "visit": visit,
            "participant": participant,
            "when": event_when(visit),
            "form": form,
            "breadcrumb": [
                ("Mes collectifs", reverse("cohorts:mine")),
                (participant.establishment.name, reverse("cohorts:participation", args=[participant.pk])),
                ("Compte rendu", None),
            ],
        },
    )
