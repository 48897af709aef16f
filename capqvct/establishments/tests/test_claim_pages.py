"""The claim pages: the claimant's form and dashboard, the managers' list, the direction's answer."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import localtime

from capqvct.accounts.models import Role
from capqvct.establishments import services
from capqvct.establishments.models import Claim, ClaimStatus
from tests.factories import (
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    departement,
)
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db


def _directed(name: str, director_email: str):
    space = OrganisationFactory(establishment_space=True, name=name)
    establishment = EstablishmentFactory(name=name, departement=departement("34"), organisation=space)
    director = MembershipFactory(
        organisation=space,
        role=Role.DIRECTOR,
        user__email=director_email,
        user__first_name="Marie",
        user__last_name="Castanier",
    ).user
    return establishment, director


def _claim(establishment, email: str, **extra) -> Claim:
    return services.request_claim(
        establishment=establishment, user=UserFactory(email=email), function="Directrice", **extra
    )


# The managers' list ----------------------------------------------------------------------------------


def test_the_list_warns_that_an_establishment_already_has_a_direction(manager, verified_client):
    directed, _ = _directed("EHPAD Les Glycines", "marie@glycines.exemple.fr")
    _claim(directed, "aurore@exemple.fr")
    _claim(EstablishmentFactory(name="EHPAD Les Cigales", departement=departement("34")), "odile@exemple.fr")

    page = verified_client(manager).get("/etablissements/demandes/").content.decode()

    assert page.count("Cet établissement a déjà une direction&nbsp;:") == 1
    warning = page[page.index("Cet établissement a déjà une direction") : page.index("Elle a été prévenue")]
    assert "(marie@glycines.exemple.fr)" in warning
    assert typography_errors(page) == []


def test_the_list_reads_the_same_number_of_queries_for_one_claim_or_six(manager, verified_client):
    client = verified_client(manager)
    directed, _ = _directed("EHPAD 0", "direction0@exemple.fr")
    _claim(directed, "demandeur0@exemple.fr")
    client.get("/etablissements/demandes/")  # sessions, menus: warm
    with CaptureQueriesContext(connection) as one:
        client.get("/etablissements/demandes/")
    for n in range(1, 6):
        directed, _ = _directed(f"EHPAD {n}", f"direction{n}@exemple.fr")
        _claim(directed, f"demandeur{n}@exemple.fr")
    with CaptureQueriesContext(connection) as six:
        response = client.get("/etablissements/demandes/")

    assert response.content.decode().count("Cet établissement a déjà une direction") == 6
    assert len(six) == len(one)


def test_a_reviewer_sees_no_list_and_cannot_post_a_decision(reviewer, verified_client):
    claim = _claim(EstablishmentFactory(departement=departement("34")), "odile@exemple.fr")
    client = verified_client(reviewer)

    assert client.get("/etablissements/demandes/").status_code == 403
    assert client.post(f"/etablissements/demandes/{claim.pk}/accepter/").status_code == 404
    assert client.post(f"/etablissements/demandes/{claim.pk}/refuser/", {"reason": "Non"}).status_code == 404
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING
    assert "Demandes de rattachement" not in client.get("/compte/tableau-de-bord/").content.decode()


def test_the_managers_dashboard_counts_the_claims_to_decide(manager, verified_client):
    _claim(EstablishmentFactory(departement=departement("34")), "odile@exemple.fr")
    page = verified_client(manager).get("/compte/tableau-de-bord/").content.decode()
    assert "1 demande attend votre décision." in page


def test_members_of_the_space_do_not_see_who_else_claimed_it(client, manager, verified_client):
    establishment, _ = _directed("EHPAD Les Glycines", "marie@glycines.exemple.fr")
    member = MembershipFactory(organisation=establishment.organisation, role=Role.MEMBER).user
    claimant = UserFactory(email="autre@exemple.fr", first_name="Aurore", last_name="Testard")
    services.request_claim(establishment=establishment, user=claimant, function="Cadre")
    client.force_login(member)
    page = f"/etablissements/{establishment.finess_et}/"

    assert "Aurore Testard" not in client.get(page).content.decode()
    assert "Aurore Testard" in verified_client(manager).get(page).content.decode()


# The claimant ----------------------------------------------------------------------------------------


def test_the_claim_form_keeps_what_was_typed_when_the_function_is_missing(client):
    establishment = EstablishmentFactory(departement=departement("34"))
    client.force_login(UserFactory())
    response = client.post(
        f"/etablissements/rattachement/{establishment.finess_et}/",
        {"function": "", "message": "Bonjour !", "next": "/appels/7/"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Bonjour !" in page and 'value="/appels/7/"' in page
    assert response.context["form"].errors["function"] == ["Ce champ est obligatoire."]
    assert not Claim.objects.exists()


def test_a_claim_sent_from_a_call_returns_to_it(client, manager):
    establishment = EstablishmentFactory(name="EHPAD Les Cigales", departement=departement("34"))
    client.force_login(UserFactory(email="odile@exemple.fr"))

    response = client.post(
        f"/etablissements/rattachement/{establishment.finess_et}/?next=/appels/7/",
        {"function": "Directrice", "next": "/appels/7/"},
    )

    assert response.status_code == 302 and response["Location"] == "/appels/7/"
    assert Claim.objects.get().return_path == "/appels/7/"


def test_a_claim_never_returns_to_another_site(client):
    establishment = EstablishmentFactory(departement=departement("34"))
    client.force_login(UserFactory())
    response = client.post(
        f"/etablissements/rattachement/{establishment.finess_et}/",
        {"function": "Directrice", "next": "https://ailleurs.exemple.com/"},
    )
    assert response["Location"] == "/compte/tableau-de-bord/"
    assert Claim.objects.get().return_path == ""


def test_the_claim_form_says_when_the_direction_will_be_asked(client):
    establishment, _ = _directed("EHPAD Les Glycines", "marie@glycines.exemple.fr")
    # The stranger's own name is in the page's header: it must not be mistaken for the director's.
    client.force_login(UserFactory(first_name="Paul", last_name="Vidal"))
    page = client.get(f"/etablissements/rattachement/{establishment.finess_et}/").content.decode()
    assert "Cet établissement a déjà une direction sur Cap QVCT" in page
    # Who directs it is not said to a stranger.
    assert "marie@glycines.exemple.fr" not in page and "Castanier" not in page


def test_the_claimants_dashboard_shows_the_pending_claim_then_the_refusal_and_its_reason(client, manager):
    establishment = EstablishmentFactory(name="EHPAD Les Cigales", departement=departement("34"))
    claimant = UserFactory(email="odile@exemple.fr")
    claim = services.request_claim(establishment=establishment, user=claimant, function="Directrice")
    client.force_login(claimant)

    page = client.get("/compte/tableau-de-bord/").content.decode()
    assert "Demande en attente" in page and "EHPAD Les Cigales" in page
    # The date is the one of the agency's time zone, not UTC's (they differ after 23:00).
    assert f"demande envoyée le {localtime(claim.created_at).day}" in page
    assert "L’agence de la région vous répondra par e-mail." in page
    # The claim says what comes next: no invitation to claim again.
    assert "Vous n’appartenez encore à aucune organisation" not in page

    services.reject_claim(claim=claim, by=manager, reason="Un autre directeur est déclaré.")
    page = client.get("/compte/tableau-de-bord/").content.decode()
    assert "Demande en attente" not in page
    assert "Demande refusée" in page
    assert "Motif&nbsp;: Un autre directeur est déclaré." in page
    assert "Vous n’appartenez encore à aucune organisation" in page
    assert typography_errors(page) == []


# The direction ---------------------------------------------------------------------------------------


def test_the_direction_confirms_from_its_dashboard(client):
    establishment, director = _directed("EHPAD Les Glycines", "marie@glycines.exemple.fr")
    claim = _claim(establishment, "aurore@exemple.fr", message="Je suis la nouvelle cadre de santé.")
    client.force_login(director)

    page = client.get("/compte/tableau-de-bord/").content.decode()
    assert "Demandes à confirmer" in page and "Je suis la nouvelle cadre de santé." in page
    assert "Oui, c’est une collègue" in page
    response = client.post(f"/etablissements/demandes/{claim.pk}/confirmer/", follow=True)

    assert "rejoint l’espace de EHPAD Les Glycines comme membre" in response.content.decode()
    assert establishment.organisation.memberships.get(user=claim.user).role == Role.MEMBER


def test_the_direction_declines_with_a_message(client, django_capture_on_commit_callbacks):
    establishment, director = _directed("EHPAD Les Glycines", "marie@glycines.exemple.fr")
    claim = _claim(establishment, "aurore@exemple.fr")
    client.force_login(director)
    assert client.get(f"/etablissements/demandes/{claim.pk}/decliner/").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/etablissements/demandes/{claim.pk}/decliner/", {"reason": "Personne inconnue ici."}
        )

    assert response["Location"] == "/compte/tableau-de-bord/"
    claim.refresh_from_db()
    assert (claim.status, claim.decision_reason) == (ClaimStatus.DECLINED, "Personne inconnue ici.")
    assert "Personne inconnue ici." in mail.outbox[-1].body


def test_another_establishments_director_cannot_answer(client):
    establishment, _ = _directed("EHPAD Les Glycines", "marie@glycines.exemple.fr")
    _, stranger = _directed("EHPAD Les Cigales", "paul@cigales.exemple.fr")
    claim = _claim(establishment, "aurore@exemple.fr")
    client.force_login(stranger)

    assert client.post(f"/etablissements/demandes/{claim.pk}/confirmer/").status_code == 404
    assert client.get(f"/etablissements/demandes/{claim.pk}/decliner/").status_code == 404
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.PENDING
