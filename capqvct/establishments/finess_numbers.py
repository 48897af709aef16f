"""The rule of FINESS numbers, as pure checks (no database): length, département prefix, key.

A FINESS number (fichier national des établissements sanitaires et sociaux, kept by the ministry's
DREES and published as open data) has 9 characters:

- the first two are the département where the establishment (or legal entity) was registered:
  ``01`` to ``95`` without ``20`` (Corsica is ``2A`` and ``2B`` since 1976, before FINESS existed),
  ``97`` for the overseas départements (the third character then tells which: ``9701…`` Guadeloupe,
  ``9702…`` Martinique, ``9703…`` Guyane, ``9704…`` La Réunion, ``9705…`` Saint-Pierre-et-Miquelon)
  and ``98`` for Mayotte (``9805…``, from its former code 985) and the other overseas territories;
- the next six are a serial number within the département;
- the ninth is a key computed with the Luhn formula on the first eight, Corsica's ``A`` and ``B``
  being read as ``1`` and ``2`` (``2A0000170`` is checked as ``210000170``).

Sources: the FINESS nomenclature (« Structure du numéro FINESS », finess.sante.gouv.fr) and the
register's open-data extraction on data.gouv.fr (« FINESS Extraction du Fichier des établissements »);
the key rule was checked against every number of that extraction, Corsica's and overseas included.
"""

import re

from stdnum import luhn

from capqvct.core.formatting import NBSP

FINESS_LENGTH = 9
_SPACES = re.compile(r"[\s\u00a0\u202f.\-]+")
_SHAPE = re.compile(r"[0-9A-Z]{2}[0-9]{7}")
# 01–19, 21–95 (mainland), 2A and 2B (Corsica), 97 and 98 (overseas).
_DEPARTEMENT_PREFIX = re.compile(r"0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-5]|9[78]")

TOO_SHORT_OR_LONG = f"Le numéro FINESS doit compter 9{NBSP}caractères"
NOT_DIGITS = (
    f"Le numéro FINESS ne compte que des chiffres, sauf 2A ou 2B pour la Corse{NBSP}: vérifiez la saisie"
)
UNKNOWN_DEPARTEMENT = (
    f"Le numéro FINESS doit commencer par le code d’un département{NBSP}: "
    f"01 à 95, 2A ou 2B en Corse, 97 ou 98 outre-mer"
)
WRONG_KEY = f"La clé du numéro FINESS est fausse{NBSP}: vérifiez la saisie"


def normalize_finess(typed: str) -> str:
    """The number as the register writes it: spaces, dots and dashes removed, letters in capitals."""
    return _SPACES.sub("", typed).upper()


def finess_problem(number: str) -> str | None:
    """Why a (normalised) number cannot be a FINESS number, in French; None when it can be."""
    if len(number) != FINESS_LENGTH:
        return TOO_SHORT_OR_LONG
    if not _SHAPE.fullmatch(number):
        return NOT_DIGITS
    if not has_known_departement(number):
        return UNKNOWN_DEPARTEMENT
    if not has_valid_key(number):
        return WRONG_KEY
    return None


def is_valid_finess(number: str) -> bool:
    """Nine characters, a known département prefix, and a right key."""
    return finess_problem(number) is None


def has_known_departement(number: str) -> bool:
    return bool(_DEPARTEMENT_PREFIX.fullmatch(number[:2]))


def has_valid_key(number: str) -> bool:
    return luhn_valid(_luhn_digits(number))


def finess_check_digit(first_eight: str) -> str:
    """The ninth character of the number whose first eight are given."""
    return luhn.calc_check_digit(_luhn_digits(first_eight))


# The Luhn check, written out because the FINESS import runs it three times per line of a 40 000-line
# file, where python-stdnum's general version (any alphabet, any cleaning) took a third of the time.
_DOUBLED_DIGIT = str.maketrans("0123456789", "0246813579")  # 2 × d, its digits added: 7 → 14 → 5


def luhn_valid(digits: str) -> bool:
    """Every second digit from the right doubled, then all added: a multiple of 10."""
    if not digits.isascii() or not digits.isdigit():
        return False
    kept, doubled = digits[::-1][::2], digits[::-1][1::2].translate(_DOUBLED_DIGIT)
    return (sum(map(int, kept)) + sum(map(int, doubled))) % 10 == 0


def _luhn_digits(number: str) -> str:
    return number[:1] + number[1:2].replace("A", "1").replace("B", "2") + number[2:]
