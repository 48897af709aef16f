"""A dossier's transition table (applications/states.py): what each state offers to whom, and an action
taken on a page that is no longer true refused in words, with nothing written."""

from datetime import timedelta

import pytest

from capqvct.accounts.models import Role
from capqvct.applications import services
from capqvct.applications.models import Application, ApplicationStatus
from capqvct.applications.review_signals import application_withdrawn
from capqvct.applications.states import DOSSIER
from capqvct.applications.tests.test_submission import OPENS, _fill
from capqvct.applications.tests.test_submission import application as application  # noqa: F401 (fixture)
from capqvct.applications.tests.test_submission import call as call  # noqa: F401 (fixture)
from capqvct.applications.tests.test_submission import director as director  # noqa: F401 (fixture)
from capqvct.core.exceptions import Refusal
from capqvct.core.models import AuditEvent
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

DURING = OPENS + timedelta(days=3)
VALID = {"motivation": "Prendre soin des équipes."}


def offered(application, user, now=DURING) -> list[str]:
    return list(DOSSIER.allowed_actions(application, by=user, now=now))


def submitted(application, director):
    _fill(application, director, VALID)
    services.submit_application(application=application, by=director, now=DURING)
    return application


def test_each_state_offers_its_own_actions_to_the_establishment(application, director):
    assert offered(application, director) == ["submit", "withdraw"]
    submitted(application, director)
    assert offered(application, director) == ["reopen", "withdraw"]
    services.withdraw_application(application=application, by=director)
    assert offered(application, director) == []


def test_after_the_deadline_only_withdrawal_is_offered_and_the_page_is_told_why(application, director, call):
    after = call.closes_at + timedelta(seconds=1)

    assert offered(application, director, after) == ["withdraw"]
    (refused,) = DOSSIER.refused_actions(application, by=director, now=after).values()
    assert (refused.label, refused.reason) == (
        "Déposer le dossier",
        "Le dépôt est clos depuis le 5\u00a0septembre 2022 inclus (heure de La Réunion)\u00a0: "
        "votre brouillon est conservé.",
    )


def test_nothing_is_offered_to_someone_outside_the_establishment(application):
    stranger = MembershipFactory(
        role=Role.DIRECTOR, organisation=OrganisationFactory(establishment_space=True)
    )
    assert offered(application, stranger.user) == []


def test_a_reopening_from_a_page_read_before_a_withdrawal_is_refused(application, director):
    submitted(application, director)
    on_the_page = Application.objects.get(pk=application.pk)
    services.withdraw_application(application=application, by=director)

    with pytest.raises(Refusal, match="Seul un dossier déposé peut être rouvert"):
        services.reopen_application(application=on_the_page, by=director, now=DURING)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    assert not AuditEvent.objects.filter(action="application_reopened").exists()


def test_a_second_withdrawal_is_refused_and_the_review_hears_of_one(application, director):
    heard = []

    def listener(sender, application, **kwargs):
        heard.append(application.pk)

    application_withdrawn.connect(listener)
    try:
        on_the_page = Application.objects.get(pk=application.pk)
        services.withdraw_application(application=application, by=director)
        with pytest.raises(Refusal, match="déjà retiré"):
            services.withdraw_application(application=on_the_page, by=director)
    finally:
        application_withdrawn.disconnect(listener)

    assert heard == [application.pk]
    assert AuditEvent.objects.filter(action="application_withdrawn").count() == 1


def test_a_save_from_a_page_read_before_the_submission_is_refused(application, director):
    page_version = application.lock_version
    on_the_page = Application.objects.get(pk=application.pk)
    submitted(application, director)

    with pytest.raises(Refusal, match="rouvrez-le pour le modifier"):
        services.save_draft(
            application=on_the_page,
            answers={"motivation": "Autre"},
            by=director,
            expected_version=page_version + 1,
        )
    application.refresh_from_db()
    assert application.answers == VALID


def test_a_submission_checks_the_answers_it_freezes(application, director):
    """A colleague's save between the check of the answers and the freeze: the submission is refused."""
    _fill(application, director, VALID)
    on_the_page = Application.objects.get(pk=application.pk)
    _fill(application, director, {"motivation": ""})

    with pytest.raises(services.StaleDraft, match="enregistré pendant que vous le déposiez"):
        services.submit_application(application=on_the_page, by=director, now=DURING)
    assert not application.submissions.exists()


def test_every_transition_moves_the_version_and_the_modification_date(application, director):
    _fill(application, director, VALID)
    version, updated = application.lock_version, application.updated_at

    services.submit_application(application=application, by=director, now=DURING)

    application.refresh_from_db()
    assert application.lock_version == version + 1
    assert application.updated_at > updated
