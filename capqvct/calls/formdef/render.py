"""Rendering a form with its answers and errors in DSFR markup, and reading the POST back.

Every input is named `answers.<dotted path>`: `answers.structure_name`, `answers.trio.direction.email`,
`answers.actions.2.title`; a repeated block also posts `answers.<key>.count`, its number of items.
Its « Ajouter » / « Retirer » buttons are submit buttons (`add_item=<key>`, `remove_item=<key>.<index>`)
that `parse_post` applies, so they work without JavaScript; calls/static/formdef/conditions.js does the same
in the page, and shows or hides the questions that have a `show_if` condition.

The page owns the <form> element (method post, enctype multipart/form-data when the form has a file
question, novalidate), the CSRF token, the submit buttons and the <script> of conditions.js.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from django.template import Context, Engine
from django.utils.safestring import SafeString

from capqvct.calls.formdef.answers import PHONE_EXAMPLES, as_bool, is_empty, parse_date, person_fields
from capqvct.calls.formdef.schema import (
    MAX_ITEMS,
    TRIO_ROLES,
    Condition,
    Field,
    Form,
    Kind,
)
from capqvct.core.formatting import NBSP, format_number

NAME_PREFIX = "answers"
TEMPLATES_DIR = Path(__file__).parent / "templates"
SCRIPT = "formdef/conditions.js"
INDEX_PLACEHOLDER = "__index__"
MAX_RADIOS = 7  # beyond, a single choice is a <select>

_INPUT_TYPES: dict[Kind, tuple[str, str]] = {
    # kind: (type, inputmode); numbers are text inputs so that what was typed is never lost.
    Kind.SHORT_TEXT: ("text", ""),
    Kind.INTEGER: ("text", "numeric"),
    Kind.DECIMAL: ("text", "decimal"),
    Kind.DATE: ("date", ""),
    Kind.EMAIL: ("email", "email"),
    Kind.PHONE: ("tel", "tel"),
    Kind.ESTABLISHMENT: ("text", ""),
}


@functools.cache
def get_engine() -> Engine:
    """The package's own template engine: the calls app needs not be installed to render a form."""
    return Engine(dirs=[str(TEMPLATES_DIR)], app_dirs=False, autoescape=True)


def render_form(
    form: Form,
    answers: Any,
    errors: dict[str, list[str]] | None = None,
    *,
    file_url: Callable[[dict], str | None] | None = None,
    directory: dict[str, str] | None = None,
) -> SafeString:
    """The questions of `form`, filled with `answers`, each error next to its question and in a summary.

    `file_url` gives the address where a file already sent can be downloaded, if any. `directory` holds
    the applicant's identity (`DIRECTORY_FACTS`: name, address, FINESS): the questions taken from it
    are shown as text, not as inputs, and so are not posted.
    """
    errors = errors if isinstance(errors, dict) else {}
    answers = answers if isinstance(answers, dict) else {}
    builder = _ViewBuilder(errors, file_url, directory)
    sections = [
        {
            "id": f"formdef-section-{section.key}",
            "title": section.title,
            "description": section.description,
            "fields": builder.scope(list(section.fields), answers, prefix=""),
        }
        for section in form.sections
    ]
    summary = builder.summary()
    context = {
        "sections": sections,
        "summary": summary,
        "summary_title": (
            "Le formulaire contient une erreur"
            if len(summary) == 1
            else f"Le formulaire contient {format_number(len(summary))}{NBSP}erreurs"
        ),
        "has_required": any(field.required for field in form.fields()),
    }
    html = get_engine().get_template("formdef/form.html").render(Context(context))
    return SafeString(html)


class _ViewBuilder:
    """Turns questions into plain dicts the templates only format."""

    def __init__(
        self,
        errors: dict[str, list[str]],
        file_url: Callable[[dict], str | None] | None = None,
        directory: dict[str, str] | None = None,
    ):
        self.errors = errors
        self.file_url = file_url
        self.directory = directory or {}
        self.shown: list[dict[str, Any]] = []  # errors in the order of the page, for the summary

    def errors_at(self, path: str, label: str, anchor: str) -> list[str]:
        messages = self.errors.get(path) or []
        messages = [str(message) for message in messages] if isinstance(messages, list) else [str(messages)]
        for message in messages:
            # « Question ? : message » reads badly: after a question mark, a dash.
            separator = " — " if label.rstrip().endswith(("?", "!", ":", ".")) else f"{NBSP}: "
            self.shown.append({"path": path, "anchor": anchor, "text": f"{label}{separator}{message}"})
        return messages

    def summary(self) -> list[dict[str, Any]]:
        shown_paths = {entry["path"] for entry in self.shown}
        others = [
            {"path": path, "anchor": "", "text": str(message)}
            for path, messages in self.errors.items()
            if path not in shown_paths
            for message in (messages if isinstance(messages, list) else [messages])
        ]
        return self.shown + others

    def scope(
        self, fields: list[Field], values: Any, *, prefix: str, within: str = ""
    ) -> list[dict[str, Any]]:
        """Views of questions answered together; `within` names their person or item in the summary."""
        values = values if isinstance(values, dict) else {}
        return [
            self.view(field, values.get(field.key), prefix + field.key, prefix, within) for field in fields
        ]

    def view(self, field: Field, value: Any, path: str, prefix: str, within: str) -> dict[str, Any]:
        id_ = "formdef-" + path.replace(".", "-")
        anchor = id_
        hints = [hint for hint in (field.help_text, _automatic_hint(field)) if hint]
        view: dict[str, Any] = {
            "kind": str(field.kind),
            "path": path,
            "id": id_,
            "name": f"{NAME_PREFIX}.{path}",
            "label": field.label,
            "required": field.required,
            "hints": hints,
            "show_if": _condition_view(field.show_if, prefix),
        }
        # Errors are collected after the sub-questions' so the summary follows the page's order.
        match field.kind:
            case _ if field.from_directory in self.directory:
                view.update(
                    template="formdef/fields/from_directory.html",
                    value=self.directory[field.from_directory],
                    hints=["Repris du répertoire FINESS : il ne se modifie pas ici."],
                )
            case Kind.LONG_TEXT:
                view.update(template="formdef/fields/textarea.html", value=_as_text(value))
            case Kind.YES_NO:
                checked = {True: "yes", False: "no"}.get(as_bool(value), "")
                options = [("yes", "Oui"), ("no", "Non")]
                view.update(template="formdef/fields/radios.html", inline=True)
                view["options"] = _option_views(id_, options, lambda v: v == checked)
                anchor = view["options"][0]["id"]
            case Kind.SINGLE_CHOICE:
                options = [(option.value, option.label) for option in field.options]
                is_select = len(options) > MAX_RADIOS
                view.update(
                    template=f"formdef/fields/{'select' if is_select else 'radios'}.html", inline=False
                )
                view["options"] = _option_views(id_, options, lambda v: isinstance(value, str) and v == value)
                anchor = id_ if is_select else view["options"][0]["id"]
            case Kind.MULTIPLE_CHOICE:
                options = [(option.value, option.label) for option in field.options]
                chosen = value if isinstance(value, list) else []
                view.update(template="formdef/fields/checkboxes.html")
                view["options"] = _option_views(id_, options, lambda v: v in chosen)
                anchor = view["options"][0]["id"]
            case Kind.FILE:
                view.update(
                    template="formdef/fields/file.html",
                    accept=",".join(f".{extension}" for extension in field.extensions),
                    current=_file_view(value, self.file_url),
                    # For the browser to refuse an over-size file before sending it (file_size.js).
                    max_size=field.max_size_mb * 1024 * 1024,
                    max_size_text=f"{format_number(field.max_size_mb)}{NBSP}Mo",
                )
            case Kind.PERSON:
                view.update(
                    template="formdef/fields/person.html", parts=self.person_parts(field, value, path)
                )
                anchor = view["parts"][0]["id"]
            case Kind.TRIO:
                roles = value if isinstance(value, dict) else {}
                view.update(
                    template="formdef/fields/trio.html",
                    roles=[
                        {
                            "id": f"{id_}-{role}",
                            "path": f"{path}.{role}",
                            "label": role_label,
                            "required": field.required,
                            "parts": self.person_parts(
                                field,
                                roles.get(role),
                                f"{path}.{role}",
                                within=f"{field.label} › {role_label}",
                            ),
                            "errors": self.errors_at(f"{path}.{role}", role_label, f"{id_}-{role}-name"),
                        }
                        for role, role_label in TRIO_ROLES.items()
                    ],
                )
            case Kind.REPEATED:
                view.update(template="formdef/fields/repeated.html", **self.repeated(field, value, path))
            case _:
                input_type, inputmode = _INPUT_TYPES[field.kind]
                text = _as_text(value)
                if field.kind == Kind.DATE and (date := parse_date(value)) is not None:
                    text = date.isoformat()  # a date input only shows ISO dates
                view.update(
                    template="formdef/fields/input.html",
                    input_type=input_type,
                    inputmode=inputmode,
                    value=text,
                    min=field.minimum.isoformat() if field.kind == Kind.DATE and field.minimum else "",
                    max=field.maximum.isoformat() if field.kind == Kind.DATE and field.maximum else "",
                )
        label = f"{within} › {field.label}" if within else field.label
        view["errors"] = self.errors_at(path, label, anchor)
        view["describedby"] = " ".join(
            ([f"{id_}-hint"] if hints else []) + ([f"{id_}-errors"] if view["errors"] else [])
        )
        return view

    def person_parts(self, field: Field, value: Any, path: str, *, within: str = "") -> list[dict[str, Any]]:
        parts = person_fields(field, engaged=field.required)
        return self.scope(parts, value, prefix=f"{path}.", within=within or field.label)

    def repeated(self, field: Field, value: Any, path: str) -> dict[str, Any]:
        items = value if isinstance(value, list) else []
        if value is None and field.required:
            items = [{}] * max(field.min_items, 1)  # a block to fill in rather than a button to find
        count = len(items)
        return {
            "items": [self.item(field, item, path, str(index), count) for index, item in enumerate(items)],
            "count": count,
            "count_name": f"{NAME_PREFIX}.{path}.count",
            "template_item": _ViewBuilder({}).item(field, {}, path, INDEX_PLACEHOLDER, count + 1),
            "add_value": path,
            "add_disabled": field.max_items is not None and count >= field.max_items,
            "min_items": field.min_items,
            "max_items": field.max_items or MAX_ITEMS,
        }

    def item(self, field: Field, item: Any, path: str, index: str, count: int) -> dict[str, Any]:
        item_path = f"{path}.{index}"
        number = str(int(index) + 1) if index.isdigit() else "__number__"
        legend = f"{field.item_label} n°{NBSP}{number}"
        id_ = "formdef-" + item_path.replace(".", "-")
        return {
            "id": id_,
            "index": index,
            "number": number,
            "item_label": field.item_label,
            "legend": legend,
            "fields": self.scope(list(field.fields), item, prefix=f"{item_path}.", within=legend),
            "errors": self.errors_at(item_path, legend, id_),
            "remove_value": item_path,
            "remove_disabled": count <= field.min_items,
        }


def _condition_view(condition: Condition | None, prefix: str) -> dict[str, str] | None:
    if condition is None:
        return None
    value = condition.value
    return {
        "name": f"{NAME_PREFIX}.{prefix}{condition.field}",
        "value": ("yes" if value else "no") if isinstance(value, bool) else value,
        "operator": condition.operator,
    }


def _option_views(id_: str, options: list[tuple[str, str]], is_checked: Callable[[str], bool]) -> list[dict]:
    return [
        {"id": f"{id_}-{index}", "value": value, "label": label, "checked": is_checked(value)}
        for index, (value, label) in enumerate(options)
    ]


def _automatic_hint(field: Field) -> str:
    match field.kind:
        case Kind.LONG_TEXT:
            return f"{format_number(field.max_length or 0)}{NBSP}caractères au maximum."
        case Kind.INTEGER | Kind.DECIMAL if field.minimum is not None or field.maximum is not None:
            low, high = field.minimum, field.maximum
            if low is not None and high is not None:
                return f"Nombre entre {format_number(low)} et {format_number(high)}."
            if low is not None:
                return f"Nombre supérieur ou égal à {format_number(low)}."
            return f"Nombre inférieur ou égal à {format_number(high)}."
        case Kind.DATE:
            return f"Format attendu{NBSP}: JJ/MM/AAAA."
        case Kind.EMAIL:
            return f"Format attendu{NBSP}: nom@domaine.fr."
        case Kind.PHONE:
            return f"Par exemple{NBSP}: {PHONE_EXAMPLES}."
        case Kind.ESTABLISHMENT:
            return f"Numéro FINESS de 9{NBSP}caractères, par exemple 310780259."
        case Kind.FILE:
            accepted = ", ".join(extension.upper() for extension in field.extensions)
            return (
                f"Taille maximale{NBSP}: {format_number(field.max_size_mb)}{NBSP}Mo. "
                f"Formats acceptés{NBSP}: {accepted}."
            )
    return ""


def _as_text(value: Any) -> str:
    """What to put back in a text input: the text as typed, a number as written, nothing otherwise."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**30:
        return str(value)
    if isinstance(value, float) and abs(value) < 10**30:  # False for nan and infinities
        return repr(value)
    return ""


def _file_view(value: Any, file_url: Callable[[dict], str | None] | None = None) -> dict[str, str] | None:
    if not isinstance(value, dict) or not isinstance(value.get("name"), str):
        return None
    url = file_url(value) if file_url else None
    size = value.get("size")
    shown_size = ""
    if isinstance(size, int) and not isinstance(size, bool) and 0 <= size < 10**15:
        kilobytes = size / 1024
        shown_size = (
            f"{format_number(round(kilobytes / 1024, 1))}{NBSP}Mo"
            if kilobytes >= 1024
            else f"{format_number(max(round(kilobytes), 1))}{NBSP}ko"
        )
    return {"name": value["name"], "size": shown_size, "url": url or ""}


# Reading the POST back


@dataclass(frozen=True)
class ItemChange:
    """An « Ajouter » or « Retirer » button of a repeated block was pressed."""

    action: Literal["add", "remove"]
    key: str
    index: int | None = None


def item_change(form: Form, data: Any) -> ItemChange | None:
    """The add or remove button the POST came from, if any: the page then saves and shows the form again."""
    get = _getter(data)
    repeated = {field.key: field for field in form.fields() if field.kind == Kind.REPEATED}
    if (key := get("add_item")) in repeated:
        return ItemChange(action="add", key=key)
    key, _, index = (get("remove_item") or "").rpartition(".")
    if key in repeated and index.isdigit() and len(index) < 4:
        return ItemChange(action="remove", key=key, index=int(index))
    return None


def parse_post(form: Form, data: Any, *, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """The answers a rendered form posted, as typed (empty ones left out), with an item added or removed
    if that button was pressed. File questions are not posted: their answer is taken from `previous`
    (the saved answers), the caller storing uploads and setting their metadata itself.
    """
    get, getlist = _getter(data), _list_getter(data)
    previous = previous if isinstance(previous, dict) else {}
    answers = _parse_scope(list(form.fields()), get, getlist, f"{NAME_PREFIX}.", previous)
    change = item_change(form, data)
    if change is not None:
        field = form.field(change.key)
        assert field is not None
        items = list(answers.get(change.key) or [])
        if change.action == "add" and (field.max_items is None or len(items) < field.max_items):
            items.append({})
        elif change.action == "remove" and change.index is not None and change.index < len(items):
            del items[change.index]
        if items:
            answers[change.key] = items
        else:
            answers.pop(change.key, None)
    return answers


def _getter(data: Any) -> Callable[[str], str]:
    def get(name: str) -> str:
        values = _list_getter(data)(name)
        return values[-1] if values else ""

    return get


def _list_getter(data: Any) -> Callable[[str], list[str]]:
    def getlist(name: str) -> list[str]:
        if hasattr(data, "getlist"):
            values = data.getlist(name)
        else:
            values = data.get(name) if isinstance(data, dict) else None
            values = values if isinstance(values, list) else [] if values is None else [values]
        return [value for value in values if isinstance(value, str)]

    return getlist


def _parse_scope(fields: list[Field], get, getlist, prefix: str, previous: dict[str, Any]) -> dict[str, Any]:
    answers = {}
    for field in fields:
        value = _parse_field(field, get, getlist, prefix + field.key, previous.get(field.key))
        if not is_empty(value):
            answers[field.key] = value
    return answers


def _parse_field(field: Field, get, getlist, name: str, previous: Any) -> Any:
    match field.kind:
        case Kind.YES_NO:
            typed = get(name)
            return {"yes": True, "no": False}.get(typed, typed)
        case Kind.MULTIPLE_CHOICE:
            return [value for value in getlist(name) if value]
        case Kind.FILE:
            return previous
        case Kind.PERSON:
            return _parse_scope(person_fields(field, engaged=False), get, getlist, f"{name}.", {})
        case Kind.TRIO:
            return {
                role: _parse_scope(person_fields(field, engaged=False), get, getlist, f"{name}.{role}.", {})
                for role in TRIO_ROLES
            }
        case Kind.REPEATED:
            typed_count = get(f"{name}.count")
            count = min(int(typed_count), MAX_ITEMS) if typed_count.isdigit() and len(typed_count) < 4 else 0
            return [
                _parse_scope(list(field.fields), get, getlist, f"{name}.{index}.", {})
                for index in range(count)
            ]
    # Browsers post a textarea's line breaks as CRLF.
    return get(name).replace("\r\n", "\n")
