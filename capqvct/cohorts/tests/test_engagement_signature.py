"""Sending the engagement letters and signing them by a personal link: what is recorded, and every
link that may not sign (changed letter, someone else's account, replayed, expired, tampered, replaced
by a newer one), each refused with its own message and nothing written."""

import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from capqvct.cohorts import engagement_links, engagement_services
from capqvct.cohorts.models import EngagementLetter, EngagementSignature, TrioMember
from capqvct.cohorts.tests.engagement_builders import (  # noqa: F401 (fixtures)
    cohort,
    links,
    manager,
    participant,
    send,
    sign,
)
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from tests.factories import UserFactory
from tests.pdf_text import pdf_text

pytestmark = pytest.mark.django_db


def address(participant, role_prefix):
    return f"{role_prefix}.{participant.establishment.finess_et}@example.org"


def nothing_written(before_events: int, before_signatures: int = 0) -> bool:
    return (
        AuditEvent.objects.count() == before_events
        and EngagementSignature.objects.count() == before_signatures
    )


def refusal_of(token, **kwargs) -> str:
    with pytest.raises(Refusal) as refused:
        sign(token, **kwargs)
    return refused.value.message


def test_each_active_member_receives_a_personal_link_to_the_frozen_letter(cohort, participant, links):
    members = TrioMember.objects.filter(participant__cohort=cohort)
    assert sorted(links) == sorted(member.email for member in members)
    assert len(mail.outbox) == 6
    letter = EngagementLetter.objects.get(participant=participant)
    assert letter.fingerprint == hashlib.sha256(bytes(letter.pdf)).hexdigest()
    assert participant.establishment.name in letter.text
    assert "comité QVT" in letter.text and "quatre séquences" in letter.text
    assert cohort.name in pdf_text(bytes(letter.pdf))
    message = next(m for m in mail.outbox if m.to == [address(participant, "direction")])
    assert "Lettre d’engagement à signer" in message.subject
    assert AuditEvent.objects.filter(action="engagement_letters_sent", target_id=str(cohort.pk)).exists()


def test_a_signature_records_who_when_where_the_typed_name_and_the_fingerprint(participant, links):
    now = timezone.now()
    signature = sign(links[address(participant, "direction")], "  Directrice   Martin ", now=now)

    letter = EngagementLetter.objects.get(participant=participant)
    assert signature.member.email == address(participant, "direction")
    assert (signature.typed_name, signature.ip, signature.signed_at) == (
        "Directrice Martin",
        "203.0.113.7",
        now,
    )
    assert signature.fingerprint == letter.fingerprint
    assert signature.user is None
    event = AuditEvent.objects.get(action="engagement_letter_signed")
    assert event.actor_email == address(participant, "direction")
    assert event.details["fingerprint"] == letter.fingerprint


def test_a_changed_letter_no_longer_matches_the_fingerprint_of_the_link(
    cohort, manager, participant, links, django_capture_on_commit_callbacks
):
    old = links[address(participant, "direction")]
    engagement_services.save_engagement_template(
        call=cohort.call, body="Nous nous engageons pour {etablissement}.", reminder_days=7, by=manager
    )
    before = EngagementLetter.objects.get(participant=participant).fingerprint
    new_links = send(cohort, manager, django_capture_on_commit_callbacks)
    letter = EngagementLetter.objects.get(participant=participant)
    assert letter.fingerprint != before
    assert letter.text == f"Nous nous engageons pour {participant.establishment.name}."
    events = AuditEvent.objects.count()

    assert refusal_of(old) == engagement_links.CHANGED
    assert nothing_written(events)
    assert sign(new_links[address(participant, "direction")]).fingerprint == letter.fingerprint


def test_a_letter_whose_stored_pdf_was_altered_is_refused(participant, links):
    letter = EngagementLetter.objects.get(participant=participant)
    letter.pdf = bytes(letter.pdf) + b"%altered"
    letter.save()
    events = AuditEvent.objects.count()

    assert refusal_of(links[address(participant, "direction")]) == engagement_links.CHANGED
    assert nothing_written(events)


def test_a_link_used_while_signed_in_with_someone_elses_account_is_refused(participant, links):
    member = TrioMember.objects.get(email=address(participant, "cadre"))
    member.user = UserFactory(email=member.email)
    member.save()
    stranger = UserFactory(email="quelquun@example.org")
    events = AuditEvent.objects.count()

    message = refusal_of(links[member.email], user=stranger)
    assert message.startswith("Ce lien de signature est personnel")
    assert nothing_written(events)
    assert sign(links[member.email], user=member.user).user == member.user


def test_a_replayed_link_is_refused(participant, links):
    token = links[address(participant, "personnel")]
    sign(token)
    events = AuditEvent.objects.count()

    message = refusal_of(token)
    assert message.startswith("Ce lien a déjà servi")
    assert nothing_written(events, before_signatures=1)


def test_an_expired_link_is_refused(participant, links):
    token = links[address(participant, "personnel")]
    events = AuditEvent.objects.count()
    later = timezone.now() + engagement_links.LINK_VALIDITY + timedelta(minutes=1)

    assert refusal_of(token, now=later) == engagement_links.EXPIRED.format(days=30)
    assert nothing_written(events)
    assert sign(token, now=timezone.now() + engagement_links.LINK_VALIDITY - timedelta(minutes=1))


def test_a_tampered_link_is_refused(participant, links):
    token = links[address(participant, "personnel")]
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert refusal_of(tampered) == engagement_links.INVALID
    assert EngagementSignature.objects.count() == 0


def test_only_the_latest_link_works(cohort, manager, participant, links, django_capture_on_commit_callbacks):
    old = links[address(participant, "cadre")]
    mail.outbox.clear()
    new = send(cohort, manager, django_capture_on_commit_callbacks)[address(participant, "cadre")]
    assert refusal_of(old) == engagement_links.SUPERSEDED
    assert sign(new)


def test_the_typed_name_and_the_consent_are_required_at_their_fields(participant, links):
    token = links[address(participant, "cadre")]
    for kwargs, field, message in (
        ({"name": "   "}, "typed_name", "Tapez votre nom et votre prénom pour signer."),
        ({"consent": False}, "consent", "Cochez la case pour confirmer votre engagement."),
    ):
        with pytest.raises(Refusal) as refused:
            sign(token, **kwargs)
        assert (refused.value.field, refused.value.message) == (field, message)
    assert EngagementSignature.objects.count() == 0
    assert sign(token)


def test_only_the_calls_managers_send_the_letters(cohort, django_capture_on_commit_callbacks):
    with pytest.raises(Refusal) as refused:
        send(cohort, cohort.pair.first, django_capture_on_commit_callbacks)
    assert "responsables de programme" in refused.value.message
    assert EngagementLetter.objects.count() == 0 and mail.outbox == []


def test_the_letter_is_complete_when_every_member_signed_and_the_trio_gets_the_cosigned_pdf(
    participant, links, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    members = list(TrioMember.objects.filter(participant=participant))
    for member in members[:-1]:
        sign(links[member.email], name=member.name)
    assert EngagementLetter.objects.get(participant=participant).completed_at is None
    with django_capture_on_commit_callbacks(execute=True):
        sign(links[members[-1].email], name=members[-1].name)

    letter = EngagementLetter.objects.get(participant=participant)
    assert letter.completed_at is not None
    (message,) = mail.outbox
    assert sorted(message.to) == sorted(member.email for member in members)
    (name, content, mimetype) = message.attachments[0]
    assert mimetype == "application/pdf" and name.endswith("-cosignee.pdf")
    text = pdf_text(content)
    for member in members:
        assert member.name in text
    assert letter.fingerprint in text.replace(" ", "")
    assert "203.0.113.7" in text
    assert "Représentant du personnel" in text
