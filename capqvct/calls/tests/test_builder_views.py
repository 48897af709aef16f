"""The form builder's pages, end to end through the test client."""

from datetime import timedelta

import pytest
from django.utils import timezone

from capqvct.accounts.models import Role
from capqvct.calls import builder, services
from capqvct.calls.formdef.schema import validate_definition
from capqvct.calls.formdef.templates_library import standard_qvct_application
from capqvct.calls.models import CallKind, CallStatus, FundingRule, ProgrammeFormat
from tests.factories import MembershipFactory, UserFactory, region
from tests.typography_check import typography_errors

pytestmark = pytest.mark.django_db

COMMON = {"label": "Une question", "help_text": "", "show_if": ""}
# What an agent types for each kind (besides the label).
KIND_DATA = {
    "short_text": {"max_length": "150"},
    "long_text": {"max_length": "3000"},
    "integer": {"min": "0", "max": "500"},
    "decimal": {"decimal_places": "1", "min": "0", "max": "99,5"},
    "yes_no": {},
    "single_choice": {"options": "Oui, tout à fait\nautre | Autre réponse"},
    "multiple_choice": {"options": "Santé\nSécurité"},
    "date": {"min": "2026-01-01", "max": "2027-12-31"},
    "email": {},
    "phone": {"region": "RE"},
    "file": {"extensions": ["pdf", "odt"], "max_size_mb": "5"},
    "establishment": {},
    "person": {"required_parts": ["name", "email"]},
    "trio": {"required_parts": ["name", "function", "email"]},
    "repeated": {"item_label": "Action", "min_items": "0", "max_items": "5"},
}


@pytest.fixture
def manager():
    return MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user


@pytest.fixture
def call(manager):
    programme = services.create_programme(
        by=manager,
        region_id="76",
        title="OMEGA",
        format=ProgrammeFormat.COHORTS,
        funding_rule=FundingRule.PER_PROJECT,
    )
    now = timezone.now()
    return services.create_call(
        programme=programme,
        by=manager,
        definition=standard_qvct_application().to_json(),
        kind=CallKind.AAC,
        title="Appel OMEGA 2027",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=30),
    )


def url(call, rest: str = "") -> str:
    return f"/appels/gestion/{call.pk}/questionnaire/{rest}"


def definition_of(call) -> dict:
    return services.current_form(call).definition


def test_the_outline_shows_sections_questions_kinds_and_buttons(verified_client, manager, call):
    response = verified_client(manager).get(url(call))
    html = response.content.decode()

    assert response.status_code == 200
    assert "Structure" in html and "Statut juridique" in html
    assert "Choix unique" in html and "obligatoire" in html
    assert "Ajouter une question" in html and "Ajouter une section" in html
    assert "Mode expert (JSON)" in html and f"/appels/gestion/{call.pk}/apercu/" in html
    assert typography_errors(html) == []


@pytest.mark.parametrize("kind", KIND_DATA)
def test_each_kind_is_added_through_the_pages(verified_client, manager, call, kind):
    client = verified_client(manager)

    form_page = client.get(url(call, f"sections/structure/questions/ajouter/?type={kind}"))
    response = client.post(
        url(call, f"sections/structure/questions/ajouter/?type={kind}"),
        {**COMMON, "required": "on", **KIND_DATA[kind]},
    )

    assert form_page.status_code == 200
    assert typography_errors(form_page.content.decode()) == []
    assert response.status_code == 302
    assert response["Location"].endswith("#question-une_question")
    definition = definition_of(call)
    question = builder.find_question(definition, "une_question")
    assert question["kind"] == kind and question["required"] is True
    assert validate_definition(definition) == []


def test_what_the_options_become(verified_client, manager, call):
    verified_client(manager).post(
        url(call, "sections/structure/questions/ajouter/?type=single_choice"),
        {**COMMON, **KIND_DATA["single_choice"]},
    )

    assert builder.find_question(definition_of(call), "une_question")["options"] == [
        {"value": "oui_tout_a_fait", "label": "Oui, tout à fait"},
        {"value": "autre", "label": "Autre réponse"},
    ]


def test_a_condition_is_chosen_among_earlier_questions(verified_client, manager, call):
    client = verified_client(manager)

    page = client.get(url(call, "sections/contact/questions/ajouter/?type=file"))
    client.post(
        url(call, "sections/contact/questions/ajouter/?type=file"),
        {**COMMON, "show_if": 'legal_status::"public"', "extensions": ["pdf"], "max_size_mb": "10"},
    )

    assert "Statut juridique" in page.content.decode()
    assert builder.find_question(definition_of(call), "une_question")["show_if"] == {
        "field": "legal_status",
        "equals": "public",
    }
    assert "Affichée seulement si" in client.get(url(call)).content.decode()


def test_errors_are_shown_next_to_the_fields_and_what_was_typed_is_kept(verified_client, manager, call):
    response = verified_client(manager).post(
        url(call, "sections/structure/questions/ajouter/?type=single_choice"),
        {**COMMON, "label": "Mon libellé tapé", "options": "Un\nUn"},
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert "Mon libellé tapé" in html
    assert "est déjà celle d’une autre option" in html
    assert "Un\nUn" in html
    assert definition_of(call) == standard_qvct_application().to_json()


def test_the_engines_refusal_is_shown_with_what_was_typed(verified_client, manager, call):
    client = verified_client(manager)
    client.post(
        url(call, "sections/contact/questions/ajouter/?type=yes_no"),
        {**COMMON, "show_if": 'legal_status::"public"'},
    )

    response = client.post(
        url(call, "questions/legal_status/"),
        {**COMMON, "label": "Statut", "required": "on", "options": "Privé"},
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert "n’est pas une option de" in html
    assert "Privé" in html


def test_a_repeated_block_gets_sub_questions(verified_client, manager, call):
    client = verified_client(manager)
    client.post(
        url(call, "sections/project/questions/ajouter/?type=repeated"),
        {**COMMON, "label": "Actions", **KIND_DATA["repeated"]},
    )

    client.post(
        url(call, "questions/actions/sous-questions/ajouter/?type=integer"), {**COMMON, "label": "Année"}
    )
    client.post(
        url(call, "questions/actions/sous-questions/intitule/"),
        {**COMMON, "label": "Titre", "max_length": ""},
    )
    client.post(url(call, "questions/actions/sous-questions/annee/deplacer/haut/"))
    file_in_block = client.get(url(call, "questions/actions/sous-questions/ajouter/?type=file"))

    fields = builder.find_question(definition_of(call), "actions")["fields"]
    assert [(f["key"], f["label"]) for f in fields] == [("annee", "Année"), ("intitule", "Titre")]
    assert file_in_block.status_code == 404


def test_sections_are_added_edited_moved_and_removed(verified_client, manager, call):
    client = verified_client(manager)

    client.post(url(call, "sections/ajouter/"), {"title": "Budget", "description": ""})
    client.post(url(call, "sections/budget/"), {"title": "Budget prévisionnel", "description": "En euros."})
    client.post(url(call, "sections/budget/deplacer/haut/"))
    sections = [(s["key"], s["title"]) for s in definition_of(call)["sections"]]
    client.post(url(call, "sections/budget/supprimer/"))

    assert sections[-2] == ("budget", "Budget prévisionnel")
    assert [s["key"] for s in definition_of(call)["sections"]] == [
        s["key"] for s in standard_qvct_application().to_json()["sections"]
    ]


def test_questions_move_and_a_question_others_depend_on_is_not_deleted(verified_client, manager, call):
    client = verified_client(manager)
    client.post(
        url(call, "sections/contact/questions/ajouter/?type=long_text"),
        {**COMMON, "show_if": 'legal_status::"public"', "max_length": "500"},
    )

    client.post(url(call, "questions/finess_et/deplacer/haut/"))
    refused = client.post(url(call, "questions/legal_status/supprimer/"), follow=True)

    assert builder.outline(definition_of(call))[0]["questions"][0]["key"] == "finess_et"
    assert "ne peut pas être supprimée" in refused.content.decode()
    assert "legal_status" in builder.question_keys(definition_of(call))


def test_once_published_a_change_creates_version_2(verified_client, manager, call):
    services.publish_call(call=call, by=manager)
    client = verified_client(manager)

    outline = client.get(url(call)).content.decode()
    response = client.post(
        url(call, "sections/structure/questions/ajouter/?type=yes_no"), COMMON, follow=True
    )

    assert "L’appel est publié" in outline
    assert call.form_versions.count() == 2
    assert services.current_form(call).number == 2
    assert "version 2 du formulaire" in response.content.decode()
    assert "une_question" not in builder.question_keys(call.form_versions.get(number=1).definition)


def test_a_closed_calls_form_is_read_only(verified_client, manager, call):
    services.publish_call(call=call, by=manager)
    services.close_call_early(call=call, by=manager, reason="Places pourvues.")
    client = verified_client(manager)

    outline = client.get(url(call)).content.decode()
    edit = client.get(url(call, "questions/legal_status/"))
    refused = client.post(url(call, "questions/legal_status/supprimer/"), follow=True)

    assert "Ajouter une question" not in outline and "Appel clos" in outline
    assert edit.status_code == 302
    assert "ne peut plus être modifié" in refused.content.decode()
    assert call.form_versions.count() == 1


def test_another_regions_manager_gets_a_404_and_a_non_manager_a_403(verified_client, call):
    other = MembershipFactory(
        role=Role.PROGRAMME_MANAGER, organisation__region=region("04", "La Réunion")
    ).user
    nobody = UserFactory()

    assert verified_client(other).get(url(call)).status_code == 404
    assert verified_client(other).post(url(call, "questions/legal_status/supprimer/")).status_code == 404
    assert verified_client(nobody).get(url(call)).status_code == 403


def test_unknown_questions_kinds_and_directions_are_404(verified_client, manager, call):
    client = verified_client(manager)

    assert client.get(url(call, "questions/nope/")).status_code == 404
    assert client.get(url(call, "sections/structure/questions/ajouter/?type=nope")).status_code == 404
    assert client.post(url(call, "questions/finess_et/deplacer/loin/")).status_code == 404
    assert client.post(url(call, "questions/nope/supprimer/")).status_code == 404
    assert call.status == CallStatus.DRAFT
