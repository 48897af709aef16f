"""The workspace pages as their users find them: the home's stepper and checklist, the first
sequence's forms keeping what was typed, the closure asked and answered from the pages, and the
doors closed to those outside."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from capqvct.approaches import services
from capqvct.approaches.models import Approach, CommitteeMember, SequenceClosure
from capqvct.approaches.tests.builders import workspace
from tests.factories import login_verified
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return workspace()


def page(client, user, view, pk):
    login_verified(client, user)
    response = client.get(reverse(f"approaches:{view}", args=[pk]))
    return response.status_code, response.content.decode()


def test_the_home_shows_the_sequence_the_checklist_and_the_next_session(client, w):
    from capqvct.cohorts.tests.builders import session_of

    session_of(w.cohort, starts_in=timedelta(days=9), number=1)
    status, text = page(client, w.director, "home", w.participant.pk)
    assert status == 200
    assert 'data-fr-current-step="1"' in text and "Séquence 1 sur 4" in text
    assert "Lancement et conduite en interne" in text
    assert "Éléments réunis\u00a0: 0 sur 6." in text
    assert "Séance 1" in text
    assert "Demander à clore la séquence 1" in text
    assert typography_errors(text) == []


def test_the_consultant_answers_from_the_home(client, w):
    closure = services.ask_closure(
        participant=w.participant, by=w.director, reason="Le comité se réunit lundi."
    )
    status, text = page(client, w.consultant, "home", w.participant.pk)
    assert "La demande attend l’accord d’un intervenant du binôme." in text and "Donner mon accord" in text
    response = client.post(
        reverse("approaches:closure_answer", args=[closure.pk]), {"answer": "agree"}, follow=True
    )
    assert "Séquence close" in response.content.decode()
    assert Approach.objects.get().sequence == 2
    assert typography_errors(response.content.decode()) == []


def test_asking_without_a_reason_shows_it_at_the_field(client, w):
    login_verified(client, w.director)
    response = client.post(reverse("approaches:home", args=[w.participant.pk]), {"reason": ""})
    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_reason"' in text and "dites pourquoi la clore malgré tout" in text
    assert not SequenceClosure.objects.exists()


def test_a_member_refused_keeps_what_was_typed(client, w):
    login_verified(client, w.director)
    response = client.post(
        reverse("approaches:launch", args=[w.participant.pk]),
        {"form": "member", "name": "", "role": "direction", "function": "Directrice adjointe"},
    )
    text = response.content.decode()
    assert "Indiquez le nom du membre." in text
    assert 'value="Directrice adjointe"' in text
    assert not CommitteeMember.objects.exists()
    assert typography_errors(text) == []


def test_the_launch_page_saves_each_part(client, w):
    login_verified(client, w.director)
    path = reverse("approaches:launch", args=[w.participant.pk])
    client.post(
        path, {"form": "member", "name": "Claire Martin", "role": "direction", "function": "Directrice"}
    )
    member = CommitteeMember.objects.get()
    client.post(
        path,
        {
            "form": "meeting",
            "held_on": date.today().isoformat(),
            "attendees": [str(member.pk)],
            "decisions": "Deux unités",
        },
    )
    client.post(
        path, {"form": "scope", "scope_services": "Unités A et B", "scope_sites": "", "scope_notes": ""}
    )
    client.post(
        path,
        {
            "form": "message",
            "audience": "Équipes de nuit",
            "content": "Le lancement",
            "planned_on": date.today().isoformat(),
        },
    )
    text = client.get(path).content.decode()
    assert (
        "Claire Martin" in text
        and "Deux unités" in text
        and "Unités A et B" in text
        and "Équipes de nuit" in text
    )
    approach = Approach.objects.get()
    assert approach.meetings.count() == 1 and approach.messages.count() == 1
    assert typography_errors(text) == []


def test_the_managers_read_and_those_outside_get_a_404(client, w):
    status, text = page(client, w.manager, "launch", w.participant.pk)
    assert status == 200 and "Ajouter au comité" not in text
    response = client.post(
        reverse("approaches:launch", args=[w.participant.pk]),
        {"form": "member", "name": "X", "role": "direction"},
    )
    assert response.status_code == 404 and not CommitteeMember.objects.exists()
    for outsider in (w.stranger,):
        assert page(client, outsider, "home", w.participant.pk)[0] == 404
    # The director of one establishment does not see the other's workspace.
    assert page(client, w.director, "home", w.other.pk)[0] == 404


def test_the_launch_page_reads_in_a_fixed_number_of_queries(client, w):
    login_verified(client, w.director)
    path = reverse("approaches:launch", args=[w.participant.pk])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    def add_one(index) -> None:
        member = services.add_committee_member(
            participant=w.participant, by=w.director, name=f"M{index}", role="professional"
        )
        services.record_committee_meeting(
            participant=w.participant, by=w.director, held_on=date.today(), attendee_ids=[member.pk]
        )
        services.plan_message(
            participant=w.participant,
            by=w.director,
            audience=f"Équipe {index}",
            content="x",
            planned_on=date.today(),
        )

    add_one(0)
    first = count()
    for index in range(1, 7):
        add_one(index)
    assert count() == first


def test_those_of_another_cohort_region_or_establishment_see_nothing(client, w):
    from capqvct.accounts.models import Role
    from capqvct.approaches import diagnosis_services
    from capqvct.approaches.action_services import add_action
    from capqvct.cohorts.tests.builders import confirmed_cohort
    from capqvct.territory.models import Region
    from tests.factories import MembershipFactory, OrganisationFactory

    services.add_committee_member(
        participant=w.participant, by=w.director, name="Claire Martin", role="direction"
    )
    situation = diagnosis_services.add_situation(
        participant=w.participant, by=w.director, title="Nuits à deux", theme="health"
    )
    action = add_action(
        participant=w.participant, by=w.director, title="Binômes", theme="health", status="planned"
    )
    # A consultant who follows another cohort of the same region.
    elsewhere = confirmed_cohort(w.manager, herault=1)
    other_consultant = elsewhere.pair.first
    other_region_agent = MembershipFactory(
        organisation=OrganisationFactory(
            region=Region.objects.get_or_create(code="84", defaults={"name": "ARA"})[0]
        ),
        role=Role.PROGRAMME_MANAGER,
    ).user
    other_participant = elsewhere.participants.get()
    other_participant.establishment.organisation = OrganisationFactory(establishment_space=True)
    other_participant.establishment.save()
    other_director = MembershipFactory(
        role=Role.DIRECTOR, organisation=other_participant.establishment.organisation
    ).user
    pk = w.participant.pk
    pages = [
        reverse(f"approaches:{name}", args=[pk])
        for name in ("home", "launch", "diagnosis", "actions", "review", "bilan", "export")
    ] + [
        reverse("approaches:action", args=[action.pk]),
        reverse("approaches:cohort_following", args=[w.cohort.pk]),
        f"/api/v1/participations/{pk}/demarche",
        f"/api/v1/participations/{pk}/demarche/actions",
    ]
    for outsider in (other_consultant, other_region_agent, other_director):
        login_verified(client, outsider)
        assert {path: client.get(path).status_code for path in pages} == dict.fromkeys(pages, 404), outsider
        rating = client.post(
            reverse("approaches:situation_rating", args=[situation.pk]),
            {f"s{situation.pk}-importance": "4", f"s{situation.pk}-feasibility": "4"},
        )
        assert rating.status_code == 404
    situation.refresh_from_db()
    assert situation.importance is None
