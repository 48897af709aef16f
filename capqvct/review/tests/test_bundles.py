"""The archive of a call's dossiers: its content, its task, the prepare → status → download flow, who may."""

import io
import os
import zipfile
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from capqvct.accounts.models import Role
from capqvct.applications.models import Application, ApplicationStatus, Attachment, Submission
from capqvct.calls import services as call_services
from capqvct.calls.models import CallKind
from capqvct.core.models import AuditEvent
from capqvct.review.bundle_tasks import build_review_bundle
from capqvct.review.bundles import build_bundle, bundle_path, exports_dir
from capqvct.review.models import Review
from tests.factories import EstablishmentFactory, MembershipFactory, departement, published_call, region

pytestmark = pytest.mark.django_db

SUBMITTED_AT = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
FORM = {
    "sections": [
        {
            "key": "projet",
            "title": "Votre projet",
            "fields": [{"key": "motivation", "kind": "long_text", "label": "Motivation", "max_length": 3000}],
        }
    ]
}


@pytest.fixture
def manager():
    departement("34", "Hérault", "76")
    return MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation__region=region("76", "Occitanie"), user__email="g@ars.fr"
    ).user


@pytest.fixture
def other_manager():
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("84", "Auvergne")).user


@pytest.fixture
def review(manager):
    call = published_call(
        manager,
        definition=FORM,
        opens_at=SUBMITTED_AT - timedelta(days=30),
        closes_at=SUBMITTED_AT + timedelta(days=1),
    )
    return Review.objects.create(call=call, started_by=manager)


def dossier(review, name, finess, *, status=ApplicationStatus.IN_REVIEW, files=()):
    form_version = call_services.current_form(review.call)
    answers = {"motivation": f"Motivation de {name}"}
    application = Application.objects.create(
        call=review.call,
        establishment=EstablishmentFactory(name=name, finess_et=finess, departement_id="34"),
        status=status,
        form_version=form_version,
        answers=answers,
        submitted_at=SUBMITTED_AT,
    )
    Submission.objects.create(
        application=application,
        number=1,
        submitted_at=SUBMITTED_AT,
        form_version=form_version,
        answers=answers,
        fingerprint="0" * 64,
    )
    for file_name, content in files:
        Attachment.objects.create(
            application=application,
            name=file_name,
            size=len(content),
            content_type="application/pdf",
            sha256="0" * 64,
            file=ContentFile(content, name="x"),
        )
    return application


@pytest.fixture
def dossiers(review):
    return [
        dossier(
            review,
            "EHPAD Les Tilleuls",
            "340000001",
            files=[("budget.pdf", b"budget 1"), ("budget.pdf", b"budget 2"), ("dossier.pdf", b"homonyme")],
        ),
        dossier(review, "SSIAD de l’Aude/Nord", "110000002"),
        dossier(review, "EHPAD Brouillon", "340000003", status=ApplicationStatus.DRAFT),
    ]


def read_zip(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_zip_has_a_folder_per_dossier_in_review_with_its_pdf_and_attachments(review, dossiers):
    file_name = build_bundle(review.pk)

    assert file_name.endswith(".zip") and len(file_name) == 36
    content = read_zip(exports_dir() / file_name)
    assert sorted(content) == [
        "110000002 SSIAD de l’Aude Nord/dossier.pdf",
        "340000001 EHPAD Les Tilleuls/budget (2).pdf",
        "340000001 EHPAD Les Tilleuls/budget.pdf",
        "340000001 EHPAD Les Tilleuls/dossier (2).pdf",
        "340000001 EHPAD Les Tilleuls/dossier.pdf",
    ]
    assert content["340000001 EHPAD Les Tilleuls/dossier.pdf"].startswith(b"%PDF")
    assert content["340000001 EHPAD Les Tilleuls/budget.pdf"] == b"budget 1"
    assert content["340000001 EHPAD Les Tilleuls/budget (2).pdf"] == b"budget 2"
    assert content["340000001 EHPAD Les Tilleuls/dossier (2).pdf"] == b"homonyme"
    assert [p.name for p in exports_dir().iterdir()] == [file_name]  # no partial file left


def test_each_build_has_its_own_random_name(review, dossiers):
    assert build_bundle(review.pk) != build_bundle(review.pk)


def test_archives_older_than_a_day_are_deleted_by_the_next_build_and_the_daily_command(review, dossiers):
    old = build_bundle(review.pk)
    interrupted = exports_dir() / f"{'a' * 32}.zip.part"
    interrupted.write_bytes(b"partial")
    stranger = exports_dir() / "notes.txt"
    stranger.write_text("not ours")
    two_days_ago = (datetime.now(tz=UTC) - timedelta(days=2)).timestamp()
    for path in (exports_dir() / old, interrupted, stranger):
        os.utime(path, (two_days_ago, two_days_ago))
    fresh = build_bundle(review.pk)
    assert bundle_path(old) is None and not interrupted.exists()
    assert bundle_path(fresh) is not None and stranger.exists()
    os.utime(exports_dir() / fresh, (two_days_ago, two_days_ago))
    output = io.StringIO()
    call_command("purge_review_exports", stdout=output)
    assert output.getvalue().strip() == "1 archive(s) supprimée(s)."
    assert bundle_path(fresh) is None


def test_the_task_returns_the_file_name_and_is_audited(review, dossiers, manager):
    result = build_review_bundle.enqueue(review.pk, by_id=manager.pk)

    assert result.status == "SUCCESSFUL"
    assert (exports_dir() / result.return_value).is_file()
    event = AuditEvent.objects.get(action="review_bundle_built")
    assert event.actor == manager
    assert event.details == {"file": result.return_value, "dossiers": 2}


def urls(review) -> tuple[str, str, str]:
    base = f"/instruction/appels/{review.call_id}/archive/"
    return base, f"{base}etat/", f"{base}telecharger/"


def test_the_ranking_page_offers_the_archive(verified_client, manager, review):
    page = verified_client(manager).get(f"/instruction/appels/{review.call_id}/classement/").content.decode()
    assert "Préparer l’archive" in page
    assert f'hx-get="{urls(review)[1]}"' in page


def test_prepare_then_download_with_the_immediate_backend(verified_client, manager, review, dossiers):
    prepare, status, download = urls(review)
    client = verified_client(manager)
    assert client.get(status).content.decode().count("Télécharger") == 0
    assert client.get(download).status_code == 404

    response = client.post(prepare)

    assert response.status_code == 302
    assert response["Location"] == f"/instruction/appels/{review.call_id}/classement/#archive-dossiers"
    fragment = client.get(status).content.decode()
    assert "Télécharger l’archive" in fragment and "hx-trigger" not in fragment
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="dossiers-appel-{review.call_id}.zip"'
    content = read_zip(io.BytesIO(b"".join(response.streaming_content)))
    assert "340000001 EHPAD Les Tilleuls/dossier.pdf" in content


# db_worker closes the database connection when it ends: the test cannot live inside a transaction.
@pytest.mark.django_db(transaction=True)
def test_the_database_queue_is_polled_until_the_archive_is_ready(
    settings, verified_client, manager, review, dossiers, signal_handlers
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    prepare, status, download = urls(review)
    client = verified_client(manager)
    client.post(prepare)

    fragment = client.get(status).content.decode()
    assert "Archive en préparation…" in fragment and 'hx-trigger="every 2s"' in fragment
    assert client.get(download).status_code == 404

    call_command(
        "db_worker", batch=True, startup_delay=False, reload=False, verbosity=0, stdout=io.StringIO()
    )

    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert "Télécharger l’archive" in client.get(status).content.decode()
    response = client.get(download)
    assert response.status_code == 200
    assert len(read_zip(io.BytesIO(b"".join(response.streaming_content)))) == 5


def test_an_archive_is_only_for_the_call_it_was_prepared_for(verified_client, manager, review, dossiers):
    client = verified_client(manager)
    client.post(urls(review)[0])
    other_call = call_services.create_call(
        programme=review.call.programme,
        by=manager,
        definition=FORM,
        kind=CallKind.AAC,
        title="Autre appel",
        opens_at=SUBMITTED_AT - timedelta(days=30),
        closes_at=SUBMITTED_AT + timedelta(days=1),
    )
    other_review = Review.objects.create(call=other_call, started_by=manager)

    assert client.get(urls(other_review)[2]).status_code == 404
    assert client.get(urls(review)[2]).status_code == 200


def test_a_manager_of_another_region_gets_404(verified_client, manager, other_manager, review, dossiers):
    prepare, status, download = urls(review)
    verified_client(manager).post(prepare)
    client = verified_client(other_manager)
    assert client.post(prepare).status_code == 404
    assert client.get(status).status_code == 404
    assert client.get(download).status_code == 404
    assert not AuditEvent.objects.filter(action="review_bundle_built", actor=other_manager).exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, review):
    for url in urls(review):
        assert client.get(url).status_code == 302
