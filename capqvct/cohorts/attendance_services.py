"""Attendance at the sessions, the scans of their signed paper sheets, and the support visits' reports.

Each service checks who acts (cohorts/permissions.py), refuses with a French message (at the field
when one is to blame), and writes its audit event in the same transaction as its change.
"""

from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from capqvct.applications.attachments import check_upload, received_file
from capqvct.calls.formdef.schema import Field, Kind
from capqvct.cohorts.attendance_selectors import event_when, expected_members, local_day
from capqvct.cohorts.models import (
    Attendance,
    EventStatus,
    Session,
    SignInSheetScan,
    SupportVisit,
    VisitReportVersion,
)
from capqvct.cohorts.permissions import (
    can_declare_presence,
    can_record_attendance,
    can_write_visit_report,
)
from capqvct.core.emails import send_templated_email
from capqvct.core.exceptions import Refusal
from capqvct.core.formatting import format_date, format_datetime, french_spacing
from capqvct.core.permissions import ensure
from capqvct.core.services import record_event

# A signed sheet comes back scanned or photographed.
SCAN_FIELD = Field(
    key="scan",
    kind=Kind.FILE,
    label="Feuille d’émargement signée",
    extensions=("pdf", "jpg", "jpeg", "png"),
    max_size_mb=10,
)
REPORT_MAX_LENGTH = 5000
REPORT_FIELDS = {"done": "Ce qui a été fait", "decisions": "Décisions", "next_steps": "Prochaines étapes"}


def _ensure_takes_attendance(session: Session, now: datetime) -> None:
    if session.status == EventStatus.CANCELLED:
        raise Refusal("Cette séance est annulée : elle ne prend pas d’émargement.")
    zone = session.call.time_zone
    day = local_day(session.starts_at, zone)
    if local_day(now, zone) < day:
        raise Refusal(f"L’émargement s’ouvre le jour de la séance, le {format_date(day)}.")


def record_attendance(*, session: Session, by, presence: dict[int, bool], now: datetime | None = None) -> int:
    """Record who was present or absent (trio member id → present) for the people expected at the
    session; a line changed takes the recorder and the time. Returns the number of lines changed."""
    now = now or timezone.now()
    ensure(can_record_attendance(by, session))
    _ensure_takes_attendance(session, now)
    if not presence:
        raise Refusal("Indiquez « présent » ou « absent » pour au moins une personne.")
    expected = {member.pk for member in expected_members(session)}
    if set(presence) - expected:
        raise Refusal("Une des personnes indiquées n’est pas attendue à cette séance : rechargez la page.")
    changed = []
    with transaction.atomic():
        existing = {
            a.trio_member_id: a for a in Attendance.objects.select_for_update().filter(session=session)
        }
        for member_id, present in presence.items():
            line = existing.get(member_id)
            if line is not None and line.present == present and not line.self_declared:
                continue
            line = line or Attendance(session=session, trio_member_id=member_id)
            line.present, line.self_declared = present, False
            line.recorded_by, line.recorded_at = by, now
            line.save()
            changed.append(member_id)
        if changed:
            record_event(
                action="attendance_recorded",
                actor=by,
                target=session,
                details={
                    "present": sorted(m for m in changed if presence[m]),
                    "absent": sorted(m for m in changed if not presence[m]),
                },
            )
    return len(changed)


def declare_presence(*, session: Session, by, now: datetime | None = None) -> Attendance:
    """A trio member, signed in, ticks themself present, on the session's day only."""
    now = now or timezone.now()
    member = next(
        (m for m in expected_members(session) if m.user_id == getattr(by, "pk", None) and m.active), None
    )
    if member is None:
        raise Refusal("Vous n’êtes pas attendu à cette séance comme membre d’un trinôme.")
    ensure(can_declare_presence(by, member))
    if session.status == EventStatus.CANCELLED:
        raise Refusal("Cette séance est annulée : elle ne prend pas d’émargement.")
    zone = session.call.time_zone
    day = local_day(session.starts_at, zone)
    if local_day(now, zone) != day:
        raise Refusal(f"Vous signalez votre présence le jour de la séance seulement, le {format_date(day)}.")
    with transaction.atomic():
        line, _ = Attendance.objects.select_for_update().update_or_create(
            session=session,
            trio_member=member,
            defaults={"present": True, "self_declared": True, "recorded_by": by, "recorded_at": now},
        )
        record_event(
            action="attendance_self_declared", actor=by, target=session, details={"trio_member": member.pk}
        )
    return line


def attach_scan(*, session: Session, upload: UploadedFile | None, by) -> SignInSheetScan:
    """Keep the scan of the signed paper sheet (PDF, JPEG or PNG, 10 Mo at most)."""
    ensure(can_record_attendance(by, session))
    if session.status == EventStatus.CANCELLED:
        raise Refusal("Cette séance est annulée : elle ne prend pas d’émargement.", field="scan")
    if upload is None:
        raise Refusal("Choisissez le fichier de la feuille signée.", field="scan")
    if problem := check_upload(SCAN_FIELD, upload):
        raise Refusal(problem, field="scan")
    with transaction.atomic():
        scan = SignInSheetScan(session=session, uploaded_by=by, **received_file(upload))
        scan.file.save("emargement", upload, save=False)
        scan.save()
        record_event(
            action="sign_in_sheet_scan_attached",
            actor=by,
            target=session,
            details={"scan": scan.pk, "name": scan.name, "sha256": scan.sha256},
        )
    return scan


def write_visit_report(
    *,
    visit: SupportVisit,
    by,
    done: str,
    decisions: str = "",
    next_steps: str = "",
    now: datetime | None = None,
) -> VisitReportVersion:
    """Write or edit the report of a visit that took place; the first writing stays on the visit, and
    every writing is kept as a version with its author and time."""
    now = now or timezone.now()
    ensure(can_write_visit_report(by, visit))
    if visit.status == EventStatus.CANCELLED:
        raise Refusal("Cette rencontre est annulée : elle n’a pas de compte rendu.")
    if visit.ends_at > now:
        ends = format_datetime(visit.ends_at, visit.participant.call.time_zone)
        raise Refusal(f"Le compte rendu s’écrit après la rencontre, qui finit le {ends}.")
    # Typed with ordinary spaces, kept as French typography spaces it (« : », « ; »).
    texts = {
        name: french_spacing(text.strip())
        for name, text in (("done", done), ("decisions", decisions), ("next_steps", next_steps))
    }
    if not texts["done"]:
        raise Refusal("Dites ce qui a été fait pendant la rencontre.", field="done")
    for name, text in texts.items():
        if len(text) > REPORT_MAX_LENGTH:
            raise Refusal(
                f"{REPORT_FIELDS[name]} : {REPORT_MAX_LENGTH} caractères au plus ({len(text)} saisis).",
                field=name,
            )
    with transaction.atomic():
        locked = SupportVisit.objects.select_for_update().get(pk=visit.pk)
        first = locked.report_written_at is None
        locked.report_done, locked.report_decisions, locked.report_next_steps = texts.values()
        if first:
            locked.report_written_at, locked.report_written_by = now, by
        locked.save(
            update_fields=[
                "report_done",
                "report_decisions",
                "report_next_steps",
                "report_written_at",
                "report_written_by",
                "updated_at",
            ]
        )
        version = VisitReportVersion.objects.create(visit=locked, written_by=by, written_at=now, **texts)
        if first:
            _send_report(locked, by=by)
        record_event(
            action="visit_report_written" if first else "visit_report_edited",
            actor=by,
            target=locked,
            details={"version": version.pk},
        )
    return version


def _send_report(visit: SupportVisit, *, by) -> None:
    """The first writing of a report goes by e-mail to the trinôme (its active members' addresses from
    the dossier), in the report's transaction: it leaves after the commit."""
    participant = visit.participant
    recipients = sorted(
        {email.lower() for email in participant.trio.filter(active=True).values_list("email", flat=True)}
        - {by.email.lower()}
    )
    if not recipients:
        return
    when = event_when(visit)
    send_templated_email(
        to=recipients,
        subject=f"Cap QVCT — Compte rendu de la rencontre {when}",
        template="cohorts/attendance/emails/visit_report.txt",
        purpose="cohorts.visit_report",
        by=by,
        about=visit,
        context={
            "visit": visit,
            "participant": participant,
            "writer": by.get_full_name() or by.email,
            "when": when,
            "path": reverse("cohorts:participation", args=[participant.pk]),
        },
    )
