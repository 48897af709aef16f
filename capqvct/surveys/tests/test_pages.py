"""The survey pages as their users find them: a campaign prepared from the workspace, the questionnaire
answered on a phone without an account (left and resumed), codes and paper, the results with their
downloads, and the doors closed to those outside."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from capqvct.core.models import AuditEvent
from capqvct.surveys import services
from capqvct.surveys.models import Access, Campaign, CampaignStatus, FreeText, QuestionKind, Response
from capqvct.surveys.tests.builders import TODAY, campaign_in, respond, shipped, survey_space
from tests.factories import login_verified
from tests.pdf_text import pdf_text
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def space():
    return survey_space()


def text_of(response) -> str:
    return response.content.decode()


def test_the_director_prepares_a_campaign_from_the_pages(client, space):
    login_verified(client, space.director)
    url = reverse("surveys:campaigns", args=[space.participant.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Préparer une campagne" in text_of(page)
    instrument = shipped()
    response = client.post(
        url,
        {
            "wave": "1",
            "instrument": str(instrument.pk),
            "opens_on": TODAY.isoformat(),
            "closes_on": TODAY.replace(day=1).isoformat() if TODAY.day > 1 else TODAY.isoformat(),
            "headcount": "40",
            "access": "link",
            "breakdowns": ["profession", "service"],
            "services": "Unité A\nUnité B",
        },
    )
    if TODAY.day > 1:
        # The closing date before the opening: said at its field, and everything typed is kept.
        text = text_of(response)
        assert response.status_code == 200 and "La clôture doit suivre l’ouverture." in text
        assert "Unité A\nUnité B" in text and 'value="40"' in text
        assert not Campaign.objects.exists()
    response = client.post(
        url,
        {
            "wave": "1",
            "instrument": str(instrument.pk),
            "opens_on": TODAY.isoformat(),
            "closes_on": TODAY.isoformat(),
            "headcount": "40",
            "access": "link",
            "breakdowns": ["profession", "service"],
            "services": "Unité A\nUnité B",
        },
        follow=True,
    )
    campaign = Campaign.objects.get()
    assert campaign.breakdowns == ["profession", "service"] and campaign.services == ["Unité A", "Unité B"]
    text = text_of(response)
    assert "Campagne créée" in text and "Ouvrir la campagne" in text
    assert typography_errors(text) == []


def test_the_programme_manager_reads_but_cannot_create(client, space):
    login_verified(client, space.manager)
    url = reverse("surveys:campaigns", args=[space.participant.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"wave": "1", "instrument": str(shipped().pk), "headcount": "4"})
    assert response.status_code == 404 and not Campaign.objects.exists()


def test_a_stranger_sees_nothing(client, space):
    campaign = campaign_in(space)
    login_verified(client, space.stranger)
    assert client.get(reverse("surveys:campaigns", args=[space.participant.pk])).status_code == 404
    assert client.get(reverse("surveys:campaign", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("surveys:report", args=[campaign.pk])).status_code == 404
    response = client.post(reverse("surveys:campaign", args=[campaign.pk]), {"form": "close"})
    assert response.status_code == 404
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.OPEN


def answer_page(client, url, value="4"):
    page = client.get(url)
    form = page.context["form"]
    return client.post(url, {name: value for name in form.fields})


def test_a_care_worker_answers_leaves_comes_back_and_sends(client, space):
    campaign = campaign_in(space, breakdowns=["shift"])
    start = reverse("surveys:respond", args=[campaign.token])
    first = client.get(start)
    text = text_of(first)
    assert first.status_code == 200 and "C’est anonyme." in text and "Commencer" in text
    assert typography_errors(text) == []
    answer_page(client, reverse("surveys:respond_step", args=[campaign.token, 1]))
    answer_page(client, reverse("surveys:respond_step", args=[campaign.token, 2]))
    # Called away: the first page now offers to resume where they stopped.
    again = text_of(client.get(start))
    assert "Reprendre où je m’étais arrêté" in again and f"/q/{campaign.token}/3/" in again
    steps = 6 + 1  # six themes, then « Vous et votre travail »
    for step in range(3, steps + 1):
        answer_page(
            client,
            reverse("surveys:respond_step", args=[campaign.token, step]),
            "night" if step == steps else "4",
        )
    confirm = client.get(reverse("surveys:respond_step", args=[campaign.token, steps + 1]))
    assert "Vous avez répondu à 31 questions." in text_of(confirm)
    sent = client.post(reverse("surveys:respond_step", args=[campaign.token, steps + 1]), follow=True)
    assert "Vos réponses sont enregistrées" in text_of(sent)
    response = Response.objects.get()
    assert response.shift == "night" and len(response.answers) == 30
    assert not any(key.startswith("survey-") for key in client.session.keys())


def test_going_back_keeps_the_answers_of_the_page(client, space):
    campaign = campaign_in(space)
    step2 = reverse("surveys:respond_step", args=[campaign.token, 2])
    page = client.get(step2)
    fields = list(page.context["form"].fields)
    client.post(step2, {fields[0]: "2", "previous": "1"})
    again = client.get(step2)
    assert again.context["form"].initial[fields[0]] == "2"


def test_a_code_campaign_asks_for_the_code_and_refuses_a_used_one(client, space):
    campaign = campaign_in(space, access=Access.CODES)
    code = services.print_codes(campaign=campaign, by=space.director, count=1)[0]
    step1 = reverse("surveys:respond_step", args=[campaign.token, 1])
    assert client.get(step1).url == reverse("surveys:respond", args=[campaign.token])
    start = reverse("surveys:respond", args=[campaign.token])
    wrong = client.post(start, {"code": "ZZZZ-ZZZZ"})
    assert "Ce code n’existe pas." in text_of(wrong) and 'value="ZZZZ-ZZZZ"' in text_of(wrong)
    assert client.post(start, {"code": code}).url == step1
    answer_page(client, step1)
    client.post(reverse("surveys:respond_step", args=[campaign.token, 7]))
    assert Response.objects.count() == 1
    other = client_class_new()
    refused = other.post(start, {"code": code})
    assert "Ce code a déjà servi." in text_of(refused)


def client_class_new():
    from django.test import Client

    return Client()


def test_a_questionnaire_not_yet_open_says_when_it_opens(client, space):
    campaign = campaign_in(space, opened=False)
    text = text_of(client.get(reverse("surveys:respond", args=[campaign.token])))
    assert "Le questionnaire ouvre le" in text and "Commencer" not in text


def test_the_downloads_of_an_open_campaign(client, space):
    campaign = campaign_in(space, opened=False)
    services.add_own_question(
        campaign=campaign, by=space.director, text="La pause de midi suffit", kind=QuestionKind.AGREEMENT
    )
    services.open_campaign(campaign=campaign, by=space.director)
    login_verified(client, space.consultant)
    poster = client.get(reverse("surveys:poster", args=[campaign.pk]))
    assert poster["Content-Type"] == "application/pdf"
    assert campaign.token in pdf_text(poster.content) and "anonyme" in pdf_text(poster.content)
    paper = pdf_text(client.get(reverse("surveys:paper", args=[campaign.pk])).content)
    assert "Vous avez le temps de bien faire votre travail" in paper.replace(
        "Dans une journée normale, v", "V"
    )
    assert "La pause de midi suffit" in paper


def test_printing_codes_gives_slips_once(client, space):
    campaign = campaign_in(space, access=Access.CODES)
    login_verified(client, space.director)
    response = client.post(reverse("surveys:campaign", args=[campaign.pk]), {"form": "codes", "count": "12"})
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert text.count("valable une fois") == 12
    assert campaign.codes.count() == 12
    refused = client.post(reverse("surveys:campaign", args=[campaign.pk]), {"form": "codes", "count": "9999"})
    assert "Imprimez de 1 à 500 codes à la fois." in text_of(refused)
    assert campaign.codes.count() == 12


def test_paper_entry_by_the_establishment_only(client, space):
    campaign = campaign_in(space)
    url = reverse("surveys:paper_entry", args=[campaign.pk])
    login_verified(client, space.consultant)
    assert client.get(url).status_code == 404
    login_verified(client, space.director)
    page = client.get(url)
    assert page.status_code == 200
    fields = [name for _, form in page.context["forms"] for name in form.fields]
    response = client.post(url, {name: "3" for name in fields}, follow=True)
    assert "Questionnaire enregistré." in text_of(response)
    assert Response.objects.get().channel == "paper"


def closed_campaign_with_results(space, count=12):
    campaign = campaign_in(space, breakdowns=["shift"], opened=False)
    question = services.add_own_question(
        campaign=campaign, by=space.director, text="Une idée\u00a0?", kind=QuestionKind.TEXT
    )
    services.open_campaign(campaign=campaign, by=space.director)
    respond(campaign, count // 2, about={"shift": "day"}, seed=1)
    respond(campaign, count - count // 2, about={"shift": "night"}, seed=2)
    for index in range(2):
        services.submit_response(
            campaign=campaign,
            answers={"ORG1": 4},
            texts={str(question.pk): f"Idée {index}"},
            about={"shift": ("day", "night")[index]},
            today=TODAY,
        )
    services.close_campaign(campaign=campaign, by=space.director)
    return campaign


def test_the_results_page_and_its_downloads(client, space):
    campaign = closed_campaign_with_results(space)
    login_verified(client, space.manager)
    page = client.get(reverse("surveys:campaign", args=[campaign.pk]))
    text = text_of(page)
    assert "14 réponses" in text and "Score de chaque thème par jour ou nuit" in text
    assert "Le jour (7)" in text and "La nuit (7)" in text
    assert 'role="img"' in text and "Score et distribution de chaque thème" in text
    assert "trop peu d’établissements (1)" in text
    assert typography_errors(text) == []
    report = client.get(reverse("surveys:report", args=[campaign.pk]))
    assert report["Content-Type"] == "application/pdf"
    assert "14 réponses sur un effectif de 40" in pdf_text(report.content)
    events = AuditEvent.objects.filter(action="export_downloaded").count()
    csv = client.get(reverse("surveys:aggregates", args=[campaign.pk, "csv"])).content.decode("utf-8-sig")
    assert "Répartition — Jour ou nuit" in csv and "Le jour" in csv
    assert AuditEvent.objects.filter(action="export_downloaded").count() == events + 1
    ods = client.get(reverse("surveys:aggregates", args=[campaign.pk, "ods"]))
    assert ods["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    assert client.get(reverse("surveys:aggregates", args=[campaign.pk, "xls"])).status_code == 404


def test_free_texts_are_reviewed_by_the_establishment(client, space):
    campaign = closed_campaign_with_results(space)
    text = FreeText.objects.get(text="Idée 0")
    login_verified(client, space.consultant)
    assert client.post(reverse("surveys:free_text_review", args=[text.pk]), {"keep": "1"}).status_code == 404
    login_verified(client, space.director)
    review = client.get(reverse("surveys:free_texts", args=[campaign.pk]))
    assert "Idée 0" in text_of(review)
    client.post(reverse("surveys:free_text_review", args=[text.pk]), {"keep": "1"})
    results = text_of(client.get(reverse("surveys:campaign", args=[campaign.pk])))
    assert "<li>Idée 0</li>" in results and "Idée 1</li>" not in results


def test_the_research_export_is_for_platform_administrators_and_logged(client, space, django_user_model):
    campaign = closed_campaign_with_results(space)
    url = reverse("surveys:research_export", args=["qvct-cap", "1.0"])
    login_verified(client, space.manager)
    refused = client.get(url)
    assert refused.status_code == 403 and "réservé aux administrateurs" in text_of(refused)
    admin = django_user_model.objects.create_superuser("admin@capqvct.example", "x")
    login_verified(client, admin)
    assert "qvct-cap" in text_of(client.get(reverse("surveys:research")))
    rows = client.get(url).content.decode("utf-8-sig").splitlines()
    assert len(rows) == 1 + 14
    assert space.participant.establishment.name not in "".join(rows) and "night" not in "".join(rows)
    assert AuditEvent.objects.filter(action="export_downloaded", actor=admin).exists()
    assert campaign.pk


def test_the_results_page_runs_the_same_queries_whatever_the_number_of_responses(client, space):
    campaign = closed_campaign_with_results(space, count=10)
    login_verified(client, space.director)
    url = reverse("surveys:campaign", args=[campaign.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.OPEN)
    campaign.refresh_from_db()
    respond(campaign, 40)
    Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.CLOSED)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_the_waves_show_on_the_diagnosis_and_the_review_of_the_approach(client, space):
    login_verified(client, space.director)
    diagnosis = reverse("approaches:diagnosis", args=[space.participant.pk])
    assert "Préparer l’enquête" in text_of(client.get(diagnosis))
    first = closed_campaign_with_results(space)
    text = text_of(client.get(diagnosis))
    assert "14 réponses sur 40" in text and "Voir la campagne et tous ses résultats" in text
    second = campaign_in(space, wave=2)
    respond(second, 8, value=5)
    services.close_campaign(campaign=second, by=space.director)
    review = text_of(client.get(reverse("approaches:review", args=[space.participant.pk])))
    assert "Écart avec la vague 1" in review and "Vague 2 — après les actions" in review
    assert typography_errors(review) == []
    assert first.pk != second.pk
