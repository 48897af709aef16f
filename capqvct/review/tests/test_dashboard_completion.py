"""A dossier left with fewer reviewers than the review asks is flagged on the dashboard, can be listed
alone (?filtre=a-completer), and completed in one click by the automatic assignment's rules."""

import pytest
from django.urls import reverse

from capqvct.accounts.models import OrganisationKind, Role
from capqvct.core.models import AuditEvent
from capqvct.review import services
from capqvct.review.models import Assignment
from capqvct.review.tests.test_assignment import Setting, agent, opened
from capqvct.review.tests.test_grid_page import client_of
from capqvct.review.tests.test_review_forms import messages_of
from tests.factories import OrganisationFactory, region


@pytest.fixture
def setting(db):
    """Two dossiers with their two reviewers each; the ARS reviewer then declares a conflict with the
    first one, which is left with one reviewer out of two."""
    setting = Setting(dossiers=2)
    setting.review = opened(setting, reviewers_per_dossier=2)
    setting.short, setting.full = setting.applications
    for application in setting.applications:
        for reviewer in (setting.ars_reviewer, setting.aract_reviewer):
            services.assign(
                review=setting.review, application=application, reviewer=reviewer, by=setting.manager
            )
    services.declare_conflict(
        assignment=Assignment.objects.get(application=setting.short, reviewer=setting.ars_reviewer),
        reason="Ancien employeur.",
        by=setting.ars_reviewer,
    )
    setting.client = client_of(setting.manager)
    setting.dashboard = reverse("review:dashboard", args=[setting.call.pk])
    return setting


def complete_url(setting, application) -> str:
    return reverse("review:complete", args=[setting.call.pk, application.pk])


def reviewers_of(application) -> set[str]:
    return set(
        application.assignments.filter(conflict_declared_at__isnull=True).values_list(
            "reviewer__email", flat=True
        )
    )


def test_the_dashboard_flags_the_dossier_left_short(setting):
    page = setting.client.get(setting.dashboard).content.decode()

    assert page.count("À compléter&nbsp;: 1 instructeur sur 2") == 1
    assert page.count(f'action="{complete_url(setting, setting.short)}"') == 1
    assert complete_url(setting, setting.full) not in page


def test_the_filter_lists_only_the_dossiers_to_complete(setting):
    page = setting.client.get(f"{setting.dashboard}?filtre=a-completer").content.decode()

    assert "EHPAD Les Tilleuls 0" in page
    assert "EHPAD Les Tilleuls 1" not in page
    assert "1 dossier à compléter" in page


def test_completing_gives_the_least_loaded_agent_never_the_one_in_conflict(setting):
    response = setting.client.post(
        complete_url(setting, setting.short), {"next": f"{setting.dashboard}?filtre=a-completer"}
    )

    # The manager is the only agent of the region left who is not on the dossier nor in conflict with it.
    assert reviewers_of(setting.short) == {"instructrice@aract.fr", "responsable@ars.fr"}
    assert messages_of(response) == [f"Dossier EHPAD Les Tilleuls 0 confié à {setting.manager}."]
    assert response["Location"] == f"{setting.dashboard}?filtre=a-completer"
    assert AuditEvent.objects.filter(action="review_dossier_completed").count() == 1
    assert "À compléter&nbsp;: " not in setting.client.get(setting.dashboard).content.decode()


def test_a_routing_group_too_small_leaves_nobody_and_says_why(setting):
    services.set_routing_rule(
        review=setting.review,
        departement_code="34",
        reviewer_ids=[setting.ars_reviewer.pk],
        by=setting.manager,
    )
    before = Assignment.objects.count()

    response = setting.client.post(complete_url(setting, setting.short))

    (message,) = messages_of(response)
    assert message.startswith(
        "Personne n’a pu être désigné pour EHPAD Les Tilleuls 0\u00a0: le groupe du département"
    )
    assert "conflit d’intérêts déclaré" in message
    assert Assignment.objects.count() == before


def test_a_dossier_that_has_its_reviewers_is_not_completed(setting):
    before = Assignment.objects.count()

    response = setting.client.post(complete_url(setting, setting.full))

    assert messages_of(response) == ["Ce dossier a déjà ses 2 instructeurs."]
    assert Assignment.objects.count() == before


def test_an_agent_of_another_region_cannot_complete(setting):
    other = OrganisationFactory(kind=OrganisationKind.ARS, region=region("84", "Auvergne-Rhône-Alpes"))
    stranger = client_of(agent(other, Role.PROGRAMME_MANAGER, "ailleurs@ars.fr", "Ailleurs"))
    before = Assignment.objects.count()

    assert stranger.post(complete_url(setting, setting.short)).status_code == 404
    assert Assignment.objects.count() == before


def test_completing_is_a_post(setting):
    assert setting.client.get(complete_url(setting, setting.short)).status_code == 405
