"""API tokens expire after the lifetime their owner's agencies set (90 days otherwise), are refused
with a French 401 once expired or revoked, and all go when their owner's password is reset."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from capqvct.accounts.models import ApiToken, OrganisationKind, Role
from capqvct.api.services import create_api_token
from capqvct.core.models import AuditEvent
from tests.factories import MembershipFactory, OrganisationFactory, region

pytestmark = pytest.mark.django_db

ESTABLISHMENTS = "/api/v1/etablissements"
NBSP = "\u00a0"


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def ars():
    return OrganisationFactory(region=region("76", "Occitanie"), name="ARS Occitanie")


@pytest.fixture
def manager(ars):
    return MembershipFactory(organisation=ars, role=Role.PROGRAMME_MANAGER).user


def test_a_token_lasts_90_days_for_someone_of_no_agency():
    director = MembershipFactory(organisation__establishment_space=True, role=Role.DIRECTOR).user
    now = timezone.now()

    token, _ = create_api_token(user=director, name="Tableur", now=now)

    assert token.expires_at == now + timedelta(days=90)


def test_a_token_lasts_the_shortest_lifetime_of_its_owners_agencies(ars, manager):
    ars.api_token_lifetime_days = 30
    ars.save()
    aract = OrganisationFactory(kind=OrganisationKind.ARACT, region=ars.region, api_token_lifetime_days=14)
    MembershipFactory(organisation=aract, user=manager, role=Role.REVIEWER)
    now = timezone.now()

    token, _ = create_api_token(user=manager, name="Script", now=now)

    assert token.expires_at == now + timedelta(days=14)


def test_an_expired_token_is_refused_with_401_and_the_date_it_expired(client, manager):
    token, secret = create_api_token(user=manager, name="Script", now=timezone.now() - timedelta(days=91))

    response = client.get(ESTABLISHMENTS, headers=bearer(secret))

    assert response.status_code == 401
    detail = response.json()["detail"]
    assert detail.startswith("Ce jeton d’API a expiré le ")
    assert detail.endswith(f"{NBSP}: créez-en un nouveau depuis « Mon compte › Mes jetons d’API ».")
    assert "Bearer" in response["WWW-Authenticate"]
    token.refresh_from_db()
    assert token.last_used_at is None


def test_a_token_still_valid_answers(client, manager):
    _, secret = create_api_token(user=manager, name="Script", now=timezone.now() - timedelta(days=89))

    assert client.get(ESTABLISHMENTS, headers=bearer(secret)).status_code == 200


def test_a_revoked_token_is_refused_with_401_saying_so(client, manager):
    token, secret = create_api_token(user=manager, name="Script")
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())

    response = client.get(ESTABLISHMENTS, headers=bearer(secret))

    assert response.status_code == 401
    assert response.json()["detail"].startswith("Ce jeton d’API a été révoqué le ")


def test_an_unknown_secret_gets_the_generic_401(client):
    response = client.get(ESTABLISHMENTS, headers=bearer("cq_" + "x" * 43))

    assert response.status_code == 401
    assert response.json()["detail"].startswith("Authentification requise")


def test_the_token_list_shows_when_each_token_expires(manager, verified_client):
    create_api_token(user=manager, name="Ancien", now=timezone.now() - timedelta(days=100))
    create_api_token(user=manager, name="Récent")

    page = verified_client(manager).get("/compte/jetons/").content.decode()

    assert "Expire le" in page and "Expiré" in page
    assert "Un jeton expire après 90&nbsp;jours" in page
    # The expired token cannot be revoked any more; the recent one can.
    assert page.count(">Révoquer") == 1


def test_every_token_is_revoked_when_the_password_is_reset(
    client, manager, django_capture_on_commit_callbacks
):
    tokens = [create_api_token(user=manager, name=name)[0] for name in ("Un", "Deux")]
    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends after the commit
        client.post("/compte/mot-de-passe/oubli/", {"email": manager.email})
    link = re.search(r"https?://[^/]+(/compte/mot-de-passe/nouveau/\S+)", mail.outbox[-1].body)[1]

    form = client.get(link, follow=True)
    new_password = "un-nouveau-mot-de-passe-2027"
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password}
    )

    assert done.status_code == 302
    for token in tokens:
        token.refresh_from_db()
        assert token.revoked_at is not None
    event = AuditEvent.objects.get(action="password_reset")
    assert (event.actor, event.details, event.ip) == (manager, {"api_tokens_revoked": 2}, "127.0.0.1")


def test_the_agency_manager_sets_the_lifetime_next_to_the_members(ars, manager, verified_client):
    client = verified_client(manager)
    assert "Jetons d’API des membres" in client.get(f"/compte/organisations/{ars.pk}/").content.decode()

    response = client.post(f"/compte/organisations/{ars.pk}/jetons-api/", {"api_token_lifetime_days": "30"})

    assert response.status_code == 302
    ars.refresh_from_db()
    assert ars.api_token_lifetime_days == 30
    assert AuditEvent.objects.filter(action="api_token_lifetime_changed", target_id=str(ars.pk)).exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("0", "supérieure ou égale à 1"),
        ("366", "inférieure ou égale à 365"),
        ("trente", "Indiquez un nombre entier de jours."),
        ("99999999999999999999999", "inférieure ou égale à 365"),
        ("", "Indiquez une durée en jours."),
    ],
)
def test_a_lifetime_out_of_range_is_refused_at_its_field(ars, manager, verified_client, typed, message):
    response = verified_client(manager).post(
        f"/compte/organisations/{ars.pk}/jetons-api/", {"api_token_lifetime_days": typed}
    )

    assert response.status_code == 200
    assert message in " ".join(response.context["lifetime_form"].errors["api_token_lifetime_days"])
    assert f'value="{typed}"' in response.content.decode() or typed == ""
    ars.refresh_from_db()
    assert ars.api_token_lifetime_days == 90


def test_a_reviewer_or_another_agency_cannot_set_the_lifetime(ars, verified_client):
    reviewer = MembershipFactory(organisation=ars, role=Role.REVIEWER).user
    other = MembershipFactory(
        organisation=OrganisationFactory(region=region("84", "Auvergne-Rhône-Alpes"))
    ).user

    for user in (reviewer, other):
        response = verified_client(user).post(
            f"/compte/organisations/{ars.pk}/jetons-api/", {"api_token_lifetime_days": "1"}
        )
        assert response.status_code == 404
    ars.refresh_from_db()
    assert ars.api_token_lifetime_days == 90


def test_a_director_space_has_no_token_lifetime(verified_client):
    director = MembershipFactory(organisation__establishment_space=True, role=Role.DIRECTOR)

    page = verified_client(director.user).get(f"/compte/organisations/{director.organisation_id}/")

    assert "Jetons d’API des membres" not in page.content.decode()
