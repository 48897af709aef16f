"""The exchanges pages: agents ask and schedule from the dossier; applicants answer their own only."""

from datetime import UTC, date, datetime, timedelta

import icalendar
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from capqvct.accounts.models import Role
from capqvct.review import exchanges
from capqvct.review.applicant_stage import refresh_applicant_stage
from capqvct.review.models import InformationRequest, Interview
from capqvct.review.tests import test_decisions as shared
from tests.factories import MembershipFactory, OrganisationFactory, region

pytestmark = pytest.mark.django_db

agency, manager, call, review = shared.agency, shared.manager, shared.call, shared.review
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture
def application(call, review):
    return shared.dossier(call, "EHPAD Les Tilleuls", director_email="direction@tilleuls.fr")


@pytest.fixture
def director(application):
    return application.establishment.organisation.memberships.get(role=Role.DIRECTOR).user


def agent_url(application) -> str:
    return f"/instruction/appels/{application.call_id}/dossiers/{application.pk}/echanges/"


def applicant_url(application) -> str:
    return f"/instruction/echanges/dossier/{application.pk}/"


def test_the_dossier_page_links_to_the_exchanges(verified_client, manager, application):
    page = verified_client(manager).get(
        f"/instruction/appels/{application.call_id}/dossiers/{application.pk}/"
    )

    assert agent_url(application) in page.content.decode()


def test_an_agent_asks_a_question_and_a_refusal_keeps_the_text(verified_client, manager, application):
    client = verified_client(manager)

    refused = client.post(agent_url(application), {"question": "Votre effectif ?", "reply_by": "2020-01-01"})
    assert "La date de réponse attendue doit être à venir." in refused.content.decode()
    assert "Votre effectif ?" in refused.content.decode()

    tomorrow = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    response = client.post(agent_url(application), {"question": "Votre effectif ?", "reply_by": tomorrow})
    assert response.status_code == 302
    assert InformationRequest.objects.get().question == "Votre effectif ?"


def test_the_interview_form_is_prefilled_with_the_trio_and_sends_the_invitation(
    verified_client, manager, application, mailoutbox, django_capture_on_commit_callbacks
):
    application.answers = {
        "trinome": {
            "direction": {"name": "A. Direction", "email": "Direction@Tilleuls.fr"},
            "staff_representative": {"name": "B. Personnel", "email": "cse@tilleuls.fr"},
        }
    }
    application.save()
    definition = {
        "sections": [
            {
                "key": "equipe",
                "title": "Équipe",
                "fields": [{"key": "trinome", "kind": "trio", "label": "Trinôme"}],
            }
        ]
    }
    application.form_version.definition = definition
    application.form_version.save()
    client = verified_client(manager)

    page = client.get(agent_url(application)).content.decode()
    assert "direction@tilleuls.fr\ncse@tilleuls.fr" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            agent_url(application),
            {
                "form": "interview",
                "day": "2027-01-12",
                "hour": "14:30",
                "duration": "60",
                "place": "",
                "video_link": "https://visio.exemple.fr/abc",
                "attendees": "direction@tilleuls.fr\ncse@tilleuls.fr",
            },
        )

    assert response.status_code == 302
    interview = Interview.objects.get()
    event = icalendar.Calendar.from_ical(mailoutbox[0].attachments[0][1]).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == datetime(2027, 1, 12, 13, 30, tzinfo=UTC)
    assert client.get(f"/instruction/entretiens/{interview.pk}/").status_code == 200


def test_an_interview_without_place_nor_link_is_refused_keeping_what_was_typed(
    verified_client, manager, application
):
    page = verified_client(manager).post(
        agent_url(application),
        {"form": "interview", "day": "2027-01-12", "hour": "14:30", "duration": "60", "attendees": "x@y.fr"},
    )

    assert "Indiquez un lieu ou un lien de visioconférence." in page.content.decode()
    assert 'value="2027-01-12"' in page.content.decode()
    assert not Interview.objects.exists()


def test_notes_reschedule_and_cancel_through_the_interview_page(
    verified_client, manager, application, mailoutbox, django_capture_on_commit_callbacks
):
    interview = exchanges.schedule_interview(
        application=application,
        starts_at=datetime(2027, 1, 12, 13, 30, tzinfo=UTC),
        duration=60,
        place="Salle A",
        attendees=["direction@tilleuls.fr"],
        by=manager,
    )
    client = verified_client(manager)
    url = f"/instruction/entretiens/{interview.pk}/"

    client.post(url, {"form": "notes", "notes": "Direction engagée."})
    client.post(
        url,
        {
            "form": "reschedule",
            "day": "2027-01-13",
            "hour": "09:00",
            "duration": "45",
            "place": "Salle B",
            "attendees": "direction@tilleuls.fr",
        },
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"form": "cancel"})

    interview.refresh_from_db()
    assert interview.notes == "Direction engagée." and interview.place == "Salle B"
    assert interview.sequence == 2 and interview.cancelled_at is not None
    assert icalendar.Calendar.from_ical(mailoutbox[-1].attachments[0][1])["METHOD"] == "CANCEL"


def test_the_applicant_answers_with_a_file_and_sees_a_late_answer_flagged(
    verified_client, manager, director, application
):
    # Created directly: the service refuses a reply date already past.
    item = InformationRequest.objects.create(
        application=application, question="Votre effectif ?", reply_by=date(2026, 1, 1), asked_by=manager
    )
    refresh_applicant_stage(application)
    client = verified_client(director)

    page = client.get(applicant_url(application)).content.decode()
    assert "Complément demandé" in page and "signalée à l’agence comme envoyée en retard" in page

    upload = SimpleUploadedFile("effectifs.pdf", PDF, content_type="application/pdf")
    page = client.post(
        applicant_url(application), {"request": item.pk, "answer": "42.", "file": upload}, follow=True
    ).content.decode()

    item.refresh_from_db()
    assert item.answer == "42." and item.answer_attachment.name == "effectifs.pdf"
    assert "Envoyée après la date attendue" in page and "En instruction" in page


def test_an_empty_answer_is_shown_next_to_the_field(verified_client, manager, director, application):
    item = exchanges.ask_for_information(
        application=application,
        question="Votre effectif ?",
        reply_by=(datetime.now(UTC) + timedelta(days=5)).date(),
        by=manager,
    )

    page = verified_client(director).post(applicant_url(application), {"request": item.pk, "answer": ""})

    assert "Écrivez votre réponse." in page.content.decode()


def test_the_decision_page_links_to_the_exchanges(verified_client, director, application):
    page = verified_client(director).get(f"/instruction/decisions/dossier/{application.pk}/")

    assert applicant_url(application) in page.content.decode()


def test_strangers_get_a_404(verified_client, call, agency, application, manager):
    other_space = OrganisationFactory(establishment_space=True)
    other_director = MembershipFactory(role=Role.DIRECTOR, organisation=other_space).user
    other_agent = MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation=OrganisationFactory(region=region("11", "Île-de-France"))
    ).user
    reviewer = MembershipFactory(role=Role.REVIEWER, organisation=agency).user
    interview = exchanges.schedule_interview(
        application=application,
        starts_at=datetime(2027, 1, 12, 13, 30, tzinfo=UTC),
        duration=60,
        place="Salle A",
        attendees=["direction@tilleuls.fr"],
        by=manager,
    )

    assert verified_client(other_director).get(applicant_url(application)).status_code == 404
    for agent in (other_agent, reviewer):
        client = verified_client(agent)
        assert client.get(agent_url(application)).status_code == 404
        assert client.get(f"/instruction/entretiens/{interview.pk}/").status_code == 404
        assert client.post(agent_url(application), {"question": "?"}).status_code == 404


def test_an_unreadable_hour_or_duration_is_refused_keeping_what_was_typed(
    verified_client, manager, application
):
    response = verified_client(manager).post(
        agent_url(application),
        {
            "form": "interview",
            "day": "2027-01-12",
            "hour": "quatorze heures",
            "duration": "une heure",
            "place": "Salle du conseil",
            "attendees": "x@y.fr",
        },
    )

    page = response.content.decode()
    assert "Indiquez la date et l’heure de l’entretien." in page
    assert 'value="quatorze heures"' in page and "Salle du conseil" in page
    assert not Interview.objects.exists()


def test_an_answer_to_an_unknown_question_is_a_404(verified_client, director, application):
    response = verified_client(director).post(applicant_url(application), {"request": "abc", "answer": "Oui"})

    assert response.status_code == 404
