"""The review in Chromium: the manager's dashboard, then a reviewer declares no conflict and scores."""

import pytest
from django.urls import reverse

from capqvct.review import services
from capqvct.review.services import CriterionInput
from capqvct.review.tests.test_assignment import Setting, opened

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_dashboard_then_reviewer_scores(page, live_server, look, sign_in):
    setting = Setting(dossiers=3)
    review = opened(setting)
    services.set_grid(
        review=review,
        criteria=[
            CriterionInput("Portage par la direction", 2, 5, "Engagement de la direction et temps dégagé."),
            CriterionInput("Dialogue social", 1, 4),
        ],
        by=setting.manager,
    )
    services.assign_automatically(review=review, by=setting.manager)
    sign_in(setting.manager)
    page.goto(f"/instruction/appels/{setting.call.pk}/")
    page.get_by_role("heading", name="Dossiers et instructeurs").wait_for()
    look(page, "review--dashboard")

    page.context.clear_cookies()
    sign_in(setting.ars_reviewer)
    page.goto("/instruction/mes-dossiers/")
    look(page, "review--my-assignments")
    page.get_by_role("table").get_by_role("link").first.click()
    page.get_by_role("button", name="Je n’ai pas de conflit d’intérêts").wait_for()
    look(page, "review--conflict")
    page.get_by_role("button", name="Je n’ai pas de conflit d’intérêts").click()
    page.get_by_label("Note, de 0 à 5").fill("4")
    page.get_by_label("Note, de 0 à 4").fill("3")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Notation enregistrée.").wait_for()
    look(page, "review--score")


def test_a_managers_own_conflict_is_said_on_the_dossier_and_decisions_pages(page, live_server, look, sign_in):
    """The manager who declared a conflict still reads the dossier, with a notice; another manager of
    the region reads who declared it on the decisions page."""
    from capqvct.accounts.models import Role
    from capqvct.review.tests.test_assignment import agent

    setting = Setting(dossiers=2)
    review = opened(setting)
    application = setting.applications[0]
    assignment = services.assign(
        review=review, application=application, reviewer=setting.manager, by=setting.manager
    )
    services.declare_conflict(assignment=assignment, reason="Ma sœur y travaille.", by=setting.manager)
    other_manager = agent(setting.aract, Role.PROGRAMME_MANAGER, "responsable@aract.fr", "Durand")
    sign_in(setting.manager)
    page.goto(reverse("review:dossier", args=[setting.call.pk, application.pk]))
    page.get_by_text("ne prenez pas part à sa décision").wait_for()
    look(page, "review--dossier-own-conflict")
    page.goto(reverse("review:decisions", args=[setting.call.pk]))
    page.get_by_text("ne prenez pas part à sa décision").wait_for()
    look(page, "review--decisions-own-conflict")

    page.context.clear_cookies()
    sign_in(other_manager)
    page.goto(reverse("review:decisions", args=[setting.call.pk]))
    page.get_by_text(f"Conflit d’intérêts déclaré par {setting.manager}").wait_for()
    look(page, "review--decisions-manager-conflict")
