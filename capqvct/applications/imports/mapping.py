"""Where each column goes: the answers a spreadsheet can give, the mapping chosen, and its first guess."""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from capqvct.calls.formdef.schema import PERSON_PARTS, TRIO_ROLES, Field, Form, Kind

FINESS_HEADERS = frozenset(
    {
        "finess",
        "finess et",
        "n finess",
        "no finess",
        "numero finess",
        "numero finess et",
        "finess etablissement",
    }
)
RECEIVED_HEADERS = frozenset(
    {
        "depose le",
        "date de depot",
        "date depot",
        "date de reception",
        "date reception",
        "recu le",
        "horodateur",
        "horodatage",
        "date de soumission",
        "soumis le",
        "date d envoi",
        "envoye le",
        "submitdate",
    }
)
# How survey tools and agents shorten a trio member's role and a person's parts in their headers.
ROLE_NAMES = {
    "direction": ["direction", "représentant de la direction", "directeur", "directrice"],
    "staff_representative": ["personnel", "représentant du personnel", "représentante du personnel", "cse"],
    "professions": ["métiers", "représentant des métiers", "encadrement", "cadre de santé", "soignant"],
}
PART_NAMES = {
    "name": ["nom", "nom prénom", "prénom nom", "prénom et nom"],
    "function": ["fonction", "poste"],
    "email": ["e-mail", "email", "courriel", "adresse e-mail"],
    "phone": ["tél", "tel", "téléphone"],
}
SENDER_HEADERS = frozenset(
    {
        "email",
        "e mail",
        "mail",
        "courriel",
        "adresse e mail",
        "adresse email",
        "adresse mail",
        "adresse electronique",
        "adresse de courriel",
        "email du demandeur",
        "e mail du demandeur",
    }
)


@dataclass(frozen=True)
class Target:
    """One answer a column can fill: a question, or one part of a person or of a trio member."""

    path: str
    label: str
    field: Field
    part: str = ""

    @property
    def kind(self) -> Kind:
        if self.part == "email":
            return Kind.EMAIL
        if self.part == "phone":
            return Kind.PHONE
        return Kind.SHORT_TEXT if self.part else self.field.kind

    @property
    def full_label(self) -> str:
        """The label with its question's, for a trio member's part read out of the form's context."""
        return f"{self.field.label} — {self.label}" if self.field.kind == Kind.TRIO else self.label


def import_targets(form: Form) -> list[Target]:
    """The answers a spreadsheet can give, in the form's order; files and repeated blocks cannot."""
    targets = []
    for question in form.fields():
        if question.kind == Kind.PERSON:
            targets += [
                Target(f"{question.key}.{part}", f"{question.label} — {label}", question, part)
                for part, label in PERSON_PARTS.items()
            ]
        elif question.kind == Kind.TRIO:
            targets += [
                Target(f"{question.key}.{role}.{part}", f"{role_label} — {part_label}", question, part)
                for role, role_label in TRIO_ROLES.items()
                for part, part_label in PERSON_PARTS.items()
            ]
        elif question.kind not in (Kind.FILE, Kind.REPEATED):
            targets.append(Target(question.key, question.label, question))
    return targets


def left_for_later(form: Form) -> list[Field]:
    """The questions a spreadsheet cannot answer: files to attach, repeated blocks to fill in the dossier."""
    return [question for question in form.fields() if question.kind in (Kind.FILE, Kind.REPEATED)]


@dataclass
class Mapping:
    """Which column gives the FINESS number, the date of receipt, the sender and each answer."""

    finess: str = ""
    received_at: str = ""
    received_on: dt.date | None = None
    sender_email: str = ""
    answers: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {
            "finess": self.finess,
            "received_at": self.received_at,
            "received_on": self.received_on.isoformat() if self.received_on else "",
            "sender_email": self.sender_email,
            "answers": dict(self.answers),
        }

    @classmethod
    def from_json(cls, data: Any) -> "Mapping":
        data = data if isinstance(data, dict) else {}
        received_on = data.get("received_on") or ""
        return cls(
            finess=data.get("finess") or "",
            received_at=data.get("received_at") or "",
            received_on=dt.date.fromisoformat(received_on) if received_on else None,
            sender_email=data.get("sender_email") or "",
            answers=dict(data.get("answers") or {}),
        )

    def problems(self, columns: tuple[str, ...]) -> dict[str, str]:
        """What keeps this mapping from being used, by the name of the mapping page's field."""
        problems = {}
        if self.finess not in columns:
            problems["finess"] = "Choisissez la colonne du numéro FINESS de l’établissement."
        if not self.received_at and not self.received_on:
            problems["received_on"] = (
                "Choisissez la colonne de la date de réception, ou saisissez la date à laquelle ces "
                "dossiers ont été reçus."
            )
        return problems


def normalized(text: str) -> str:
    """« N° FINESS (ET) » → "n finess et": accents, case, punctuation and numbering ignored."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(char for char in text if not unicodedata.combining(char)).lower()
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"^(q ?)?\d+[a-z]? ", "", text)


def guess_mapping(form: Form, columns: tuple[str, ...]) -> Mapping:
    """Each answer from the column whose header is its label; the FINESS, date and sender by usual names."""
    by_header = {}
    for column in columns:
        by_header.setdefault(normalized(column), column)

    def first(names) -> str:
        return next((by_header[name] for name in names if name in by_header), "")

    finess = first(FINESS_HEADERS) or next(
        (c for c in columns if "finess" in normalized(c).split() and "ej" not in normalized(c).split()), ""
    )
    answers = {}
    for target in import_targets(form):
        column = first(_names_of(target))
        if not column and target.kind == Kind.ESTABLISHMENT:
            column = finess
        if column:
            answers[target.path] = column
    return Mapping(
        finess=finess,
        received_at=first(RECEIVED_HEADERS),
        sender_email=first(SENDER_HEADERS),
        answers=answers,
    )


def _names_of(target: Target) -> list[str]:
    names = [target.label, target.path.replace(".", " ")]
    if target.field.kind in (Kind.PERSON, Kind.TRIO):
        if target.field.kind == Kind.TRIO:
            owners = [target.field.label, *ROLE_NAMES[target.path.split(".")[1]]]
        else:
            owners = [target.field.label]
        names += [
            f"{first} {second}"
            for owner in owners
            for part in [PERSON_PARTS[target.part], *PART_NAMES[target.part]]
            for first, second in ((owner, part), (part, owner))
        ]
        if target.field.kind == Kind.TRIO:
            names.append(f"{target.field.label} {target.label}")
    return [normalized(name) for name in names]
