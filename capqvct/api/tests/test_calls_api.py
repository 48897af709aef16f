"""The public calls: the open ones listed with filters, a published or closed one in detail, never a draft."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from capqvct.accounts.models import Role
from capqvct.api.tests.conftest import bearer, token_of
from capqvct.calls import services
from capqvct.calls.models import CallKind, FundingRule, ProgrammeFormat
from tests.factories import MembershipFactory, OrganisationFactory, region
from tests.permissions.world import SMALL_FORM, published_call

pytestmark = pytest.mark.django_db

URL = "/api/v1/appels"


@pytest.fixture
def manager(occitanie):
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=occitanie).user


@pytest.fixture
def reunion_manager():
    reunion = region("04", "La Réunion", "Indian/Reunion")
    return MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation=OrganisationFactory(region=reunion)
    ).user


def draft_call(manager, region_code: str = "76", **fields):
    programme = services.create_programme(
        by=manager,
        region_id=region_code,
        title="Programme QVCT",
        format=ProgrammeFormat.GRANTS,
        funding_rule=FundingRule.PER_PROJECT,
    )
    now = timezone.now()
    return services.create_call(
        programme=programme,
        by=manager,
        definition=SMALL_FORM,
        **{
            "kind": CallKind.AAP,
            "title": "Appel à projets QVCT",
            "opens_at": now - timedelta(days=1),
            "closes_at": now + timedelta(days=30),
            **fields,
        },
    )


def ids_of(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_anonymous_visitors_list_the_open_calls_with_the_documented_fields(client, reunion_manager):
    call = draft_call(
        reunion_manager,
        region_code="04",
        opens_at=datetime(2024, 9, 1, 4, 0, tzinfo=UTC),
        closes_at=datetime(2999, 9, 5, 19, 59, 59, tzinfo=UTC),
        places=12,
        notification_on=date(2999, 10, 1),
        categories=["500", "502"],
    )
    services.publish_call(call=call, by=reunion_manager)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.json()["count"] == 1
    item = response.json()["items"][0]
    assert item == {
        "id": call.pk,
        "kind": "aap",
        "kind_label": "Appel à projets",
        "title": "Appel à projets QVCT",
        "region": {"code": "04", "name": "La Réunion"},
        "opens_at": "2024-09-01T04:00:00Z",
        "closes_at": "2999-09-05T19:59:59Z",
        "closes_at_text": "le 5\u00a0septembre 2999 inclus (heure de La Réunion)",
        "places": 12,
        "notification_on": "2999-10-01",
        "categories": ["500", "502"],
        "public_path": f"/appels/{call.pk}/",
        "open": True,
    }


def test_drafts_closed_and_past_calls_are_not_listed(client, manager):
    published = published_call(manager)
    draft_call(manager, title="En préparation")
    closed = services.publish_call(call=draft_call(manager, title="Clos"), by=manager)
    services.close_call_early(call=closed, by=manager, reason="Enveloppe épuisée.")

    assert ids_of(client.get(URL)) == [published.pk]


def test_filters_by_region_kind_and_category(client, manager, reunion_manager):
    occitanie_aac = published_call(manager)
    reunion_aap = services.publish_call(
        call=draft_call(reunion_manager, region_code="04", categories=["500"]), by=reunion_manager
    )
    occitanie_ami = services.publish_call(
        call=draft_call(manager, kind=CallKind.AMI, categories=["382"]), by=manager
    )

    assert set(ids_of(client.get(URL, {"region": "76"}))) == {occitanie_aac.pk, occitanie_ami.pk}
    assert ids_of(client.get(URL, {"type": "aap"})) == [reunion_aap.pk]
    # A call open to every category is kept.
    assert set(ids_of(client.get(URL, {"categorie": "500"}))) == {occitanie_aac.pk, reunion_aap.pk}
    assert ids_of(client.get(URL, {"region": "76", "categorie": "382", "type": "ami"})) == [occitanie_ami.pk]


@pytest.mark.parametrize("params", [{"type": "concours"}, {"region": "a\x00b"}, {"page_size": 201}])
def test_invalid_filters_are_refused_with_422(client, params):
    response = client.get(URL, params)

    assert response.status_code == 422
    assert response.json()["detail"].startswith("Paramètres invalides")


def test_a_token_or_a_session_changes_nothing_to_the_public_list(client, manager, agent):
    call = published_call(manager)

    assert ids_of(client.get(URL, headers=bearer(token_of(agent)))) == [call.pk]
    # Even a wrong token: the list is public.
    assert ids_of(client.get(URL, headers=bearer("cq_faux"))) == [call.pk]


def test_detail_of_a_published_call(client, manager):
    call = draft_call(
        manager,
        description="Pour les EHPAD d’Occitanie.",
        declared_criteria=["Avoir un CSE", "S’engager sur 18\u00a0mois"],
        required_attachments=[
            {"label": "Lettre d’engagement signée", "required": True},
            {"label": "Organigramme", "required": False},
        ],
        contacts="qvct@ars.sante.fr",
    )
    services.publish_call(call=call, by=manager)

    response = client.get(f"{URL}/{call.pk}")

    assert response.status_code == 200
    detail = response.json()
    assert detail["title"] == "Appel à projets QVCT"
    assert detail["status"] == "published"
    assert detail["status_label"] == "Publié"
    assert detail["region"] == {"code": "76", "name": "Occitanie"}
    assert detail["description"] == "Pour les EHPAD d’Occitanie."
    assert detail["declared_criteria"] == ["Avoir un CSE", "S’engager sur 18\u00a0mois"]
    assert detail["required_attachments"] == [
        {"label": "Lettre d’engagement signée", "required": True},
        {"label": "Organigramme", "required": False},
    ]
    assert detail["contacts"] == "qvct@ars.sante.fr"
    assert detail["public_path"] == f"/appels/{call.pk}/"


def test_a_closed_call_stays_readable(client, manager):
    call = published_call(manager)
    services.close_call_early(call=call, by=manager, reason="Enveloppe épuisée.")

    response = client.get(f"{URL}/{call.pk}")

    assert response.status_code == 200
    assert response.json()["status_label"] == "Clos"


def test_a_draft_call_is_not_found_even_for_its_manager(client, manager):
    call = draft_call(manager)

    for headers in ({}, bearer(token_of(manager))):
        response = client.get(f"{URL}/{call.pk}", headers=headers)
        assert response.status_code == 404
        assert response.json()["detail"].startswith("Introuvable")
    assert client.get(f"{URL}/{call.pk + 1000}").status_code == 404


@pytest.mark.parametrize("call_id", ["0", "abc", str(2**63)])
def test_an_invalid_id_is_refused_with_422(client, call_id):
    assert client.get(f"{URL}/{call_id}").status_code == 422


@pytest.mark.parametrize("rows", [1, 15])
def test_query_count_does_not_grow_with_calls(client, django_assert_num_queries, manager, rows):
    for _ in range(rows):
        services.publish_call(call=draft_call(manager), by=manager)

    # count, page
    with django_assert_num_queries(2):
        response = client.get(URL)

    assert len(response.json()["items"]) == rows
