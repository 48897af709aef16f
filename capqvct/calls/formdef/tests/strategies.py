"""Hypothesis strategies: valid form definitions, valid answers to them, and arbitrary JSON."""

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from capqvct.calls.formdef.schema import (
    CONDITION_KINDS,
    FILE_TYPES,
    KINDS_IN_REPEATED,
    PERSON_PARTS,
    TRIO_ROLES,
    Condition,
    Field,
    Form,
    Kind,
    Option,
    Section,
)
from capqvct.establishments.finess_numbers import finess_check_digit

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.just(5000).map(lambda digits: 10**digits)  # too long to print with str()
    | st.floats()
    | st.text(max_size=20)
    | st.sampled_from(["", " ", "yes", "no", "12", "12,5", "a@b.fr", "0612345678", "2021-11-17", "310780259"])
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)

# What a person types on one line: no control characters (browsers drop line breaks from <input>).
line_text = (
    st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=20)
    .map(str.strip)
    .filter(bool)
)
long_text = (
    st.text(
        st.characters(exclude_categories=("Cs", "Zl", "Zp"), exclude_characters="\r\x00\x0b\x0c")
        | st.just("\n"),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)
option_values = st.from_regex(r"[a-z0-9_]{1,8}", fullmatch=True)
emails = st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,5})?@[a-z]{2,8}\.(fr|org|com)", fullmatch=True)
# Valid whatever the question's region, being international.
phones = st.sampled_from(["+33123456789", "+33612345678", "+262262123456", "+262692123456", "+442079460958"])
# A département prefix, six digits, and the key the register's rule gives them.
finess = st.from_regex(r"(?:0[1-9]|1[0-9]|2[1-9AB]|[3-8][0-9]|9[0-578])[0-9]{6}", fullmatch=True).map(
    lambda first_eight: first_eight + finess_check_digit(first_eight)
)


@st.composite
def fields(draw, index: int, scope: list[Field], *, in_repeated: bool = False) -> Field:
    kind = draw(st.sampled_from(KINDS_IN_REPEATED if in_repeated else tuple(Kind)))
    key = f"{draw(st.from_regex(r'[a-z][a-z0-9]{0,5}', fullmatch=True))}_{index}"
    attributes: dict = {}
    match kind:
        case Kind.SHORT_TEXT:
            attributes["max_length"] = draw(st.integers(1, 300))
        case Kind.LONG_TEXT:
            attributes["max_length"] = draw(st.integers(1, 5000))
        case Kind.INTEGER | Kind.DECIMAL:
            places = draw(st.integers(0, 3)) if kind == Kind.DECIMAL else 0
            bounds = sorted(draw(st.lists(st.integers(-(10**6), 10**6), min_size=2, max_size=2)))
            low, high = (Decimal(bound).scaleb(-places) for bound in bounds)
            attributes["minimum"] = draw(st.sampled_from([None, low]))
            attributes["maximum"] = draw(st.sampled_from([None, high]))
            if kind == Kind.DECIMAL:
                attributes["decimal_places"] = places
        case Kind.SINGLE_CHOICE | Kind.MULTIPLE_CHOICE:
            values = draw(st.lists(option_values, min_size=1, max_size=9, unique=True))
            attributes["options"] = tuple(Option(value=value, label=draw(line_text)) for value in values)
        case Kind.DATE:
            low, high = sorted(
                draw(st.lists(st.dates(dt.date(2000, 1, 1), dt.date(2040, 1, 1)), min_size=2, max_size=2))
            )
            attributes["minimum"] = draw(st.sampled_from([None, low]))
            attributes["maximum"] = draw(st.sampled_from([None, high]))
        case Kind.PHONE:
            attributes["region"] = draw(st.sampled_from(["FR", "RE", "BE"]))
        case Kind.FILE:
            attributes["extensions"] = tuple(
                draw(st.lists(st.sampled_from(sorted(FILE_TYPES)), min_size=1, unique=True))
            )
            attributes["max_size_mb"] = draw(st.integers(1, 20))
        case Kind.PERSON | Kind.TRIO:
            parts = draw(st.sets(st.sampled_from(list(PERSON_PARTS))))
            attributes["required_parts"] = tuple(part for part in PERSON_PARTS if part in parts)
        case Kind.REPEATED:
            sub_scope: list[Field] = []
            for sub_index in range(draw(st.integers(1, 3))):
                sub_scope.append(draw(fields(sub_index, sub_scope, in_repeated=True)))
            low = draw(st.integers(0, 2))
            attributes.update(
                fields=tuple(sub_scope),
                min_items=low,
                max_items=draw(st.sampled_from([None, max(low, 1), low + 3])),
                item_label=draw(line_text),
            )
    targets = [field for field in scope if field.kind in CONDITION_KINDS]
    show_if = None
    if targets and draw(st.booleans()):
        target = draw(st.sampled_from(targets))
        if target.kind == Kind.YES_NO:
            show_if = Condition(field=target.key, operator="equals", value=draw(st.booleans()))
        else:
            operator = "contains" if target.kind == Kind.MULTIPLE_CHOICE else "equals"
            show_if = Condition(
                field=target.key, operator=operator, value=draw(st.sampled_from(target.option_values))
            )
    return Field(
        key=key,
        kind=kind,
        label=draw(line_text),
        help_text=draw(st.sampled_from(["", "Une aide.\nSur deux lignes."])),
        required=draw(st.booleans()),
        show_if=show_if,
        **attributes,
    )


@st.composite
def forms(draw) -> Form:
    scope: list[Field] = []
    sections = []
    for section_index in range(draw(st.integers(1, 3))):
        section_fields = []
        for _ in range(draw(st.integers(1, 4))):
            field = draw(fields(len(scope), scope))
            scope.append(field)
            section_fields.append(field)
        sections.append(Section(key=f"s{section_index}", title=draw(line_text), fields=tuple(section_fields)))
    return Form(sections=tuple(sections))


@st.composite
def valid_answers(draw, form: Form) -> dict:
    """Answers a submission accepts, in the canonical form clean_answers gives, with no empty value."""
    return draw(_scope_answers(list(form.fields())))


@st.composite
def _scope_answers(draw, scope: list[Field]) -> dict:
    answers = {}
    for field in scope:
        if field.required or draw(st.booleans()):
            answers[field.key] = draw(_value(field))
    return answers


@st.composite
def _value(draw, field: Field):
    match field.kind:
        case Kind.SHORT_TEXT:
            return draw(line_text.filter(lambda text: len(text.strip()) <= field.max_length))
        case Kind.LONG_TEXT:
            return draw(long_text.filter(lambda text: len(text.strip()) <= field.max_length))
        case Kind.INTEGER | Kind.DECIMAL:
            scale = Decimal(10) ** (field.decimal_places if field.kind == Kind.DECIMAL else 0)
            low = int(field.minimum * scale) if field.minimum is not None else -(10**8)
            high = int(field.maximum * scale) if field.maximum is not None else 10**8
            number = Decimal(draw(st.integers(low, high))) / scale
            return format(number.normalize() if number else Decimal(0), "f")
        case Kind.YES_NO:
            return draw(st.booleans())
        case Kind.SINGLE_CHOICE:
            return draw(st.sampled_from(field.option_values))
        case Kind.MULTIPLE_CHOICE:
            chosen = draw(st.sets(st.sampled_from(field.option_values), min_size=1))
            return [value for value in field.option_values if value in chosen]
        case Kind.DATE:
            return draw(
                st.dates(field.minimum or dt.date(1990, 1, 1), field.maximum or dt.date(2050, 1, 1))
            ).isoformat()
        case Kind.EMAIL:
            return draw(emails)
        case Kind.PHONE:
            return draw(phones)
        case Kind.ESTABLISHMENT:
            return draw(finess)
        case Kind.FILE:
            extension = draw(st.sampled_from(field.extensions))
            return {
                "name": f"{draw(option_values)}.{extension}",
                "size": draw(st.integers(0, field.max_size_mb * 1024 * 1024)),
                "content_type": draw(st.sampled_from(sorted(FILE_TYPES[extension]))),
                "id": "stored-elsewhere",
            }
        case Kind.PERSON:
            return draw(_person(field))
        case Kind.TRIO:
            return {role: draw(_person(field)) for role in TRIO_ROLES}
        case Kind.REPEATED:
            low = max(field.min_items, 1)
            high = field.max_items if field.max_items is not None else low + 2
            return draw(st.lists(_scope_answers(list(field.fields)), min_size=low, max_size=high))
    raise AssertionError(field.kind)


@st.composite
def _person(draw, field: Field) -> dict:
    parts = set(field.required_parts) | draw(st.sets(st.sampled_from(list(PERSON_PARTS)), min_size=1))
    values = {"name": line_text, "function": line_text, "email": emails, "phone": phones}
    return {part: draw(values[part]) for part in PERSON_PARTS if part in parts}


@st.composite
def junk_answers(draw, form: Form) -> dict:
    """Answers shaped like the form (or not) with arbitrary JSON where values go."""
    return draw(_junk_scope(list(form.fields())))


@st.composite
def _junk_scope(draw, scope: list[Field]) -> dict:
    answers = draw(st.dictionaries(st.text(max_size=5), json_values, max_size=2))
    for field in scope:
        if draw(st.booleans()):
            answers[field.key] = draw(json_values | _junk_value(field))
    return answers


def _junk_value(field: Field):
    match field.kind:
        case Kind.PERSON:
            return st.dictionaries(st.sampled_from(list(PERSON_PARTS)), json_values)
        case Kind.TRIO:
            return st.dictionaries(
                st.sampled_from(list(TRIO_ROLES)),
                json_values | st.dictionaries(st.sampled_from(list(PERSON_PARTS)), json_values),
            )
        case Kind.REPEATED:
            return st.lists(json_values | _junk_scope(list(field.fields)), max_size=4)
        case Kind.FILE:
            return st.fixed_dictionaries({"name": json_values, "size": json_values}) | st.fixed_dictionaries(
                {"name": st.text(max_size=10), "size": st.integers(), "content_type": st.text(max_size=10)}
            )
        case Kind.MULTIPLE_CHOICE:
            return st.lists(st.sampled_from(field.option_values) | json_scalars, max_size=4)
    return json_scalars
