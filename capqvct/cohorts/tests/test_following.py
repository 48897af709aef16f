"""After confirmation: each participant's trinôme taken from its dossier, who sees a cohort and a
participation (the managers, the cohort's pair, the establishment's people), and « Mes collectifs »."""

import pytest
from django.urls import reverse

from capqvct.accounts.models import Role
from capqvct.cohorts.models import TrioMember, TrioRole
from capqvct.cohorts.tests.builders import confirmed_cohort, consultants, manager_of_occitanie
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, login_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return manager_of_occitanie()


@pytest.fixture
def cohort(manager):
    return confirmed_cohort(manager)


def test_confirming_takes_each_trinome_from_its_dossier(cohort):
    participant = cohort.participants.order_by("pk").first()
    slug = participant.establishment.finess_et
    members = {m.role: m for m in participant.trio.all()}
    assert set(members) == set(TrioRole.values)
    assert members[TrioRole.DIRECTION].email == f"direction.{slug}@example.org"
    assert members[TrioRole.DIRECTION].name == f"Directrice {slug}"
    assert members[TrioRole.PROFESSIONS].function == "Cadre de santé"
    assert TrioMember.objects.filter(participant__cohort=cohort).count() == 3 * cohort.participants.count()


def test_a_trio_member_with_an_account_is_linked_to_it(manager):
    from capqvct.cohorts import services
    from capqvct.cohorts.tests.builders import selected_call

    call = selected_call(manager, herault=1)
    application = call.applications.get()
    person = UserFactory(email=f"cadre.{application.establishment.finess_et}@example.org")
    first, second = consultants(2)
    services.save_pair(call=call, by=manager, first=first, second=second, min_load=1, max_load=10)
    services.propose_cohorts(call=call, by=manager, time_limit=2.0)
    services.confirm_cohorts(call=call, by=manager, acknowledged=True)
    assert TrioMember.objects.get(role=TrioRole.PROFESSIONS).user == person
    assert TrioMember.objects.get(role=TrioRole.DIRECTION).user is None


def test_the_cohort_page_shows_the_establishments_and_their_trinomes(client, manager, cohort):
    login_verified(client, manager)
    page = client.get(reverse("cohorts:cohort", args=[cohort.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    for participant in cohort.participants.all():
        assert participant.establishment.name in text
        assert f"Directrice {participant.establishment.finess_et}" in text


def test_the_pair_follows_its_cohort_from_mes_collectifs(client, cohort):
    consultant = cohort.pair.first
    login_verified(client, consultant)
    home = client.get(reverse("cohorts:mine"))
    assert reverse("cohorts:cohort", args=[cohort.pk]) in home.content.decode()
    assert client.get(reverse("cohorts:cohort", args=[cohort.pk])).status_code == 200
    participant = cohort.participants.first()
    assert client.get(reverse("cohorts:participation", args=[participant.pk])).status_code == 200


def test_the_establishment_sees_its_participation_and_not_the_others(client, cohort):
    mine, other = cohort.participants.order_by("pk")[:2]
    mine.establishment.organisation = OrganisationFactory(establishment_space=True)
    mine.establishment.save()
    director = MembershipFactory(role=Role.DIRECTOR, organisation=mine.establishment.organisation).user
    login_verified(client, director)
    assert client.get(reverse("cohorts:participation", args=[mine.pk])).status_code == 200
    assert client.get(reverse("cohorts:participation", args=[other.pk])).status_code == 404
    assert client.get(reverse("cohorts:cohort", args=[cohort.pk])).status_code == 404
    assert (
        reverse("cohorts:participation", args=[mine.pk])
        in client.get(reverse("cohorts:mine")).content.decode()
    )


def test_a_trio_member_with_an_account_sees_the_participation(client, cohort):
    participant = cohort.participants.first()
    member = participant.trio.get(role=TrioRole.STAFF_REPRESENTATIVE)
    member.user = UserFactory(email=member.email)
    member.save()
    login_verified(client, member.user)
    assert client.get(reverse("cohorts:participation", args=[participant.pk])).status_code == 200


def test_another_consultant_sees_nothing(client, cohort):
    stranger = consultants(1)[0]
    login_verified(client, stranger)
    assert client.get(reverse("cohorts:cohort", args=[cohort.pk])).status_code == 404
    participant = cohort.participants.first()
    assert client.get(reverse("cohorts:participation", args=[participant.pk])).status_code == 404
    assert "Vous ne suivez aucun collectif" in client.get(reverse("cohorts:mine")).content.decode()


def test_the_pair_does_not_see_a_draft_cohort(client, manager):
    from capqvct.cohorts import services
    from capqvct.cohorts.tests.builders import selected_call

    call = selected_call(manager, herault=2)
    first, second = consultants(2)
    services.save_pair(call=call, by=manager, first=first, second=second, min_load=1, max_load=10)
    services.propose_cohorts(call=call, by=manager, time_limit=2.0)
    login_verified(client, first)
    assert client.get(reverse("cohorts:cohort", args=[call.cohorts.get().pk])).status_code == 404
