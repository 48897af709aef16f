"""Dossiers through the API: each caller sees only those their roles open to them, in constant queries."""

import pytest

from capqvct.accounts.models import Role
from capqvct.api.tests.conftest import bearer, token_of
from capqvct.applications import services
from capqvct.applications.models import ApplicationStatus
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
        name="EHPAD Les Cigales", finess_et="349999901", departement=herault, organisation=space
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
                "establishment": {"finess_et": "349999901", "name": "EHPAD Les Cigales"},
                "status": "submitted",
                "status_label": "Déposé",
                "submitted_at": dossier.submitted_at.isoformat().replace("+00:00", "Z"),
                "updated_at": response.json()["items"][0]["updated_at"],
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
    assert detail["establishment"] == {"finess_et": "349999901", "name": "EHPAD Les Cigales"}
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

    # token, last use, roles, agent regions, count, page
    with django_assert_num_queries(6):
        response = client.get(URL, headers=bearer(secret))

    assert len(response.json()["items"]) == rows
