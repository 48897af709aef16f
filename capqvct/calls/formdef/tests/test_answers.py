import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from capqvct.calls.formdef.answers import clean_answers, parse_phone, validate_answers
from capqvct.calls.formdef.schema import Form
from capqvct.calls.formdef.templates_library import standard_qvct_application
from capqvct.calls.formdef.tests.strategies import forms, junk_answers, valid_answers


def form_of(*fields):
    return Form.from_json({"sections": [{"key": "main", "title": "Principal", "fields": list(fields)}]})


def errors_of(field, value, *, for_submission=False):
    form = form_of({"key": "q", "label": "Question", **field})
    return validate_answers(form, {"q": value}, for_submission=for_submission)


def test_a_draft_never_complains_that_something_is_missing():
    form = standard_qvct_application()

    assert validate_answers(form, {}, for_submission=False) == {}
    errors = validate_answers(form, {}, for_submission=True)
    assert errors["structure_name"] == ["Ce champ est obligatoire."]
    assert errors["legal_status"] == ["Sélectionnez une réponse."]
    assert "previous_actions" not in errors


def test_a_draft_reports_what_is_wrong_as_typed():
    form = standard_qvct_application()

    errors = validate_answers(
        form, {"email": "pas-une-adresse", "staff_fte": "-2", "finess_et": "31078"}, for_submission=False
    )

    assert errors == {
        "email": ["Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."],
        "staff_fte": ["Saisissez un nombre supérieur ou égal à 0."],
        "finess_et": ["Le numéro FINESS doit compter 9\u00a0caractères."],
    }


@pytest.mark.parametrize(
    "field, value, expected",
    [
        (
            {"kind": "short_text", "max_length": 5},
            "abcdef",
            "5\u00a0caractères au maximum\u202f; vous en avez saisi 6.",
        ),
        ({"kind": "long_text", "max_length": 3000}, "x" * 3001, "3\u202f000\u00a0caractères au maximum"),
        ({"kind": "short_text"}, 12, "illisible"),
        ({"kind": "integer", "min": 0, "max": 10}, "11", "Saisissez un nombre entre 0 et 10."),
        ({"kind": "integer"}, "1,5", "nombre entier"),
        ({"kind": "decimal", "decimal_places": 1}, "1,25", "au plus 1 chiffres après la virgule"),
        ({"kind": "decimal", "max": "99.5"}, "100", "inférieur ou égal à 99,5"),
        ({"kind": "decimal"}, "NaN", "Saisissez un nombre"),
        pytest.param({"kind": "integer"}, 10**5000, "nombre entier", id="too-long-to-print"),
        ({"kind": "yes_no"}, "peut-être", "oui ou par non"),
        ({"kind": "single_choice", "options": [{"value": "a", "label": "A"}]}, "b", "réponses proposées"),
        (
            {"kind": "multiple_choice", "options": [{"value": "a", "label": "A"}]},
            ["a", "b"],
            "réponses proposées",
        ),
        ({"kind": "date", "min": "2021-01-01"}, "2020-12-31", "à partir du 1er\u00a0janvier 2021"),
        ({"kind": "date"}, "31/02/2021", "date valide"),
        ({"kind": "email"}, "nom@", "adresse e-mail valide"),
        ({"kind": "phone"}, "0123", "numéro de téléphone valide"),
        ({"kind": "establishment"}, "2C0000000", "code d’un département"),
        ({"kind": "establishment"}, "310780258", "La clé du numéro FINESS est fausse"),
    ],
)
def test_each_kind_checks_its_format_even_in_a_draft(field, value, expected):
    errors = errors_of(field, value)

    assert len(errors["q"]) == 1
    assert expected in errors["q"][0]


@pytest.mark.parametrize(
    "field, value",
    [
        ({"kind": "short_text", "max_length": 5}, "abcde"),
        ({"kind": "integer", "min": 0, "max": 10}, " 1 0 "),
        ({"kind": "decimal"}, "1\u202f200,5"),
        ({"kind": "decimal"}, 12.5),
        ({"kind": "yes_no"}, False),
        ({"kind": "date", "max": "2021-11-17"}, "17/11/2021"),
        ({"kind": "email"}, " Nom@Exemple.FR "),
        ({"kind": "phone"}, "06 12 34 56 78"),
        ({"kind": "phone"}, "+44 20 7946 0958"),
        ({"kind": "establishment"}, "2a 000 017 0"),
    ],
)
def test_valid_values_pass(field, value):
    assert errors_of(field, value, for_submission=True) == {}


@pytest.mark.parametrize(
    "typed, expected",
    [
        ("01 23 45 67 89", "+33123456789"),
        ("0262 26 12 34", "+262262261234"),  # La Réunion: same 0 prefix, its own country code
        ("0692 12 34 56", "+262692123456"),
        ("0596 61 23 45", "+596596612345"),  # Martinique
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0033612345678", "+33612345678"),
        ("12", None),
        ("", None),
    ],
)
def test_phones_are_read_the_french_way_including_overseas(typed, expected):
    assert parse_phone(typed) == expected


def test_file_metadata_is_checked_against_types_and_size():
    field = {"kind": "file", "extensions": ["pdf", "docx"], "max_size_mb": 2}
    pdf = {"name": "lettre.PDF", "size": 1000, "content_type": "application/pdf"}

    assert errors_of(field, pdf) == {}
    assert "Formats acceptés\u00a0: PDF, DOCX." in errors_of(field, {**pdf, "name": "lettre.exe"})["q"][0]
    assert "taille maximale de 2\u00a0Mo" in errors_of(field, {**pdf, "size": 3 * 1024 * 1024})["q"][0]
    assert "ne correspond pas" in errors_of(field, {**pdf, "content_type": "image/png"})["q"][0]
    assert "illisible" in errors_of(field, "lettre.pdf")["q"][0]
    assert errors_of({**field, "required": True}, None, for_submission=True) == {"q": ["Joignez un fichier."]}


def test_hidden_questions_are_neither_checked_nor_required():
    form = form_of(
        {"key": "has_cpom", "kind": "yes_no", "label": "CPOM"},
        {
            "key": "cpom_date",
            "kind": "date",
            "label": "Date",
            "required": True,
            "show_if": {"field": "has_cpom", "equals": True},
        },
    )

    assert (
        validate_answers(form, {"has_cpom": False, "cpom_date": "n’importe quoi"}, for_submission=True) == {}
    )
    assert validate_answers(form, {"has_cpom": True}, for_submission=True) == {
        "cpom_date": ["Ce champ est obligatoire."]
    }


def test_a_condition_on_a_multiple_choice_looks_for_the_value_among_the_answers():
    form = form_of(
        {
            "key": "themes",
            "kind": "multiple_choice",
            "label": "Thèmes",
            "options": [{"value": "health", "label": "Santé"}, {"value": "other", "label": "Autre"}],
        },
        {
            "key": "other",
            "kind": "short_text",
            "label": "Précisez",
            "required": True,
            "show_if": {"field": "themes", "contains": "other"},
        },
    )

    assert validate_answers(form, {"themes": ["health"]}, for_submission=True) == {}
    assert "other" in validate_answers(form, {"themes": ["health", "other"]}, for_submission=True)


def test_trio_errors_name_the_role_and_the_part():
    form = standard_qvct_application()

    errors = validate_answers(
        form,
        {
            "trio": {
                "staff_representative": {"name": "Camille Martin", "email": "camille@", "function": "IDE"}
            }
        },
        for_submission=False,
    )

    assert errors == {
        "trio.staff_representative.email": [
            "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."
        ]
    }
    submitted = validate_answers(form, {"trio": {}}, for_submission=True)
    assert submitted["trio.direction.name"] == ["Ce champ est obligatoire."]
    assert "trio.professions.email" in submitted
    assert "trio.direction.phone" not in submitted


def test_repeated_blocks_report_by_item_and_count_their_items():
    form = form_of(
        {
            "key": "actions",
            "kind": "repeated",
            "label": "Actions",
            "required": True,
            "min_items": 2,
            "max_items": 3,
            "fields": [
                {"key": "title", "kind": "short_text", "label": "Titre", "required": True, "max_length": 10}
            ],
        },
    )

    assert validate_answers(form, {}, for_submission=True) == {"actions": ["Ajoutez au moins 2 éléments."]}
    errors = validate_answers(
        form, {"actions": [{"title": "Ok"}, {}, {"title": "Beaucoup trop long"}, "x"]}, for_submission=True
    )
    assert errors == {
        "actions": ["3\u00a0éléments au maximum."],
        "actions.1.title": ["Ce champ est obligatoire."],
        "actions.2.title": ["10\u00a0caractères au maximum\u202f; vous en avez saisi 18."],
        "actions.3": ["Réponse illisible, saisissez-la à nouveau."],
    }


def test_clean_answers_normalises_valid_values_and_keeps_invalid_ones_as_typed():
    form = standard_qvct_application()

    cleaned = clean_answers(
        form,
        {
            "email": " Direction@EHPAD-Exemple.fr ",
            "phone": "0262 26 12 34",
            "staff_fte": "45,50",
            "staff_headcount": "052",
            "finess_et": " 31 0780259 ",
            "postal_address": "1 rue de la Paix\r\n31000 Toulouse\r\n",
            "structure_name": "   ",
            "head_name": "x" * 300,
            "unknown": "dropped",
        },
    )

    assert cleaned == {
        "email": "direction@ehpad-exemple.fr",
        "phone": "+262262261234",
        "staff_fte": "45.5",
        "staff_headcount": "52",
        "finess_et": "310780259",
        "postal_address": "1 rue de la Paix\n31000 Toulouse",
        "head_name": "x" * 300,
    }


def test_clean_answers_can_drop_hidden_answers():
    form = form_of(
        {"key": "has_cpom", "kind": "yes_no", "label": "CPOM"},
        {
            "key": "cpom_date",
            "kind": "date",
            "label": "Date",
            "show_if": {"field": "has_cpom", "equals": True},
        },
    )
    answers = {"has_cpom": "no", "cpom_date": "17/11/2021"}

    assert clean_answers(form, answers) == {"has_cpom": False, "cpom_date": "2021-11-17"}
    assert clean_answers(form, answers, drop_hidden=True) == {"has_cpom": False}


@settings(max_examples=100, deadline=None)
@given(st.data(), forms(), st.booleans())
def test_any_answers_get_errors_by_field_never_an_exception(data, form, for_submission):
    answers = data.draw(junk_answers(form))

    errors = validate_answers(form, answers, for_submission=for_submission)
    cleaned = clean_answers(form, answers)

    assert all(isinstance(path, str) and messages for path, messages in errors.items())
    assert all(isinstance(message, str) for messages in errors.values() for message in messages)
    assert isinstance(cleaned, dict)


@settings(max_examples=40, deadline=None)
@given(st.data(), forms())
def test_valid_answers_are_accepted_and_already_clean(data, form):
    answers = data.draw(valid_answers(form))

    assert validate_answers(form, answers, for_submission=True) == {}
    assert clean_answers(form, answers) == answers


def test_answers_that_are_not_an_object_are_refused_not_crashed_on():
    assert validate_answers(standard_qvct_application(), ["a"], for_submission=False) == {
        "__all__": ["Les réponses sont illisibles."]
    }
