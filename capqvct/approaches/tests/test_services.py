"""The first sequence's rules (the comité, its meetings, the scope, the communication plan) and the
passage from one sequence to the next: asked by the establishment, with a reason when items are
missing, agreed or declined by a consultant of the pair, told by e-mail."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from capqvct.approaches import services
from capqvct.approaches.models import Approach, CommitteeMember, SequenceClosure
from capqvct.approaches.selectors import approach_counts, home_of
from capqvct.approaches.sequences import missing
from capqvct.approaches.tests.builders import workspace
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return workspace()


def complete_launch(w) -> None:
    """Everything the first sequence asks for."""
    for name, role in (
        ("Claire Martin", "direction"),
        ("Sami Benali", "staff_representative"),
        ("Ana Costa", "professional"),
    ):
        services.add_committee_member(participant=w.participant, by=w.director, name=name, role=role)
    services.record_committee_meeting(
        participant=w.participant,
        by=w.director,
        held_on=date.today() - timedelta(days=1),
        attendee_ids=list(CommitteeMember.objects.values_list("pk", flat=True)),
        decisions="Le périmètre : les deux unités de vie du rez-de-chaussée.",
    )
    services.save_scope(participant=w.participant, by=w.director, services="Unités de vie A et B", sites="")
    services.plan_message(
        participant=w.participant,
        by=w.director,
        audience="Toutes les équipes",
        content="Le lancement de la démarche QVT",
        planned_on=date.today(),
    )


def test_the_first_change_opens_the_approach_and_dates_the_activity(w):
    assert not Approach.objects.exists()
    member = services.add_committee_member(
        participant=w.participant,
        by=w.director,
        name="Claire Martin",
        role="direction",
        function="Directrice",
    )
    approach = Approach.objects.get(participant=w.participant)
    assert member.approach == approach and approach.sequence == 1
    assert approach.last_activity_at is not None
    event = AuditEvent.objects.get(action="approach_committee_member_added")
    assert event.actor == w.director and event.details["name"] == "Claire Martin"


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"name": "  ", "role": "direction"}, "name", "Indiquez le nom du membre."),
        ({"name": "Claire Martin", "role": "chef"}, "role", "Choisissez le rôle du membre au comité."),
    ],
)
def test_a_member_needs_a_name_and_a_role(w, fields, field, message):
    with pytest.raises(Refusal) as refused:
        services.add_committee_member(participant=w.participant, by=w.director, **fields)
    assert (refused.value.field, refused.value.message) == (field, message)
    assert not Approach.objects.exists() and not CommitteeMember.objects.exists()


def test_the_managers_read_and_strangers_do_not_write(w):
    for outsider in (w.manager, w.stranger):
        with pytest.raises(Refusal) as refused:
            services.add_committee_member(participant=w.participant, by=outsider, name="X", role="direction")
        assert (
            refused.value.message
            == "Seuls l’établissement et son binôme d’intervenants travaillent dans la démarche."
        )
    assert not CommitteeMember.objects.exists()
    # The pair works in it too.
    services.add_committee_member(
        participant=w.participant, by=w.consultant, name="Ana Costa", role="outside"
    )
    assert CommitteeMember.objects.get().name == "Ana Costa"


def test_a_meeting_is_recorded_once_held_with_members_of_the_comite(w):
    member = services.add_committee_member(
        participant=w.participant, by=w.director, name="Claire", role="direction"
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    with pytest.raises(Refusal) as refused:
        services.record_committee_meeting(
            participant=w.participant, by=w.director, held_on=tomorrow, attendee_ids=[]
        )
    assert refused.value.field == "held_on"
    other_approach_member = services.add_committee_member(
        participant=w.other, by=w.consultant, name="Autre", role="cme"
    )
    with pytest.raises(Refusal) as refused:
        services.record_committee_meeting(
            participant=w.participant,
            by=w.director,
            held_on=date.today(),
            attendee_ids=[member.pk, other_approach_member.pk],
        )
    assert refused.value.field == "attendees"
    meeting = services.record_committee_meeting(
        participant=w.participant,
        by=w.director,
        held_on=date.today(),
        attendee_ids=[member.pk],
        minutes="Tour de table",
    )
    assert list(meeting.attendees.all()) == [member]


def test_the_first_checklist_is_met_item_by_item(w):
    approach = Approach(participant=w.participant)
    assert len(missing(1, approach_counts(approach))) == 6
    complete_launch(w)
    approach = Approach.objects.get()
    assert missing(1, approach_counts(approach)) == []
    # A member leaving the comité can bring it under three.
    services.remove_committee_member(member=CommitteeMember.objects.get(name="Ana Costa"), by=w.director)
    assert missing(1, approach_counts(Approach.objects.get())) == [
        "Le comité QVT compte au moins trois membres"
    ]


def test_closing_with_items_missing_needs_a_reason(w, mailoutbox, django_capture_on_commit_callbacks):
    with pytest.raises(Refusal) as refused:
        services.ask_closure(participant=w.participant, by=w.director)
    assert refused.value.field == "reason"
    assert not SequenceClosure.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        closure = services.ask_closure(
            participant=w.participant,
            by=w.director,
            reason="Le comité se réunira en janvier, la direction le préside.",
        )
    assert closure.sequence == 1 and len(closure.missing) == 6
    # The pair is told, with the items missing and the reason, and where to answer.
    (email,) = mailoutbox
    assert sorted(email.to) == sorted([w.cohort.pair.first.email, w.cohort.pair.second.email])
    assert "Le comité se réunira en janvier" in email.body
    assert "- Le comité QVT compte au moins trois membres" in email.body
    assert f"/demarches/{w.participant.pk}/" in email.body


def test_the_consultant_agrees_and_the_next_sequence_opens(w):
    complete_launch(w)
    closure = services.ask_closure(participant=w.participant, by=w.director)
    assert closure.missing == []
    with pytest.raises(Refusal) as refused:
        services.ask_closure(participant=w.participant, by=w.director)
    assert refused.value.message == "Une demande attend déjà la réponse de l’intervenant."
    with pytest.raises(Refusal):
        services.answer_closure(closure=closure, by=w.director, agree=True)
    services.answer_closure(closure=closure, by=w.cohort.pair.second, agree=True)
    approach = Approach.objects.get()
    assert approach.sequence == 2
    assert SequenceClosure.objects.get().status == "agreed"
    with pytest.raises(Refusal) as refused:
        services.answer_closure(closure=closure, by=w.consultant, agree=False, comment="Trop tard")
    assert refused.value.message == "Cette demande a déjà reçu une réponse."
    assert home_of(w.participant).current.sequence == 2


def test_declining_needs_a_comment_and_leaves_the_sequence(w, mailoutbox, django_capture_on_commit_callbacks):
    closure = services.ask_closure(participant=w.participant, by=w.director, reason="Pas encore de réunion")
    with pytest.raises(Refusal) as refused:
        services.answer_closure(closure=closure, by=w.consultant, agree=False)
    assert refused.value.field == "comment"
    with django_capture_on_commit_callbacks(execute=True):
        services.answer_closure(
            closure=closure, by=w.consultant, agree=False, comment="Réunissez d’abord le comité."
        )
    assert Approach.objects.get().sequence == 1
    # The trinôme and the director who asked read the consultant's comment.
    (email,) = [sent for sent in mailoutbox if "compléments" in sent.subject]
    assert w.director.email in email.to and "Réunissez d’abord le comité." in email.body
    assert home_of(w.participant).pending is None
    # The establishment may ask again.
    services.ask_closure(participant=w.participant, by=w.director, reason="Le comité s’est réuni")


def test_the_consultants_do_not_ask_and_after_four_closures_the_approach_is_complete(w):
    with pytest.raises(Refusal) as refused:
        services.ask_closure(participant=w.participant, by=w.consultant, reason="x")
    assert refused.value.message.startswith("C’est au trinôme")
    for sequence in (1, 2, 3, 4):
        closure = services.ask_closure(
            participant=w.participant, by=w.director, reason=f"Séquence {sequence}"
        )
        services.answer_closure(closure=closure, by=w.consultant, agree=True)
    approach = Approach.objects.get()
    assert approach.sequence == 4 and approach.completed_at is not None
    assert [step.state for step in home_of(w.participant).steps] == ["done"] * 4
    with pytest.raises(Refusal) as refused:
        services.ask_closure(participant=w.participant, by=w.director, reason="encore")
    assert refused.value.message == "La démarche est terminée\u00a0: ses quatre séquences sont closes."
