"""The form builder's operations on a JSON form definition (see formdef/README.md).

Every function takes a definition dict and returns a new one (deep-copied): the caller saves it
through services.save_form, which validates it and keeps the versions. Sections and top-level
questions are named by their key; a repeated block's sub-questions by (block key, sub-question key).
A rule the builder can tell before saving (a condition that would point at a removed or later
question) is refused here with a French message; everything else is the engine's to check.
"""

import copy
from typing import Any

from django.utils.text import slugify

from capqvct.calls.application_form import PIECES_SECTION
from capqvct.calls.formdef.schema import (
    CONDITION_KINDS,
    FORMAT_VERSION,
    KEY_PATTERN,
    KIND_LABELS,
    Kind,
    quoted,
)
from capqvct.core.exceptions import Refusal

KEY_STEM_LENGTH = 40  # leaves room for a « _12 » suffix within the 50 characters of a key
UP, DOWN = "up", "down"
# A new repeated block starts with one sub-question: the engine refuses an empty block.
FIRST_SUB_QUESTION = {"key": "intitule", "kind": "short_text", "label": "Intitulé", "required": True}
YES_NO_VALUES = ((True, "Oui"), (False, "Non"))


class Missing(Refusal):
    """The section or question named no longer exists (a stale page, a forged address)."""


# Keys


def unique_key(label: str, taken: set[str] | frozenset[str], *, fallback: str = "question") -> str:
    """A key derived from `label` (« Statut juridique » → statut_juridique), not among `taken`."""
    stem = slugify(label).replace("-", "_")[:KEY_STEM_LENGTH].strip("_")
    if not stem:
        stem = fallback
    elif not stem[0].isalpha():
        stem = f"{fallback[0]}_{stem}"[:KEY_STEM_LENGTH].rstrip("_")
    candidate, number = stem, 2
    while candidate in taken:
        candidate, number = f"{stem}_{number}", number + 1
    assert KEY_PATTERN.fullmatch(candidate), candidate
    return candidate


def section_keys(definition: dict) -> set[str]:
    return {section.get("key") for section in _sections(definition)}


def question_keys(definition: dict) -> set[str]:
    """The keys of the top-level questions: they share one namespace across the whole form."""
    return {field.get("key") for section in _sections(definition) for field in _fields(section)}


# Sections


def add_section(definition: dict, *, title: str, description: str = "") -> tuple[dict, str]:
    """A new empty section at the end of the form; returns the definition and the section's key."""
    new = _copy(definition)
    key = unique_key(title, section_keys(new) | {PIECES_SECTION}, fallback="section")
    new["sections"].append({"key": key, "title": title, "description": description, "fields": []})
    return new, key


def update_section(definition: dict, section_key: str, *, title: str, description: str) -> dict:
    new = _copy(definition)
    section = _section(new, section_key)
    section["title"], section["description"] = title, description
    return new


def remove_section(definition: dict, section_key: str) -> dict:
    """Remove a section and its questions, unless a question elsewhere depends on one of them."""
    new = _copy(definition)
    section = _section(new, section_key)
    if len(new["sections"]) == 1:
        raise Refusal("Le formulaire doit garder au moins une section.")
    removed = {field.get("key") for field in _fields(section)}
    new["sections"].remove(section)
    for field in _all_top_level(new):
        target = _condition_target(field)
        if target in removed:
            raise Refusal(
                f"La section {quoted(section.get('title'))} ne peut pas être supprimée : la question "
                f"{quoted(field.get('label'))} ne s’affiche que selon la réponse à "
                f"{quoted(_label_of(definition, target))}. Modifiez d’abord sa condition."
            )
    return new


def move_section(definition: dict, section_key: str, direction: str) -> dict:
    """Swap a section with the one before (up) or after (down) it."""
    new = _copy(definition)
    sections = new["sections"]
    index = sections.index(_section(new, section_key))
    other = index - 1 if direction == UP else index + 1
    if not 0 <= other < len(sections):
        return new
    sections[index], sections[other] = sections[other], sections[index]
    _ensure_conditions_in_order(_all_top_level(new), moved=sections[other].get("title"), what="la section")
    return new


# Questions


def add_question(definition: dict, section_key: str, *, kind: str, attributes: dict) -> tuple[dict, str]:
    """A new question at the end of a section; returns the definition and the question's key."""
    new = _copy(definition)
    section = _section(new, section_key)
    key = unique_key(attributes.get("label", ""), question_keys(new))
    field = _question(key, kind, attributes)
    if kind == Kind.REPEATED and "fields" not in field:
        field["fields"] = [dict(FIRST_SUB_QUESTION)]
    section.setdefault("fields", []).append(field)
    return new, key


def update_question(definition: dict, key: str, *, attributes: dict) -> dict:
    """Replace what the agent edits of a question; its key, kind, sub-questions and `from_directory` stay."""
    new = _copy(definition)
    fields, index = _locate(new, key)
    fields[index] = _replaced(fields[index], attributes)
    return new


def remove_question(definition: dict, key: str) -> dict:
    new = _copy(definition)
    fields, index = _locate(new, key)
    _ensure_no_dependent(_all_top_level(new), fields[index])
    del fields[index]
    return new


def move_question(definition: dict, key: str, direction: str) -> dict:
    """Move a question one place up or down; past its section's edge it goes to the next section."""
    new = _copy(definition)
    sections = new["sections"]
    fields, index = _locate(new, key)
    field = fields[index]
    section_index = next(i for i, section in enumerate(sections) if _fields(section) is fields)
    if direction == UP and index > 0:
        fields[index - 1], fields[index] = fields[index], fields[index - 1]
    elif direction == DOWN and index < len(fields) - 1:
        fields[index + 1], fields[index] = fields[index], fields[index + 1]
    elif direction == UP and section_index > 0:
        del fields[index]
        sections[section_index - 1].setdefault("fields", []).append(field)
    elif direction == DOWN and section_index < len(sections) - 1:
        del fields[index]
        sections[section_index + 1].setdefault("fields", []).insert(0, field)
    _ensure_conditions_in_order(_all_top_level(new), moved=field.get("label"), what="la question")
    return new


# Sub-questions of a repeated block


def add_sub_question(definition: dict, block_key: str, *, kind: str, attributes: dict) -> tuple[dict, str]:
    new = _copy(definition)
    block = _block(new, block_key)
    key = unique_key(attributes.get("label", ""), {field.get("key") for field in block["fields"]})
    block["fields"].append(_question(key, kind, attributes))
    return new, key


def update_sub_question(definition: dict, block_key: str, key: str, *, attributes: dict) -> dict:
    new = _copy(definition)
    fields = _block(new, block_key)["fields"]
    index = _index_in(fields, key)
    fields[index] = _replaced(fields[index], attributes)
    return new


def remove_sub_question(definition: dict, block_key: str, key: str) -> dict:
    new = _copy(definition)
    block = _block(new, block_key)
    fields = block["fields"]
    index = _index_in(fields, key)
    if len(fields) == 1:
        raise Refusal(
            f"Le bloc répété {quoted(block.get('label'))} doit garder au moins une question : "
            "supprimez plutôt le bloc."
        )
    _ensure_no_dependent(fields, fields[index])
    del fields[index]
    return new


def move_sub_question(definition: dict, block_key: str, key: str, direction: str) -> dict:
    new = _copy(definition)
    fields = _block(new, block_key)["fields"]
    index = _index_in(fields, key)
    other = index - 1 if direction == UP else index + 1
    if 0 <= other < len(fields):
        fields[index], fields[other] = fields[other], fields[index]
        _ensure_conditions_in_order(fields, moved=fields[other].get("label"), what="la question")
    return new


# Reading


def find_question(definition: dict, key: str, block_key: str | None = None) -> dict:
    """The JSON of a question (a copy), or Missing."""
    if block_key is None:
        fields, index = _locate(definition, key)
    else:
        fields = _block(definition, block_key)["fields"]
        index = _index_in(fields, key)
    return copy.deepcopy(fields[index])


def find_section(definition: dict, section_key: str) -> dict:
    return copy.deepcopy(_section(definition, section_key))


def condition_targets(
    definition: dict,
    *,
    before: str | None = None,
    section_key: str | None = None,
    block_key: str | None = None,
) -> list[dict]:
    """The questions a condition may look at: earlier yes/no and choice questions of the same scope.

    Earlier than question `before`; or, for a question added at the end of section `section_key`
    (or of block `block_key`), every one up to there. Each: {"key", "label", "kind", "values"}.
    """
    if block_key is not None:
        candidates = _block(definition, block_key)["fields"]
    else:
        candidates = []
        for section in _sections(definition):
            candidates.extend(_fields(section))
            if section.get("key") == section_key:
                break
    targets = []
    for field in candidates:
        if before is not None and field.get("key") == before:
            break
        if field.get("kind") in CONDITION_KINDS:
            targets.append(
                {
                    "key": field["key"],
                    "label": field.get("label", ""),
                    "kind": field["kind"],
                    "values": _values_of(field),
                }
            )
    return targets


def describe_condition(definition: dict, field: dict, siblings: list[dict] | None = None) -> str:
    """The condition of `field` in words: « si « Statut juridique » est « Public » »; "" if none."""
    show_if = field.get("show_if")
    if not isinstance(show_if, dict):
        return ""
    scope = siblings if siblings is not None else list(_all_top_level(definition))
    target = next((f for f in scope if isinstance(f, dict) and f.get("key") == show_if.get("field")), None)
    if target is None:
        return f"si la question {quoted(show_if.get('field'))} (introuvable) a une réponse donnée"
    value = show_if.get("contains", show_if.get("equals"))
    shown = dict(_values_of(target)).get(value, value)
    verb = "comprend" if "contains" in show_if else "est"
    return f"si {quoted(target.get('label'))} {verb} {quoted(shown)}"


def outline(definition: dict) -> list[dict]:
    """What the outline page shows: sections in order, each question described in French."""
    sections = []
    all_sections = _sections(definition)
    for section_index, section in enumerate(all_sections):
        fields = _fields(section)
        questions = [
            _outlined(
                definition,
                field,
                first=section_index == 0 and index == 0,
                last=section_index == len(all_sections) - 1 and index == len(fields) - 1,
            )
            for index, field in enumerate(fields)
        ]
        sections.append(
            {
                "key": section.get("key"),
                "title": section.get("title", ""),
                "description": section.get("description", ""),
                "questions": questions,
                "first": section_index == 0,
                "last": section_index == len(all_sections) - 1,
            }
        )
    return sections


def _outlined(definition: dict, field: dict, *, first: bool, last: bool, siblings=None) -> dict:
    sub_fields = field.get("fields") if field.get("kind") == Kind.REPEATED else None
    sub_questions = []
    if isinstance(sub_fields, list):
        sub_questions = [
            _outlined(definition, sub, first=i == 0, last=i == len(sub_fields) - 1, siblings=sub_fields)
            for i, sub in enumerate(sub_fields)
        ]
    kind = field.get("kind")
    return {
        "key": field.get("key"),
        "label": field.get("label", ""),
        "kind": kind,
        "kind_label": KIND_LABELS.get(kind, str(kind)) if isinstance(kind, str) else "?",
        "required": field.get("required") is True,
        "condition": describe_condition(definition, field, siblings),
        "first": first,
        "last": last,
        "sub_questions": sub_questions,
    }


# Internals


def _copy(definition: dict) -> dict:
    new = copy.deepcopy(definition) if isinstance(definition, dict) else {}
    new.setdefault("format", FORMAT_VERSION)
    if not isinstance(new.get("sections"), list):
        new["sections"] = []
    return new


def _sections(definition: dict) -> list[dict]:
    sections = definition.get("sections") if isinstance(definition, dict) else None
    return (
        [section for section in sections if isinstance(section, dict)] if isinstance(sections, list) else []
    )


def _fields(section: dict) -> list:
    fields = section.get("fields")
    if not isinstance(fields, list):
        fields = section["fields"] = []
    return fields


def _all_top_level(definition: dict) -> list[dict]:
    return [
        field for section in _sections(definition) for field in _fields(section) if isinstance(field, dict)
    ]


def _section(definition: dict, section_key: str) -> dict:
    for section in _sections(definition):
        if section.get("key") == section_key:
            return section
    raise Missing("Cette section n’existe plus : la page a peut-être été modifiée entre-temps.")


def _locate(definition: dict, key: str) -> tuple[list, int]:
    for section in _sections(definition):
        fields = _fields(section)
        for index, field in enumerate(fields):
            if isinstance(field, dict) and field.get("key") == key:
                return fields, index
    raise Missing("Cette question n’existe plus : la page a peut-être été modifiée entre-temps.")


def _index_in(fields: list, key: str) -> int:
    for index, field in enumerate(fields):
        if isinstance(field, dict) and field.get("key") == key:
            return index
    raise Missing("Cette question n’existe plus : la page a peut-être été modifiée entre-temps.")


def _block(definition: dict, block_key: str) -> dict:
    fields, index = _locate(definition, block_key)
    block = fields[index]
    if block.get("kind") != Kind.REPEATED:
        raise Missing("Cette question n’est pas un bloc répété.")
    if not isinstance(block.get("fields"), list):
        block["fields"] = []
    return block


def _question(key: str, kind: str, attributes: dict) -> dict:
    return {"key": key, "kind": kind, **{name: value for name, value in attributes.items() if name != "key"}}


def _replaced(old: dict, attributes: dict) -> dict:
    new = _question(old.get("key"), old.get("kind"), attributes)
    if old.get("kind") == Kind.REPEATED and "fields" in old:
        new["fields"] = old["fields"]
    # The builder does not edit where an answer comes from: a relabelled identity question keeps it.
    if "from_directory" in old:
        new["from_directory"] = old["from_directory"]
    return new


def _condition_target(field: dict) -> Any:
    show_if = field.get("show_if")
    target = show_if.get("field") if isinstance(show_if, dict) else None
    return target if isinstance(target, str) else None


def _label_of(definition: dict, key: Any) -> str:
    field = next((f for f in _all_top_level(definition) if f.get("key") == key), None)
    return field.get("label", key) if field else str(key)


def _ensure_no_dependent(scope: list[dict], removed: dict) -> None:
    for field in scope:
        if field is not removed and _condition_target(field) == removed.get("key"):
            raise Refusal(
                f"La question {quoted(removed.get('label'))} ne peut pas être supprimée : la question "
                f"{quoted(field.get('label'))} ne s’affiche que selon sa réponse. "
                "Modifiez d’abord la condition de celle-ci."
            )


def _ensure_conditions_in_order(scope: list[dict], *, moved: Any, what: str) -> None:
    """A condition may only look at an earlier question: refuse a move that would break that."""
    seen: set = set()
    keys = {field.get("key") for field in scope}
    for field in scope:
        target = _condition_target(field)
        if target in keys and target not in seen:
            target_label = next(f.get("label") for f in scope if f.get("key") == target)
            raise Refusal(
                f"Impossible de déplacer {what} {quoted(moved)} : la question {quoted(field.get('label'))} "
                f"ne s’affiche que selon la réponse à {quoted(target_label)} et doit rester après elle."
            )
        seen.add(field.get("key"))


def _values_of(field: dict) -> list[tuple[Any, str]]:
    if field.get("kind") == Kind.YES_NO:
        return list(YES_NO_VALUES)
    options = field.get("options")
    if not isinstance(options, list):
        return []
    return [
        (option.get("value"), option.get("label", option.get("value")))
        for option in options
        if isinstance(option, dict)
    ]
