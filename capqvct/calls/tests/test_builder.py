"""The form builder's operations on a JSON definition: keys, moves, removals and the show_if guard."""

import copy
from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from capqvct.accounts.models import Role
from capqvct.calls import builder, services
from capqvct.calls.formdef.schema import KEY_PATTERN, Kind, quoted, validate_definition
from capqvct.calls.formdef.templates_library import standard_qvct_application
from capqvct.calls.models import CallKind, FundingRule, ProgrammeFormat
from capqvct.core.exceptions import Refusal
from tests.factories import MembershipFactory, region

CPOM = {"label": "Avez-vous signé un CPOM ?", "required": True}
CPOM_DATE = {"label": "Date de signature", "show_if": {"field": "avez_vous_signe_un_cpom", "equals": True}}


def standard() -> dict:
    return standard_qvct_application().to_json()


def with_condition() -> dict:
    """The standard form, its « structure » section ending with a yes/no question and a dependent date."""
    definition, _ = builder.add_question(standard(), "structure", kind="yes_no", attributes=CPOM)
    definition, _ = builder.add_question(definition, "structure", kind="date", attributes=CPOM_DATE)
    return definition


def keys_of(definition: dict, section_key: str) -> list[str]:
    section = next(s for s in definition["sections"] if s["key"] == section_key)
    return [field["key"] for field in section["fields"]]


# Keys


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Statut juridique", "statut_juridique"),
        ("Avez-vous signé un CPOM ?", "avez_vous_signe_un_cpom"),
        ("Établissement d’hébergement", "etablissement_dhebergement"),
        ("2e contact", "q_2e_contact"),
        ("???", "question"),
        ("", "question"),
    ],
)
def test_a_key_is_the_slugified_label(label, expected):
    assert builder.unique_key(label, set()) == expected


def test_a_key_already_taken_gets_a_number():
    assert builder.unique_key("Téléphone", {"telephone", "telephone_2"}) == "telephone_3"


def test_a_long_label_gives_a_key_within_the_pattern():
    key = builder.unique_key("Une question " * 20, {builder.unique_key("Une question " * 20, set())})

    assert KEY_PATTERN.fullmatch(key)
    assert key.endswith("_2")


@given(st.text(max_size=80), st.sets(st.text(alphabet="abc_", min_size=1, max_size=6), max_size=5))
def test_any_label_gives_a_valid_key_not_taken(label, taken):
    key = builder.unique_key(label, taken)

    assert KEY_PATTERN.fullmatch(key)
    assert key not in taken


# Sections


def test_adding_a_section_puts_it_last_with_a_key_from_its_title():
    definition, key = builder.add_section(standard(), title="Budget prévisionnel")

    assert key == "budget_previsionnel"
    assert definition["sections"][-1] == {
        "key": "budget_previsionnel",
        "title": "Budget prévisionnel",
        "description": "",
        "fields": [],
    }


def test_operations_never_change_the_definition_they_are_given():
    original = standard()
    kept = copy.deepcopy(original)

    builder.add_section(original, title="Budget")
    builder.update_section(original, "structure", title="Votre structure", description="")
    builder.move_section(original, "structure", builder.DOWN)
    builder.add_question(original, "structure", kind="yes_no", attributes=CPOM)
    builder.move_question(original, "structure_name", builder.DOWN)
    builder.remove_question(original, "structure_name")

    assert original == kept


def test_a_section_moves_down_and_up():
    moved = builder.move_section(standard(), "structure", builder.DOWN)

    assert [s["key"] for s in moved["sections"]][:2] == ["contact", "structure"]
    assert builder.move_section(moved, "structure", builder.UP)["sections"] == standard()["sections"]


def test_the_first_section_does_not_move_up():
    assert builder.move_section(standard(), "structure", builder.UP) == standard()


def test_the_last_section_cannot_be_removed():
    definition = {"format": 1, "sections": [standard()["sections"][0]]}

    with pytest.raises(Refusal, match="au moins une section"):
        builder.remove_section(definition, "structure")


def test_a_section_whose_question_another_depends_on_is_not_removed():
    definition, _ = builder.add_question(standard(), "structure", kind="yes_no", attributes=CPOM)
    definition, _ = builder.add_question(definition, "contact", kind="date", attributes=CPOM_DATE)

    with pytest.raises(Refusal, match="ne s’affiche que selon la réponse"):
        builder.remove_section(definition, "structure")


def test_a_move_that_would_put_a_condition_before_its_question_is_refused():
    definition, _ = builder.add_question(standard(), "structure", kind="yes_no", attributes=CPOM)
    definition, _ = builder.add_question(definition, "contact", kind="date", attributes=CPOM_DATE)

    with pytest.raises(Refusal, match="doit rester après elle"):
        builder.move_section(definition, "contact", builder.UP)


# Questions


def test_a_question_is_added_last_in_its_section_with_its_attributes():
    definition, key = builder.add_question(
        standard(),
        "structure",
        kind="file",
        attributes={"label": "Organigramme", "extensions": ["pdf"], "max_size_mb": 5},
    )

    assert key == "organigramme"
    assert keys_of(definition, "structure")[-1] == "organigramme"
    assert builder.find_question(definition, "organigramme") == {
        "key": "organigramme",
        "kind": "file",
        "label": "Organigramme",
        "extensions": ["pdf"],
        "max_size_mb": 5,
    }
    assert validate_definition(definition) == []


def test_two_questions_with_the_same_label_get_different_keys():
    definition, first = builder.add_question(standard(), "structure", kind="yes_no", attributes=CPOM)
    definition, second = builder.add_question(definition, "contact", kind="yes_no", attributes=CPOM)

    assert (first, second) == ("avez_vous_signe_un_cpom", "avez_vous_signe_un_cpom_2")


def test_a_new_repeated_block_has_a_first_question():
    definition, key = builder.add_question(
        standard(), "project", kind="repeated", attributes={"label": "Actions menées", "item_label": "Action"}
    )

    assert builder.find_question(definition, key)["fields"] == [builder.FIRST_SUB_QUESTION]
    assert validate_definition(definition) == []


def test_updating_a_question_keeps_its_key_kind_and_sub_questions_and_drops_old_attributes():
    definition, key = builder.add_question(
        standard(), "project", kind="repeated", attributes={"label": "Actions"}
    )
    definition = builder.update_question(definition, key, attributes={"label": "Actions QVT", "max_items": 5})

    assert builder.find_question(definition, key) == {
        "key": "actions",
        "kind": "repeated",
        "label": "Actions QVT",
        "max_items": 5,
        "fields": [builder.FIRST_SUB_QUESTION],
    }


def test_a_question_moves_within_its_section():
    moved = builder.move_question(standard(), "finess_et", builder.UP)

    assert keys_of(moved, "structure") == ["finess_et", "structure_name", "legal_status"]


def test_a_question_moved_past_its_section_edge_goes_to_the_next_section():
    down = builder.move_question(standard(), "legal_status", builder.DOWN)
    up = builder.move_question(standard(), "postal_address", builder.UP)

    assert keys_of(down, "contact")[0] == "legal_status"
    assert keys_of(up, "structure")[-1] == "postal_address"


def test_the_very_first_and_last_questions_stay_where_they_are():
    assert builder.move_question(standard(), "structure_name", builder.UP) == standard()
    assert builder.move_question(standard(), "trio", builder.DOWN) == standard()


def test_a_dependent_question_cannot_move_above_the_one_it_depends_on():
    with pytest.raises(Refusal, match="doit rester après elle"):
        builder.move_question(with_condition(), "date_de_signature", builder.UP)


def test_a_question_another_depends_on_cannot_be_removed():
    with pytest.raises(Refusal) as refusal:
        builder.remove_question(with_condition(), "avez_vous_signe_un_cpom")

    assert quoted("Date de signature") in refusal.value.message


def test_removing_the_dependent_first_then_its_question_works():
    definition = builder.remove_question(with_condition(), "date_de_signature")
    definition = builder.remove_question(definition, "avez_vous_signe_un_cpom")

    assert definition == standard()


def test_an_unknown_question_is_missing():
    with pytest.raises(builder.Missing):
        builder.remove_question(standard(), "nope")


# Sub-questions


def block_form() -> dict:
    definition, _ = builder.add_question(
        standard(), "project", kind="repeated", attributes={"label": "Actions"}
    )
    definition, _ = builder.add_sub_question(
        definition, "actions", kind="yes_no", attributes={"label": "Action terminée ?"}
    )
    definition, _ = builder.add_sub_question(
        definition,
        "actions",
        kind="integer",
        attributes={"label": "Année", "show_if": {"field": "action_terminee", "equals": True}},
    )
    return definition


def test_sub_questions_are_added_edited_and_removed_within_their_block():
    definition = builder.update_sub_question(
        block_form(), "actions", "intitule", attributes={"label": "Titre"}
    )
    definition = builder.remove_sub_question(definition, "actions", "annee")

    assert [f["label"] for f in builder.find_question(definition, "actions")["fields"]] == [
        "Titre",
        "Action terminée ?",
    ]
    assert validate_definition(definition) == []


def test_a_sub_question_a_sibling_depends_on_cannot_be_removed():
    with pytest.raises(Refusal, match="ne s’affiche que selon sa réponse"):
        builder.remove_sub_question(block_form(), "actions", "action_terminee")


def test_the_only_sub_question_of_a_block_cannot_be_removed():
    definition, _ = builder.add_question(
        standard(), "project", kind="repeated", attributes={"label": "Actions"}
    )

    with pytest.raises(Refusal, match="au moins une question"):
        builder.remove_sub_question(definition, "actions", "intitule")


def test_sub_questions_move_within_their_block_keeping_conditions_in_order():
    moved = builder.move_sub_question(block_form(), "actions", "intitule", builder.DOWN)

    assert [f["key"] for f in builder.find_question(moved, "actions")["fields"]] == [
        "action_terminee",
        "intitule",
        "annee",
    ]
    with pytest.raises(Refusal):
        builder.move_sub_question(block_form(), "actions", "annee", builder.UP)


# Reading


def test_condition_targets_are_the_earlier_yes_no_and_choice_questions():
    definition = with_condition()

    targets = builder.condition_targets(definition, before="date_de_signature")

    assert [(t["key"], t["values"]) for t in targets] == [
        (
            "legal_status",
            [
                ("public", "Public"),
                ("private_non_profit", "Privé non lucratif"),
                ("private_for_profit", "Privé commercial"),
            ],
        ),
        ("avez_vous_signe_un_cpom", [(True, "Oui"), (False, "Non")]),
    ]
    assert [t["key"] for t in builder.condition_targets(definition, section_key="structure")] == [
        "legal_status",
        "avez_vous_signe_un_cpom",
    ]


def test_the_outline_describes_each_question_in_french():
    sections = builder.outline(with_condition())
    date = sections[0]["questions"][-1]

    assert date["kind_label"] == "Date"
    assert date["required"] is False
    assert date["condition"] == f"si {quoted(CPOM['label'])} est {quoted('Oui')}"
    assert sections[0]["questions"][0]["first"] and sections[-1]["questions"][-1]["last"]


# Any sequence of operations: a definition save_form accepts, or refuses with a message


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "add_section",
                "update_section",
                "remove_section",
                "move_section",
                "add_question",
                "update_question",
                "remove_question",
                "move_question",
                "add_sub_question",
                "remove_sub_question",
                "move_sub_question",
            ]
        ),
        st.integers(min_value=0, max_value=40),
        st.sampled_from(list(Kind)),
        st.text(max_size=30),
        st.sampled_from([builder.UP, builder.DOWN]),
        st.dictionaries(
            st.sampled_from(
                ["required", "max_length", "options", "show_if", "min", "max", "extensions", "help_text"]
            ),
            st.one_of(
                st.booleans(),
                st.integers(min_value=-5, max_value=5000),
                st.text(max_size=10),
                st.just([{"value": "a", "label": "A"}]),
                st.just({"field": "legal_status", "equals": "public"}),
                st.just(["pdf"]),
                st.none(),
            ),
            max_size=3,
        ),
    ),
    max_size=12,
)


def apply(definition: dict, operation) -> dict:
    name, index, kind, label, direction, extra = operation
    sections = [s["key"] for s in definition["sections"]]
    questions = [f["key"] for s in definition["sections"] for f in s.get("fields", [])]
    blocks = [
        f["key"] for s in definition["sections"] for f in s.get("fields", []) if f["kind"] == "repeated"
    ]
    section = sections[index % len(sections)] if sections else "nope"
    question = questions[index % len(questions)] if questions else "nope"
    attributes = {"label": label, **extra}
    match name:
        case "add_section":
            return builder.add_section(definition, title=label)[0]
        case "update_section":
            return builder.update_section(definition, section, title=label, description="")
        case "remove_section":
            return builder.remove_section(definition, section)
        case "move_section":
            return builder.move_section(definition, section, direction)
        case "add_question":
            return builder.add_question(definition, section, kind=str(kind), attributes=attributes)[0]
        case "update_question":
            return builder.update_question(definition, question, attributes=attributes)
        case "remove_question":
            return builder.remove_question(definition, question)
        case "move_question":
            return builder.move_question(definition, question, direction)
    block = blocks[index % len(blocks)] if blocks else question
    subs = [f["key"] for f in builder.find_question(definition, block).get("fields", [])] if blocks else []
    sub = subs[index % len(subs)] if subs else "nope"
    match name:
        case "add_sub_question":
            return builder.add_sub_question(definition, block, kind=str(kind), attributes=attributes)[0]
        case "remove_sub_question":
            return builder.remove_sub_question(definition, block, sub)
        case _:
            return builder.move_sub_question(definition, block, sub, direction)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_any_sequence_of_operations_is_saved_or_refused_with_a_message(operations, draft_call):
    call, manager = draft_call
    definition = standard()
    for operation in operations:
        try:
            definition = apply(definition, operation)
        except Refusal as refusal:
            assert refusal.message
    try:
        services.save_form(call=call, definition=definition, by=manager)
    except Refusal as refusal:
        assert refusal.message and refusal.field == "definition"
    else:
        assert validate_definition(definition) == []
        assert services.current_form(call).definition == definition


@pytest.fixture
def draft_call():
    manager = MembershipFactory(role=Role.PROGRAMME_MANAGER, organisation__region=region("76")).user
    programme = services.create_programme(
        by=manager,
        region_id="76",
        title="OMEGA",
        format=ProgrammeFormat.GRANTS,
        funding_rule=FundingRule.PER_PROJECT,
    )
    now = timezone.now()
    call = services.create_call(
        programme=programme,
        by=manager,
        definition=standard(),
        kind=CallKind.AAC,
        title="OMEGA 2027",
        opens_at=now + timedelta(days=1),
        closes_at=now + timedelta(days=30),
    )
    return call, manager


def test_relabelling_an_identity_question_keeps_it_taken_from_the_directory():
    definition = standard_qvct_application().to_json()

    changed = builder.update_question(
        definition,
        "structure_name",
        attributes={"label": "Nom de l’établissement", "required": True, "max_length": 200},
    )

    assert builder.find_question(changed, "structure_name")["from_directory"] == "name"
    assert builder.find_question(changed, "structure_name")["label"] == "Nom de l’établissement"


def test_a_null_character_in_the_definition_is_refused_with_a_message():
    from capqvct.calls.formdef.schema import validate_definition

    errors = validate_definition(
        {"format": 1, "sections": [{"key": "a\x00", "title": "Titre", "questions": []}]}
    )
    assert any("caractère nul" in error for error in errors)
