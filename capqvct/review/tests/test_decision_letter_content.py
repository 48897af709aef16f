"""What a decision letter and its e-mail say: the agency's city, the reference, the means of appeal of
an adverse decision, the same addressee everywhere, and for an establishment without an account a
signed link that opens the decision without signing in, refused once expired or altered."""

import subprocess
import time
from unittest import mock

import pytest
from django.core import mail
from django.test import Client

from capqvct.applications.models import Channel
from capqvct.core.models import AuditEvent
from capqvct.review import decisions
from capqvct.review.decision_links import LINK_VALIDITY, link_path
from capqvct.review.letters import addressee_name, decision_letter_pdf
from capqvct.review.models import Decision, Outcome
from capqvct.review.tests import test_decisions as shared
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db

agency, manager, call, review = shared.agency, shared.manager, shared.call, shared.review
COMMISSION = shared.COMMISSION
ARTIFACTS = shared.ARTIFACTS
LONG_REASON = (
    "Votre projet est solide et bien porté par la direction et les représentants du personnel. "
    "Les places de cet appel sont toutefois attribuées aux dossiers les mieux classés par la commission, "
    "au regard de la grille publiée avec l’appel.\n"
    "Votre dossier n’a pas pu être retenu cette année ; nous vous invitons à répondre aux prochains appels."
)


def pages_of(pdf: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])


def confirmed(call, review, manager, outcome, *, name="EHPAD Les Tilleuls", director_email="", reason=None):
    application = shared.dossier(call, name, director_email=director_email)
    shared.draft(application, outcome, manager, reason=reason or "La commission a examiné votre dossier.")
    decisions.confirm_decisions(review=review, by=manager, now=COMMISSION)
    return Decision.objects.select_related("application__establishment", "confirmed_by").get(
        application=application
    )


def test_the_place_line_is_the_agency_s_city_and_the_letter_carries_its_reference(
    call, review, manager, agency
):
    agency.city = "Montpellier"
    agency.save()
    decision = confirmed(call, review, manager, Outcome.SELECTED, director_email="direction@a.fr")

    text = pdf_text(decision_letter_pdf(decision, now=COMMISSION))

    assert "Montpellier, le 23 novembre 2026" in text
    assert "Occitanie, le" not in text
    assert f"Référence : AAC{call.pk}-2026-0001" in text


def test_without_a_city_the_place_line_is_the_region(call, review, manager):
    decision = confirmed(call, review, manager, Outcome.SELECTED, director_email="direction@a.fr")

    assert "Occitanie, le 23 novembre 2026" in pdf_text(decision_letter_pdf(decision, now=COMMISSION))


def test_a_decision_not_selected_tells_the_means_of_appeal_on_one_page(call, review, manager, agency):
    agency.city = "Montpellier"
    agency.save()
    decision = confirmed(call, review, manager, Outcome.NOT_SELECTED, reason=LONG_REASON)

    pdf = decision_letter_pdf(decision, now=COMMISSION)

    text = pdf_text(pdf)
    assert "Voies et délais de recours" in text
    assert "recours gracieux auprès de l’autorité qui l’a prise (ARS Occitanie)" in text
    assert "tribunal administratif" in text and "deux mois à compter de sa notification" in text
    assert "R. 421-1 du code de justice administrative" in text
    assert "L. 411-2 du code des relations entre le public et l’administration" in text
    assert pages_of(pdf) == 1
    (ARTIFACTS / "lettre-non-retenu.pdf").parent.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "lettre-non-retenu.pdf").write_bytes(pdf)


def test_a_selected_decision_has_no_means_of_appeal(call, review, manager):
    decision = confirmed(call, review, manager, Outcome.SELECTED, director_email="direction@a.fr")

    assert "Voies et délais de recours" not in pdf_text(decision_letter_pdf(decision, now=COMMISSION))


def test_the_addressee_is_written_the_same_in_the_letter_the_e_mail_and_the_page(
    call, review, manager, verified_client, mailoutbox, django_capture_on_commit_callbacks
):
    decision = confirmed(call, review, manager, Outcome.NOT_SELECTED, director_email="direction@a.fr")
    establishment = decision.application.establishment
    establishment.long_name = "EHPAD Les Tilleuls — Résidence du Parc"
    establishment.save()
    with django_capture_on_commit_callbacks(execute=True):
        decisions.notify_decisions(review=review, by=manager)
    decision.refresh_from_db()

    name = addressee_name(establishment)
    letter = pdf_text(decision_letter_pdf(decision))
    e_mail = mail.outbox[0].body
    director = establishment.organisation.memberships.get().user
    page = verified_client(director).get(f"/instruction/decisions/dossier/{decision.application_id}/")

    assert name == "EHPAD Les Tilleuls — Résidence du Parc"
    assert f"l’établissement « {name} »" in letter, letter
    assert f"« {name} »" in e_mail
    assert name in page.content.decode()
    assert f"Référence : {decision.reference}" in e_mail
    assert "Voies et délais de recours" in e_mail


def test_an_establishment_with_an_account_gets_no_link(
    call, review, manager, mailoutbox, django_capture_on_commit_callbacks
):
    decision = confirmed(call, review, manager, Outcome.SELECTED, director_email="direction@a.fr")
    with django_capture_on_commit_callbacks(execute=True):
        decisions.notify_decisions(review=review, by=manager)

    assert "/instruction/decisions/lien/" not in mail.outbox[0].body
    assert "/instruction/decisions/lien/" not in pdf_text(decision_letter_pdf(decision))


# The signed link


def record_paper_decision(call, review, manager) -> Decision:
    """A dossier recorded by an agent from a paper deposit, for an establishment without an account,
    confirmed « non retenu »."""
    application = shared.dossier(call, "SSIAD du Lodévois")
    application.channel = Channel.EMAIL
    application.sender_email = "secretariat@ssiad-lodeve.fr"
    application.received_at = shared.CLOSES
    application.save()
    shared.draft(application, Outcome.NOT_SELECTED, manager)
    decisions.confirm_decisions(review=review, by=manager, now=COMMISSION)
    return Decision.objects.select_related("application__establishment").get(application=application)


@pytest.fixture
def paper_decision(call, review, manager):
    return record_paper_decision(call, review, manager)


def test_the_paper_establishment_s_letter_and_e_mail_carry_a_link(
    paper_decision, review, manager, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        decisions.notify_decisions(review=review, by=manager)

    assert mail.outbox[0].to == ["secretariat@ssiad-lodeve.fr"]
    assert "/instruction/decisions/lien/" in mail.outbox[0].body
    assert "/instruction/decisions/lien/" in pdf_text(decision_letter_pdf(paper_decision))


def test_the_link_opens_the_decision_and_its_letter_without_an_account(paper_decision):
    anonymous = Client()
    path = link_path(paper_decision)

    page = anonymous.get(path, REMOTE_ADDR="203.0.113.9")
    letter = anonymous.get(f"{path}lettre/")

    text = page.content.decode()
    assert page.status_code == 200
    assert "SSIAD du Lodévois" in text and "Non retenu" in text and paper_decision.reference in text
    assert "Voies et délais de recours" in text
    assert "Créer un compte et rattacher l’établissement" in text
    finess = paper_decision.application.establishment.finess_et
    assert f"/compte/inscription/?next=%2Fetablissements%2Frattachement%2F{finess}%2F" in text
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert "SSIAD du Lodévois" in pdf_text(b"".join(letter.streaming_content))
    read = AuditEvent.objects.get(action="decision_read_by_link")
    assert read.ip == "203.0.113.9"


def test_an_expired_link_is_refused_and_says_so(paper_decision):
    path = link_path(paper_decision)
    later = time.time() + LINK_VALIDITY.total_seconds() + 60

    with mock.patch("django.core.signing.time.time", return_value=later):
        response = Client().get(path)
        letter = Client().get(f"{path}lettre/")

    assert response.status_code == 410 and letter.status_code == 410
    assert "Ce lien a expiré" in response.content.decode()
    assert not AuditEvent.objects.filter(action="decision_read_by_link").exists()


def test_an_altered_link_is_not_found(paper_decision):
    path = link_path(paper_decision)
    token = path.rstrip("/").rsplit("/", 1)[1]
    altered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    assert Client().get(f"/instruction/decisions/lien/{altered}/").status_code == 404
    assert Client().get(f"/instruction/decisions/lien/{altered}/lettre/").status_code == 404
    assert Client().get("/instruction/decisions/lien/n-importe-quoi/").status_code == 404


def test_a_link_names_one_decision_and_only_a_confirmed_one(paper_decision, call, manager):
    other = shared.dossier(call, "EHPAD Autre")
    draft = shared.draft(other, Outcome.SELECTED, manager)

    assert Client().get(link_path(draft)).status_code == 404
    # The link of another decision does not open this one.
    assert "EHPAD Autre" not in Client().get(link_path(paper_decision)).content.decode()
