"""Forming cohorts: the proposal, the manual changes and their warnings, the confirmation; each refusal
says why and leaves the database and the audit log as they were."""

import pytest

from capqvct.cohorts import services
from capqvct.cohorts.models import Cohort, ConsultantPair, Grouping, GroupingStatus, Participant
from capqvct.cohorts.states import ALREADY_CONFIRMED
from capqvct.cohorts.tests.builders import consultants, manager_of_occitanie, open_call, selected_call
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from capqvct.territory.models import Departement
from tests.factories import MembershipFactory, OrganisationFactory, departement, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager():
    return manager_of_occitanie()


def pair_for(call, manager, **fields):
    first, second = consultants(2)
    return services.save_pair(call=call, by=manager, first=first, second=second, **fields)


def snapshot():
    """What a refused action must leave as it was."""
    return (
        list(
            Cohort.objects.order_by("pk").values_list("pk", "name", "pair_id", "travel", "meeting_place_id")
        ),
        list(Participant.objects.order_by("pk").values_list("pk", "cohort_id")),
        list(Grouping.objects.values_list("pk", "status")),
        AuditEvent.objects.count(),
    )


def refused(action, message):
    before = snapshot()
    with pytest.raises(Refusal) as refusal:
        action()
    assert refusal.value.message == message
    assert snapshot() == before


def test_the_proposal_groups_every_selected_establishment_by_departement(manager):
    call = selected_call(manager, herault=9, aude=4)
    pair = pair_for(call, manager, min_load=1, max_load=20)

    proposal = services.propose_cohorts(call=call, by=manager)

    cohorts = list(Cohort.objects.filter(call=call).order_by("number"))
    assert sum(len(c.members) for c in proposal.cohorts) == 13
    assert [c.name for c in cohorts] == [
        "Collectif Aude 1",
        "Collectif Hérault 1",
        "Collectif Hérault 2",
    ] or sorted(c.name for c in cohorts) == ["Collectif Aude 1", "Collectif Hérault 1", "Collectif Hérault 2"]
    assert Participant.objects.filter(call=call).count() == 13
    for cohort in cohorts:
        departements = set(cohort.participants.values_list("establishment__departement_id", flat=True))
        assert len(departements) == 1
        assert cohort.participants.filter(establishment_id=cohort.meeting_place_id).exists()
        assert cohort.pair_id in (pair.pk, None)
    grouping = Grouping.objects.get(call=call)
    assert grouping.status == GroupingStatus.DRAFT
    assert grouping.lower_bound <= grouping.proposed_travel
    assert all(p.application.establishment_id == p.establishment_id for p in Participant.objects.all())
    assert AuditEvent.objects.filter(action="cohorts_proposed", actor=manager).count() == 1


def test_a_new_proposal_replaces_the_draft(manager):
    call = selected_call(manager, herault=6)
    services.propose_cohorts(call=call, by=manager)
    services.propose_cohorts(call=call, by=manager)
    assert Participant.objects.filter(call=call).count() == 6
    assert AuditEvent.objects.filter(action="cohorts_proposed").count() == 2


def test_only_the_managers_of_the_region_propose(manager):
    call = selected_call(manager, herault=4)
    auvergne = region("84", "Auvergne-Rhône-Alpes")
    departement("69", "Rhône", "84")
    other = MembershipFactory(organisation=OrganisationFactory(region=auvergne)).user
    refused(
        lambda: services.propose_cohorts(call=call, by=other),
        "Seuls les responsables de programme des agences de cette région peuvent le faire.",
    )


def test_nothing_to_propose_without_a_confirmed_selection(manager):
    call = open_call(manager)
    refused(lambda: services.propose_cohorts(call=call, by=manager), services.NO_SELECTED)


@pytest.fixture
def proposed(manager):
    """Eight establishments of Hérault and four of Aude, proposed in cohorts of at most 8."""
    call = selected_call(manager, herault=8, aude=4)
    services.propose_cohorts(call=call, by=manager)
    return call


def cohort_named(call, prefix):
    return Cohort.objects.filter(call=call, name__startswith=prefix).order_by("number").first()


def test_moving_an_establishment_warns_of_the_rules_it_breaks(manager, proposed):
    aude, herault = cohort_named(proposed, "Collectif Aude"), cohort_named(proposed, "Collectif Hérault")
    participant = aude.participants.first()

    services.move_participant(participant=participant, to=herault, by=manager)

    participant.refresh_from_db()
    assert participant.cohort == herault
    codes = {w.breach.code for w in services.current_breaches(proposed)}
    assert {"too_big", "too_small", "mixed_departements"} <= codes
    messages = [w.message for w in services.current_breaches(proposed)]
    assert "« Collectif Hérault 1 » compte 9 établissements (8 au plus)." in messages
    herault.refresh_from_db()
    assert herault.travel > 0
    assert AuditEvent.objects.filter(action="cohort_participant_moved", actor=manager).count() == 1


def test_moving_to_its_own_cohort_is_refused(manager, proposed):
    herault = cohort_named(proposed, "Collectif Hérault")
    participant = herault.participants.first()
    refused(
        lambda: services.move_participant(participant=participant, to=herault, by=manager),
        f"{participant.establishment} fait déjà partie de «\u00a0Collectif Hérault 1\u00a0».",
    )


def test_a_cohort_emptied_by_moves_goes(manager, proposed):
    aude, herault = cohort_named(proposed, "Collectif Aude"), cohort_named(proposed, "Collectif Hérault")
    for participant in list(aude.participants.all()):
        services.move_participant(participant=participant, to=herault, by=manager)
    assert not Cohort.objects.filter(pk=aude.pk).exists()


def test_splitting_and_merging(manager, proposed):
    herault = cohort_named(proposed, "Collectif Hérault")
    members = list(herault.participants.order_by("pk"))

    new = services.split_cohort(cohort=herault, participants=members[:3], by=manager)

    assert new.name == "Collectif Hérault 2"
    assert new.participants.count() == 3 and herault.participants.count() == 5
    assert new.pair_id == herault.pair_id
    services.merge_cohorts(cohort=new, into=herault, by=manager)
    assert herault.participants.count() == 8
    assert not Cohort.objects.filter(pk=new.pk).exists()
    actions = list(AuditEvent.objects.filter(actor=manager).values_list("action", flat=True))
    assert "cohort_split" in actions and "cohorts_merged" in actions


def test_a_split_keeps_someone_on_each_side(manager, proposed):
    herault = cohort_named(proposed, "Collectif Hérault")
    members = list(herault.participants.all())
    refused(
        lambda: services.split_cohort(cohort=herault, participants=members, by=manager),
        "Laissez au moins un établissement dans le collectif d’origine.",
    )
    refused(
        lambda: services.split_cohort(cohort=herault, participants=[], by=manager),
        "Choisissez les établissements du nouveau collectif.",
    )


def test_a_cohort_does_not_merge_with_itself(manager, proposed):
    herault = cohort_named(proposed, "Collectif Hérault")
    refused(
        lambda: services.merge_cohorts(cohort=herault, into=herault, by=manager),
        "Choisissez un autre collectif avec qui fusionner.",
    )


def test_swapping_the_pair_of_a_cohort(manager, proposed):
    herault = cohort_named(proposed, "Collectif Hérault")
    pair = pair_for(proposed, manager, min_load=1, max_load=8)

    services.set_pair(cohort=herault, pair=pair, by=manager)

    herault.refresh_from_db()
    assert herault.pair == pair
    assert AuditEvent.objects.filter(action="cohort_pair_set").count() == 1


def test_a_pair_of_another_programme_is_refused(manager, proposed):
    other_call = open_call(manager, title="Un autre appel")
    pair = pair_for(other_call, manager)
    herault = cohort_named(proposed, "Collectif Hérault")
    refused(
        lambda: services.set_pair(cohort=herault, pair=pair, by=manager),
        "Ce binôme n’intervient pas dans le programme de cet appel.",
    )


def test_confirming_with_breaches_needs_an_acknowledgement(manager, proposed):
    aude, herault = cohort_named(proposed, "Collectif Aude"), cohort_named(proposed, "Collectif Hérault")
    services.move_participant(participant=aude.participants.first(), to=herault, by=manager)
    refused(
        lambda: services.confirm_cohorts(call=proposed, by=manager),
        f"Les collectifs enfreignent encore {len(services.current_breaches(proposed))} règles\u00a0: "
        "confirmez-les en connaissance de cause.",
    )

    grouping = services.confirm_cohorts(call=proposed, by=manager, acknowledged=True)

    grouping.refresh_from_db()
    assert grouping.status == GroupingStatus.CONFIRMED and grouping.confirmed_by == manager
    assert grouping.acknowledged_breaches
    assert AuditEvent.objects.filter(action="cohorts_confirmed").count() == 1


def test_a_confirmed_grouping_no_longer_changes(manager, proposed):
    services.confirm_cohorts(call=proposed, by=manager, acknowledged=True)
    aude, herault = cohort_named(proposed, "Collectif Aude"), cohort_named(proposed, "Collectif Hérault")
    participant = aude.participants.first()
    refused(
        lambda: services.move_participant(participant=participant, to=herault, by=manager), ALREADY_CONFIRMED
    )
    refused(lambda: services.confirm_cohorts(call=proposed, by=manager, acknowledged=True), ALREADY_CONFIRMED)
    refused(lambda: services.propose_cohorts(call=proposed, by=manager), ALREADY_CONFIRMED)
    refused(
        lambda: services.save_rules(
            call=proposed, by=manager, max_size=8, min_size=2, same_departement=True, balance_categories=False
        ),
        ALREADY_CONFIRMED,
    )


def test_a_stale_confirmation_is_refused(manager, proposed):
    """Two managers on the same page: the second confirmation is one UPDATE that finds no draft."""
    from capqvct.cohorts.states import GROUPING

    seen = Grouping.objects.get(call=proposed)
    services.confirm_cohorts(call=proposed, by=manager, acknowledged=True)
    with pytest.raises(Refusal) as refusal:
        GROUPING.perform(seen, "confirm", by=manager)
    assert refusal.value.message == ALREADY_CONFIRMED
    assert AuditEvent.objects.filter(action="cohorts_confirmed").count() == 1


def test_a_pair_is_two_consultants_of_the_region(manager):
    call = selected_call(manager, herault=1)
    first, second = consultants(2)
    refused(
        lambda: services.save_pair(call=call, by=manager, first=first, second=first),
        "Choisissez deux intervenants différents.",
    )
    refused(
        lambda: services.save_pair(call=call, by=manager, first=first, second=manager),
        f"{manager.get_full_name()} n’est pas intervenant d’un cabinet de la région.",
    )
    departement("69", "Rhône", "84")
    refused(
        lambda: services.save_pair(
            call=call,
            by=manager,
            first=first,
            second=second,
            departements=[Departement.objects.get(code="69")],
        ),
        "Rhône n’est pas un département de la région.",
    )
    refused(
        lambda: services.save_pair(call=call, by=manager, first=first, second=second, min_load=9, max_load=8),
        "Le nombre minimal d’établissements dépasse le nombre maximal.",
    )
    pair = services.save_pair(
        call=call, by=manager, first=first, second=second, departements=[Departement.objects.get(code="34")]
    )
    assert list(pair.departements.values_list("code", flat=True)) == ["34"]
    assert ConsultantPair.objects.get().programme == call.programme


def test_consultants_of_another_region_are_not_offered(manager):
    call = selected_call(manager, herault=1)
    region("84", "Auvergne-Rhône-Alpes")
    first, second = consultants(2, region_code="84")
    refused(
        lambda: services.save_pair(call=call, by=manager, first=first, second=second),
        f"{first.get_full_name()} n’est pas intervenant d’un cabinet de la région.",
    )


def test_rules_keep_the_minimum_under_the_maximum(manager):
    call = selected_call(manager, herault=1)
    refused(
        lambda: services.save_rules(
            call=call, by=manager, max_size=4, min_size=5, same_departement=True, balance_categories=False
        ),
        "La taille minimale dépasse la taille maximale.",
    )
    services.save_rules(
        call=call, by=manager, max_size=6, min_size=3, same_departement=False, balance_categories=True
    )
    assert services.rules_of(call).max_size == 6


def test_the_warnings_name_the_cohorts_and_the_pairs(manager, proposed):
    pair = pair_for(proposed, manager, min_load=1, max_load=2)
    herault = cohort_named(proposed, "Collectif Hérault")
    services.set_pair(cohort=herault, pair=pair, by=manager)

    messages = [w.message for w in services.current_breaches(proposed)]

    assert f"Le binôme {pair} suit 8 établissements (2 au plus)." in messages
