"""The import pages: upload, mapping, preview, import and report, and who may see them."""

from datetime import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from capqvct.accounts.models import Role
from capqvct.applications.models import Application, ApplicationStatus, ImportBatch, ImportStatus
from capqvct.applications.tests.test_imports import HEADERS, ehpad, make_call, upload, xlsx
from tests.factories import MembershipFactory, OrganisationFactory, login_verified, region
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation__region=region("76"), user__email="agent@ars-occitanie.fr"
    ).user


@pytest.fixture
def call(manager):
    return make_call(manager, required_attachments=[{"label": "Lettre d’engagement", "required": False}])


@pytest.fixture
def agent(client, manager):
    return login_verified(client, manager)


def _file():
    ehpad("340000017", "EHPAD Les Cigales")
    return xlsx(
        HEADERS,
        ["340000017", "EHPAD Les Cigales", "Public", datetime(2021, 11, 16, 14, 30)],
        ["999999999", "Inconnu", "Public", datetime(2021, 11, 16)],
    )


def _base(call) -> str:
    return f"/dossiers/gestion/appels/{call.pk}/import/"


def test_an_agent_uploads_maps_previews_and_imports_a_spreadsheet(agent, call):
    page = agent.get(_base(call))
    assert page.status_code == 200 and typography_errors(page.content.decode()) == []

    response = agent.post(_base(call), {"file": SimpleUploadedFile("export.xlsx", _file())})
    batch = ImportBatch.objects.get()
    assert response["Location"] == f"{_base(call)}{batch.pk}/correspondance/"

    mapping = agent.get(response["Location"])
    body = mapping.content.decode()
    assert '<option value="N° FINESS" selected>' in body
    assert "Lettre d’engagement" in body  # a file question, to attach after the import
    assert typography_errors(body) == []

    response = agent.post(
        response["Location"],
        {"finess": "N° FINESS", "received_at": "Déposé le", "answers-structure_name": "Nom de la structure"},
    )
    assert response["Location"] == f"{_base(call)}{batch.pk}/apercu/"

    preview = agent.get(response["Location"])
    body = preview.content.decode()
    assert "1\u00a0dossier sera importé et déposé" in body and "1\u00a0ligne refusée" in body
    assert "ne figure pas dans le répertoire" in body
    assert typography_errors(body) == []
    assert not Application.objects.exists()

    response = agent.post(f"{_base(call)}{batch.pk}/importer/")
    assert response["Location"] == f"{_base(call)}{batch.pk}/compte-rendu/"
    report = agent.get(response["Location"])
    body = report.content.decode()
    application = Application.objects.get()
    assert application.status == ApplicationStatus.SUBMITTED
    assert f"/dossiers/{application.pk}/lecture/" in body
    assert "Ligne" in body and "999999999" in body
    assert typography_errors(body) == []


def test_a_file_that_is_not_a_spreadsheet_is_refused_next_to_the_field(agent, call):
    response = agent.post(_base(call), {"file": SimpleUploadedFile("lettre.pdf", b"%PDF-1.4\x00\x01")})
    assert response.status_code == 200
    assert "pas un tableur lisible" in response.content.decode()
    assert "fr-input-group--error" in response.content.decode() or "fr-upload-group--error" in (
        response.content.decode()
    )
    assert not ImportBatch.objects.exists()


def test_a_mapping_without_finess_is_shown_again_with_what_was_chosen(agent, call, manager):
    batch = upload(call, manager, _file())
    response = agent.post(
        f"{_base(call)}{batch.pk}/correspondance/",
        {"finess": "", "received_at": "", "answers-structure_name": "Statut juridique"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Choisissez la colonne du numéro FINESS" in body
    assert "saisissez la date à laquelle ces dossiers ont été reçus" in body
    # What was typed is kept: the structure's name still reads from the column chosen.
    assert '<option value="Statut juridique" selected>' in body
    batch.refresh_from_db()
    assert batch.mapping["finess"] == "N° FINESS"  # the guess is unchanged


def test_the_preview_sends_back_to_the_mapping_while_it_is_incomplete(agent, call, manager):
    batch = upload(call, manager, xlsx(["Nom"], ["EHPAD"]))
    response = agent.get(f"{_base(call)}{batch.pk}/apercu/")
    assert response["Location"] == f"{_base(call)}{batch.pk}/correspondance/"


def test_an_imported_file_is_not_imported_twice_and_its_pages_lead_to_its_report(agent, call, manager):
    batch = upload(call, manager, _file())
    agent.post(f"{_base(call)}{batch.pk}/importer/")
    response = agent.post(f"{_base(call)}{batch.pk}/importer/")
    assert response["Location"] == f"{_base(call)}{batch.pk}/compte-rendu/"
    assert Application.objects.count() == 1
    for page in ("correspondance", "apercu"):
        assert agent.get(f"{_base(call)}{batch.pk}/{page}/")["Location"].endswith("/compte-rendu/")
    assert ImportBatch.objects.get().status == ImportStatus.IMPORTED


def test_an_agent_of_another_region_gets_404_and_an_applicant_403(client, call, manager):
    batch = upload(call, manager, _file())
    elsewhere = MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation__region=region("84", "Auvergne-Rhône-Alpes")
    ).user
    applicant = MembershipFactory(
        role=Role.DIRECTOR, organisation=OrganisationFactory(establishment_space=True)
    ).user
    pages = [_base(call)] + [
        f"{_base(call)}{batch.pk}/{page}/" for page in ("correspondance", "apercu", "compte-rendu")
    ]
    for user, status in ((elsewhere, 404), (applicant, 403)):
        login_verified(client, user)
        assert [client.get(page).status_code for page in pages] == [status] * 4
        assert client.post(f"{_base(call)}{batch.pk}/importer/").status_code == status
    assert not Application.objects.exists()


def test_a_batch_is_found_only_under_its_own_call(agent, call, manager):
    batch = upload(call, manager, _file())
    other = make_call(manager)
    assert (
        agent.get(f"/dossiers/gestion/appels/{other.pk}/import/{batch.pk}/correspondance/").status_code == 404
    )
