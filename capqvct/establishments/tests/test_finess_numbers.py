"""FINESS numbers and commune codes as the register writes them."""

from hypothesis import given
from hypothesis import strategies as st

from capqvct.establishments.finess import finess_check_digit, insee_commune_code, is_valid_finess

# Numbers published in the register's open data and in ARS decisions.
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


@given(st.from_regex(r"(?:[0-9]{2}|2[AB])[0-9]{6}", fullmatch=True))
def test_a_number_with_its_computed_key_is_valid(first_eight):
    assert is_valid_finess(first_eight + finess_check_digit(first_eight))


@given(st.from_regex(r"(?:[0-9]{2}|2[AB])[0-9]{6}", fullmatch=True), st.integers(2, 8), st.integers(1, 9))
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
