"""In Chromium: the manager builds a grid line by line (add, a mistake at its field, remove), then
completes a dossier left short by a conflict from the dashboard's « À compléter » filter."""

import pytest

from capqvct.review import services
from capqvct.review.models import Assignment, Criterion
from capqvct.review.tests.test_assignment import Setting, opened

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_grid_grows_line_by_line_and_loses_nothing(page, live_server, look, sign_in):
    setting = Setting(dossiers=1)
    review = opened(setting)
    sign_in(setting.manager)
    page.goto(f"/instruction/appels/{setting.call.pk}/grille/")
    for number, (label, weight) in enumerate(
        [("Accord de la direction et des représentants du personnel", "3"), ("Motivation et objectifs", "2")]
    ):
        page.locator(f"#id_form-{number}-label").fill(label)
        page.locator(f"#id_form-{number}-weight").fill(weight)
    page.locator("#id_form-2-label").fill("Ressources internes")
    page.get_by_role("button", name="Ajouter un critère").click()
    page.locator("#id_form-3-label").wait_for()
    assert page.locator("#id_form-0-label").input_value().startswith("Accord de la direction")
    page.locator("#id_form-3-label").fill("Intérêt pour la santé au travail et le dialogue social")
    page.locator("#id_form-3-scale_max").fill("30")
    page.get_by_role("button", name="Enregistrer la grille").click()
    page.get_by_text("La note maximale va de 1 à 20.").wait_for()
    assert page.locator("#id_form-3-label").input_value().startswith("Intérêt pour la santé")
    look(page, "review--grid-error")
    page.locator("#id_form-3-scale_max").fill("4")
    page.get_by_role("button", name="Enregistrer la grille").click()
    page.get_by_text("Grille de notation enregistrée.").wait_for()
    assert Criterion.objects.filter(review=review).count() == 4

    page.goto(f"/instruction/appels/{setting.call.pk}/grille/")
    page.locator("label[for=id_form-1-DELETE]").click()
    assert page.locator("#id_form-1-DELETE").is_checked()
    look(page, "review--grid")
    page.get_by_role("button", name="Enregistrer la grille").click()
    page.get_by_text("Grille de notation enregistrée.").wait_for()
    assert list(Criterion.objects.filter(review=review).values_list("label", flat=True)) == [
        "Accord de la direction et des représentants du personnel",
        "Ressources internes",
        "Intérêt pour la santé au travail et le dialogue social",
    ]


def test_a_dossier_left_short_is_completed_from_the_filter(page, live_server, look, sign_in):
    setting = Setting(dossiers=3)
    review = opened(setting, reviewers_per_dossier=2)
    for application in setting.applications:
        for reviewer in (setting.ars_reviewer, setting.aract_reviewer):
            services.assign(review=review, application=application, reviewer=reviewer, by=setting.manager)
    services.declare_conflict(
        assignment=Assignment.objects.get(application=setting.applications[1], reviewer=setting.ars_reviewer),
        reason="Ancien employeur.",
        by=setting.ars_reviewer,
    )
    sign_in(setting.manager)
    page.goto(f"/instruction/appels/{setting.call.pk}/")
    page.get_by_role("link", name="À compléter").click()
    page.get_by_text("1 dossier à compléter").wait_for()
    look(page, "review--dashboard-to-complete")
    page.get_by_role("button", name="Compléter le dossier EHPAD Les Tilleuls 1").click()
    page.get_by_text(f"Dossier EHPAD Les Tilleuls 1 confié à {setting.manager}.").wait_for()
    page.get_by_text("Aucun dossier à compléter").wait_for()
    look(page, "review--dashboard-completed")
    assert "filtre=a-completer" in page.url
