"""The categories kept in the directory: social and medico-social ones, nothing sanitary."""

from capqvct.establishments.categories import CATEGORIES, Audience, codes_for, grouped_choices, is_kept


def test_the_main_essms_are_kept():
    for code in (
        "500",
        "202",
        "354",
        "209",
        "183",
        "186",
        "246",
        "255",
        "448",
        "449",
        "182",
        "445",
        "446",
        "214",
    ):
        assert is_kept(code), code


def test_sanitary_establishments_are_not_kept():
    for code in ("362", "355", "101", "620", "127", "109"):
        assert not is_kept(code), code


def test_every_category_has_a_three_digit_code_and_labels():
    for code, category in CATEGORIES.items():
        assert code.isdigit() and len(code) == 3
        assert category.code == code
        assert category.label and category.finess_label


def test_categories_are_grouped_by_audience():
    assert "500" in codes_for(Audience.OLDER_PEOPLE)
    assert "255" in codes_for(Audience.DISABLED_PEOPLE)
    assert "214" in codes_for(Audience.SOCIAL_DIFFICULTY)
    assert {category.audience for category in CATEGORIES.values()} == set(Audience)


def test_the_choices_leave_closed_categories_out_and_sort_accents_with_their_letter():
    choices = dict(grouped_choices())

    disabled = [label for _, label in choices["Personnes handicapées"]]
    assert "Foyer de vie" not in disabled
    assert "EANM (établissement d’accueil non médicalisé)" in disabled
    older = [label for _, label in choices["Personnes âgées"]]
    assert (
        older.index("EHPAD")
        < older.index("Établissement expérimental pour personnes âgées")
        < older.index("Résidence autonomie")
    )
