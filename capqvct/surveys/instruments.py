"""Staff-survey instruments as data: a versioned JSON file (answer scales, scales, items, scoring rule)
read, validated and scored here. Pure Python (no Django, no database), so hypothesis can try every
answer pattern.

Two instruments ship with the platform (`SHIPPED`):
- `qvct-cap`: an original questionnaire written for Cap QVCT around the six subjects of the Anact
  référentiel QVCT (2023): organisation, contenu et réalisation du travail; compétences et parcours
  professionnels; santé au travail; égalité au travail; projet d’entreprise et management; dialogue
  social et professionnel. It is not a validated instrument and says so in its title.
- `copsoq-iii-middle`: the structure and scoring of the COPSOQ III international middle version,
  without a single item text. Source: H. Burr, H. Berthelsen, S. Moncada, M. Nübling, E. Dupret et al.,
  « The Third Version of the Copenhagen Psychosocial Questionnaire », Safety and Health at Work 10(4),
  2019, pp. 482–503, DOI 10.1016/j.shaw.2019.10.002 (table 2: dimension and item codes, number of items
  in the long, middle and core versions); the item levels of the QD and WP dimensions are confirmed by
  the supplementary material of H. Berthelsen et al., « Validation of the Copenhagen Psychosocial
  Questionnaire Version III and Establishment of Benchmarks for Psychosocial Risk Management in
  Sweden », International Journal of Environmental Research and Public Health, 2020. The file's
  `notes` say, dimension by dimension, what was checked and how. COPSOQ is licensed CC BY-NC-ND 4.0
  by the international COPSOQ network: no modification, no fee for the questionnaire itself. An agency
  obtains the official French texts from the network and loads them with `with_texts`; no sentence of
  the questionnaire is committed here.

Scoring (the COPSOQ rule, used for both): an answer 1–5 is recoded 0/25/50/75/100 (the other way
round for a reversed item); a scale's score is the mean of its answered items' scores when at least
`min_answered_share` of its items are answered, otherwise None. `polarity` says whether a high score is
favourable; it never changes the score, only how a page colours it.

Results are comparable only between campaigns of the same instrument code and version (`comparable`).
"""

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from capqvct.core.exceptions import Refusal

NBSP = "\u00a0"
DATA_DIR = Path(__file__).resolve().parent / "data" / "instruments"

SHIPPED: dict[str, Path] = {
    "qvct-cap": DATA_DIR / "qvct-cap-v1.json",
    "copsoq-iii-middle": DATA_DIR / "copsoq-iii-structure.json",
}

Polarity = Literal["high_is_good", "high_is_bad"]
POLARITIES: tuple[str, ...] = ("high_is_good", "high_is_bad")
SCORINGS: tuple[str, ...] = ("mean_0_100",)
ANSWER_VALUES = (1, 2, 3, 4, 5)

CODE_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
VERSION_PATTERN = re.compile(r"^[0-9]+\.[0-9]+$")

TOP_LEVEL_KEYS = (
    "code",
    "version",
    "title",
    "licence",
    "validated",
    "licensed_without_text",
    "notes",
    "answer_scales",
    "scales",
    "items",
)
SCALE_KEYS = ("code", "title", "polarity", "min_answered_share", "scoring")
ITEM_KEYS = ("code", "scale", "text", "answers", "reverse")
# A licensed instrument may leave `text` out of its items altogether.
OPTIONAL_ITEM_KEYS = ("text",)


class InstrumentError(Refusal):
    """An instrument file, a set of licensed texts or a set of answers does not fit; the message says
    what, in French."""


def quoted(text: object) -> str:
    """French quotation marks with their no-break spaces."""
    return f"«{NBSP}{text}{NBSP}»"


@dataclass(frozen=True)
class AnswerScale:
    """A named list of the five answers offered, value 1 to 5, each with its French label."""

    code: str
    options: tuple[tuple[int, str], ...]

    def label(self, value: int) -> str:
        return dict(self.options)[value]


@dataclass(frozen=True)
class Scale:
    code: str
    title: str
    polarity: Polarity
    min_answered_share: float
    scoring: str

    def required_answers(self, item_count: int) -> int:
        """How many of the scale's items must be answered for it to be scored."""
        # Rounded first so that 0.6 × 5 (3.0000000000000004 in floating point) asks for 3, not 4.
        return math.ceil(round(self.min_answered_share * item_count, 9))


@dataclass(frozen=True)
class Item:
    code: str
    scale: str
    text: str
    answers: str
    reverse: bool


@dataclass(frozen=True)
class Instrument:
    code: str
    version: str
    title: str
    licence: str
    validated: bool
    # The item texts are under a licence: the file carries none, an agency loads them (`with_texts`).
    licensed_without_text: bool
    notes: tuple[str, ...]
    answer_scales: tuple[AnswerScale, ...]
    scales: tuple[Scale, ...]
    items: tuple[Item, ...]

    def items_of(self, scale_code: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.scale == scale_code)

    def answer_scale(self, code: str) -> AnswerScale:
        return next(answer_scale for answer_scale in self.answer_scales if answer_scale.code == code)

    @property
    def has_texts(self) -> bool:
        return all(item.text for item in self.items)


def load_instrument(source: str | Path | Mapping[str, Any]) -> Instrument:
    """Read an instrument from a JSON file (or an already parsed dict) and check it whole; raise an
    InstrumentError naming the first problem found."""
    data = _read(source) if isinstance(source, str | Path) else source
    if not isinstance(data, Mapping):
        raise InstrumentError("Un instrument s’écrit comme un objet JSON (entre accolades).")
    _check_keys(data, TOP_LEVEL_KEYS, where="l’instrument")
    code = _text(data, "code", where="l’instrument")
    if not CODE_PATTERN.match(code):
        raise InstrumentError(
            f"Le code de l’instrument {quoted(code)} n’est pas valide{NBSP}: lettres minuscules, "
            "chiffres et tirets seulement."
        )
    version = _text(data, "version", where="l’instrument")
    if not VERSION_PATTERN.match(version):
        raise InstrumentError(
            f"La version {quoted(version)} n’est pas valide{NBSP}: elle s’écrit comme {quoted('1.0')}."
        )
    licensed_without_text = _flag(data, "licensed_without_text", where="l’instrument")
    answer_scales = _answer_scales(data["answer_scales"])
    scales = _scales(data["scales"])
    items = _items(data["items"], licensed_without_text=licensed_without_text)
    _check_references(scales, answer_scales, items)
    return Instrument(
        code=code,
        version=version,
        title=_text(data, "title", where="l’instrument"),
        licence=_text(data, "licence", where="l’instrument"),
        validated=_flag(data, "validated", where="l’instrument"),
        licensed_without_text=licensed_without_text,
        notes=_notes(data["notes"]),
        answer_scales=answer_scales,
        scales=scales,
        items=items,
    )


def with_texts(instrument: Instrument, texts: Mapping[str, str]) -> Instrument:
    """The same instrument with the licensed item texts an agency obtained, one per item code; every
    other field is left as it was."""
    if not instrument.licensed_without_text:
        raise InstrumentError(
            f"L’instrument {quoted(instrument.code)} contient déjà ses textes{NBSP}: seuls les "
            "instruments sous licence reçoivent des textes chargés à part."
        )
    known = {item.code for item in instrument.items}
    unknown = sorted(set(texts) - known)
    if unknown:
        raise InstrumentError(
            f"Ces codes ne sont pas des items de l’instrument {quoted(instrument.code)} "
            f"version {instrument.version}{NBSP}: {', '.join(unknown)}."
        )
    missing = [item.code for item in instrument.items if item.code not in texts]
    if missing:
        raise InstrumentError(f"Il manque le texte de ces items{NBSP}: {', '.join(missing)}.")
    for item in instrument.items:
        text = texts[item.code]
        if not isinstance(text, str) or not text.strip():
            raise InstrumentError(f"Le texte de l’item {quoted(item.code)} est vide.")
    return replace(
        instrument, items=tuple(replace(item, text=texts[item.code].strip()) for item in instrument.items)
    )


def item_score(item: Item, value: int | None) -> float | None:
    """An answer 1–5 recoded 0, 25, 50, 75, 100 (100 to 0 for a reversed item); None stays None."""
    if value is None:
        return None
    if isinstance(value, bool) or value not in ANSWER_VALUES:
        raise InstrumentError(
            f"La réponse {value!r} à l’item {quoted(item.code)} n’est pas une valeur de 1 à 5."
        )
    score = (value - 1) * 25.0
    return 100.0 - score if item.reverse else score


def scale_scores(instrument: Instrument, answers: Mapping[str, int | None]) -> dict[str, float | None]:
    """Each scale's score for one respondent: the mean of the answered items' 0–100 scores, or None
    when fewer than the scale's minimum share of its items are answered."""
    unknown = sorted(set(answers) - {item.code for item in instrument.items})
    if unknown:
        raise InstrumentError(
            f"Réponses à des items qui ne sont pas dans l’instrument {quoted(instrument.code)} "
            f"version {instrument.version}{NBSP}: {', '.join(unknown)}."
        )
    scores: dict[str, float | None] = {}
    for scale in instrument.scales:
        items = instrument.items_of(scale.code)
        answered = [
            score for item in items if (score := item_score(item, answers.get(item.code))) is not None
        ]
        if len(answered) < scale.required_answers(len(items)):
            scores[scale.code] = None
        else:
            scores[scale.code] = sum(answered) / len(answered)
    return scores


def comparable(a: Instrument, b: Instrument) -> bool:
    """Results compare only between campaigns run with the same instrument in the same version."""
    return a.code == b.code and a.version == b.version


def _read(path: str | Path) -> Any:
    path = Path(path)
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InstrumentError(f"Le fichier d’instrument {quoted(path.name)} est introuvable.") from None
    try:
        return json.loads(raw)
    except json.JSONDecodeError as error:
        raise InstrumentError(
            f"Le fichier {quoted(path.name)} n’est pas un JSON valide (ligne {error.lineno})."
        ) from None


def _check_keys(
    data: Mapping[str, Any], keys: tuple[str, ...], *, where: str, optional: tuple[str, ...] = ()
) -> None:
    for key in keys:
        if key not in data and key not in optional:
            raise InstrumentError(f"Le champ {quoted(key)} manque dans {where}.")
    for key in data:
        if key not in keys:
            raise InstrumentError(f"Le champ {quoted(key)} de {where} est inconnu.")


def _text(data: Mapping[str, Any], key: str, *, where: str) -> str:
    value = data[key]
    if not isinstance(value, str) or not value.strip():
        raise InstrumentError(f"Le champ {quoted(key)} de {where} doit être un texte non vide.")
    return value


def _flag(data: Mapping[str, Any], key: str, *, where: str) -> bool:
    value = data[key]
    if not isinstance(value, bool):
        raise InstrumentError(f"Le champ {quoted(key)} de {where} doit valoir true ou false.")
    return value


def _notes(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(note, str) for note in value):
        raise InstrumentError(f"Le champ {quoted('notes')} doit être une liste de textes.")
    return tuple(value)


def _answer_scales(value: Any) -> tuple[AnswerScale, ...]:
    if not isinstance(value, Mapping) or not value:
        raise InstrumentError("L’instrument doit définir au moins une échelle de réponse.")
    answer_scales = []
    for code, options in value.items():
        if not isinstance(options, Mapping):
            raise InstrumentError(f"L’échelle de réponse {quoted(code)} doit associer valeurs et libellés.")
        values = sorted(int(key) if str(key).isdigit() else -1 for key in options)
        if tuple(values) != ANSWER_VALUES:
            raise InstrumentError(
                f"L’échelle de réponse {quoted(code)} doit proposer les valeurs 1 à 5, une fois chacune."
            )
        for key, label in options.items():
            if not isinstance(label, str) or not label.strip():
                raise InstrumentError(
                    f"La valeur {key} de l’échelle de réponse {quoted(code)} n’a pas de libellé."
                )
        answer_scales.append(
            AnswerScale(code=code, options=tuple(sorted((int(key), label) for key, label in options.items())))
        )
    return tuple(answer_scales)


def _scales(value: Any) -> tuple[Scale, ...]:
    if not isinstance(value, list) or not value:
        raise InstrumentError("L’instrument doit définir au moins une échelle.")
    scales: list[Scale] = []
    for entry in value:
        if not isinstance(entry, Mapping):
            raise InstrumentError("Chaque échelle s’écrit comme un objet JSON (entre accolades).")
        _check_keys(entry, SCALE_KEYS, where="une échelle")
        code = _text(entry, "code", where="une échelle")
        where = f"l’échelle {quoted(code)}"
        if any(scale.code == code for scale in scales):
            raise InstrumentError(f"Le code d’échelle {quoted(code)} est en double.")
        if entry["polarity"] not in POLARITIES:
            raise InstrumentError(
                f"La polarité de {where} doit être {quoted('high_is_good')} ou {quoted('high_is_bad')}."
            )
        share = entry["min_answered_share"]
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 1:
            raise InstrumentError(
                f"La part minimale d’items répondus de {where} doit être comprise entre 0 exclu et "
                f"1 inclus{NBSP}; elle vaut {share!r}."
            )
        if entry["scoring"] not in SCORINGS:
            raise InstrumentError(
                f"Le calcul {quoted(entry['scoring'])} de {where} est inconnu{NBSP}: seul "
                f"{quoted('mean_0_100')} est prévu."
            )
        scales.append(
            Scale(
                code=code,
                title=_text(entry, "title", where=where),
                polarity=entry["polarity"],
                min_answered_share=float(share),
                scoring=entry["scoring"],
            )
        )
    return tuple(scales)


def _items(value: Any, *, licensed_without_text: bool) -> tuple[Item, ...]:
    if not isinstance(value, list) or not value:
        raise InstrumentError("L’instrument doit contenir au moins un item.")
    items: list[Item] = []
    for entry in value:
        if not isinstance(entry, Mapping):
            raise InstrumentError("Chaque item s’écrit comme un objet JSON (entre accolades).")
        _check_keys(entry, ITEM_KEYS, where="un item", optional=OPTIONAL_ITEM_KEYS)
        code = _text(entry, "code", where="un item")
        where = f"l’item {quoted(code)}"
        if any(item.code == code for item in items):
            raise InstrumentError(f"Le code d’item {quoted(code)} est en double.")
        text = entry.get("text", "")
        if not isinstance(text, str):
            raise InstrumentError(f"Le texte de {where} doit être un texte.")
        if licensed_without_text and text.strip():
            raise InstrumentError(
                f"L’item {quoted(code)} contient un texte, alors que les textes de cet instrument sont "
                f"sous licence{NBSP}: le fichier n’en contient aucun, ils se chargent à part."
            )
        if not licensed_without_text and not text.strip():
            raise InstrumentError(f"L’item {quoted(code)} n’a pas de texte.")
        items.append(
            Item(
                code=code,
                scale=_text(entry, "scale", where=where),
                text=text,
                answers=_text(entry, "answers", where=where),
                reverse=_flag(entry, "reverse", where=where),
            )
        )
    return tuple(items)


def _check_references(
    scales: tuple[Scale, ...], answer_scales: tuple[AnswerScale, ...], items: tuple[Item, ...]
) -> None:
    scale_codes = {scale.code for scale in scales}
    answer_codes = {answer_scale.code for answer_scale in answer_scales}
    for item in items:
        if item.scale not in scale_codes:
            raise InstrumentError(
                f"L’item {quoted(item.code)} renvoie à l’échelle {quoted(item.scale)}, qui n’existe pas."
            )
        if item.answers not in answer_codes:
            raise InstrumentError(
                f"L’item {quoted(item.code)} utilise l’échelle de réponse {quoted(item.answers)}, "
                "qui n’est pas définie."
            )
    for scale in scales:
        if not any(item.scale == scale.code for item in items):
            raise InstrumentError(f"L’échelle {quoted(scale.code)} n’a aucun item.")
