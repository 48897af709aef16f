"""The form a dossier answers: its call's form version, then one file question per piece to provide."""

import dataclasses

from django.utils.text import slugify

from capqvct.calls.formdef.schema import Field, Form, Kind, Section
from capqvct.calls.models import Call, FormVersion

PIECES_SECTION = "pieces_a_joindre"
# What an agency accepts for a signed letter, a scan or an organisation chart.
PIECE_EXTENSIONS = ("pdf", "doc", "docx", "odt", "jpg", "jpeg", "png")
PIECE_MAX_SIZE_MB = 10


def dossier_form(call: Call, version: FormVersion) -> Form:
    form = Form.from_json(version.definition)
    pieces = piece_fields(call, taken={field.key for field in form.fields()})
    if not pieces:
        return form
    section = Section(
        key=PIECES_SECTION,
        title="Pièces à joindre",
        description="Les pièces que l’appel demande de joindre au dossier.",
        fields=pieces,
    )
    return dataclasses.replace(form, sections=(*form.sections, section))


def piece_fields(call: Call, taken: set[str]) -> tuple[Field, ...]:
    """The call's « pièces à joindre », keyed by their label so that reordering the list keeps answers."""
    fields = []
    for piece in call.required_attachments:
        key = _free_key("piece_" + slugify(piece["label"]).replace("-", "_")[:40], taken)
        taken.add(key)
        fields.append(
            Field(
                key=key,
                kind=Kind.FILE,
                label=piece["label"],
                required=piece.get("required", True),
                extensions=PIECE_EXTENSIONS,
                max_size_mb=PIECE_MAX_SIZE_MB,
            )
        )
    return tuple(fields)


def _free_key(key: str, taken: set[str]) -> str:
    key = key.rstrip("_") or "piece"
    candidate, number = key, 2
    while candidate in taken:
        candidate, number = f"{key}_{number}", number + 1
    return candidate
