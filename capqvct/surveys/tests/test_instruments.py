"""Survey instruments as data: the two shipped files load and validate, each broken file is refused with
a French message naming the problem, answers are recoded 0–100 and scored only when at least half a
scale is answered, licensed texts load into the COPSOQ structure without changing anything else, and
results compare only within one code and version. Pure Python: no database."""

import dataclasses
import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from capqvct.surveys.instruments import (
    NBSP,
    SHIPPED,
    InstrumentError,
    comparable,
    item_score,
    load_instrument,
    scale_scores,
    with_texts,
)

ANACT_SUBJECTS = [
    "Organisation, contenu et réalisation du travail",
    "Compétences et parcours professionnels",
    "Santé au travail",
    "Égalité au travail",
    "Projet d’entreprise et management",
    "Dialogue social et professionnel",
]

AGREEMENT = {"1": "Non", "2": "Plutôt non", "3": "Entre les deux", "4": "Plutôt oui", "5": "Oui"}


def instrument_dict(**overrides):
    """A small valid instrument: one scale of four items, one of them reversed."""
    data = {
        "code": "essai",
        "version": "1.0",
        "title": "Instrument d’essai",
        "licence": "Essai",
        "validated": False,
        "licensed_without_text": False,
        "notes": [],
        "answer_scales": {"agreement": AGREEMENT},
        "scales": [
            {
                "code": "S",
                "title": "Échelle",
                "polarity": "high_is_good",
                "min_answered_share": 0.5,
                "scoring": "mean_0_100",
            }
        ],
        "items": [
            {"code": f"S{n}", "scale": "S", "text": f"Phrase {n}.", "answers": "agreement", "reverse": n == 4}
            for n in range(1, 5)
        ],
    }
    data.update(overrides)
    return data


def with_item(data, **changes):
    data["items"][0].update(changes)
    return data


def refusal(data):
    with pytest.raises(InstrumentError) as caught:
        load_instrument(data)
    return caught.value.message


def q(text):
    return f"«{NBSP}{text}{NBSP}»"


# The shipped instruments


@pytest.mark.parametrize("code", SHIPPED)
def test_each_shipped_instrument_loads_under_its_own_code(code):
    instrument = load_instrument(SHIPPED[code])

    assert instrument.code == code
    assert instrument.version == "1.0"
    assert all(scale.min_answered_share == 0.5 for scale in instrument.scales)


def test_the_original_questionnaire_has_one_scale_per_anact_subject_and_about_thirty_items():
    instrument = load_instrument(SHIPPED["qvct-cap"])

    assert [scale.title for scale in instrument.scales] == ANACT_SUBJECTS
    assert 25 <= len(instrument.items) <= 35
    assert all(4 <= len(instrument.items_of(scale.code)) <= 6 for scale in instrument.scales)
    assert all(scale.polarity == "high_is_good" for scale in instrument.scales)
    assert all(item.text and item.answers == "agreement" for item in instrument.items)
    assert any(item.reverse for item in instrument.items)


def test_the_original_questionnaire_says_it_is_not_validated():
    instrument = load_instrument(SHIPPED["qvct-cap"])

    assert instrument.validated is False
    assert instrument.title == "Questionnaire original Cap QVCT — non validé scientifiquement"
    assert instrument.answer_scale("agreement").label(1) == "Pas du tout d’accord"
    assert instrument.answer_scale("agreement").label(5) == "Tout à fait d’accord"


def french_strings(instrument):
    yield instrument.title
    yield instrument.licence
    yield from instrument.notes
    for answer_scale in instrument.answer_scales:
        yield from (label for _, label in answer_scale.options)
    for scale in instrument.scales:
        yield scale.title
    for item in instrument.items:
        yield item.text


@pytest.mark.parametrize("code", SHIPPED)
def test_shipped_instruments_follow_french_typography(code):
    strings = list(french_strings(load_instrument(SHIPPED[code])))

    assert not [text for text in strings if "'" in text]
    assert not [text for text in strings if re.search(r"[^\u00a0][:;!?»]|«[^\u00a0]", text)]


def test_the_copsoq_structure_carries_no_item_text_at_all():
    raw = json.loads(SHIPPED["copsoq-iii-middle"].read_text(encoding="utf-8"))
    instrument = load_instrument(raw)

    assert all(item.get("text", "") == "" for item in raw["items"])
    assert all(item.text == "" for item in instrument.items)
    assert instrument.licensed_without_text is True
    assert instrument.validated is True
    assert instrument.licence.startswith("CC BY-NC-ND 4.0")
    assert {answer_scale.code for answer_scale in instrument.answer_scales} == {"frequency", "intensity"}


def test_the_copsoq_structure_keeps_the_international_codes_and_polarities():
    instrument = load_instrument(SHIPPED["copsoq-iii-middle"])
    polarity = {scale.code: scale.polarity for scale in instrument.scales}

    assert [item.code for item in instrument.items_of("QD")] == ["QD1", "QD2", "QD3"]
    assert [item.code for item in instrument.items_of("WP")] == ["WP1", "WP2"]
    assert {code for code, value in polarity.items() if value == "high_is_bad"} == {
        "QD",
        "WP",
        "ED",
        "HE",
        "CO",
        "IT",
    }


# Validation: one rule, one French message


def test_a_valid_small_instrument_loads():
    instrument = load_instrument(instrument_dict())

    assert [item.code for item in instrument.items_of("S")] == ["S1", "S2", "S3", "S4"]


def test_an_item_of_an_unknown_scale_is_refused():
    message = refusal(with_item(instrument_dict(), scale="X"))

    assert message == f"L’item {q('S1')} renvoie à l’échelle {q('X')}, qui n’existe pas."


def test_a_duplicate_item_code_is_refused():
    message = refusal(with_item(instrument_dict(), code="S2"))

    assert message == f"Le code d’item {q('S2')} est en double."


def test_a_duplicate_scale_code_is_refused():
    data = instrument_dict()
    data["scales"].append(dict(data["scales"][0]))

    assert refusal(data) == f"Le code d’échelle {q('S')} est en double."


def test_a_scale_without_items_is_refused():
    data = instrument_dict()
    data["scales"].append({**data["scales"][0], "code": "VIDE"})

    assert refusal(data) == f"L’échelle {q('VIDE')} n’a aucun item."


def test_an_item_using_an_undefined_answer_scale_is_refused():
    message = refusal(with_item(instrument_dict(), answers="frequency"))

    assert message == (
        f"L’item {q('S1')} utilise l’échelle de réponse {q('frequency')}, qui n’est pas définie."
    )


def test_an_answer_scale_without_five_values_is_refused():
    data = instrument_dict(answer_scales={"agreement": {"1": "Non", "2": "Oui"}})

    assert refusal(data) == (
        f"L’échelle de réponse {q('agreement')} doit proposer les valeurs 1 à 5, une fois chacune."
    )


def test_an_answer_without_label_is_refused():
    data = instrument_dict(answer_scales={"agreement": {**AGREEMENT, "3": " "}})

    assert refusal(data) == f"La valeur 3 de l’échelle de réponse {q('agreement')} n’a pas de libellé."


@pytest.mark.parametrize("share", [0, -0.5, 1.2, "0.5"])
def test_a_minimum_share_outside_zero_to_one_is_refused(share):
    data = instrument_dict()
    data["scales"][0]["min_answered_share"] = share

    assert refusal(data) == (
        f"La part minimale d’items répondus de l’échelle {q('S')} doit être comprise entre 0 exclu et "
        f"1 inclus{NBSP}; elle vaut {share!r}."
    )


def test_a_minimum_share_of_one_is_accepted():
    data = instrument_dict()
    data["scales"][0]["min_answered_share"] = 1

    assert load_instrument(data).scales[0].min_answered_share == 1.0


def test_an_unknown_polarity_is_refused():
    data = instrument_dict()
    data["scales"][0]["polarity"] = "good"

    assert refusal(data) == (
        f"La polarité de l’échelle {q('S')} doit être {q('high_is_good')} ou {q('high_is_bad')}."
    )


def test_an_unknown_scoring_is_refused():
    data = instrument_dict()
    data["scales"][0]["scoring"] = "sum"

    assert refusal(data) == (
        f"Le calcul {q('sum')} de l’échelle {q('S')} est inconnu{NBSP}: seul {q('mean_0_100')} est prévu."
    )


def test_an_item_with_text_in_a_licensed_instrument_is_refused():
    data = instrument_dict(licensed_without_text=True)
    for item in data["items"]:
        item["text"] = ""
    data["items"][2]["text"] = "Une phrase copiée d’un questionnaire sous licence."

    assert refusal(data) == (
        f"L’item {q('S3')} contient un texte, alors que les textes de cet instrument sont sous "
        f"licence{NBSP}: le fichier n’en contient aucun, ils se chargent à part."
    )


def test_a_licensed_instrument_may_leave_the_text_field_out():
    data = instrument_dict(licensed_without_text=True)
    for item in data["items"]:
        del item["text"]

    assert all(item.text == "" for item in load_instrument(data).items)


def test_an_item_without_text_in_an_instrument_that_ships_its_texts_is_refused():
    message = refusal(with_item(instrument_dict(), text=""))

    assert message == f"L’item {q('S1')} n’a pas de texte."


def test_a_missing_field_is_refused():
    data = instrument_dict()
    del data["version"]

    assert refusal(data) == f"Le champ {q('version')} manque dans l’instrument."


def test_an_unknown_field_is_refused():
    assert refusal(instrument_dict(valid=True)) == f"Le champ {q('valid')} de l’instrument est inconnu."


def test_a_badly_written_version_is_refused():
    assert refusal(instrument_dict(version="v1")) == (
        f"La version {q('v1')} n’est pas valide{NBSP}: elle s’écrit comme {q('1.0')}."
    )


def test_a_badly_written_code_is_refused():
    assert refusal(instrument_dict(code="Mon instrument")) == (
        f"Le code de l’instrument {q('Mon instrument')} n’est pas valide{NBSP}: lettres minuscules, "
        "chiffres et tirets seulement."
    )


def test_a_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "casse.json"
    path.write_text('{"code": "essai",\n', encoding="utf-8")

    assert refusal(path) == f"Le fichier {q('casse.json')} n’est pas un JSON valide (ligne 2)."


# Recoding and scoring


@pytest.mark.parametrize(("value", "expected"), [(1, 0.0), (2, 25.0), (3, 50.0), (4, 75.0), (5, 100.0)])
def test_an_answer_is_recoded_from_0_to_100(value, expected):
    item = load_instrument(instrument_dict()).items[0]

    assert item_score(item, value) == expected


@pytest.mark.parametrize(("value", "expected"), [(1, 100.0), (2, 75.0), (3, 50.0), (4, 25.0), (5, 0.0)])
def test_a_reversed_answer_is_recoded_from_100_to_0(value, expected):
    reversed_item = load_instrument(instrument_dict()).items[3]

    assert reversed_item.reverse
    assert item_score(reversed_item, value) == expected


def test_no_answer_scores_nothing():
    item = load_instrument(instrument_dict()).items[0]

    assert item_score(item, None) is None


@pytest.mark.parametrize("value", [0, 6, True, "3"])
def test_an_answer_outside_1_to_5_is_refused(value):
    item = load_instrument(instrument_dict()).items[0]

    with pytest.raises(InstrumentError) as caught:
        item_score(item, value)

    assert caught.value.message == f"La réponse {value!r} à l’item {q('S1')} n’est pas une valeur de 1 à 5."


def test_a_scale_score_is_the_mean_of_its_answered_items():
    instrument = load_instrument(instrument_dict())

    # S1 → 100, S2 → 50, S3 unanswered, S4 reversed: 2 → 75.
    scores = scale_scores(instrument, {"S1": 5, "S2": 3, "S3": None, "S4": 2})

    assert scores == {"S": 75.0}


def test_a_scale_with_exactly_half_its_items_answered_is_scored():
    instrument = load_instrument(instrument_dict())

    assert scale_scores(instrument, {"S1": 4, "S2": 2}) == {"S": 50.0}


def test_a_scale_with_fewer_than_half_its_items_answered_is_not_scored():
    instrument = load_instrument(instrument_dict())

    assert scale_scores(instrument, {"S1": 4, "S2": None, "S3": None}) == {"S": None}


def test_each_scale_of_the_original_is_scored_on_its_own():
    instrument = load_instrument(SHIPPED["qvct-cap"])
    answers = {item.code: 5 for item in instrument.items_of("ORG")}

    scores = scale_scores(instrument, answers)

    # ORG3 and ORG5 are worded negatively: full agreement with them scores 0.
    assert scores["ORG"] == pytest.approx(60.0)
    assert scores["CAR"] is None


def test_answers_to_items_of_another_instrument_are_refused():
    instrument = load_instrument(instrument_dict())

    with pytest.raises(InstrumentError) as caught:
        scale_scores(instrument, {"S1": 3, "QD1": 2})

    assert caught.value.message == (
        f"Réponses à des items qui ne sont pas dans l’instrument {q('essai')} version 1.0{NBSP}: QD1."
    )


@given(
    answers=st.lists(st.one_of(st.none(), st.integers(min_value=1, max_value=5)), min_size=1, max_size=9),
    reversed_items=st.lists(st.booleans(), min_size=9, max_size=9),
)
def test_a_scale_score_stays_within_0_100_and_is_none_exactly_below_half(answers, reversed_items):
    data = instrument_dict(
        items=[
            {"code": f"S{n}", "scale": "S", "text": "Phrase.", "answers": "agreement", "reverse": reverse}
            for n, reverse in zip(range(len(answers)), reversed_items, strict=False)
        ]
    )
    instrument = load_instrument(data)

    score = scale_scores(instrument, {f"S{n}": value for n, value in enumerate(answers)})["S"]

    answered = sum(value is not None for value in answers)
    assert (score is None) == (2 * answered < len(answers))
    assert score is None or 0 <= score <= 100


# Licensed texts


def copsoq_texts(instrument):
    return {item.code: f"Texte officiel de {item.code}" for item in instrument.items}


def test_licensed_texts_load_into_the_structure_and_change_nothing_else():
    structure = load_instrument(SHIPPED["copsoq-iii-middle"])

    loaded = with_texts(structure, copsoq_texts(structure))

    assert [item.text for item in loaded.items] == [
        f"Texte officiel de {item.code}" for item in structure.items
    ]
    assert dataclasses.replace(loaded, items=structure.items) == structure
    assert [dataclasses.replace(item, text="") for item in loaded.items] == list(structure.items)
    assert all(item.text == "" for item in structure.items)
    assert comparable(loaded, structure)


def test_texts_for_unknown_items_are_refused():
    structure = load_instrument(SHIPPED["copsoq-iii-middle"])
    texts = {**copsoq_texts(structure), "QL1": "Texte", "CD1": "Texte"}

    with pytest.raises(InstrumentError) as caught:
        with_texts(structure, texts)

    assert caught.value.message == (
        f"Ces codes ne sont pas des items de l’instrument {q('copsoq-iii-middle')} version 1.0{NBSP}: "
        "CD1, QL1."
    )


def test_missing_texts_are_refused():
    structure = load_instrument(SHIPPED["copsoq-iii-middle"])
    texts = copsoq_texts(structure)
    del texts["QD2"], texts["IT1"]

    with pytest.raises(InstrumentError) as caught:
        with_texts(structure, texts)

    assert caught.value.message == f"Il manque le texte de ces items{NBSP}: QD2, IT1."


def test_an_empty_text_is_refused():
    structure = load_instrument(SHIPPED["copsoq-iii-middle"])

    with pytest.raises(InstrumentError) as caught:
        with_texts(structure, {**copsoq_texts(structure), "WP1": "  "})

    assert caught.value.message == f"Le texte de l’item {q('WP1')} est vide."


def test_an_instrument_that_ships_its_own_texts_receives_none():
    original = load_instrument(SHIPPED["qvct-cap"])

    with pytest.raises(InstrumentError) as caught:
        with_texts(original, {item.code: "Autre texte" for item in original.items})

    assert caught.value.message == (
        f"L’instrument {q('qvct-cap')} contient déjà ses textes{NBSP}: seuls les instruments sous "
        "licence reçoivent des textes chargés à part."
    )


# Comparability


def test_results_compare_only_within_one_code_and_one_version():
    first = load_instrument(instrument_dict())

    assert comparable(first, load_instrument(instrument_dict(title="Autre titre")))
    assert not comparable(first, load_instrument(instrument_dict(version="1.1")))
    assert not comparable(first, load_instrument(instrument_dict(code="autre")))
    assert not comparable(load_instrument(SHIPPED["qvct-cap"]), load_instrument(SHIPPED["copsoq-iii-middle"]))
