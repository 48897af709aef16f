"""The dossier page's sommaire, its progress, and the banner after a save with a field in error."""

import pytest

from capqvct.accounts.models import Role
from capqvct.applications import services
from capqvct.applications.tests.test_dossier_identity import call as call  # noqa: F401 (fixture)
from capqvct.applications.tests.test_dossier_identity import cigales as cigales  # noqa: F401 (fixture)
from capqvct.calls.formdef.progress import progress_by_section
from capqvct.calls.formdef.schema import Form
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

CONDITIONAL = Form.from_json(
    {
        "sections": [
            {
                "key": "main",
                "title": "Principal",
                "fields": [
                    {"key": "name", "kind": "short_text", "label": "Nom", "required": True},
                    {"key": "cpom", "kind": "yes_no", "label": "CPOM ?", "required": True},
                    {
                        "key": "cpom_date",
                        "kind": "date",
                        "label": "Date",
                        "required": True,
                        "show_if": {"field": "cpom", "equals": True},
                    },
                    {"key": "notes", "kind": "short_text", "label": "Notes"},
                ],
            }
        ]
    }
)


def test_a_question_hidden_by_its_condition_is_not_counted():
    assert progress_by_section(CONDITIONAL, {"cpom": False})[0].required == 2
    assert progress_by_section(CONDITIONAL, {"cpom": True})[0].required == 3


def test_an_answer_counts_as_filled_even_before_it_is_valid():
    progress = progress_by_section(CONDITIONAL, {"name": "x", "cpom": True, "cpom_date": "pas une date"})[0]

    assert (progress.filled, progress.required, progress.complete) == (3, 3, True)


@pytest.fixture
def dossier(client, call, cigales):
    director = MembershipFactory(role=Role.DIRECTOR, organisation=cigales.organisation).user
    client.force_login(director)
    return services.start_application(call=call, establishment=cigales, by=director)


def test_the_sommaire_links_every_section_and_says_the_progress(client, dossier):
    body = client.get(f"/dossiers/{dossier.pk}/").content.decode()

    for key in ("structure", "contact", "head", "staff", "project", "trio"):
        assert f'href="#formdef-section-{key}"' in body
        assert f'id="formdef-section-{key}"' in body
    # The name, FINESS and address come from the directory.
    assert "3\u00a0questions obligatoires sur" in body


def test_a_save_with_a_field_in_error_says_the_other_answers_are_saved(client, dossier):
    response = client.post(
        f"/dossiers/{dossier.pk}/",
        {
            "lock_version": dossier.lock_version,
            "save": "",
            "answers.email": "pas-une-adresse",
            "answers.head_name": "Camille Martin",
        },
    )

    body = response.content.decode()
    assert "Brouillon enregistré\u00a0: vos autres réponses sont enregistrées." in body
    assert "1\u00a0champ est signalé ci-dessous, à corriger avant le dépôt." in body
    assert 'value="pas-une-adresse"' in body
    dossier.refresh_from_db()
    assert dossier.answers["head_name"] == "Camille Martin"
    assert dossier.answers["email"] == "pas-une-adresse"
    assert "5\u00a0questions obligatoires sur" in body
