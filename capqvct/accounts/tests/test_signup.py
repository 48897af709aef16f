"""A director without an account signs up from a call, confirms the address, then claims."""

import pytest
from django.core import mail
from django.core.cache import cache

from capqvct.accounts import signup
from capqvct.accounts.models import Role, User
from capqvct.accounts.selectors import needs_second_factor
from capqvct.accounts.services import invite_colleague
from capqvct.core.models import AuditEvent
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "email": "Odile.Pujol@Ehpad.exemple.fr",
    "first_name": "Odile",
    "last_name": "Pujol",
    "password": "une-phrase-de-passe-longue",
}


@pytest.fixture(autouse=True)
def fresh_limits():
    """The limits count in the cache: each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


def _sign_up(client, django_capture_on_commit_callbacks, data=GOOD, next_path="/appels/7/"):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(f"/compte/inscription/?next={next_path}", {**data, "next": next_path})


def _confirmation_path() -> str:
    link = next(
        line for line in mail.outbox[-1].body.splitlines() if "/compte/inscription/confirmer/" in line
    )
    return link.removeprefix("http://127.0.0.1:8000")


def test_signing_up_creates_an_account_that_waits_for_its_address(client, django_capture_on_commit_callbacks):
    response = _sign_up(client, django_capture_on_commit_callbacks)

    assert response["Location"] == "/compte/inscription/envoyee/"
    user = User.objects.get()
    assert (user.email, user.first_name, user.is_active) == ("odile.pujol@ehpad.exemple.fr", "Odile", False)
    assert user.check_password("une-phrase-de-passe-longue")
    assert mail.outbox[-1].to == ["odile.pujol@ehpad.exemple.fr"]
    assert mail.outbox[-1].subject == "Cap QVCT\u00a0: confirmez votre adresse e-mail"
    assert "?next=%2Fappels%2F7%2F" in _confirmation_path()
    assert "odile.pujol@ehpad.exemple.fr" in client.get(response["Location"]).content.decode()
    # Until confirmed, the password opens nothing.
    response = client.post(
        "/compte/connexion/",
        {"username": "odile.pujol@ehpad.exemple.fr", "password": "une-phrase-de-passe-longue"},
    )
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_the_link_asks_for_a_click_then_signs_in_and_leads_to_the_claim(
    client, django_capture_on_commit_callbacks
):
    _sign_up(client, django_capture_on_commit_callbacks)
    path = _confirmation_path()

    # Opening the link (as a mail scanner would) confirms nothing.
    page = client.get(path)
    assert "Confirmer et continuer" in page.content.decode()
    assert not User.objects.get().is_active

    response = client.post(path, {"next": "/appels/7/"})

    assert response["Location"] == "/etablissements/rattachement/?next=%2Fappels%2F7%2F"
    user = User.objects.get()
    assert user.is_active
    assert client.get("/compte/tableau-de-bord/").status_code == 200
    assert set(AuditEvent.objects.values_list("action", flat=True)) >= {
        "signup_requested",
        "signup_confirmed",
    }
    # A director needs no second factor.
    MembershipFactory(
        user=user, role=Role.DIRECTOR, organisation=OrganisationFactory(establishment_space=True)
    )
    assert not needs_second_factor(User.objects.get())


def test_a_used_link_no_longer_works(client, django_capture_on_commit_callbacks):
    _sign_up(client, django_capture_on_commit_callbacks)
    path = _confirmation_path()
    client.post(path)
    client.logout()

    assert "n’est plus valable" in client.get(path).content.decode()
    response = client.post(path, follow=True)
    assert "Ce lien de confirmation n’est plus valable" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_weak_password_is_refused_at_the_field_and_the_rest_is_kept(
    client, django_capture_on_commit_callbacks
):
    response = _sign_up(client, django_capture_on_commit_callbacks, data={**GOOD, "password": "odilepujol"})

    assert response.status_code == 200
    errors = response.context["form"].errors["password"][0]
    assert "trop court" in errors
    page = response.content.decode()
    assert 'value="Odile.Pujol@Ehpad.exemple.fr"' in page and 'value="Pujol"' in page
    assert 'value="/appels/7/"' in page
    assert not User.objects.exists() and mail.outbox == []


def test_an_address_that_has_an_account_is_reminded_to_sign_in_and_nothing_changes(
    client, django_capture_on_commit_callbacks
):
    existing = UserFactory(email="odile.pujol@ehpad.exemple.fr", first_name="Odile")

    response = _sign_up(client, django_capture_on_commit_callbacks)

    # The page says the same as for a new address: the form tells nobody who has an account.
    assert response["Location"] == "/compte/inscription/envoyee/"
    existing.refresh_from_db()
    assert existing.check_password(PASSWORD) and existing.is_active
    assert User.objects.count() == 1
    assert mail.outbox[-1].subject == "Cap QVCT\u00a0: vous avez déjà un compte"
    assert "/compte/connexion/?next=/appels/7/" in mail.outbox[-1].body


def test_signing_up_again_before_confirming_sends_a_new_link_and_kills_the_old(
    client, django_capture_on_commit_callbacks
):
    _sign_up(client, django_capture_on_commit_callbacks)
    first = _confirmation_path()
    _sign_up(client, django_capture_on_commit_callbacks, data={**GOOD, "password": "une-autre-phrase-longue"})
    second = _confirmation_path()

    assert User.objects.count() == 1
    assert "n’est plus valable" in client.get(first).content.decode()
    client.post(second)
    assert User.objects.get().check_password("une-autre-phrase-longue")


def test_sign_ups_from_one_network_address_are_limited(
    client, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(signup, "SIGNUPS_PER_ADDRESS_PER_HOUR", 2)
    for n in range(2):
        _sign_up(client, django_capture_on_commit_callbacks, data={**GOOD, "email": f"p{n}@exemple.fr"})

    response = _sign_up(client, django_capture_on_commit_callbacks, data={**GOOD, "email": "p3@exemple.fr"})

    assert response.status_code == 200
    assert "Trop d’inscriptions ont été demandées depuis votre réseau" in response.content.decode()
    assert not User.objects.filter(email="p3@exemple.fr").exists()


def test_confirmation_emails_to_one_mailbox_are_limited(client, django_capture_on_commit_callbacks):
    for _ in range(signup.EMAILS_PER_MAILBOX_PER_HOUR):
        _sign_up(client, django_capture_on_commit_callbacks)
    sent = len(mail.outbox)

    response = _sign_up(client, django_capture_on_commit_callbacks)

    assert (
        response.context["form"]
        .errors["email"][0]
        .startswith("Plusieurs messages ont déjà été envoyés à cette adresse dans l’heure")
    )
    assert len(mail.outbox) == sent


def test_a_signed_in_person_is_sent_on(client):
    client.force_login(UserFactory())
    assert client.get("/compte/inscription/?next=/appels/7/")["Location"] == "/appels/7/"


def test_the_next_page_is_never_another_site(client, django_capture_on_commit_callbacks):
    _sign_up(client, django_capture_on_commit_callbacks, next_path="//ailleurs.exemple.com/")
    assert "next=" not in _confirmation_path()


def test_an_invitation_completes_an_account_left_unconfirmed(client, django_capture_on_commit_callbacks):
    """The invitation's link proves the address as well as the confirmation would."""
    _sign_up(client, django_capture_on_commit_callbacks)
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER).user
    with django_capture_on_commit_callbacks(execute=True):
        invite_colleague(
            organisation=manager.memberships.get().organisation,
            email="odile.pujol@ehpad.exemple.fr",
            role=Role.REVIEWER,
            by=manager,
        )
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/compte/invitation/" in line)

    response = client.post(
        link.removeprefix("http://127.0.0.1:8000"),
        {"first_name": "Odile", "last_name": "Pujol", "password": "encore-une-phrase-longue"},
    )

    assert response.status_code == 302
    user = User.objects.get(email="odile.pujol@ehpad.exemple.fr")
    assert user.is_active and user.check_password("encore-une-phrase-longue")
    assert user.memberships.get().role == Role.REVIEWER


def test_the_public_call_page_offers_anonymous_visitors_to_sign_up(client):
    from capqvct.calls.models import Call
    from tests.permissions.world import published_call

    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER).user
    call: Call = published_call(manager)

    page = client.get(f"/appels/{call.pk}/").content.decode()

    assert f'href="/compte/inscription/?next=/appels/{call.pk}/"' in page
    assert f'href="/compte/connexion/?next=/dossiers/nouveau/{call.pk}/"' in page


def test_accounts_never_confirmed_are_deleted_after_a_week(client, django_capture_on_commit_callbacks):
    from datetime import timedelta
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    _sign_up(client, django_capture_on_commit_callbacks)
    _sign_up(client, django_capture_on_commit_callbacks, data={**GOOD, "email": "recente@exemple.fr"})
    User.objects.filter(email="odile.pujol@ehpad.exemple.fr").update(
        date_joined=timezone.now() - timedelta(days=8)
    )
    confirmed = UserFactory(email="active@exemple.fr")
    User.objects.filter(pk=confirmed.pk).update(date_joined=timezone.now() - timedelta(days=30))
    out = StringIO()

    call_command("purge_unconfirmed_accounts", stdout=out)

    assert out.getvalue().strip() == "1 compte jamais confirmé supprimé."
    assert sorted(User.objects.values_list("email", flat=True)) == ["active@exemple.fr", "recente@exemple.fr"]
    assert AuditEvent.objects.filter(action="unconfirmed_account_deleted").get().actor_email == (
        "odile.pujol@ehpad.exemple.fr"
    )
