"""What a dossier knows of establishments from the FINESS directory rather than from what is typed.

- The applicant's own name, address and FINESS number: the questions marked `from_directory` take
  them from the directory, are shown read-only, and whatever is posted for them is replaced.
- Any other FINESS number answered (a partner establishment, say) must be in the directory.
"""

from typing import Any

from capqvct.calls.formdef.answers import visibility
from capqvct.calls.formdef.schema import Field, Form, Kind
from capqvct.establishments.finess_numbers import is_valid_finess, normalize_finess
from capqvct.establishments.models import Establishment

NOT_IN_DIRECTORY = "Ce numéro FINESS n’est pas dans le répertoire des établissements."


def directory_facts(establishment: Establishment) -> dict[str, str]:
    """What the directory knows of the establishment's identity (see `schema.DIRECTORY_FACTS`).

    A fact the directory lacks (some establishments have no address in FINESS) is left out: the
    applicant then types it like any other answer.
    """
    address = "\n".join(line for line in (establishment.address, establishment.city_label) if line)
    facts = {"name": establishment.name, "address": address, "finess": establishment.finess_et}
    return {fact: value for fact, value in facts.items() if value}


def with_directory_answers(form: Form, answers: dict, establishment: Establishment) -> dict:
    """The answers with the directory's values for the questions taken from it, whatever was posted."""
    facts = directory_facts(establishment)
    answers = dict(answers)
    for field in form.fields():
        if field.from_directory in facts:
            answers[field.key] = facts[field.from_directory]
    return answers


def finess_not_in_directory(form: Form, answers: dict) -> dict[str, list[str]]:
    """Errors, by path, for the well-formed FINESS numbers answered that the directory does not hold.

    One query whatever the number of questions; malformed numbers are `validate_answers`' to report.
    """
    typed = dict(_finess_answers(list(form.fields()), answers, prefix=""))
    wanted = {normalize_finess(number) for number in typed.values()}
    wanted = {number for number in wanted if is_valid_finess(number)}
    if not wanted:
        return {}
    known = set(Establishment.objects.filter(finess_et__in=wanted).values_list("finess_et", flat=True))
    return {
        path: [NOT_IN_DIRECTORY]
        for path, number in typed.items()
        if normalize_finess(number) in wanted - known
    }


def _finess_answers(fields: list[Field], answers: Any, *, prefix: str):
    """(path, number) of the shown FINESS questions the applicant answers, in repeated blocks too."""
    answers = answers if isinstance(answers, dict) else {}
    shown = visibility(fields, answers)
    for field in fields:
        value = answers.get(field.key)
        if not shown.get(field.key) or field.from_directory == "finess":
            continue
        if field.kind == Kind.ESTABLISHMENT and isinstance(value, str):
            yield prefix + field.key, value
        elif field.kind == Kind.REPEATED and isinstance(value, list):
            for index, item in enumerate(value):
                yield from _finess_answers(list(field.fields), item, prefix=f"{prefix}{field.key}.{index}.")
