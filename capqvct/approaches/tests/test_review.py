"""The fourth sequence: the texts of the bilan, the comité's validation (asked again after a change),
the indicators before and after, and the bilan PDF assembled from the four sequences."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from capqvct.approaches import diagnosis_services, review_services, services
from capqvct.approaches.action_services import add_action
from capqvct.approaches.bilan import bilan_pdf
from capqvct.approaches.models import Approach
from capqvct.approaches.tests.builders import workspace
from capqvct.core.exceptions import Refusal
from tests.factories import login_verified
from tests.pdf_text import pdf_text
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return workspace()


def review(w, by=None, **texts):
    fields = {"what_worked": "", "what_did_not": "", "what_continues": "", **texts}
    return review_services.save_review(participant=w.participant, by=by or w.director, **fields)


def in_review(w) -> None:
    """The first three sequences closed (as the pair agreed), for the review's own rules."""
    Approach.objects.update_or_create(participant=w.participant, defaults={"sequence": 4})


def test_the_comite_validates_a_written_bilan_and_again_after_a_change(w):
    review(w, what_worked="Les transmissions écrites", what_did_not="Le planning des nuits")
    with pytest.raises(Refusal) as refused:
        review_services.validate_review(participant=w.participant, by=w.director)
    assert refused.value.message.startswith("Le comité valide le bilan pendant la quatrième séquence")
    in_review(w)
    review(w, what_worked="", what_did_not="", what_continues="Le comité chaque trimestre")
    with pytest.raises(Refusal) as refused:
        review_services.validate_review(participant=w.participant, by=w.director)
    assert refused.value.message.startswith("Écrivez d’abord ce qui a marché")
    with pytest.raises(Refusal) as refused:
        review(w)
    assert refused.value.field == "what_worked"
    review(w, what_worked="Les transmissions écrites", what_did_not="Le planning des nuits")
    # The pair writes with the establishment, but the comité's decision is recorded by the establishment.
    with pytest.raises(Refusal) as refused:
        review_services.validate_review(participant=w.participant, by=w.consultant)
    assert refused.value.message == "Seul l’établissement enregistre une décision de son comité QVT."
    review_services.validate_review(participant=w.participant, by=w.director)
    assert Approach.objects.get().review_validated_by == w.director
    # Saving the same words keeps the validation; other words ask for a new one.
    review(w, by=w.consultant, what_worked="Les transmissions écrites", what_did_not="Le planning des nuits")
    assert Approach.objects.get().review_validated_at is not None
    review(w, by=w.consultant, what_worked="Les transmissions écrites et orales", what_did_not="Le planning")
    assert Approach.objects.get().review_validated_at is None


def full_approach(w) -> None:
    services.add_committee_member(
        participant=w.participant, by=w.director, name="Claire Martin", role="direction"
    )
    services.save_scope(
        participant=w.participant, by=w.director, services="Unités A et B", sites="Site principal"
    )
    for year, days in ((2024, 730), (2026, 548)):
        diagnosis_services.save_indicator_year(
            participant=w.participant,
            by=w.director,
            year=year,
            figures={"real_fte": Decimal("50"), "days_short_illness": days},
        )
    situation = diagnosis_services.add_situation(
        participant=w.participant, by=w.director, title="Nuits à deux", theme="health"
    )
    diagnosis_services.rate_situation(
        situation=situation, by=w.director, importance=4, feasibility=3, retained=True
    )
    add_action(
        participant=w.participant,
        by=w.director,
        title="Binômes de nuit stables",
        theme="organisation",
        situation_id=situation.pk,
        owner="Cadre de santé",
        starts_on=date.today() - timedelta(days=60),
        due_on=date.today() + timedelta(days=30),
        status="running",
        experiment=True,
        hypothesis="Des binômes stables réduisent les arrêts courts.",
    )
    review(
        w,
        what_worked="Les binômes de nuit",
        what_did_not="Le planning",
        what_continues="Le comité chaque trimestre",
    )


def test_the_bilan_pdf_holds_the_four_sequences(w):
    full_approach(w)
    text = pdf_text(bilan_pdf(w.participant))
    for expected in (
        "Bilan de la démarche QVT",
        "Claire Martin",
        "Unités A et B",
        "Nuits à deux",
        "Binômes de nuit stables",
        "Des binômes stables réduisent les arrêts courts.",
        "Le comité chaque trimestre",
        "pas encore validé",
    ):
        assert expected in text, expected
    # Ordinary illness 4,00 % in 2024, 3,00 % in 2026: a drop of one point.
    assert "4,00" in text and "3,00" in text and "−1,00" in text


def test_the_review_page_and_the_bilan_download(client, w):
    full_approach(w)
    login_verified(client, w.manager)
    page = client.get(reverse("approaches:review", args=[w.participant.pk])).content.decode()
    assert "Première et dernière année saisies" in page and "amélioration" in page
    assert "Enregistrer le bilan" not in page and "Les binômes de nuit" in page
    assert typography_errors(page) == []
    response = client.get(reverse("approaches:bilan", args=[w.participant.pk]))
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    in_review(w)
    # A manager reads, but does not record the comité's validation.
    assert client.post(reverse("approaches:review_validate", args=[w.participant.pk])).status_code == 404
    assert Approach.objects.get().review_validated_at is None
    login_verified(client, w.director)
    followed = client.post(reverse("approaches:review_validate", args=[w.participant.pk]), follow=True)
    assert "Validation du bilan par le comité enregistrée." in followed.content.decode()
    assert typography_errors(followed.content.decode()) == []


def test_the_workspace_exports_as_a_zip_of_pdf_csv_and_documents(client, w, settings, tmp_path):
    import io
    import zipfile

    from django.core.files.uploadedfile import SimpleUploadedFile

    from capqvct.approaches import document_services
    from capqvct.core.models import AuditEvent

    settings.MEDIA_ROOT = str(tmp_path)
    full_approach(w)
    pdf = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\n%%EOF\n"
    for _ in range(2):
        document_services.add_document(
            participant=w.participant, by=w.director, part="launch", upload=SimpleUploadedFile("cr.pdf", pdf)
        )
    login_verified(client, w.consultant)
    response = client.get(reverse("approaches:export", args=[w.participant.pk]))
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {
        "bilan.pdf",
        "comite.csv",
        "indicateurs.csv",
        "situations.csv",
        "actions.csv",
        "activite.csv",
    } <= names
    assert {"documents/Lancement et pilotage/cr.pdf", "documents/Lancement et pilotage/cr (2).pdf"} <= names
    actions = archive.read("actions.csv").decode("utf-8-sig")
    assert (
        "Binômes de nuit stables" in actions and "Des binômes stables réduisent les arrêts courts." in actions
    )
    indicators = archive.read("indicateurs.csv").decode("utf-8-sig")
    assert "2024;Taux d’absentéisme pour maladie ordinaire (courte durée)" in indicators
    assert AuditEvent.objects.filter(action="approach_exported", actor=w.consultant).exists()
    login_verified(client, w.stranger)
    assert client.get(reverse("approaches:export", args=[w.participant.pk])).status_code == 404
