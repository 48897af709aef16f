"""The site map shows each reader the pages their role opens, from one declared list."""

import re

import pytest

from capqvct.accounts.models import Role
from capqvct.core.sitemap import SITEMAP
from tests.factories import EstablishmentFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PUBLIC = {
    "/",
    "/appels/",
    "/aide/",
    "/aide/etablissements/",
    "/aide/agents/",
    "/contact/",
    "/api/v1/docs",
    "/mentions-legales/",
    "/accessibilite/",
    "/donnees-personnelles/",
    "/cookies/",
}
SIGNED_IN = {"/compte/tableau-de-bord/", "/compte/", "/compte/jetons/"}
DIRECTORY = {"/etablissements/"}
# Claims are decided by programme managers and administrators only.
CLAIMS = {"/etablissements/demandes/"}


def site_map(client) -> dict[str, str]:
    """{address: label} of the links of the page's content (not the header's nor the footer's)."""
    html = client.get("/plan-du-site/").content.decode()
    content = html[html.index('<main id="contenu"') : html.index("</main>")]
    return {url: label for url, label in re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', content)}


def test_an_anonymous_visitor_sees_the_public_pages_and_how_to_sign_in(client):
    assert set(site_map(client)) == PUBLIC | {"/compte/connexion/", "/compte/mot-de-passe/oubli/"}


def test_a_director_sees_their_dossiers_how_to_apply_and_their_establishment(client):
    membership = MembershipFactory(organisation__establishment_space=True, role=Role.DIRECTOR)
    director = membership.user
    establishment = EstablishmentFactory(name="EHPAD Les Cigales", organisation=membership.organisation)
    client.force_login(director)

    links = site_map(client)

    assert set(links) == PUBLIC | SIGNED_IN | {
        "/dossiers/",
        f"/etablissements/{establishment.finess_et}/",
        "/etablissements/rattachement/",
    }
    fiche = f"/etablissements/{establishment.finess_et}/"
    assert links[fiche] == "Fiche de l’établissement EHPAD Les Cigales"
    assert links["/dossiers/"] == "Mes dossiers"
    # « Déposer un dossier » starts from an open call: the same address as « Appels ouverts ».
    assert "Déposer un dossier (choisir un appel ouvert)</a>" in client.get("/plan-du-site/").content.decode()


def test_someone_without_an_organisation_is_shown_how_to_claim_their_establishment(client):
    client.force_login(UserFactory())

    assert set(site_map(client)) == PUBLIC | SIGNED_IN | {"/etablissements/rattachement/"}


def test_a_programme_manager_sees_the_calls_and_the_directory(verified_client):
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER).user

    assert set(site_map(verified_client(manager))) == PUBLIC | SIGNED_IN | DIRECTORY | CLAIMS | {
        "/appels/gestion/"
    }


def test_a_reviewer_sees_their_dossiers_to_review_and_the_directory(verified_client):
    reviewer = MembershipFactory(role=Role.REVIEWER).user

    assert set(site_map(verified_client(reviewer))) == (
        PUBLIC | SIGNED_IN | DIRECTORY | {"/instruction/mes-dossiers/"}
    )


def test_a_national_observer_sees_the_directory(verified_client):
    observer = MembershipFactory(role=Role.OBSERVER, organisation=OrganisationFactory(national=True)).user

    assert set(site_map(verified_client(observer))) == PUBLIC | SIGNED_IN | DIRECTORY


def test_a_consultant_sees_only_their_own_space(verified_client):
    cabinet = OrganisationFactory(consultancy=True)
    consultant = MembershipFactory(role=Role.CONSULTANT, organisation=cabinet).user

    assert set(site_map(verified_client(consultant))) == PUBLIC | SIGNED_IN


def test_an_administrator_sees_everything_an_agent_does_and_the_administration(verified_client):
    admin = UserFactory(is_superuser=True, is_staff=True)

    assert set(site_map(verified_client(admin))) == (
        PUBLIC | SIGNED_IN | DIRECTORY | CLAIMS | {"/appels/gestion/", "/admin/"}
    )


def test_every_entry_names_a_navigation_flag_that_exists(client, verified_client):
    """A misspelt flag would hide its entry from everyone, silently."""
    admin = UserFactory(is_superuser=True, is_staff=True)
    response = verified_client(admin).get("/plan-du-site/")
    known = set(response.context.keys()) | {"anonymous", "signed_in"}

    flags = {flag for section in SITEMAP for entry in section.entries for flag in entry.shown_to}
    flags |= {entry.each for section in SITEMAP for entry in section.entries if entry.each}

    assert flags <= known
