"""Getting on the platform, in Chromium: a new agency and its first manager; a director who never
had an account signs up from a call, claims, waits, is accepted and starts a dossier; a claim on an
establishment that already has a director; a manager inviting a direction from a call."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from capqvct.accounts.models import OrganisationKind, Role
from capqvct.applications.models import Application
from capqvct.establishments.models import ClaimStatus
from capqvct.territory.models import Commune
from tests.factories import (
    PASSWORD,
    EstablishmentFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    departement,
    login_verified,
    region,
)
from tests.permissions.world import published_call

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()


@pytest.fixture
def occitanie():
    ars = OrganisationFactory(
        kind=OrganisationKind.ARS, region=region("76", "Occitanie"), name="ARS Occitanie"
    )
    manager = MembershipFactory(
        role=Role.PROGRAMME_MANAGER,
        organisation=ars,
        user__email="claire.fabre@ars.exemple.fr",
        user__first_name="Claire",
        user__last_name="Fabre",
    ).user
    call = published_call(manager)
    call.categories = ["500"]
    call.save(update_fields=["categories"])
    cigales = EstablishmentFactory(
        name="EHPAD Les Cigales",
        finess_et="349999995",
        departement=departement("34"),
        # Transactional tests empty the reference tables between them: the commune is made here.
        commune=Commune.objects.get_or_create(
            code="34172", defaults={"name": "Montpellier", "departement": departement("34")}
        )[0],
        postal_code="34000",
        city_label="34000 MONTPELLIER",
        address="12 rue des Oliviers",
        email="accueil@cigales.exemple.fr",
    )
    EstablishmentFactory(
        name="EHPAD Les Cigales", departement=departement("30", "Gard", "76"), postal_code="30000"
    )
    return manager, call, cigales


def _signed_in_page(browser, live_server, user):
    """A new browser context signed in as `user` (with a verified second factor where needed)."""
    client = login_verified(Client(), user)
    context = browser.new_context(
        locale="fr-FR", viewport={"width": 1280, "height": 900}, base_url=live_server.url
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def _link_in_last_email(fragment: str) -> str:
    line = next(line for line in mail.outbox[-1].body.splitlines() if fragment in line)
    return line.removeprefix("http://127.0.0.1:8000")


def test_the_administrator_creates_an_agency_and_its_first_manager_joins(browser, live_server, look):
    admin = UserFactory(email="admin@capqvct.exemple.fr", is_superuser=True, is_staff=True, first_name="Alex")
    region("53", "Bretagne")
    page = _signed_in_page(browser, live_server, admin)

    page.goto("/compte/tableau-de-bord/")
    page.get_by_role("link", name="Agences", exact=True).click()
    expect(page.get_by_role("heading", name="Agences", level=1)).to_be_visible()
    look(page, "agences")
    page.get_by_role("link", name="Créer une agence").click()
    page.get_by_label("Type d’agence").select_option("ars")
    page.get_by_role("combobox", name=re.compile("^Région")).select_option(label="Bretagne")
    page.get_by_label("Adresse e-mail du premier responsable de programme").fill("lea.morvan@ars.exemple.fr")
    look(page, "agence-nouvelle")
    page.get_by_role("button", name="Créer l’agence et inviter").click()
    expect(page.get_by_text("ARS Bretagne est créée.")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile("Bretagne"))).to_contain_text("1 invitation en attente")
    look(page, "agences-apres-creation")

    # A second ARS in the same region is refused at the field, and what was typed stays.
    page.goto("/compte/agences/nouvelle/?type=ars&region=53")
    page.get_by_label("Adresse e-mail du premier responsable de programme").fill("autre@ars.exemple.fr")
    page.get_by_role("button", name="Créer l’agence et inviter").click()
    expect(page.get_by_text("La région Bretagne a déjà une ARS")).to_be_visible()
    expect(page.get_by_label("Adresse e-mail du premier responsable de programme")).to_have_value(
        "autre@ars.exemple.fr"
    )
    look(page, "agence-refusee")

    # The invited manager creates the account, then sets up the second factor as any agent.
    invitation = _link_in_last_email("/compte/invitation/") if "autre" not in mail.outbox[-1].to[0] else None
    invitation = invitation or _link_in_last_email("/compte/invitation/")
    manager_page = browser.new_context(base_url=live_server.url, locale="fr-FR").new_page()
    manager_page.goto(invitation)
    expect(manager_page.get_by_role("heading", name="Rejoindre ARS Bretagne")).to_be_visible()
    look(manager_page, "invitation-premier-responsable")
    manager_page.get_by_label("Prénom").fill("Léa")
    manager_page.get_by_role("textbox", name=re.compile(r"^Nom")).fill("Morvan")
    manager_page.get_by_label("Mot de passe").fill("une-phrase-de-passe-longue")
    manager_page.get_by_role("button", name="Créer mon compte et rejoindre").click()
    expect(manager_page.get_by_role("heading", name="Double authentification")).to_be_visible()
    device = TOTPDevice.objects.get(user__email="lea.morvan@ars.exemple.fr")
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    manager_page.get_by_label("Code à 6 chiffres").fill(f"{code:06d}")
    manager_page.get_by_role("button", name="Activer la double authentification").click()
    # The recovery codes are shown once, right after the set-up.
    expect(manager_page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
    manager_page.get_by_role("button", name="J’ai noté mes codes").click()
    expect(manager_page.get_by_role("heading", name="Bonjour Léa")).to_be_visible()
    expect(manager_page.get_by_text("Responsable de programme — Bretagne")).to_be_visible()
    look(manager_page, "premier-responsable-tableau-de-bord")


def test_a_newcomer_director_signs_up_from_a_call_claims_is_accepted_and_starts_a_dossier(
    page, browser, live_server, look, occitanie
):
    manager, call, cigales = occitanie

    page.goto(f"/appels/{call.pk}/")
    look(page, "appel-public-anonyme")
    page.get_by_role("link", name="Déposer un dossier").click()
    expect(page.get_by_role("heading", name="Créer un compte")).to_be_visible()
    page.get_by_label("Adresse e-mail professionnelle").fill("ines.roux@cigales.exemple.fr")
    page.get_by_label("Prénom").fill("Inès")
    page.get_by_role("textbox", name=re.compile(r"^Nom")).fill("Roux")
    page.get_by_label("Mot de passe").fill("roux")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_text("trop court")).to_be_visible()
    expect(page.get_by_label("Prénom")).to_have_value("Inès")
    look(page, "inscription-mot-de-passe-refuse")
    page.get_by_label("Mot de passe").fill("les-cigales-chantent-en-ete")
    page.get_by_role("button", name="Créer mon compte").click()
    expect(page.get_by_role("heading", name="Confirmez votre adresse")).to_be_visible()
    look(page, "inscription-envoyee")

    page.goto(_link_in_last_email("/compte/inscription/confirmer/"))
    look(page, "inscription-confirmer")
    page.get_by_role("button", name="Confirmer et continuer").click()
    expect(page.get_by_role("heading", name="Rattacher mon établissement")).to_be_visible()
    page.get_by_label("Votre établissement").fill("cigales montpellier")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_text("1 établissement", exact=True)).to_be_visible()
    look(page, "rattachement-recherche")
    page.get_by_role("link", name="Demander à rejoindre EHPAD Les Cigales").click()
    page.get_by_label("Votre fonction dans l’établissement").fill("Directrice")
    look(page, "rattachement-demande")
    page.get_by_role("button", name="Envoyer la demande").click()

    # Back on the call, then « Demande en attente » on the dashboard.
    expect(page.get_by_role("heading", name=call.title)).to_be_visible()
    expect(page.get_by_text("Demande envoyée pour EHPAD Les Cigales")).to_be_visible()
    page.goto("/compte/tableau-de-bord/")
    expect(page.get_by_text("Demande en attente", exact=True)).to_be_visible()
    expect(page.get_by_text("EHPAD Les Cigales — demande envoyée le")).to_be_visible()
    look(page, "tableau-de-bord-demande-en-attente")
    assert mail.outbox[-1].to == [manager.email]

    manager_page = _signed_in_page(browser, live_server, manager)
    manager_page.goto("/compte/tableau-de-bord/")
    manager_page.get_by_role("link", name="Demandes de rattachement").click()
    expect(manager_page.get_by_role("cell", name=re.compile("^Inès Roux"))).to_be_visible()
    look(manager_page, "demandes-de-rattachement")
    manager_page.get_by_role("button", name="Accepter la demande de ines.roux@cigales.exemple.fr").click()
    expect(manager_page.get_by_text("dirige désormais l’espace de EHPAD Les Cigales")).to_be_visible()

    # The acceptance e-mail leads back to the call; the director starts the dossier.
    page.goto(_link_in_last_email(f"/appels/{call.pk}/"))
    page.get_by_role("link", name="Déposer un dossier").click()
    page.get_by_role("button", name="Commencer le dossier").click()
    expect(page.get_by_label("Motivation")).to_be_visible()
    look(page, "nouvelle-direction-dossier")
    assert Application.objects.get().establishment == cigales


def test_a_claim_on_an_establishment_that_already_has_a_director(page, browser, live_server, look, occitanie):
    manager, _, cigales = occitanie
    space = OrganisationFactory(establishment_space=True, name="EHPAD Les Cigales")
    cigales.organisation = space
    cigales.save()
    director = MembershipFactory(
        organisation=space,
        role=Role.DIRECTOR,
        user__email="marie.delmas@cigales.exemple.fr",
        user__first_name="Marie",
        user__last_name="Delmas",
    ).user
    claimant = UserFactory(
        email="aurore.testard@cigales.exemple.fr", first_name="Aurore", last_name="Testard"
    )

    page.goto("/compte/connexion/")
    page.get_by_label("Adresse e-mail").fill(claimant.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.goto("/etablissements/rattachement/?q=349999995")
    page.get_by_role("link", name="Demander à rejoindre EHPAD Les Cigales").click()
    expect(page.get_by_text("Cet établissement a déjà une direction sur Cap QVCT")).to_be_visible()
    page.get_by_label("Votre fonction dans l’établissement").fill("Cadre de santé")
    page.get_by_label("Message à l’agence (facultatif)").fill("Arrivée en septembre.")
    look(page, "rattachement-etablissement-dirige")
    page.get_by_role("button", name="Envoyer la demande").click()

    manager_page = _signed_in_page(browser, live_server, manager)
    manager_page.goto("/etablissements/demandes/")
    expect(manager_page.get_by_text("Cet établissement a déjà une direction : Marie Delmas")).to_be_visible()
    look(manager_page, "demandes-direction-deja-presente")

    director_page = _signed_in_page(browser, live_server, director)
    director_page.goto("/compte/tableau-de-bord/")
    expect(director_page.get_by_role("heading", name="Demandes à confirmer")).to_be_visible()
    look(director_page, "direction-demande-a-confirmer")
    director_page.get_by_role("button", name=re.compile("Oui, c’est une collègue")).click()
    expect(
        director_page.get_by_text("Aurore Testard rejoint l’espace de EHPAD Les Cigales comme membre")
    ).to_be_visible()
    look(director_page, "direction-demande-confirmee")

    claim = claimant.claims.get()
    assert claim.status == ClaimStatus.CONFIRMED
    assert dict(space.memberships.values_list("user__email", "role")) == {
        "marie.delmas@cigales.exemple.fr": Role.DIRECTOR,
        "aurore.testard@cigales.exemple.fr": Role.MEMBER,
    }
    manager_page.reload()
    expect(manager_page.get_by_text("Aucune demande en attente dans votre région.")).to_be_visible()


def test_a_manager_invites_a_direction_from_the_call(page, browser, live_server, look, occitanie):
    manager, call, cigales = occitanie
    manager_page = _signed_in_page(browser, live_server, manager)

    manager_page.goto(f"/dossiers/gestion/appels/{call.pk}/")
    manager_page.get_by_role("link", name="Inviter une direction").click()
    manager_page.get_by_label("Trouver l’établissement").fill("cigales 34000")
    manager_page.get_by_role("button", name="Rechercher").click()
    manager_page.get_by_role("link", name="Choisir EHPAD Les Cigales").click()
    expect(manager_page.get_by_label("Adresse e-mail de la direction")).to_have_value(
        "accueil@cigales.exemple.fr"
    )
    manager_page.get_by_label("Adresse e-mail de la direction").fill("direction@cigales.exemple.fr")
    look(manager_page, "inviter-une-direction")
    manager_page.get_by_role("button", name="Envoyer l’invitation").click()
    expect(manager_page.get_by_text("Invitation envoyée à direction@cigales.exemple.fr")).to_be_visible()
    look(manager_page, "inviter-une-direction-envoyee")

    page.goto(_link_in_last_email("/compte/invitation/"))
    expect(page.get_by_text("Vous serez ensuite dirigé·e vers la page de l’appel")).to_be_visible()
    page.get_by_label("Prénom").fill("Paul")
    page.get_by_role("textbox", name=re.compile(r"^Nom")).fill("Vidal")
    page.get_by_label("Mot de passe").fill("une-phrase-de-passe-longue")
    page.get_by_role("button", name="Créer mon compte et rejoindre").click()
    expect(page.get_by_role("heading", name=call.title)).to_be_visible()
    page.get_by_role("link", name="Déposer un dossier").click()
    expect(page.get_by_label("EHPAD Les Cigales")).to_be_checked()
    cigales.refresh_from_db()
    assert cigales.organisation.memberships.get().role == Role.DIRECTOR
