"""The programme managers' pages, end to end through the test client."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from capqvct.accounts.models import OrganisationKind, Role
from capqvct.calls import services
from capqvct.calls.models import Call, CallStatus, FundingRule, Programme, ProgrammeFormat
from tests.factories import MembershipFactory, OrganisationFactory, departement, region
from tests.permissions.world import published_call
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db

NEXT_MONTH = date.today() + timedelta(days=30)
NEXT_YEAR = date.today() + timedelta(days=365)


@pytest.fixture
def manager():
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user


@pytest.fixture
def reunion_manager():
    reunion = region("04", "La Réunion", "Indian/Reunion")
    departement("974", "La Réunion", "04")
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=reunion).user


@pytest.fixture
def reunion_programme(reunion_manager):
    return services.create_programme(
        by=reunion_manager,
        region_id="04",
        title="QVT La Réunion",
        format=ProgrammeFormat.GRANTS,
        funding_rule=FundingRule.PER_PROJECT,
    )


def call_data(**overrides) -> dict:
    return {
        "kind": "aac",
        "title": "Appel à candidatures OMEGA 2022",
        "description": "Une démarche QVT accompagnée.",
        "declared_criteria": "Avoir un CSE\nS’engager sur 18 mois",
        "places": "15",
        "opens_day": "2022-07-01",
        "opens_time": "",
        "deadline_day": "2022-09-05",
        "deadline_time": "",
        "notification_on": "2022-09-30",
        "contacts": "qvt@ars.sante.fr",
        "required_attachments": "Lettre d’engagement signée\nOrganigramme (facultatif)",
        "reminder_days": "2",
        **overrides,
    }


def test_a_manager_creates_a_programme_then_a_call_through_the_pages(verified_client, manager):
    client = verified_client(manager)
    aract = OrganisationFactory(kind=OrganisationKind.ARACT, region=region("76"), name="Aract Occitanie")

    response = client.post(
        "/appels/gestion/programmes/nouveau/",
        {
            "region": "76",
            "title": "OMEGA — Ma démarche QVT",
            "agencies": [aract.pk],
            "target_categories": ["500", "354"],
            "format": "cohorts",
            "funding_rule": "flat_rate",
            "flat_rate_amount": "2000",
        },
    )
    programme = Programme.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/appels/gestion/programmes/{programme.pk}/"
    assert (programme.region_id, list(programme.agencies.all())) == ("76", [aract])
    assert programme.target_categories == ["500", "354"]

    response = client.post(
        f"/appels/gestion/programmes/{programme.pk}/appels/nouveau/",
        call_data(departements=[departement("34").pk], categories=["500"], deadline_time="17:00"),
    )
    call = Call.objects.get()
    assert response["Location"] == f"/appels/gestion/{call.pk}/"
    assert call.closes_at == datetime(2022, 9, 5, 15, 0, tzinfo=UTC)
    assert call.declared_criteria == ["Avoir un CSE", "S’engager sur 18 mois"]
    assert call.required_attachments == [
        {"label": "Lettre d’engagement signée", "required": True},
        {"label": "Organigramme", "required": False},
    ]
    assert services.current_form(call).definition["sections"][0]["key"] == "structure"
    dashboard = client.get(response["Location"]).content.decode()
    assert "Publier l’appel" in dashboard
    assert "Le 5\u00a0septembre 2022 à 17\u00a0h (heure de Paris)" in dashboard
    assert typography_errors(dashboard) == []


def test_a_deadline_day_without_time_at_la_reunion_ends_that_day_there(
    verified_client, reunion_manager, reunion_programme
):
    client = verified_client(reunion_manager)
    page = client.get(f"/appels/gestion/programmes/{reunion_programme.pk}/appels/nouveau/").content.decode()
    assert "En heure de La Réunion" in page
    assert typography_errors(page) == []

    client.post(f"/appels/gestion/programmes/{reunion_programme.pk}/appels/nouveau/", call_data())

    call = Call.objects.get()
    assert call.closes_at == datetime(2022, 9, 5, 19, 59, 59, tzinfo=UTC)
    dashboard = client.get(f"/appels/gestion/{call.pk}/").content.decode()
    assert "Le 5\u00a0septembre 2022 inclus (heure de La Réunion)" in dashboard


def test_editing_a_call_shows_the_deadline_as_typed_and_saves_the_change(
    verified_client, reunion_manager, reunion_programme
):
    client = verified_client(reunion_manager)
    client.post(f"/appels/gestion/programmes/{reunion_programme.pk}/appels/nouveau/", call_data())
    call = Call.objects.get()

    page = client.get(f"/appels/gestion/{call.pk}/modifier/").content.decode()
    assert 'value="2022-09-05"' in page
    client.post(f"/appels/gestion/{call.pk}/modifier/", call_data(deadline_time="12:00", places=""))

    call.refresh_from_db()
    assert (call.closes_at, call.places) == (datetime(2022, 9, 5, 8, 0, tzinfo=UTC), None)


def test_a_deadline_before_the_opening_is_refused_at_the_field_and_what_was_typed_is_kept(
    verified_client, reunion_manager, reunion_programme
):
    response = verified_client(reunion_manager).post(
        f"/appels/gestion/programmes/{reunion_programme.pk}/appels/nouveau/",
        call_data(opens_day="2022-09-10", title="Mon appel tapé"),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert not Call.objects.exists()
    assert response.context["form"].errors["deadline_day"] == [
        "La date limite doit suivre la date d’ouverture."
    ]
    assert 'value="Mon appel tapé"' in page
    assert 'value="2022-09-10"' in page


def test_a_flat_rate_without_its_amount_is_refused_at_the_field(verified_client, manager):
    response = verified_client(manager).post(
        "/appels/gestion/programmes/nouveau/",
        {
            "region": "76",
            "title": "OMEGA",
            "format": "cohorts",
            "funding_rule": "flat_rate",
            "budget": "50000",
        },
    )

    assert not Programme.objects.exists()
    assert response.context["form"].errors["flat_rate_amount"] == [
        "Indiquez le montant du forfait par établissement."
    ]
    assert 'value="50000"' in response.content.decode()


def test_an_invalid_form_definition_is_refused_at_the_field_and_kept(verified_client, manager):
    call = published_call(manager)
    client = verified_client(manager)
    typed = '{"sections": [ oups'

    response = client.post(f"/appels/gestion/{call.pk}/formulaire/", {"definition": typed})

    assert response.context["form"].errors["definition"] == [
        "Ce texte n’est pas du JSON valide (ligne 1, colonne 16)."
    ]
    assert typed.replace('"', "&quot;") in response.content.decode()
    response = client.post(
        f"/appels/gestion/{call.pk}/formulaire/", {"definition": json.dumps({"sections": [{"key": "a"}]})}
    )
    assert response.context["form"].errors["definition"] == [
        "Section «\u00a0a\u00a0»\u00a0: le titre doit être un texte non vide."
    ]
    assert call.form_versions.count() == 1


def test_a_form_saved_after_publication_is_a_new_version_and_the_preview_shows_it(verified_client, manager):
    call = published_call(manager)
    client = verified_client(manager)
    definition = {
        "sections": [
            {
                "key": "projet",
                "title": "Votre projet",
                "fields": [
                    {"key": "motivation", "kind": "long_text", "label": "Motivation", "max_length": 500}
                ],
            }
        ]
    }

    client.post(f"/appels/gestion/{call.pk}/formulaire/", {"definition": json.dumps(definition)})
    preview = client.get(f"/appels/gestion/{call.pk}/apercu/").content.decode()

    assert services.current_form(call).number == 2
    assert 'name="answers.motivation"' in preview
    assert "Déposer le dossier</button>" in preview
    assert 'type="submit" disabled' in preview
    assert typography_errors(preview) == []


def test_the_preview_lists_what_is_wrong_with_a_stored_form_the_engine_refuses(verified_client, manager):
    call = published_call(manager)
    # A definition stored before the engine's rules changed: the service would refuse it today.
    services.current_form(call).__class__.objects.filter(call=call).update(definition={"sections": []})

    page = verified_client(manager).get(f"/appels/gestion/{call.pk}/apercu/").content.decode()

    assert "il faut une liste de sections non vide" in page


def test_publish_then_close_with_a_reason_then_clone(verified_client, manager, reunion_manager):
    client = verified_client(manager)
    programme = published_call(manager).programme
    client.post(
        f"/appels/gestion/programmes/{programme.pk}/appels/nouveau/",
        call_data(opens_day=NEXT_MONTH.isoformat(), deadline_day=NEXT_YEAR.isoformat()),
    )
    call = Call.objects.get(status=CallStatus.DRAFT)

    client.post(f"/appels/gestion/{call.pk}/publier/")
    call.refresh_from_db()
    assert call.status == CallStatus.PUBLISHED
    assert client.get(f"/appels/gestion/{call.pk}/publier/").status_code == 405

    response = client.post(f"/appels/gestion/{call.pk}/clore/", {"reason": " "})
    assert "Ce champ est obligatoire." in response.context["form"].errors["reason"]
    client.post(f"/appels/gestion/{call.pk}/clore/", {"reason": "Toutes les places sont prises."})
    call.refresh_from_db()
    assert (call.status, call.closed_early_reason) == (CallStatus.CLOSED, "Toutes les places sont prises.")

    response = client.post(
        f"/appels/gestion/{call.pk}/dupliquer/",
        {"opens_day": "2023-07-01", "opens_time": "09:00", "deadline_day": "2023-09-05", "deadline_time": ""},
    )
    clone = Call.objects.get(cloned_from=call)
    assert response["Location"] == f"/appels/gestion/{clone.pk}/"
    assert (clone.status, clone.title, clone.places) == (CallStatus.DRAFT, call.title, 15)
    assert clone.opens_at == datetime(2023, 7, 1, 7, 0, tzinfo=UTC)
    assert clone.closes_at == datetime(2023, 9, 5, 21, 59, 59, tzinfo=UTC)


def test_publishing_a_call_whose_deadline_has_passed_shows_why(
    verified_client, reunion_manager, reunion_programme
):
    client = verified_client(reunion_manager)
    client.post(f"/appels/gestion/programmes/{reunion_programme.pk}/appels/nouveau/", call_data())
    call = Call.objects.get()

    response = client.post(f"/appels/gestion/{call.pk}/publier/", follow=True)

    assert "La date limite de dépôt est passée" in response.content.decode()
    call.refresh_from_db()
    assert call.status == CallStatus.DRAFT


def test_a_manager_of_another_region_gets_404_on_every_page_of_the_call(
    verified_client, manager, reunion_manager
):
    call = published_call(manager)
    client = verified_client(reunion_manager)

    assert client.get(f"/appels/gestion/programmes/{call.programme.pk}/").status_code == 404
    assert client.get(f"/appels/gestion/programmes/{call.programme.pk}/appels/nouveau/").status_code == 404
    for page in ("", "modifier/", "formulaire/", "apercu/", "clore/", "dupliquer/"):
        assert client.get(f"/appels/gestion/{call.pk}/{page}").status_code == 404, page
    assert client.post(f"/appels/gestion/{call.pk}/publier/").status_code == 404
    assert client.get("/appels/gestion/").status_code == 200


def test_a_reviewer_gets_403_on_the_list_and_the_creation_page(verified_client):
    reviewer = MembershipFactory(role=Role.REVIEWER, organisation__region=region("76")).user
    client = verified_client(reviewer)

    assert client.get("/appels/gestion/").status_code == 403
    assert client.get("/appels/gestion/programmes/nouveau/").status_code == 403


def test_the_list_runs_the_same_queries_for_one_or_many_calls(
    verified_client, manager, django_assert_max_num_queries
):
    client = verified_client(manager)
    published_call(manager)
    with django_assert_max_num_queries(20) as few:
        page = client.get("/appels/gestion/").content.decode()
    for _ in range(4):
        published_call(manager)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/appels/gestion/")
    assert "Appel à candidatures OMEGA" in page
    assert typography_errors(page) == []
