"""FINESS numbers and commune codes as the register writes them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from capqvct.establishments.finess import insee_commune_code
from capqvct.establishments.finess_numbers import (
    finess_check_digit,
    finess_problem,
    is_valid_finess,
    normalize_finess,
)

# Numbers published in the register's open data and in ARS decisions.
# Eight first characters with a département prefix: mainland, Corsica, overseas.
FIRST_EIGHT = st.from_regex(r"(?:0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-578])[0-9]{6}", fullmatch=True)

PUBLISHED = [
    "010000024",
    "010780054",
    "970400024",
    "970302287",
    "980501506",
    "750712184",
    "2A0000170",
    "2A0002606",
]


def test_published_finess_numbers_are_valid():
    assert all(is_valid_finess(number) for number in PUBLISHED)


def test_a_finess_number_is_nine_characters_with_a_or_b_only_for_corsica():
    assert not is_valid_finess("01000002")
    assert not is_valid_finess("0100000240")
    assert not is_valid_finess("3A0000170")
    assert not is_valid_finess(" 010000024")


@given(FIRST_EIGHT)
def test_a_number_with_its_computed_key_is_valid(first_eight):
    assert is_valid_finess(first_eight + finess_check_digit(first_eight))


@given(FIRST_EIGHT, st.integers(2, 8), st.integers(1, 9))
def test_changing_one_digit_makes_the_number_invalid(first_eight, position, shift):
    number = first_eight + finess_check_digit(first_eight)
    changed = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]

    assert not is_valid_finess(changed)


def test_insee_codes_are_built_from_the_departement_and_the_commune():
    assert insee_commune_code("34", "145") == "34145"
    assert insee_commune_code("2A", "004") == "2A004"
    assert insee_commune_code("9D", "411") == "97411"
    assert insee_commune_code("9A", "101") == "97101"
    assert insee_commune_code("9F", "606") == "97606"


def test_each_problem_has_its_own_message():
    assert finess_problem("01000002") == "Le numéro FINESS doit compter 9\u00a0caractères"
    assert finess_problem("01X000170").startswith("Le numéro FINESS ne compte que des chiffres")
    assert finess_problem("3A0000170").startswith("Le numéro FINESS doit commencer par le code")
    assert finess_problem("000000000").startswith("Le numéro FINESS doit commencer par le code")
    assert finess_problem("010000025") == "La clé du numéro FINESS est fausse\u00a0: vérifiez la saisie"
    assert finess_problem("010000024") is None


@pytest.mark.parametrize("prefix", ["00", "20", "96", "99"])
def test_a_prefix_that_is_no_departement_is_refused(prefix):
    first_eight = prefix + "000001"

    assert not is_valid_finess(first_eight + finess_check_digit(first_eight))


@pytest.mark.parametrize("prefix", ["01", "19", "21", "2A", "2B", "95", "97", "98"])
def test_every_departement_prefix_is_accepted(prefix):
    first_eight = prefix + "000001"

    assert is_valid_finess(first_eight + finess_check_digit(first_eight))


def test_a_number_is_read_without_its_spaces_and_in_capitals():
    assert normalize_finess(" 2a 000 017 0 ") == "2A0000170"
    assert normalize_finess("01\u00a0000\u00a0002\u00a04") == "010000024"
