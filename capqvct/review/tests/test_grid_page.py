"""The grid page: as many criteria as the call needs, lines added and removed without JavaScript, blank
lines ignored as the page says, errors at the field with everything typed kept, refused once scored."""

import pytest
from django.test import Client
from django.urls import reverse

from capqvct.core.models import AuditEvent
from capqvct.review import services
from capqvct.review.forms import MAX_GRID_LINES
from capqvct.review.models import Criterion
from capqvct.review.services import GRID_SCORED, CriterionInput
from capqvct.review.tests.test_assignment import Setting, opened
from tests.factories import login_verified

BFC_GRID = [
    ("Portage par la direction", "3", "4"),
    ("Dialogue social", "2", "4"),
    ("Implication des équipes", "2", "4"),
    ("Faisabilité", "1", "10"),
]


def grid_data(lines, *, initial: int = 0, **extra) -> dict:
    """The page's formset as the browser posts it: `lines` of (label, weight, scale_max[, help, delete])."""
    data = {"form-TOTAL_FORMS": str(len(lines)), "form-INITIAL_FORMS": str(initial), **extra}
    for index, (label, weight, scale_max, *rest) in enumerate(lines):
        data.update(
            {
                f"form-{index}-label": label,
                f"form-{index}-weight": weight,
                f"form-{index}-scale_max": scale_max,
                f"form-{index}-help_text": rest[0] if rest else "",
            }
        )
        if len(rest) > 1 and rest[1]:
            data[f"form-{index}-DELETE"] = "on"
    return data


def client_of(user) -> Client:
    return login_verified(Client(), user)


@pytest.fixture
def setting(db):
    setting = Setting(dossiers=1)
    setting.review = opened(setting)
    setting.client = client_of(setting.manager)
    setting.url = reverse("review:grid", args=[setting.call.pk])
    return setting


def saved(setting) -> list[tuple]:
    return list(Criterion.objects.filter(review=setting.review).values_list("label", "weight", "scale_max"))


def test_the_four_criteria_of_bourgogne_franche_comte_and_blank_lines_ignored(setting):
    # The blank lines keep the page's default coefficient and maximum: they are still blank lines.
    response = setting.client.post(setting.url, grid_data([*BFC_GRID, ("", "1", "4"), ("", "1", "4")]))

    assert response.status_code == 302
    assert [label for label, _, _ in saved(setting)] == [label for label, _, _ in BFC_GRID]
    assert saved(setting)[3][1:] == (1, 10)


def test_eight_criteria_are_as_welcome_as_four(setting):
    lines = [(f"Critère n° {n}", "1", "5") for n in range(1, 9)]

    setting.client.post(setting.url, grid_data(lines))

    assert len(saved(setting)) == 8


def test_adding_a_line_keeps_what_was_typed_and_saves_nothing(setting):
    typed = grid_data([("Portage", "2,5", "30", "Texte gardé")])

    response = setting.client.post(setting.url, {**typed, "add": "1"})

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('name="form-TOTAL_FORMS" value="2"') == 1
    assert 'value="Portage"' in page and "Texte gardé" in page and 'value="30"' in page
    # Nothing checked yet: the maximum of 30 is refused only when saving.
    assert "La note maximale va de 1 à 20." not in page
    assert not saved(setting)


def test_a_removed_criterion_is_gone_and_the_others_keep_their_order(setting):
    services.set_grid(
        review=setting.review, criteria=[CriterionInput(*line) for line in BFC_GRID], by=setting.manager
    )
    lines = [(label, weight, scale, "", label == "Dialogue social") for label, weight, scale in BFC_GRID]

    setting.client.post(setting.url, grid_data(lines, initial=4))

    assert [label for label, _, _ in saved(setting)] == [
        "Portage par la direction",
        "Implication des équipes",
        "Faisabilité",
    ]


def test_the_page_shows_the_grid_saved_with_a_remove_box_per_criterion(setting):
    services.set_grid(
        review=setting.review, criteria=[CriterionInput(*line) for line in BFC_GRID], by=setting.manager
    )

    page = setting.client.get(setting.url).content.decode()

    assert page.count("Supprimer ce critère") == 4
    assert 'value="Faisabilité"' in page
    assert "Ajouter un critère" in page


def test_errors_are_shown_at_their_field_and_nothing_typed_is_lost(setting):
    before = AuditEvent.objects.count()
    lines = [
        ("Portage", "deux", "4", "Précisions gardées"),
        ("", "1", "30", "Sans intitulé"),
        ("Fin", "1", "0"),
    ]

    response = setting.client.post(setting.url, grid_data(lines))

    page = response.content.decode()
    assert response.status_code == 400
    assert "Le coefficient doit être un nombre positif." in page
    assert "Indiquez l’intitulé du critère, ou videz ses précisions." in page
    assert "La note maximale va de 1 à 20." in page
    assert 'id="id_form-0-weight-desc-error"' in page or 'aria-describedby="id_form-0-weight' in page
    assert 'value="deux"' in page and "Précisions gardées" in page and "Sans intitulé" in page
    assert not saved(setting)
    assert AuditEvent.objects.count() == before


def test_a_grid_with_only_blank_lines_is_refused_with_the_services_message(setting):
    response = setting.client.post(setting.url, grid_data([("", "1", "4"), ("", "1", "4")]))

    assert response.status_code == 400
    assert "La grille doit compter au moins un critère." in response.content.decode()
    assert not saved(setting)


def test_more_lines_than_the_limit_are_refused(setting):
    lines = [(f"Critère {n}", "1", "4") for n in range(MAX_GRID_LINES + 1)]

    response = setting.client.post(setting.url, grid_data(lines))

    assert response.status_code == 400
    assert not saved(setting)


def test_once_scored_the_grid_is_refused_and_left_as_it_was(setting):
    services.set_grid(review=setting.review, criteria=[CriterionInput("Portage", 1, 4)], by=setting.manager)
    assignment = services.assign(
        review=setting.review,
        application=setting.applications[0],
        reviewer=setting.ars_reviewer,
        by=setting.manager,
    )
    services.declare_no_conflict(assignment=assignment, by=setting.ars_reviewer)
    criterion = Criterion.objects.get()
    services.save_scores(assignment=assignment, values={criterion.pk: (3, "")}, by=setting.ars_reviewer)

    page = setting.client.get(setting.url).content.decode()
    assert "la grille ne peut plus changer" in page
    response = setting.client.post(setting.url, grid_data([("Autre chose", "1", "4")], initial=1))

    assert response.status_code == 400
    assert GRID_SCORED in response.content.decode()
    assert saved(setting) == [("Portage", 1, 4)]


def test_an_agent_of_another_region_cannot_post_a_grid(setting):
    from capqvct.accounts.models import OrganisationKind, Role
    from capqvct.review.tests.test_assignment import agent
    from tests.factories import OrganisationFactory, region

    other = OrganisationFactory(kind=OrganisationKind.ARS, region=region("84", "Auvergne-Rhône-Alpes"))
    stranger = client_of(agent(other, Role.PROGRAMME_MANAGER, "ailleurs@ars.fr", "Ailleurs"))

    assert stranger.post(setting.url, grid_data(BFC_GRID)).status_code == 404
    assert not saved(setting)
