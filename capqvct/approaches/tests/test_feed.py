"""The activity feed: what was done, in words, with the comments; mentions tell the people of the
workspace by e-mail, at once or in a daily digest; nobody outside it can be mentioned."""

import pytest
from django.urls import reverse

from capqvct.approaches import feed_services, services
from capqvct.approaches.feed_selectors import feed_of, people_of
from capqvct.approaches.models import Approach, Comment, MentionNotice
from capqvct.approaches.tests.builders import workspace
from capqvct.core.exceptions import Refusal
from tests.factories import login_verified
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return workspace()


def test_the_feed_tells_who_did_what_with_the_comments(w):
    services.add_committee_member(
        participant=w.participant, by=w.director, name="Claire Martin", role="direction"
    )
    feed_services.post_comment(participant=w.participant, by=w.consultant, body="Bravo pour le comité !")
    entries = feed_of(Approach.objects.get())
    assert [entry.comment.body if entry.comment else entry.what for entry in entries] == [
        "Bravo pour le comité !",
        "a ajouté Claire Martin au comité QVT",
    ]
    assert entries[1].who == w.director.get_full_name()


def test_the_people_of_the_workspace_are_the_establishment_and_the_pair(w):
    people = set(people_of(w.participant))
    assert {w.director, w.cohort.pair.first, w.cohort.pair.second} <= people
    assert w.manager not in people and w.stranger not in people


def test_a_mention_is_sent_at_once_or_in_the_daily_digest(w, mailoutbox, django_capture_on_commit_callbacks):
    feed_services.set_digest(user=w.cohort.pair.second, daily=True)
    name = w.director.get_full_name()
    with django_capture_on_commit_callbacks(execute=True):
        feed_services.post_comment(
            participant=w.participant,
            by=w.consultant,
            body=f"@{name} pouvez-vous déposer le compte rendu ?",
            mention_ids=[w.cohort.pair.second.pk],
        )
    # The director, named in the text, is told at once; the second consultant waits for the digest.
    (sent,) = mailoutbox
    assert sent.to == [w.director.email] and "pouvez-vous déposer le compte rendu" in sent.body
    assert f"/demarches/{w.participant.pk}/#commentaire-" in sent.body
    assert MentionNotice.objects.filter(sent_at__isnull=True).get().user == w.cohort.pair.second
    with django_capture_on_commit_callbacks(execute=True):
        assert feed_services.send_mention_digests() == 1
    assert mailoutbox[1].to == [w.cohort.pair.second.email]
    with django_capture_on_commit_callbacks(execute=True):
        assert feed_services.send_mention_digests() == 0
    assert len(mailoutbox) == 2


def test_nobody_outside_is_mentioned_and_nobody_outside_comments(w):
    with pytest.raises(Refusal) as refused:
        feed_services.post_comment(
            participant=w.participant, by=w.director, body="Voir", mention_ids=[w.stranger.pk]
        )
    assert refused.value.field == "mentions"
    with pytest.raises(Refusal):
        feed_services.post_comment(participant=w.participant, by=w.manager, body="Bonjour")
    with pytest.raises(Refusal) as refused:
        feed_services.post_comment(participant=w.participant, by=w.director, body="   ")
    assert refused.value.field == "body"
    assert not Comment.objects.exists()


def test_the_home_page_posts_a_comment_and_keeps_it_when_refused(client, w):
    login_verified(client, w.director)
    path = reverse("approaches:comment", args=[w.participant.pk])
    refused = client.post(path, {"body": "Voir avec eux", "mentions": [str(w.stranger.pk)]})
    assert refused.status_code == 200 and "Voir avec eux" in refused.content.decode()
    assert not Comment.objects.exists()
    response = client.post(path, {"body": "Le comité est fixé au 12."}, follow=True)
    text = response.content.decode()
    assert "Commentaire publié." in text and "Le comité est fixé au 12." in text
    assert typography_errors(text) == []
    login_verified(client, w.manager)
    assert client.post(path, {"body": "Bonjour"}).status_code == 404
    assert Comment.objects.count() == 1
