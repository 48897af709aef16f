import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capqvct.calls.formdef.schema import Form, InvalidDefinition, Kind, validate_definition
from capqvct.calls.formdef.templates_library import standard_qvct_application
from capqvct.calls.formdef.tests.strategies import forms, json_values


def definition(*fields, **section):
    return {"sections": [{"key": "main", "title": "Principal", "fields": list(fields), **section}]}


def test_the_standard_application_is_valid_and_survives_json():
    form = standard_qvct_application()

    assert validate_definition(form.to_json()) == []
    assert Form.from_json(form.to_json()) == form
    assert [section.title for section in form.sections] == [
        "Structure",
        "Coordonnées",
        "Direction",
        "Effectifs",
        "Votre projet",
        "Trinôme",
    ]
    assert form.field("trio").kind == Kind.TRIO
    assert form.field("motivation").max_length == 3000


def test_a_definition_of_every_kind_is_valid():
    data = definition(
        {"key": "name", "kind": "short_text", "label": "Nom"},
        {"key": "story", "kind": "long_text", "label": "Histoire", "max_length": 3000},
        {"key": "beds", "kind": "integer", "label": "Lits", "min": 0, "max": 500},
        {"key": "fte", "kind": "decimal", "label": "ETP", "min": "0", "max": 1000.5, "decimal_places": 1},
        {"key": "cpom", "kind": "yes_no", "label": "CPOM signé"},
        {
            "key": "status",
            "kind": "single_choice",
            "label": "Statut",
            "options": [{"value": "a", "label": "A"}],
        },
        {
            "key": "themes",
            "kind": "multiple_choice",
            "label": "Thèmes",
            "options": [{"value": "a", "label": "A"}],
        },
        {"key": "since", "kind": "date", "label": "Depuis", "min": "2020-01-01"},
        {"key": "email", "kind": "email", "label": "E-mail", "show_if": {"field": "cpom", "equals": True}},
        {"key": "phone", "kind": "phone", "label": "Téléphone", "region": "RE"},
        {"key": "letter", "kind": "file", "label": "Lettre", "extensions": ["pdf"], "max_size_mb": 10},
        {"key": "finess", "kind": "establishment", "label": "FINESS"},
        {"key": "contact", "kind": "person", "label": "Contact", "required_parts": ["name", "phone"]},
        {"key": "trio", "kind": "trio", "label": "Trinôme"},
        {
            "key": "actions",
            "kind": "repeated",
            "label": "Actions",
            "min_items": 1,
            "max_items": 5,
            "item_label": "Action",
            "show_if": {"field": "themes", "contains": "a"},
            "fields": [
                {"key": "done", "kind": "yes_no", "label": "Réalisée"},
                {
                    "key": "title",
                    "kind": "short_text",
                    "label": "Titre",
                    "show_if": {"field": "done", "equals": True},
                },
            ],
        },
    )

    assert validate_definition(data) == []
    form = Form.from_json(data)
    assert Form.from_json(form.to_json()) == form


@pytest.mark.parametrize(
    "data, expected",
    [
        (None, "objet JSON"),
        ({"sections": []}, "liste de sections non vide"),
        ({"sections": [{"key": "s", "title": "S", "fields": []}]}, "aucune question"),
        (
            definition(
                {"key": "a", "kind": "yes_no", "label": "A"}, {"key": "a", "kind": "yes_no", "label": "B"}
            ),
            "déjà",
        ),
        (definition({"key": "Bad key", "kind": "yes_no", "label": "A"}), "n’est pas valide"),
        (definition({"key": "a", "kind": "slider", "label": "A"}), "type «\u00a0slider\u00a0» inconnu"),
        (definition({"key": "a", "kind": "yes_no", "label": ""}), "le libellé doit être un texte non vide"),
        (
            definition({"key": "a", "kind": "single_choice", "label": "A", "options": []}),
            "au moins une option",
        ),
        (
            definition({"key": "a", "kind": "integer", "label": "A", "min": 5, "max": 2}),
            "minimum (5) dépasse",
        ),
        (definition({"key": "a", "kind": "integer", "label": "A", "min": 1.5}), "nombre entier"),
        (
            definition({"key": "a", "kind": "date", "label": "A", "min": "2022-01-01", "max": "2021-01-01"}),
            "postérieure",
        ),
        (definition({"key": "a", "kind": "long_text", "label": "A"}), "longueur maximale"),
        (
            definition({"key": "a", "kind": "file", "label": "A", "extensions": ["exe"], "max_size_mb": 1}),
            "exe",
        ),
        (
            definition({"key": "a", "kind": "yes_no", "label": "A", "options": []}),
            "attribut «\u00a0options\u00a0» inconnu",
        ),
        (
            definition(
                {"key": "a", "kind": "yes_no", "label": "A", "show_if": {"field": "b", "equals": True}},
                {"key": "b", "kind": "yes_no", "label": "B"},
            ),
            "placée avant",
        ),
        (
            definition(
                {"key": "a", "kind": "yes_no", "label": "A", "show_if": {"field": "zz", "equals": True}}
            ),
            "zz",
        ),
        (
            definition(
                {"key": "a", "kind": "short_text", "label": "A"},
                {"key": "b", "kind": "yes_no", "label": "B", "show_if": {"field": "a", "equals": "x"}},
            ),
            "oui ou non ou à choix",
        ),
        (
            definition(
                {
                    "key": "a",
                    "kind": "multiple_choice",
                    "label": "A",
                    "options": [{"value": "x", "label": "X"}],
                },
                {"key": "b", "kind": "yes_no", "label": "B", "show_if": {"field": "a", "equals": "x"}},
            ),
            "«\u00a0contains\u00a0»",
        ),
        (
            definition(
                {
                    "key": "a",
                    "kind": "single_choice",
                    "label": "A",
                    "options": [{"value": "x", "label": "X"}],
                },
                {"key": "b", "kind": "yes_no", "label": "B", "show_if": {"field": "a", "equals": "y"}},
            ),
            "n’est pas une option",
        ),
        (
            definition(
                {"key": "r", "kind": "repeated", "label": "R", "min_items": 3, "max_items": 2, "fields": []}
            ),
            "au moins une question",
        ),
        (
            definition(
                {
                    "key": "r",
                    "kind": "repeated",
                    "label": "R",
                    "fields": [
                        {"key": "f", "kind": "file", "label": "F", "extensions": ["pdf"], "max_size_mb": 1}
                    ],
                }
            ),
            "bloc répété",
        ),
    ],
)
def test_a_bad_definition_is_explained_in_french(data, expected):
    errors = validate_definition(data)

    assert any(expected in error for error in errors), errors
    with pytest.raises(InvalidDefinition):
        Form.from_json(data)


def test_messages_follow_french_typography():
    errors = validate_definition(
        definition({"key": "a", "kind": "integer", "label": "A", "min": 5, "max": 2})
    )

    assert errors == ["Question «\u00a0a\u00a0»\u00a0: le minimum (5) dépasse le maximum (2)."]


@settings(max_examples=150, deadline=None)
@given(json_values)
def test_validate_definition_never_raises_on_arbitrary_json(data):
    assert isinstance(validate_definition(data), list)


@settings(max_examples=150, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "key",
                "kind",
                "label",
                "min",
                "max",
                "options",
                "show_if",
                "fields",
                "max_length",
                "extensions",
                "max_size_mb",
                "required",
                "min_items",
            ]
        ),
        json_values,
    )
)
def test_validate_definition_never_raises_on_arbitrary_fields(field):
    assert isinstance(validate_definition(definition(field)), list)


@settings(max_examples=60, deadline=None)
@given(forms())
def test_generated_forms_are_valid_and_survive_json(form):
    assert validate_definition(form.to_json()) == []
    assert Form.from_json(form.to_json()) == form


def test_the_standard_application_takes_the_identity_from_the_directory():
    form = standard_qvct_application()

    taken = {field.key: field.from_directory for field in form.fields() if field.from_directory}

    assert taken == {"structure_name": "name", "finess_et": "finess", "postal_address": "address"}


@pytest.mark.parametrize(
    "field, message",
    [
        ({"key": "q", "kind": "short_text", "label": "Q", "from_directory": "finess"}, "from_directory"),
        ({"key": "q", "kind": "establishment", "label": "Q", "from_directory": "name"}, "from_directory"),
        ({"key": "q", "kind": "email", "label": "Q", "from_directory": "name"}, "inconnu"),
        (
            {
                "key": "q",
                "kind": "repeated",
                "label": "Q",
                "fields": [{"key": "n", "kind": "short_text", "label": "N", "from_directory": "name"}],
            },
            "bloc répété ne peut pas être reprise du répertoire",
        ),
    ],
)
def test_a_question_takes_from_the_directory_only_what_its_kind_can_hold(field, message):
    errors = validate_definition(definition(field))

    assert len(errors) == 1
    assert message in errors[0]
