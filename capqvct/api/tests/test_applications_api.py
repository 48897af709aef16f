"""Dossiers through the API: each caller sees only those their roles open to them, in constant queries."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from capqvct.accounts.models import Role
from capqvct.api.tests.conftest import bearer, token_of
from capqvct.applications import services
from capqvct.applications.models import ApplicationStatus, Channel
from capqvct.calls import services as call_services
from capqvct.calls.formdef.templates_library import standard_qvct_application
from capqvct.calls.models import Call
from tests.factories import EstablishmentFactory, MembershipFactory, OrganisationFactory, region
from tests.permissions.world import published_call

pytestmark = pytest.mark.django_db

URL = "/api/v1/dossiers"


@pytest.fixture
def manager(occitanie):
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=occitanie).user


@pytest.fixture
def call(manager):
    return published_call(manager)


@pytest.fixture
def space():
    return OrganisationFactory(establishment_space=True, name="Espace EHPAD Les Cigales")


@pytest.fixture
def director(space):
    return MembershipFactory(role=Role.DIRECTOR, organisation=space, user__email="dir@cigales.fr").user


@pytest.fixture
def cigales(space, herault):
    return EstablishmentFactory(
        name="EHPAD Les Cigales", finess_et="349999904", departement=herault, organisation=space
    )


@pytest.fixture
def dossier(call, cigales, director):
    application = services.start_application(call=call, establishment=cigales, by=director)
    services.save_draft(
        application=application,
        answers={"motivation": "Prendre soin des équipes."},
        by=director,
        expected_version=0,
    )
    services.submit_application(application=application, by=director)
    application.refresh_from_db()
    return application


@pytest.fixture
def other_dossier(call, herault):
    """Another establishment's dossier, for the same call."""
    space = OrganisationFactory(establishment_space=True)
    director = MembershipFactory(role=Role.DIRECTOR, organisation=space).user
    establishment = EstablishmentFactory(name="EHPAD Les Pins", departement=herault, organisation=space)
    return services.start_application(call=call, establishment=establishment, by=director)


@pytest.fixture
def other_region_agent():
    aura = region("84", "Auvergne-Rhône-Alpes")
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation=OrganisationFactory(region=aura)).user


def ids_of(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def test_anonymous_callers_must_authenticate(client, dossier):
    for path in (URL, f"{URL}/{dossier.pk}"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json()["detail"].startswith("Authentification requise")
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_list_gives_the_documented_fields(client, dossier, director):
    response = client.get(URL, headers=bearer(token_of(director)))

    assert response.status_code == 200
    assert response.json() == {
        "items": [
            {
                "id": dossier.pk,
                "call": {"id": dossier.call_id, "title": "Appel à candidatures OMEGA"},
                "establishment": {"finess_et": "349999904", "name": "EHPAD Les Cigales"},
                "status": "submitted",
                "status_label": "Déposé",
                "state_for_applicant": "Déposé",
                "submitted_at": dossier.submitted_at.isoformat().replace("+00:00", "Z"),
                "updated_at": response.json()["items"][0]["updated_at"],
                "actions": [
                    {"code": "reopen", "label": "Rouvrir le dossier pour le modifier"},
                    {"code": "withdraw", "label": "Retirer la candidature"},
                ],
            }
        ],
        "count": 1,
    }


def test_a_director_sees_only_their_establishments_dossiers(client, dossier, other_dossier, director):
    secret = token_of(director)

    assert ids_of(client.get(URL, headers=bearer(secret))) == {dossier.pk}
    assert client.get(f"{URL}/{dossier.pk}", headers=bearer(secret)).status_code == 200
    response = client.get(f"{URL}/{other_dossier.pk}", headers=bearer(secret))
    assert response.status_code == 404
    assert response.json()["detail"].startswith("Introuvable")


def test_a_director_may_use_their_session(client, dossier, director):
    client.force_login(director)

    assert ids_of(client.get(URL)) == {dossier.pk}


def test_the_region_agent_and_the_national_observer_see_every_dossier_of_the_call(
    client, dossier, other_dossier, agent, observer
):
    assert ids_of(client.get(URL, headers=bearer(token_of(agent)))) == {dossier.pk, other_dossier.pk}
    assert ids_of(client.get(URL, headers=bearer(token_of(observer)))) == {dossier.pk, other_dossier.pk}


def test_an_agent_of_another_region_sees_none_and_gets_404(client, dossier, other_region_agent):
    secret = token_of(other_region_agent)

    assert ids_of(client.get(URL, headers=bearer(secret))) == set()
    assert client.get(f"{URL}/{dossier.pk}", headers=bearer(secret)).status_code == 404


def test_someone_without_organisation_sees_none(client, dossier, nobody):
    secret = token_of(nobody)

    assert ids_of(client.get(URL, headers=bearer(secret))) == set()
    assert client.get(f"{URL}/{dossier.pk}", headers=bearer(secret)).status_code == 404


def test_filters_by_call_and_status(client, manager, dossier, other_dossier, observer):
    secret = token_of(observer)
    other_call = published_call(manager)

    assert ids_of(client.get(URL, {"appel": dossier.call_id}, headers=bearer(secret))) == {
        dossier.pk,
        other_dossier.pk,
    }
    assert ids_of(client.get(URL, {"appel": other_call.pk}, headers=bearer(secret))) == set()
    assert ids_of(client.get(URL, {"etat": "submitted"}, headers=bearer(secret))) == {dossier.pk}
    assert ids_of(client.get(URL, {"etat": "draft"}, headers=bearer(secret))) == {other_dossier.pk}
    assert ids_of(client.get(URL, {"etat": "withdrawn"}, headers=bearer(secret))) == set()


@pytest.mark.parametrize("params", [{"etat": "perdu"}, {"appel": "0"}, {"appel": "un"}, {"page": 0}])
def test_invalid_filters_are_refused_with_422(client, observer, params):
    response = client.get(URL, params, headers=bearer(token_of(observer)))

    assert response.status_code == 422
    assert response.json()["detail"].startswith("Paramètres invalides")


def test_detail_gives_the_answers_and_the_submissions(client, dossier, director):
    services.reopen_application(application=dossier, by=director)
    services.submit_application(application=dossier, by=director)
    submissions = list(dossier.submissions.order_by("number"))

    response = client.get(f"{URL}/{dossier.pk}", headers=bearer(token_of(director)))

    assert response.status_code == 200
    detail = response.json()
    assert detail["status"] == ApplicationStatus.SUBMITTED
    assert detail["establishment"] == {"finess_et": "349999904", "name": "EHPAD Les Cigales"}
    assert detail["answers"] == {"motivation": "Prendre soin des équipes."}
    assert detail["submissions"] == [
        {
            "number": submission.number,
            "submitted_at": submission.submitted_at.isoformat().replace("+00:00", "Z"),
            "fingerprint": submission.fingerprint,
        }
        for submission in submissions
    ]
    assert [item["number"] for item in detail["submissions"]] == [1, 2]


def test_a_draft_has_no_submission(client, other_dossier, agent):
    detail = client.get(f"{URL}/{other_dossier.pk}", headers=bearer(token_of(agent))).json()

    assert detail["status_label"] == "Brouillon"
    assert detail["submitted_at"] is None
    assert detail["submissions"] == []


@pytest.mark.parametrize("rows", [1, 20])
def test_query_count_does_not_grow_with_dossiers(
    client, django_assert_num_queries, call, director, herault, rows
):
    # One establishment per space: the director leads as many spaces as there are dossiers.
    for _ in range(rows):
        space = OrganisationFactory(establishment_space=True)
        MembershipFactory(role=Role.DIRECTOR, organisation=space, user=director)
        establishment = EstablishmentFactory(departement=herault, organisation=space)
        services.start_application(call=call, establishment=establishment, by=director)
    secret = token_of(director)

    # token, last use, roles, agent regions, count, page, the spaces the actions are checked against
    with django_assert_num_queries(7):
        response = client.get(URL, headers=bearer(secret))

    assert len(response.json()["items"]) == rows


# Saving a draft and submitting a dossier -------------------------------------------------------

VALID_ANSWERS = {
    "structure_name": "EHPAD Les Cigales",
    "finess_et": "349999904",
    "legal_status": "public",
    "postal_address": "1 rue des Cigales\n34000 Montpellier",
    "email": "contact@cigales.fr",
    "phone": "04 67 00 00 00",
    "head_name": "Anne Martin",
    "head_status": "Directrice d’établissement (D3S)",
    "staff_fte": "42,5",
    "staff_headcount": "48",
    "motivation": "Prendre soin des équipes de nuit.",
    "steering": "Un comité QVT mensuel, une demi-journée par mois dégagée.",
    "trio": {
        role: {"name": f"Personne {n}", "function": "Fonction", "email": f"personne{n}@cigales.fr"}
        for n, role in enumerate(("direction", "staff_representative", "professions"))
    },
}


@pytest.fixture
def qvct_call(manager):
    """A call with the standard QVCT form, whose questions are mostly required."""
    call = published_call(manager)
    call_services.save_form(call=call, definition=standard_qvct_application().to_json(), by=manager)
    return call


@pytest.fixture
def draft(qvct_call, cigales, director):
    return services.start_application(call=qvct_call, establishment=cigales, by=director)


# The establishment's identity, which its dossier takes from the directory when it starts.
FROM_DIRECTORY = {"structure_name": "EHPAD Les Cigales", "finess_et": "349999904"}


def reponses(application) -> str:
    return f"{URL}/{application.pk}/reponses"


def depot(application) -> str:
    return f"{URL}/{application.pk}/depot"


def put_json(client, path: str, body: dict, user):
    return client.put(path, body, content_type="application/json", headers=bearer(token_of(user)))


def test_a_director_saves_the_draft_then_submits_it(client, draft, director):
    detail = client.get(f"{URL}/{draft.pk}", headers=bearer(token_of(director))).json()
    assert detail["version"] == 0

    saved = put_json(client, reponses(draft), {"answers": VALID_ANSWERS, "version": 0}, director)

    assert saved.status_code == 200, saved.content
    assert saved.json()["errors"] == []
    assert saved.json()["dossier"]["version"] == 1
    assert saved.json()["dossier"]["answers"]["structure_name"] == "EHPAD Les Cigales"
    assert saved.json()["dossier"]["status"] == ApplicationStatus.DRAFT

    submitted = client.post(depot(draft), headers=bearer(token_of(director)))

    assert submitted.status_code == 201, submitted.content
    submission = draft.submissions.get()
    assert submitted.json() == {
        "number": 1,
        "submitted_at": submission.submitted_at.isoformat().replace("+00:00", "Z"),
        "fingerprint": submission.fingerprint,
    }
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.SUBMITTED


def test_the_receipt_is_e_mailed_once_the_submission_is_committed(
    client, draft, director, django_capture_on_commit_callbacks
):
    put_json(client, reponses(draft), {"answers": VALID_ANSWERS, "version": 0}, director)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(depot(draft), headers=bearer(token_of(director)))

    assert response.status_code == 201
    assert [message.to for message in mail.outbox] == [["dir@cigales.fr"]]
    assert mail.outbox[0].attachments[0][0] == f"accuse-reception-{draft.pk}-1.pdf"


def test_format_errors_are_reported_but_the_answers_are_saved(client, draft, director):
    answers = {"email": "pas-une-adresse", "staff_fte": "-2"}

    response = put_json(client, reponses(draft), {"answers": answers, "version": 0}, director)

    assert response.status_code == 200
    assert response.json()["errors"] == [
        {"field": "email", "message": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."},
        {"field": "staff_fte", "message": "Saisissez un nombre supérieur ou égal à 0."},
    ]
    draft.refresh_from_db()
    assert draft.answers == {**FROM_DIRECTORY, **answers}


def test_a_stale_version_is_refused_with_409_and_keeps_the_colleagues_save(client, draft, director):
    put_json(client, reponses(draft), {"answers": {"email": "a@cigales.fr"}, "version": 0}, director)

    response = put_json(
        client, reponses(draft), {"answers": {"email": "b@cigales.fr"}, "version": 0}, director
    )

    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert response.json()["detail"].startswith("Un collègue a enregistré ce dossier")
    draft.refresh_from_db()
    assert draft.answers == {**FROM_DIRECTORY, "email": "a@cigales.fr"}


def test_a_question_the_form_does_not_have_is_reported_and_ignored(client, draft, director):
    answers = {"inconnue": "x", "email": "contact@cigales.fr"}

    response = put_json(client, reponses(draft), {"answers": answers, "version": 0}, director)

    assert response.status_code == 200
    assert response.json()["errors"] == [
        {
            "field": "inconnue",
            "message": "Cette question n’existe pas dans le formulaire de ce dossier\u00a0: réponse ignorée.",
        }
    ]
    draft.refresh_from_db()
    assert draft.answers == {**FROM_DIRECTORY, "email": "contact@cigales.fr"}


@pytest.mark.parametrize(
    "body",
    [
        {"answers": {"motivation": "x"}, "version": -1},
        {"answers": {"motivation": "x"}, "version": 2**31},
        {"answers": ["motivation"], "version": 0},
        {"answers": {"motivation": "x"}},
    ],
)
def test_malformed_bodies_are_refused_with_422(client, draft, director, body):
    response = put_json(client, reponses(draft), body, director)

    assert response.status_code == 422
    assert response.json()["detail"].startswith("Paramètres invalides")


def test_answers_the_database_cannot_store_are_refused_with_a_message(client, draft, director):
    response = put_json(
        client, reponses(draft), {"answers": {"motivation": "nul \x00"}, "version": 0}, director
    )

    assert response.status_code == 409
    assert response.json()["detail"] == "Les réponses ne peuvent pas contenir de caractère nul."
    draft.refresh_from_db()
    assert draft.answers == FROM_DIRECTORY


def test_an_incomplete_dossier_is_refused_field_by_field_and_stays_a_draft(client, draft, director):
    answers = {**VALID_ANSWERS, "email": "pas-une-adresse"}
    del answers["steering"]
    put_json(client, reponses(draft), {"answers": answers, "version": 0}, director)

    response = client.post(depot(draft), headers=bearer(token_of(director)))

    assert response.status_code == 409
    assert response.json() == {
        "code": "invalid_answers",
        "detail": "Le dossier ne peut pas être déposé : corrigez les champs signalés.",
        "errors": [
            {"field": "email", "message": "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."},
            {"field": "steering", "message": "Ce champ est obligatoire."},
        ],
    }
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


def test_after_the_deadline_the_submission_is_refused_and_the_draft_kept(client, draft, director):
    put_json(client, reponses(draft), {"answers": VALID_ANSWERS, "version": 0}, director)
    Call.objects.filter(pk=draft.call_id).update(closes_at=timezone.now() - timedelta(minutes=1))

    response = client.post(depot(draft), headers=bearer(token_of(director)))

    assert response.status_code == 409
    assert response.json()["code"] == "refused"
    assert response.json()["detail"].startswith("Le dépôt est clos depuis")
    assert response.json()["detail"].endswith("votre brouillon est conservé.")
    assert response.json()["errors"] == []
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT
    assert draft.answers["structure_name"] == "EHPAD Les Cigales"
    assert mail.outbox == []


def test_a_submitted_dossier_is_neither_saved_nor_submitted_again(client, dossier, director):
    saved = put_json(
        client,
        reponses(dossier),
        {"answers": {"motivation": "Autre"}, "version": dossier.lock_version},
        director,
    )
    submitted = client.post(depot(dossier), headers=bearer(token_of(director)))

    assert saved.status_code == 409
    assert saved.json() == {
        "code": "refused",
        "detail": "Ce dossier est déposé : rouvrez-le pour le modifier.",
        "errors": [],
    }
    assert submitted.status_code == 409
    assert submitted.json()["detail"] == "Ce dossier est déjà déposé."
    assert dossier.submissions.count() == 1


def test_another_establishments_dossier_is_not_found(client, other_dossier, director):
    saved = put_json(client, reponses(other_dossier), {"answers": {}, "version": 0}, director)
    submitted = client.post(depot(other_dossier), headers=bearer(token_of(director)))

    assert (saved.status_code, submitted.status_code) == (404, 404)
    assert saved.json()["detail"].startswith("Introuvable")
    other_dossier.refresh_from_db()
    assert other_dossier.lock_version == 0


def test_an_agent_of_the_region_reads_an_online_dossier_but_cannot_fill_it_in(client, draft, agent):
    secret = token_of(agent)

    read = client.get(f"{URL}/{draft.pk}", headers=bearer(secret))
    saved = client.put(
        reponses(draft),
        {"answers": {}, "version": 0},
        content_type="application/json",
        headers=bearer(secret),
    )
    submitted = client.post(depot(draft), headers=bearer(secret))

    assert read.status_code == 200
    assert (saved.status_code, submitted.status_code) == (404, 404)
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


def test_the_agent_transcribes_and_submits_a_dossier_received_by_post(client, call, herault, manager):
    establishment = EstablishmentFactory(departement=herault)
    received = services.record_received_application(
        call=call,
        establishment=establishment,
        channel=Channel.POST,
        received_at=timezone.now() - timedelta(hours=1),
        by=manager,
    )

    saved = put_json(
        client, reponses(received), {"answers": {"motivation": "Reçu par courrier."}, "version": 0}, manager
    )
    submitted = client.post(depot(received), headers=bearer(token_of(manager)))

    assert saved.status_code == 200
    assert submitted.status_code == 201
    received.refresh_from_db()
    assert received.status == ApplicationStatus.SUBMITTED


def test_anonymous_callers_must_authenticate_to_save_or_submit(client, draft):
    saved = client.put(reponses(draft), {"answers": {}, "version": 0}, content_type="application/json")
    submitted = client.post(depot(draft))

    assert (saved.status_code, submitted.status_code) == (401, 401)


def test_a_file_answer_cannot_be_set_through_the_api(client, manager, cigales, director):
    call = published_call(manager)
    Call.objects.filter(pk=call.pk).update(required_attachments=[{"label": "Organigramme", "required": True}])
    application = services.start_application(
        call=Call.objects.get(pk=call.pk), establishment=cigales, by=director
    )
    forged = {
        "id": "00000000-0000-0000-0000-000000000000",
        "name": "faux.pdf",
        "size": 1,
        "content_type": "application/pdf",
    }

    response = put_json(
        client, reponses(application), {"answers": {"piece_organigramme": forged}, "version": 0}, director
    )

    assert response.status_code == 200
    application.refresh_from_db()
    assert "piece_organigramme" not in application.answers


def test_a_body_that_is_not_json_is_refused_with_a_documented_error(client, draft, director):
    response = client.put(
        reponses(draft), "{pas du json", content_type="application/json", headers=bearer(token_of(director))
    )

    assert response.status_code == 400
    assert response.json()["detail"] == "Corps de requête illisible\u00a0: envoyez un objet JSON valide."
