from datetime import UTC, date, datetime

import pytest

from capqvct.accounts.models import Role
from capqvct.calls import services
from capqvct.calls.deadlines import deadline_instant
from capqvct.calls.models import CallKind, CallStatus, FundingRule, ProgrammeFormat
from capqvct.calls.selectors import public_calls
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from tests.factories import MembershipFactory, OrganisationFactory, region

pytestmark = pytest.mark.django_db

NOW = datetime(2021, 10, 1, 8, 0, tzinfo=UTC)
FORM = {
    "sections": [
        {
            "key": "structure",
            "title": "Structure",
            "fields": [{"key": "nom", "kind": "short_text", "label": "Nom"}],
        }
    ]
}
OTHER_FORM = {
    "sections": [
        {
            "key": "projet",
            "title": "Projet",
            "fields": [{"key": "but", "kind": "long_text", "label": "But", "max_length": 500}],
        }
    ]
}


@pytest.fixture
def manager():
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user


@pytest.fixture
def omega(manager):
    programme = services.create_programme(
        by=manager,
        region_id="76",
        title="OMEGA — Ma démarche QVT",
        format=ProgrammeFormat.COHORTS,
        funding_rule=FundingRule.FLAT_RATE,
        flat_rate_amount=2000,
        target_categories=["500", "354"],
    )
    return services.create_call(
        programme=programme,
        by=manager,
        definition=FORM,
        kind=CallKind.AAC,
        title="Appel à candidatures OMEGA",
        categories=["500", "354"],
        opens_at=NOW,
        closes_at=deadline_instant(day=date(2021, 11, 17), at=None, zone="Europe/Paris"),
        notification_on=date(2021, 11, 30),
    )


def test_a_published_call_is_listed_publicly_until_its_deadline(omega, manager):
    assert list(public_calls(now=NOW)) == []
    services.publish_call(call=omega, by=manager, now=NOW)

    assert list(public_calls(now=NOW, region="76", category="354")) == [omega]
    assert list(public_calls(now=NOW, category="207")) == []
    assert list(public_calls(now=datetime(2021, 11, 18, tzinfo=UTC))) == []


def test_a_call_whose_deadline_has_passed_cannot_be_published(omega, manager):
    with pytest.raises(Refusal) as refusal:
        services.publish_call(call=omega, by=manager, now=datetime(2021, 12, 1, tzinfo=UTC))
    assert refusal.value.field == "closes_at"


def test_an_agent_of_another_region_cannot_manage_the_call(omega):
    outsider = MembershipFactory(
        role=Role.PROGRAMME_MANAGER,
        organisation=OrganisationFactory(region=region("84", "Auvergne-Rhône-Alpes")),
    ).user
    with pytest.raises(Refusal):
        services.publish_call(call=omega, by=outsider, now=NOW)


def test_closing_early_needs_a_reason_and_is_logged(omega, manager):
    services.publish_call(call=omega, by=manager, now=NOW)
    with pytest.raises(Refusal):
        services.close_call_early(call=omega, by=manager, reason=" ", now=NOW)

    services.close_call_early(call=omega, by=manager, reason="Nombre de places atteint.", now=NOW)

    assert omega.status == CallStatus.CLOSED
    assert AuditEvent.objects.filter(
        action="call_closed_early", details__reason="Nombre de places atteint."
    ).exists()


def test_a_form_change_after_publication_is_a_new_version(omega, manager):
    services.save_form(call=omega, definition=OTHER_FORM, by=manager)
    assert omega.form_versions.count() == 1
    services.publish_call(call=omega, by=manager, now=NOW)

    services.save_form(call=omega, definition=FORM, by=manager)

    assert list(omega.form_versions.values_list("number", flat=True).order_by("number")) == [1, 2]
    assert omega.form_versions.get(number=1).definition == OTHER_FORM


def test_a_clone_is_a_draft_with_the_same_form_and_new_dates(omega, manager):
    clone = services.clone_call(
        call=omega,
        by=manager,
        opens_at=datetime(2022, 9, 1, tzinfo=UTC),
        closes_at=datetime(2022, 11, 17, tzinfo=UTC),
    )
    assert clone.status == CallStatus.DRAFT
    assert clone.cloned_from == omega
    assert services.current_form(clone).definition == FORM
    assert clone.categories == ["500", "354"]


def test_a_form_the_engine_refuses_is_not_saved(omega, manager):
    with pytest.raises(Refusal) as refusal:
        services.save_form(call=omega, definition={"sections": []}, by=manager)
    assert refusal.value.field == "definition"
