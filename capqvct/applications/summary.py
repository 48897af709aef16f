"""A dossier's answers as a reader sees them: section by section, label and value in French."""

from collections.abc import Callable
from dataclasses import dataclass

from capqvct.calls.formdef.answers import visibility
from capqvct.calls.formdef.schema import PERSON_PARTS, TRIO_ROLES, Field, Form, Kind

NOT_ANSWERED = "non renseigné"


@dataclass(frozen=True)
class Line:
    label: str
    value: str
    # Where a file answer can be downloaded, for readers allowed to.
    url: str = ""


def summarize(
    form: Form,
    answers: dict,
    file_url: Callable[[dict], str] | None = None,
    *,
    shown_elsewhere: str = "",
) -> list[tuple[str, list[Line]]]:
    """Sections of (label, value) lines; `shown_elsewhere` is a FINESS number the page already shows
    (the establishment's, in its header), whose question is left out rather than said twice."""
    shown = visibility(list(form.fields()), answers)

    def is_read(field: Field) -> bool:
        repeats = field.kind == Kind.ESTABLISHMENT and answers.get(field.key) == shown_elsewhere
        return shown.get(field.key, True) and not (shown_elsewhere and repeats)

    return [
        (section.title, [_line(f, answers.get(f.key), file_url) for f in section.fields if is_read(f)])
        for section in form.sections
    ]


def _line(field: Field, raw, file_url) -> Line:
    url = file_url(raw) if file_url and field.kind == Kind.FILE and isinstance(raw, dict) else ""
    return Line(field.label, _value(field, raw), url or "")


def _value(field: Field, raw) -> str:
    if raw in (None, "", [], {}):
        return NOT_ANSWERED
    if field.kind == Kind.YES_NO:
        return {"yes": "Oui", "no": "Non", True: "Oui", False: "Non"}.get(raw, str(raw))
    if field.kind in (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE):
        labels = {option.value: option.label for option in field.options}
        values = raw if isinstance(raw, list) else [raw]
        return ", ".join(labels.get(str(value), str(value)) for value in values)
    if field.kind == Kind.PERSON and isinstance(raw, dict):
        return _person(raw)
    if field.kind == Kind.TRIO and isinstance(raw, dict):
        return " ; ".join(f"{label} : {_person(raw.get(role) or {})}" for role, label in TRIO_ROLES.items())
    if field.kind == Kind.FILE and isinstance(raw, dict):
        return str(raw.get("name", ""))
    if field.kind == Kind.REPEATED and isinstance(raw, list):
        return " | ".join(
            ", ".join(f"{sub.label} : {_value(sub, item.get(sub.key))}" for sub in field.fields)
            for item in raw
            if isinstance(item, dict)
        )
    return str(raw)


def _person(raw: dict) -> str:
    parts = [str(raw.get(part)) for part in PERSON_PARTS if raw.get(part)]
    return ", ".join(parts) or NOT_ANSWERED
