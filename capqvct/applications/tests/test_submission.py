import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.core import mail

from capqvct.accounts.models import Role
from capqvct.applications import services
from capqvct.applications.models import ApplicationStatus
from capqvct.calls.deadlines import deadline_instant
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from tests.factories import (
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    departement,
    published_call,
    region,
)

pytestmark = pytest.mark.django_db

FORM = {
    "sections": [
        {
            "key": "projet",
            "title": "Votre projet",
            "fields": [
                {
                    "key": "motivation",
                    "kind": "long_text",
                    "label": "Pourquoi une démarche QVT ?",
                    "required": True,
                    "max_length": 3000,
                },
                {"key": "etp", "kind": "decimal", "label": "Effectif en ETP", "min": 0},
            ],
        }
    ]
}
OPENS = datetime(2022, 8, 1, tzinfo=UTC)
DEADLINE = deadline_instant(day=date(2022, 9, 5), at=None, zone="Indian/Reunion")  # 19:59:59 UTC


@pytest.fixture
def call():
    reunion = region("04", "La Réunion", "Indian/Reunion")
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=reunion).user
    return published_call(
        manager,
        region_code="04",
        programme_title="QVCT La Réunion",
        definition=FORM,
        title="Accompagnement QVCT des ESSMS",
        opens_at=OPENS,
        closes_at=DEADLINE,
    )


@pytest.fixture
def director():
    return MembershipFactory(
        role=Role.DIRECTOR,
        organisation=OrganisationFactory(establishment_space=True),
        user__email="dir@ehpad.re",
    ).user


@pytest.fixture
def application(call, director):
    space = director.memberships.get().organisation
    establishment = EstablishmentFactory(
        departement=departement("974", "La Réunion", "04"), organisation=space
    )
    return services.start_application(call=call, establishment=establishment, by=director, now=OPENS)


def _pdf_text_first_page(content: bytes) -> str:
    """Keep the receipt and its first page as PNG for people to look at; return its text."""
    folder = Path(__file__).resolve().parents[3] / "test-artifacts" / "receipts"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "accuse-reception.pdf").write_bytes(content)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            str(folder / "accuse-reception.pdf"),
            str(folder / "accuse-reception"),
        ],
        check=True,
    )
    return subprocess.run(
        ["pdftotext", "-l", "1", str(folder / "accuse-reception.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _fill(application, director, answers):
    return services.save_draft(
        application=application, answers=answers, by=director, expected_version=application.lock_version
    )


def test_a_draft_keeps_an_invalid_answer_and_says_why(application, director):
    errors = _fill(application, director, {"etp": "beaucoup"})
    assert application.answers == {"etp": "beaucoup"}
    assert list(errors) == ["etp"]
    assert application.changes.get().fields == ["etp"]


def test_a_colleague_saving_from_an_old_page_is_told_to_reload(application, director):
    stale_version = application.lock_version
    _fill(application, director, {"motivation": "Première version"})
    with pytest.raises(services.StaleDraft):
        services.save_draft(
            application=application,
            answers={"motivation": "Autre"},
            by=director,
            expected_version=stale_version,
        )
    application.refresh_from_db()
    assert application.answers == {"motivation": "Première version"}


def test_submitting_one_second_before_midnight_in_la_reunion_is_accepted_with_a_receipt(
    application, director, django_capture_on_commit_callbacks
):
    _fill(application, director, {"motivation": "Réduire l’absentéisme de nuit.", "etp": "42,5"})
    with django_capture_on_commit_callbacks(execute=True):
        submission = services.submit_application(
            application=application, by=director, now=datetime(2022, 9, 5, 19, 59, 59, 900000, tzinfo=UTC)
        )

    assert application.status == ApplicationStatus.SUBMITTED
    assert len(submission.fingerprint) == 64
    message = mail.outbox[-1]
    assert message.to == ["dir@ehpad.re"]
    name, content, mimetype = message.attachments[0]
    assert mimetype == "application/pdf" and content.startswith(b"%PDF")
    text = _pdf_text_first_page(content)
    assert "Accusé de réception" in text
    assert "5 septembre 2022 à 23 h 59 (heure de La Réunion) et 59 secondes" in " ".join(text.split())
    assert submission.fingerprint in text.replace("\n", "")
    assert AuditEvent.objects.filter(action="application_submitted").exists()


def test_submitting_at_midnight_in_la_reunion_is_refused_and_the_draft_is_kept(application, director):
    _fill(application, director, {"motivation": "En retard"})
    with pytest.raises(Refusal, match="clos depuis le 5\u00a0septembre 2022 inclus"):
        services.submit_application(
            application=application, by=director, now=datetime(2022, 9, 5, 20, 0, tzinfo=UTC)
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert application.answers == {"motivation": "En retard"}


def test_a_missing_required_answer_is_refused_field_by_field(application, director):
    with pytest.raises(services.InvalidAnswers) as refusal:
        services.submit_application(application=application, by=director, now=OPENS)
    assert list(refusal.value.errors) == ["motivation"]


def test_reopen_and_submit_again_keeps_every_version(application, director):
    _fill(application, director, {"motivation": "v1"})
    services.submit_application(application=application, by=director, now=OPENS)
    services.reopen_application(application=application, by=director, now=OPENS + timedelta(days=1))
    _fill(application, director, {"motivation": "v2"})
    services.submit_application(application=application, by=director, now=OPENS + timedelta(days=2))

    assert [s.answers["motivation"] for s in application.submissions.order_by("number")] == ["v1", "v2"]


def test_after_the_deadline_a_submitted_dossier_cannot_be_reopened(application, director):
    _fill(application, director, {"motivation": "v1"})
    services.submit_application(application=application, by=director, now=OPENS)
    with pytest.raises(Refusal):
        services.reopen_application(application=application, by=director, now=DEADLINE + timedelta(seconds=1))


def test_an_establishment_of_another_region_is_not_eligible(call, director):
    space = director.memberships.get().organisation
    elsewhere = EstablishmentFactory(departement=departement("34"), organisation=space)
    with pytest.raises(Refusal, match="région La Réunion"):
        services.start_application(call=call, establishment=elsewhere, by=director, now=OPENS)


def test_only_members_of_the_establishment_may_fill_in_its_dossier(application):
    stranger = MembershipFactory(
        role=Role.DIRECTOR, organisation=OrganisationFactory(establishment_space=True)
    ).user
    with pytest.raises(Refusal):
        services.save_draft(application=application, answers={}, by=stranger, expected_version=0)


def test_one_dossier_per_establishment_and_call(application, director):
    with pytest.raises(Refusal, match="existe déjà"):
        services.start_application(
            call=application.call, establishment=application.establishment, by=director, now=OPENS
        )


def test_withdrawal_is_logged(application, director):
    services.withdraw_application(application=application, by=director)
    assert application.status == ApplicationStatus.WITHDRAWN
    assert AuditEvent.objects.filter(action="application_withdrawn").exists()
