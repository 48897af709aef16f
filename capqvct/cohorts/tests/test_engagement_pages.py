"""The engagement pages as people use them: the managers' text and « Envoyer », the signing page of a
personal link (and the pages that refuse a link), the cohort's and the participation's sections, the
PDFs, and replacing a member; French typography, fields that keep what was typed, queries that do not
grow with the cohort."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from capqvct.accounts.models import Role
from capqvct.cohorts import engagement_links
from capqvct.cohorts.models import EngagementLetter, EngagementSignature, TrioMember, TrioRole
from capqvct.cohorts.tests.builders import confirmed_cohort
from capqvct.cohorts.tests.engagement_builders import (  # noqa: F401 (fixtures)
    cohort,
    links,
    links_by_address,
    manager,
    participant,
    send,
    sign,
)
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, login_verified
from tests.pdf_text import pdf_text
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db


def html(response) -> str:
    text = response.content.decode()
    assert typography_errors(text) == []
    return text


def director_of(participant):
    space = OrganisationFactory(establishment_space=True)
    participant.establishment.organisation = space
    participant.establishment.save()
    return MembershipFactory(role=Role.DIRECTOR, organisation=space).user


def sign_path(token: str) -> str:
    return reverse("cohorts:engagement_sign", args=[token])


def test_the_manager_sends_the_letters_from_the_cohort_page(
    client, manager, cohort, django_capture_on_commit_callbacks
):
    login_verified(client, manager)
    page = html(client.get(reverse("cohorts:cohort", args=[cohort.pk])))
    assert "Envoyer les lettres d’engagement" in page
    assert "Non envoyée" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("cohorts:engagement_send", args=[cohort.pk]))
    assert response.status_code == 302
    assert len(mail.outbox) == 6
    page = html(client.get(response["Location"]))
    assert "6\u00a0e-mails avec un lien personnel" in page or "6 e-mails avec un lien personnel" in page
    assert "0 signature sur 3" in page
    assert "Renvoyer aux membres qui n’ont pas signé" in page


def test_the_cohort_page_shows_who_signed_and_when(client, manager, cohort, participant, links):
    direction = participant.trio.get(role=TrioRole.DIRECTION)
    sign(links[direction.email], name=direction.name)
    login_verified(client, manager)
    page = html(client.get(reverse("cohorts:cohort", args=[cohort.pk])))
    assert "1 signature sur 3" in page
    assert f"{direction.name}, représentant de la direction\u00a0:" in page
    assert "signé le" in page
    assert "pas encore signé (lien envoyé le" in page


def test_the_cohort_pages_queries_do_not_grow_with_its_participants(
    client, manager, django_capture_on_commit_callbacks
):
    counts = []
    for size in (2, 6):
        mail.outbox.clear()
        cohort = confirmed_cohort(manager, herault=size)
        links = send(cohort, manager, django_capture_on_commit_callbacks)
        for token in list(links.values())[::2]:
            sign(token)
        login_verified(client, manager)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("cohorts:cohort", args=[cohort.pk])).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_signing_page_shows_the_letter_and_signs(client, participant, links):
    staff = participant.trio.get(role=TrioRole.STAFF_REPRESENTATIVE)
    token = links[staff.email]
    page = html(client.get(sign_path(token)))
    assert participant.establishment.name in page
    assert "comité QVT" in page
    assert "J’ai lu la lettre d’engagement et je m’engage" in page
    pdf = client.get(reverse("cohorts:engagement_letter_by_link", args=[token]))
    assert pdf["Content-Type"] == "application/pdf"
    assert participant.establishment.name in pdf_text(b"".join(pdf.streaming_content))

    response = client.post(
        sign_path(token), {"typed_name": "Délégué Martin", "consent": "on"}, REMOTE_ADDR="198.51.100.4"
    )
    assert response.status_code == 200
    assert "votre signature de la lettre d’engagement" in html(response)
    signature = EngagementSignature.objects.get(member=staff)
    assert (signature.typed_name, signature.ip) == ("Délégué Martin", "198.51.100.4")


def test_a_signature_without_consent_says_so_at_the_box_and_keeps_the_name(client, participant, links):
    token = links[participant.trio.get(role=TrioRole.PROFESSIONS).email]
    response = client.post(sign_path(token), {"typed_name": "Cadre Martin"})
    page = html(response)
    assert response.status_code == 200
    assert "Cochez la case pour confirmer votre engagement." in page
    assert 'value="Cadre Martin"' in page
    assert EngagementSignature.objects.count() == 0


@pytest.mark.parametrize(
    ("case", "status", "says"),
    [
        ("replayed", 410, "Ce lien a déjà servi"),
        ("expired", 410, "Ce lien de signature a expiré"),
        ("tampered", 404, "Ce lien de signature n’est pas valide"),
        ("other_account", 403, "Ce lien de signature est personnel"),
    ],
)
def test_a_link_that_may_not_sign_gets_a_page_that_says_why(client, participant, links, case, status, says):
    member = participant.trio.get(role=TrioRole.PROFESSIONS)
    token = links[member.email]
    if case == "replayed":
        sign(token)
    elif case == "expired":
        invitation = member.engagement_invitations.get()
        token = engagement_links.link_token(invitation, now=timezone.now() - timedelta(days=31))
    elif case == "tampered":
        token = token.replace(":", ":x", 1)
    else:
        member.user = UserFactory(email=member.email)
        member.save()
        login_verified(client, UserFactory())
    signatures = EngagementSignature.objects.count()

    for response in (
        client.get(sign_path(token)),
        client.post(sign_path(token), {"typed_name": "Cadre Martin", "consent": "on"}),
    ):
        assert response.status_code == status
        assert says in html(response)
    assert EngagementSignature.objects.count() == signatures


def test_the_establishment_sees_its_letter_and_downloads_it(client, participant, links):
    director = director_of(participant)
    login_verified(client, director)
    path = reverse("cohorts:participation", args=[participant.pk])
    page = html(client.get(path))
    assert "0 signature sur 3" in page
    assert reverse("cohorts:engagement_letter", args=[participant.pk]) in page
    letter = client.get(reverse("cohorts:engagement_letter", args=[participant.pk]))
    assert b"".join(letter.streaming_content) == bytes(
        EngagementLetter.objects.get(participant=participant).pdf
    )
    assert client.get(reverse("cohorts:engagement_cosigned", args=[participant.pk])).status_code == 404

    for token in [links[m.email] for m in participant.trio.all()]:
        sign(token)
    page = html(client.get(path))
    assert "Signée par tout le trinôme" in page
    cosigned = client.get(reverse("cohorts:engagement_cosigned", args=[participant.pk]))
    assert cosigned.status_code == 200
    fingerprint = EngagementLetter.objects.get(participant=participant).fingerprint
    assert fingerprint in pdf_text(b"".join(cosigned.streaming_content)).replace(" ", "")


def test_another_establishment_reads_neither_the_page_nor_the_letters(client, cohort, participant, links):
    other = cohort.participants.exclude(pk=participant.pk).get()
    login_verified(client, director_of(other))
    assert client.get(reverse("cohorts:engagement_letter", args=[participant.pk])).status_code == 404
    assert client.get(reverse("cohorts:engagement_cosigned", args=[participant.pk])).status_code == 404
    member = participant.trio.first()
    assert client.get(reverse("cohorts:engagement_replace", args=[member.pk])).status_code == 404


def test_the_template_page_refuses_an_unknown_placeholder_at_the_field_and_keeps_the_text(
    client, manager, cohort
):
    login_verified(client, manager)
    path = reverse("cohorts:engagement_template", args=[cohort.call_id])
    page = html(client.get(path))
    assert "{etablissement}" in page
    typed = "Engagement de {etablissement} pour {ville}."
    response = client.post(path, {"body": typed, "reminder_days": "5"})
    page = html(response)
    assert "Champ inconnu\u00a0: {ville}" in page
    assert typed in page
    response = client.post(path, {"body": "Engagement de {etablissement}.", "reminder_days": "5"})
    assert response.status_code == 302
    assert cohort.call.engagement_template.reminder_days == 5


def test_replacing_a_member_needs_a_reason_at_its_field_and_keeps_what_was_typed(
    client, manager, participant, links, django_capture_on_commit_callbacks
):
    member = participant.trio.get(role=TrioRole.DIRECTION)
    login_verified(client, manager)
    path = reverse("cohorts:engagement_replace", args=[member.pk])
    typed = {"name": "Inès Roux", "function": "Directrice adjointe", "email": "ines.roux@example.org"}
    response = client.post(path, {**typed, "reason": ""})
    page = html(response)
    assert "Indiquez le motif du remplacement." in page
    assert 'value="Inès Roux"' in page and 'value="ines.roux@example.org"' in page
    assert TrioMember.objects.filter(participant=participant).count() == 3

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {**typed, "reason": "Départ de la directrice."})
    assert response.status_code == 302
    assert list(links_by_address()) == ["ines.roux@example.org"]
    page = html(client.get(response["Location"]))
    assert "remplacé" in page and "Inès Roux" in page


def test_the_consultants_home_lists_the_letters_still_waiting_for_a_signature(
    cohort, manager, client, django_capture_on_commit_callbacks
):
    first, second = cohort.participants.order_by("establishment__name")
    login_verified(client, cohort.pair.first)
    assert "Aucune lettre envoyée n’attend de signature." in html(client.get(reverse("cohorts:mine")))

    links = send(cohort, manager, django_capture_on_commit_callbacks)
    for member in TrioMember.objects.filter(participant=first):
        sign(links[member.email], member.name)
    director = TrioMember.objects.get(participant=second, role=TrioRole.DIRECTION)
    sign(links[director.email], director.name)

    response = client.get(reverse("cohorts:mine"))
    page = html(response)
    assert [state.participant for state in response.context["unsigned_letters"]] == [second]
    assert f"{second.establishment.name}</a> ({cohort.name})\u00a0: 1 signature sur 3" in page
    waiting = TrioMember.objects.filter(participant=second).exclude(pk=director.pk)
    assert all(member.name in page for member in waiting)
    assert director.name not in page
    assert reverse("cohorts:participation", args=[first.pk]) in page  # still listed among the establishments
    assert f"{first.establishment.name}</a> ({cohort.name})" not in page
