"""The printable sign-in sheet and its scan: the PDF carries every expected name and the session's
local date and time (La Réunion's for a call of La Réunion); the scan is refused with its reason at the
field when of a wrong type or too big, and otherwise downloaded again as it was sent."""

from datetime import UTC, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from capqvct.cohorts.attendance_pdf import sign_in_sheet_pdf
from capqvct.cohorts.models import Mode, Session, SignInSheetScan, TrioMember
from capqvct.cohorts.tests.builders import manager_of_occitanie, quick_confirmed_cohorts, session_of
from capqvct.core.models import AuditEvent
from tests.factories import login_verified
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return manager_of_occitanie()


@pytest.fixture
def cohort(manager):
    return quick_confirmed_cohorts(manager, per_cohort=2)[0]


def session_at(cohort, starts: datetime, ends: datetime, **fields) -> Session:
    return Session.objects.create(
        call=cohort.call, cohort=cohort, number=2, starts_at=starts, ends_at=ends, **fields
    )


def test_the_sheet_carries_every_expected_name_and_the_consultants(client, cohort):
    session = session_of(cohort, address="EHPAD Les Tilleuls, Montpellier")
    login_verified(client, cohort.pair.first)
    response = client.get(reverse("cohorts:attendance_pdf", args=[session.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(b"".join(response.streaming_content))
    assert "Feuille d’émargement" in text
    for member in TrioMember.objects.filter(participant__cohort=cohort):
        assert member.name in text
    for participant in cohort.participants.all():
        assert participant.establishment.name in text
    assert "Représentant du personnel" in text
    for person in (cohort.pair.first, cohort.pair.second):
        assert person.get_full_name() in text
    assert cohort.call.title in text and cohort.call.programme.title in text and cohort.name in text
    assert "EHPAD Les Tilleuls, Montpellier" in text


def test_the_sheet_shows_the_time_of_paris(cohort):
    session = session_at(
        cohort, datetime(2026, 3, 10, 8, 0, tzinfo=UTC), datetime(2026, 3, 10, 16, 30, tzinfo=UTC)
    )
    text = pdf_text(sign_in_sheet_pdf(session))
    assert "Séance n° 2" in text
    assert "10 mars 2026, de 9 h à 17 h 30" in text


def test_a_call_of_la_reunion_shows_la_reunion_time(cohort):
    region = cohort.call.programme.region
    region.time_zone = "Indian/Reunion"
    region.save()
    session = session_at(
        cohort,
        datetime(2026, 3, 10, 5, 0, tzinfo=UTC),
        datetime(2026, 3, 10, 13, 0, tzinfo=UTC),
        mode=Mode.VIDEO,
        video_url="https://visio.example.org/seance-2",
    )
    text = pdf_text(sign_in_sheet_pdf(session))
    assert "10 mars 2026, de 9 h à 17 h (heure de La Réunion)" in text
    assert "https://visio.example.org/seance-2" in text


def post_scan(client, session, upload):
    return client.post(
        reverse("cohorts:attendance_sheet", args=[session.pk]), {"form": "scan", "scan": upload}
    )


def test_a_scan_is_attached_and_downloaded_again(client, cohort):
    session = session_of(cohort)
    content = sign_in_sheet_pdf(session)
    login_verified(client, cohort.pair.first)
    response = post_scan(client, session, SimpleUploadedFile("feuille signée.pdf", content))
    assert response.status_code == 302
    scan = SignInSheetScan.objects.get()
    assert (scan.name, scan.content_type, scan.uploaded_by) == (
        "feuille signée.pdf",
        "application/pdf",
        cohort.pair.first,
    )
    assert AuditEvent.objects.filter(action="sign_in_sheet_scan_attached").count() == 1
    page = client.get(reverse("cohorts:attendance_sheet", args=[session.pk])).content.decode()
    assert reverse("cohorts:attendance_scan", args=[scan.pk]) in page
    download = client.get(reverse("cohorts:attendance_scan", args=[scan.pk]))
    assert b"".join(download.streaming_content) == content
    assert "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("feuille.docx", b"PK\x03\x04 not really", "Ce format de fichier n’est pas accepté."),
        (
            "feuille.pdf",
            b"MZ\x90\x00 an executable",
            "Le contenu de ce fichier ne correspond pas à un fichier PDF.",
        ),
        (
            "feuille.pdf",
            b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024),
            "Le fichier dépasse la taille maximale de 10\u00a0Mo.",
        ),
    ],
)
def test_a_wrong_scan_is_refused_at_the_field(client, cohort, name, content, message):
    session = session_of(cohort)
    login_verified(client, cohort.pair.first)
    page = post_scan(client, session, SimpleUploadedFile(name, content)).content.decode()
    assert f'<p id="scan-erreur" class="fr-error-text">{message}' in page
    assert not SignInSheetScan.objects.exists()
    assert not AuditEvent.objects.filter(action="sign_in_sheet_scan_attached").exists()


def test_a_stranger_cannot_download_a_scan(client, cohort, manager):
    session = session_of(cohort)
    scan = SignInSheetScan(session=session, name="f.pdf", size=4, content_type="application/pdf", sha256="0")
    scan.file.save("emargement", SimpleUploadedFile("f.pdf", b"%PDF"), save=True)
    other = quick_confirmed_cohorts(manager, per_cohort=1)[0]
    login_verified(client, other.pair.first)
    assert client.get(reverse("cohorts:attendance_scan", args=[scan.pk])).status_code == 404
