"""The reminders to the members who have not signed (after N days, not before, once per period, never
to who signed), and replacing a member of a trinôme (reason required, the new member signs, the letter
is complete when every active member has signed)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from capqvct.accounts.models import Role
from capqvct.cohorts import engagement_links, engagement_services
from capqvct.cohorts.engagement_letters import cosigned_pdf
from capqvct.cohorts.models import EngagementLetter, EngagementSignature, TrioMember, TrioRole
from capqvct.cohorts.tests.builders import confirmed_cohort
from capqvct.cohorts.tests.engagement_builders import (  # noqa: F401 (fixtures)
    links_by_address,
    manager,
    send,
    sign,
)
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from tests.factories import MembershipFactory, OrganisationFactory
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(manager):
    return confirmed_cohort(manager, herault=1)


@pytest.fixture
def participant(cohort):
    return cohort.participants.get()


@pytest.fixture
def sent_at():
    return timezone.now()


@pytest.fixture
def links(cohort, manager, sent_at, django_capture_on_commit_callbacks):
    return send(cohort, manager, django_capture_on_commit_callbacks, now=sent_at)


def remind(capture, at) -> int:
    mail.outbox.clear()
    with capture(execute=True):
        return engagement_services.send_due_engagement_reminders(now=at)


def member(participant, role) -> TrioMember:
    return participant.trio.get(role=role, active=True)


# Reminders


def test_no_reminder_before_n_days(links, sent_at, django_capture_on_commit_callbacks):
    assert remind(django_capture_on_commit_callbacks, sent_at + timedelta(days=7) - timedelta(minutes=1)) == 0
    assert mail.outbox == []


def test_a_reminder_after_n_days_to_who_has_not_signed_with_a_fresh_link(
    participant, links, sent_at, django_capture_on_commit_callbacks
):
    direction = member(participant, TrioRole.DIRECTION)
    sign(links[direction.email], now=sent_at + timedelta(days=1))

    assert remind(django_capture_on_commit_callbacks, sent_at + timedelta(days=7)) == 2
    fresh = links_by_address()
    assert direction.email not in fresh
    assert sorted(fresh) == sorted(m.email for m in participant.trio.exclude(role=TrioRole.DIRECTION))
    assert all(message.subject.startswith("Rappel") for message in mail.outbox)
    staff = member(participant, TrioRole.STAFF_REPRESENTATIVE)
    with pytest.raises(Refusal) as refused:
        sign(links[staff.email], now=sent_at + timedelta(days=7, hours=1))
    assert refused.value.message == engagement_links.SUPERSEDED
    assert sign(fresh[staff.email], now=sent_at + timedelta(days=7, hours=1))


def test_one_reminder_per_period(links, sent_at, django_capture_on_commit_callbacks):
    assert remind(django_capture_on_commit_callbacks, sent_at + timedelta(days=7)) == 3
    assert remind(django_capture_on_commit_callbacks, sent_at + timedelta(days=7, hours=1)) == 0
    assert remind(django_capture_on_commit_callbacks, sent_at + timedelta(days=13)) == 0
    assert remind(django_capture_on_commit_callbacks, sent_at + timedelta(days=14)) == 3
    assert AuditEvent.objects.filter(action="engagement_reminder_sent").count() == 6


def test_the_delay_is_the_calls_own(cohort, manager, participant, django_capture_on_commit_callbacks):
    engagement_services.save_engagement_template(
        call=cohort.call, body="Engagement de {etablissement}.", reminder_days=3, by=manager
    )
    now = timezone.now()
    send(cohort, manager, django_capture_on_commit_callbacks, now=now)
    assert remind(django_capture_on_commit_callbacks, now + timedelta(days=2)) == 0
    assert remind(django_capture_on_commit_callbacks, now + timedelta(days=3)) == 3


def test_no_reminder_once_everyone_signed(participant, links, sent_at, django_capture_on_commit_callbacks):
    for token in links.values():
        sign(token)
    assert remind(django_capture_on_commit_callbacks, sent_at + timedelta(days=30)) == 0


def test_the_command_runs_the_round(links, sent_at, capsys):
    call_command("send_engagement_reminders", "--sync")
    assert "0 relance(s) envoyée(s)." in capsys.readouterr().out


# Replacement


def replace(who, by, **fields):
    values = {
        "name": "Noémie Castel",
        "function": "Infirmière coordinatrice",
        "email": "noemie.castel@example.org",
        "reason": "Départ à la retraite.",
        **fields,
    }
    return engagement_services.replace_trio_member(member=who, by=by, **values)


def test_the_reason_is_required_at_its_field(participant, manager, links):
    cadre = member(participant, TrioRole.PROFESSIONS)
    events = AuditEvent.objects.count()
    with pytest.raises(Refusal) as refused:
        replace(cadre, manager, reason="   ")
    assert (refused.value.field, refused.value.message) == ("reason", "Indiquez le motif du remplacement.")
    assert member(participant, TrioRole.PROFESSIONS) == cadre
    assert participant.trio.count() == 3 and AuditEvent.objects.count() == events


def test_the_new_member_receives_a_link_signs_and_completes_the_letter(
    participant, manager, links, django_capture_on_commit_callbacks
):
    cadre = member(participant, TrioRole.PROFESSIONS)
    others = participant.trio.exclude(pk=cadre.pk)
    for other in others:
        sign(links[other.email], name=other.name)
    sign(links[cadre.email], name=cadre.name)
    letter = EngagementLetter.objects.get(participant=participant)
    assert letter.completed_at is not None

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        successor = replace(cadre, manager)
    cadre.refresh_from_db()
    assert (cadre.active, cadre.replacement_reason) == (False, "Départ à la retraite.")
    assert cadre.replaced_at is not None
    assert successor.role == TrioRole.PROFESSIONS and successor.active
    letter.refresh_from_db()
    assert letter.completed_at is None, "a new active member has not signed yet"
    (token,) = links_by_address().values()
    assert list(links_by_address()) == ["noemie.castel@example.org"]

    sign(token, name="Noémie Castel")
    letter.refresh_from_db()
    assert letter.completed_at is not None
    assert EngagementSignature.objects.filter(member=cadre).exists(), "the replaced member's signature stays"
    text = pdf_text(cosigned_pdf(letter))
    assert "Noémie Castel" in text
    assert f"{cadre.name} (remplacé)" in text


def test_a_replaced_members_link_no_longer_signs(participant, manager, links):
    cadre = member(participant, TrioRole.PROFESSIONS)
    replace(cadre, manager)
    with pytest.raises(Refusal) as refused:
        sign(links[cadre.email])
    assert refused.value.message == engagement_links.REPLACED


def test_the_establishments_director_may_replace_but_not_a_member(participant, links):
    space = OrganisationFactory(establishment_space=True)
    participant.establishment.organisation = space
    participant.establishment.save()
    director = MembershipFactory(role=Role.DIRECTOR, organisation=space).user
    colleague = MembershipFactory(role=Role.MEMBER, organisation=space).user
    staff = member(participant, TrioRole.STAFF_REPRESENTATIVE)

    with pytest.raises(Refusal) as refused:
        replace(staff, colleague)
    assert "direction de l’établissement" in refused.value.message
    assert replace(staff, director).email == "noemie.castel@example.org"


def test_a_member_replaced_before_any_letter_gets_the_letter_with_the_others(
    cohort, manager, participant, django_capture_on_commit_callbacks
):
    replace(member(participant, TrioRole.DIRECTION), manager, email="nouvelle.direction@example.org")
    links = send(cohort, manager, django_capture_on_commit_callbacks)
    assert "nouvelle.direction@example.org" in links
    assert f"direction.{participant.establishment.finess_et}@example.org" not in links
