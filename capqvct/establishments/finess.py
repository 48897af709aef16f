"""Import of the FINESS register from its open-data extraction.

The file is the one published on data.gouv.fr as « FINESS Extraction du Fichier des
établissements » (``etalab-cs1100507-stock-*.csv``): ``;``-separated, in Windows-1252 or UTF-8.

- line 1 describes the extraction: ``finess;etalab;<version>;<date>``;
- each ``structureet`` line is one geographic establishment (ET), 32 fields, see ``FIELDS``;
- each ``geolocalisation`` line gives its coordinates:
  ``geolocalisation;nofinesset;coordxet;coordyet;sourcecoordet;datemaj``, where ``sourcecoordet``
  itself holds semicolons (``1;ATLASANTE;100;IGN;BD_ADRESSE;V2.1;LAMBERT_93``). Coordinates are in
  Lambert-93 for mainland France, in the local projection named by the source overseas.

Only the social and medico-social categories of ``categories.py`` are kept; the others are counted
as ignored. A line that cannot be trusted is rejected with its number and a reason; the import goes
on. Text is stored as typed (only the spaces around a field are trimmed), even when it looks like a
spreadsheet formula: exports neutralise it, the import does not. Each line is decoded on its own,
as UTF-8 if it can be, else as Windows-1252; a line that is neither is rejected.

Choices:

- a FINESS number must follow the register's rule (``finess_numbers.py``: 9 characters, a
  département prefix, a Luhn key). A bad FINESS number rejects the line;
- an invalid SIRET does not: the establishment is imported without it and a warning says so,
  since the SIRET is secondary to the FINESS number and often mistyped in the register;
- an unreadable date or coordinate is left empty, with a warning;
- the second occurrence of an establishment in the same file is rejected;
- the fields the register owns are overwritten by each import, the others (e-mail, the
  establishment's space) are left alone; an establishment absent from a new extraction stays;
- everything is written in one transaction: an import is applied whole or not at all.
"""

import csv
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils import timezone
from stdnum.fr import siret as siret_number

from capqvct.establishments.categories import CATEGORIES, is_kept, typographic_label
from capqvct.establishments.finess_numbers import is_valid_finess
from capqvct.establishments.models import Establishment
from capqvct.territory.models import Commune, Departement

FIELDS = (
    "type",
    "nofinesset",
    "nofinessej",
    "rs",
    "rslongue",
    "complrs",
    "compldistrib",
    "numvoie",
    "typvoie",
    "voie",
    "compvoie",
    "lieuditbp",
    "commune",
    "departement",
    "libdepartement",
    "ligneacheminement",
    "telephone",
    "telecopie",
    "categetab",
    "libcategetab",
    "categagretab",
    "libcategagretab",
    "siret",
    "codeape",
    "codemft",
    "libmft",
    "codesph",
    "libsph",
    "dateouv",
    "dateautor",
    "datemaj",
    "numuai",
)
GEOLOCATION_MIN_FIELDS = 6

# FINESS writes the overseas départements with a letter; the register's own codes, not INSEE's.
OVERSEAS_DEPARTEMENTS = {"9A": "971", "9B": "972", "9C": "973", "9D": "974", "9F": "976"}
FINESS_DEPARTEMENTS = {cog: finess for finess, cog in OVERSEAS_DEPARTEMENTS.items()}

# Paris, Lyon and Marseille are registered by arrondissement; the directory knows the commune.
MUNICIPAL_ARRONDISSEMENTS = (("751", "75056"), ("6938", "69123"), ("132", "13055"))

STREET_TYPES = {
    "ALL": "ALLÉE",
    "AV": "AVENUE",
    "BD": "BOULEVARD",
    "CHE": "CHEMIN",
    "CRS": "COURS",
    "IMP": "IMPASSE",
    "PL": "PLACE",
    "QUA": "QUAI",
    "R": "RUE",
    "RTE": "ROUTE",
    "SQ": "SQUARE",
}

REPETITION_INDEXES = {"B": "BIS", "T": "TER", "Q": "QUATER"}

HEADER_PATTERN = re.compile(r"finess;etalab;")
POSTAL_CODE_PATTERN = re.compile(r"([0-9]{5})\b")
# How far into the file a structureet line must appear for it to be an extraction.
HEADER_WINDOW = 50
BATCH_SIZE = 1000
NBSP = "\u00a0"

# The fields the register owns: an import compares and overwrites these, never the others.
FINESS_OWNED_FIELDS = (
    "finess_ej",
    "name",
    "long_name",
    "siret",
    "address",
    "postal_code",
    "city_label",
    "commune_id",
    "departement_id",
    "phone",
    "category_code",
    "category_label",
    "aggregate_category_code",
    "aggregate_category_label",
    "opened_on",
    "finess_updated_on",
    "x",
    "y",
    "geo_source",
)

# Text fields as PostgreSQL enforces them; foreign keys are checked against the territory instead.
MAX_LENGTHS = {
    name: Establishment._meta.get_field(name).max_length
    for name in ("finess_et", *FINESS_OWNED_FIELDS)
    if Establishment._meta.get_field(name).get_internal_type() == "CharField"
}

Progress = Callable[[str, int, int], None]


class NotAFinessFile(Exception):
    """The file is not an extraction of the FINESS register; nothing was imported."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class ImportReport:
    extracted_on: date | None = None
    encoding: str = "utf-8"
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ignored: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)

    def reject(self, number: int, reason: str) -> None:
        self.rejected.append((number, _typeset(reason)))

    def warn(self, number: int, reason: str) -> None:
        self.warnings.append((number, _typeset(reason)))

    def summary_lines(self) -> list[str]:
        """The report as the person who ran the import reads it, in French."""
        lines = [
            f"Créés : {self.created}",
            f"Mis à jour : {self.updated}",
            f"Inchangés : {self.unchanged}",
            f"Ignorés (hors champ social et médico-social) : {self.ignored}",
            f"Rejetés : {len(self.rejected)}",
        ]
        lines += [f"ligne {number} : {reason}" for number, reason in self.rejected]
        if self.warnings:
            lines.append(f"Avertissements : {len(self.warnings)}")
            lines += [f"ligne {number} : {reason}" for number, reason in self.warnings]
        return [_typeset(line) for line in lines]


def import_finess(source: str | Path | IO, *, progress: Progress | None = None) -> ImportReport:
    """Create or update the directory's establishments from a FINESS extraction, idempotently.

    ``progress(phase, done, total)`` is called as lines are read, then as rows are written.
    Raises ``NotAFinessFile`` before writing anything if the file is not an extraction.
    """
    report = ImportReport()
    lines, report.encoding = _decoded_lines(source)
    report.extracted_on = _check_header(lines)
    records = _parse(lines, report, progress)
    _save(records, report, progress)
    return report


def insee_commune_code(finess_departement: str, commune: str) -> str:
    """The INSEE code of a commune from FINESS's département and three-character commune fields."""
    if finess_departement in OVERSEAS_DEPARTEMENTS:
        return "97" + commune
    return finess_departement + commune


# Reading ---------------------------------------------------------------------------------------


def _decoded_lines(source: str | Path | IO) -> tuple[list[str | None], str]:
    """The file's lines, each decoded on its own: UTF-8, else Windows-1252, else None."""
    if isinstance(source, str | Path):
        data = Path(source).read_bytes()
    else:
        data = source.read()
    if isinstance(data, str):
        return data.removeprefix("\ufeff").split("\n"), getattr(source, "encoding", None) or "utf-8"
    raw_lines = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    lines: list[str | None] = []
    cp1252_lines = utf8_lines = 0
    for raw in raw_lines:
        try:
            line = raw.decode("utf-8")
            utf8_lines += not raw.isascii()
        except UnicodeDecodeError:
            try:
                line = raw.decode("cp1252")
                cp1252_lines += 1
            except UnicodeDecodeError:
                line = None
        lines.append(line)
    return lines, "windows-1252" if cp1252_lines > utf8_lines else "utf-8"


def _check_header(lines: list[str | None]) -> date | None:
    if not any(line and line.strip() for line in lines):
        raise NotAFinessFile(_typeset("Le fichier est vide : ce n’est pas une extraction FINESS."))
    first = (lines[0] or "").strip()
    if not HEADER_PATTERN.match(first):
        raise NotAFinessFile(
            _typeset(
                "Ce fichier n’est pas une extraction FINESS : sa première ligne devrait commencer par "
                "« finess;etalab; »."
            )
        )
    if not any(line and line.startswith("structureet;") for line in lines[1 : HEADER_WINDOW + 1]):
        raise NotAFinessFile(
            _typeset(
                "Ce fichier n’est pas une extraction FINESS des établissements : aucune ligne "
                "« structureet » parmi ses premières lignes."
            )
        )
    parts = first.split(";")
    return _parse_date(parts[3]) if len(parts) > 3 else None


@dataclass
class _Territory:
    departements: set[str]
    communes: set[str]

    @classmethod
    def load(cls) -> "_Territory":
        return cls(
            set(Departement.objects.values_list("code", flat=True)),
            set(Commune.objects.values_list("code", flat=True)),
        )


def _parse(lines: list[str | None], report: ImportReport, progress: Progress | None) -> dict[str, dict]:
    territory = _Territory.load()
    records: dict[str, dict] = {}
    first_seen: dict[str, int] = {}
    geolocations: list[tuple[int, list[str]]] = []
    total = len(lines)
    for number, line in enumerate(lines[1:], start=2):
        if progress and number % BATCH_SIZE == 0:
            progress("lecture", number, total)
        if line is None:
            report.reject(number, "caractères illisibles : ni UTF-8 ni Windows-1252")
            continue
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        kind = line.split(";", 1)[0]
        if "\x00" in line:
            report.reject(number, "caractère nul dans la ligne")
        elif kind == "structureet":
            _read_establishment(number, line, records, first_seen, territory, report)
        elif kind == "geolocalisation":
            geolocations.append((number, line.split(";")))
        else:
            report.reject(number, f"type de ligne inconnu {_quoted(kind)}")
    for number, parts in geolocations:
        _read_geolocation(number, parts, records, report)
    if progress:
        progress("lecture", total, total)
    return records


def _read_establishment(number, line, records, first_seen, territory, report) -> None:
    def reject(reason: str) -> None:
        report.reject(number, reason)

    try:
        values = next(csv.reader([line], delimiter=";"))
    except csv.Error:
        return reject("ligne illisible au format CSV")
    if len(values) != len(FIELDS):
        return reject(f"nombre de champs incorrect : {len(values)} au lieu de {len(FIELDS)}")
    row = dict(zip(FIELDS, (value.strip() for value in values), strict=True))
    if not is_kept(row["categetab"]):
        report.ignored += 1
        return None
    finess_et = row["nofinesset"]
    if not is_valid_finess(finess_et):
        return reject(f"numéro FINESS invalide {_quoted(finess_et)}")
    if finess_et in first_seen:
        return reject(
            f"établissement en double : le numéro FINESS {_quoted(finess_et)} "
            f"figure déjà ligne {first_seen[finess_et]}"
        )
    first_seen[finess_et] = number
    if not is_valid_finess(row["nofinessej"]):
        return reject(f"numéro FINESS d’entité juridique invalide {_quoted(row['nofinessej'])}")
    departement = OVERSEAS_DEPARTEMENTS.get(row["departement"], row["departement"])
    if departement not in territory.departements:
        return reject(f"département inconnu {_quoted(row['departement'])}")
    if not row["rs"]:
        return reject("raison sociale vide")

    record = {
        "finess_et": finess_et,
        "finess_ej": row["nofinessej"],
        "name": row["rs"],
        "long_name": row["rslongue"],
        "siret": _siret(number, row["siret"], report),
        "address": _address(row),
        "postal_code": _postal_code(row["ligneacheminement"]),
        "city_label": row["ligneacheminement"],
        "commune_id": _commune(row, territory),
        "departement_id": departement,
        "phone": row["telephone"],
        "category_code": row["categetab"],
        "category_label": typographic_label(row["libcategetab"] or CATEGORIES[row["categetab"]].finess_label),
        "aggregate_category_code": row["categagretab"],
        "aggregate_category_label": typographic_label(row["libcategagretab"]),
        "opened_on": _date(number, row["dateouv"], "date d’ouverture", report),
        "finess_updated_on": _date(number, row["datemaj"], "date de mise à jour", report),
        "x": None,
        "y": None,
        "geo_source": "",
    }
    if too_long := _too_long(record):
        return reject(too_long)
    records[finess_et] = record
    return None


def _read_geolocation(number: int, parts: list[str], records: dict[str, dict], report: ImportReport) -> None:
    if len(parts) < GEOLOCATION_MIN_FIELDS:
        report.reject(
            number, f"ligne de géolocalisation incomplète : {len(parts)} champs au lieu de 6 au moins"
        )
        return
    record = records.get(parts[1].strip())
    if record is None:  # an establishment out of scope, or rejected: its position is not needed
        return
    try:
        x, y = float(parts[2]), float(parts[3])
    except ValueError:
        x = y = math.nan
    if not (math.isfinite(x) and math.isfinite(y)):
        report.warn(
            number,
            f"coordonnées illisibles {_quoted(parts[2])}, {_quoted(parts[3])} : établissement sans position",
        )
        return
    record["x"], record["y"] = x, y
    record["geo_source"] = ";".join(part.strip() for part in parts[4:-1])[:255]


def _siret(number: int, value: str, report: ImportReport) -> str:
    if not value:
        return ""
    compact = siret_number.compact(value)
    if siret_number.is_valid(compact):
        return compact
    report.warn(number, f"SIRET invalide {_quoted(value)} : établissement importé sans SIRET")
    return ""


def _address(row: dict[str, str]) -> str:
    index = REPETITION_INDEXES.get(row["compvoie"], row["compvoie"])
    street_number = " ".join(part for part in (row["numvoie"], index) if part)
    street_type = STREET_TYPES.get(row["typvoie"], row["typvoie"])
    street = " ".join(part for part in (street_number, street_type, row["voie"]) if part)
    return ", ".join(part for part in (street, row["compldistrib"], row["lieuditbp"]) if part)[:255]


def _postal_code(routing_line: str) -> str:
    match = POSTAL_CODE_PATTERN.match(routing_line)
    return match.group(1) if match else ""


def _commune(row: dict[str, str], territory: _Territory) -> str | None:
    if len(row["commune"]) != 3:
        return None
    code = insee_commune_code(row["departement"], row["commune"])
    if code not in territory.communes:
        code = next((whole for prefix, whole in MUNICIPAL_ARRONDISSEMENTS if code.startswith(prefix)), "")
    return code if code in territory.communes else None


def _date(number: int, value: str, what: str, report: ImportReport) -> date | None:
    if not value:
        return None
    parsed = _parse_date(value)
    if parsed is None:
        report.warn(number, f"{what} illisible {_quoted(value)} : laissée vide")
    return parsed


def _parse_date(value: str) -> date | None:
    """ISO dates, as the register writes them; day/month/year, as a spreadsheet saves them."""
    date_format = "%Y-%m-%d" if value[4:5] == "-" else "%d/%m/%Y"
    try:
        return (
            date.fromisoformat(value)
            if date_format == "%Y-%m-%d"
            else datetime.strptime(value, date_format).date()
        )
    except ValueError:
        return None


def _too_long(record: dict) -> str:
    for name, value in record.items():
        if name in MAX_LENGTHS and len(value) > MAX_LENGTHS[name]:
            verbose_name = Establishment._meta.get_field(name).verbose_name
            length, limit = len(value), MAX_LENGTHS[name]
            return f"champ « {verbose_name} » trop long : {length} caractères pour {limit} au plus"
    return ""


def _quoted(value: str) -> str:
    """A value from the file, shown safely in a reason: cut short, control characters replaced."""
    shown = "".join(c if c.isprintable() else "\ufffd" for c in value[:40])
    return f"«{NBSP}{shown}{'…' if len(value) > 40 else ''}{NBSP}»"


def _typeset(text: str) -> str:
    """French typography: a no-break space before « : » and inside guillemets."""
    return text.replace(" :", NBSP + ":").replace("« ", "«" + NBSP).replace(" »", NBSP + "»")


# Writing ---------------------------------------------------------------------------------------


def _save(records: dict[str, dict], report: ImportReport, progress: Progress | None) -> None:
    # One read of the whole directory (40 000 rows take a fraction of a second), compared in memory.
    existing = {
        row[0]: row[1:] for row in Establishment.objects.values_list("finess_et", "pk", *FINESS_OWNED_FIELDS)
    }
    now = timezone.now()
    to_create, to_update = [], []
    for finess_et, record in records.items():
        known = existing.get(finess_et)
        if known is None:
            to_create.append(Establishment(**record))
        elif tuple(record[name] for name in FINESS_OWNED_FIELDS) != known[1:]:
            to_update.append(Establishment(pk=known[0], updated_at=now, **record))
        else:
            report.unchanged += 1
    total = len(to_create) + len(to_update)
    with transaction.atomic():
        for start in range(0, len(to_create), BATCH_SIZE):
            Establishment.objects.bulk_create(to_create[start : start + BATCH_SIZE])
            if progress:
                progress("enregistrement", min(start + BATCH_SIZE, len(to_create)), total)
        for start in range(0, len(to_update), BATCH_SIZE):
            Establishment.objects.bulk_update(
                to_update[start : start + BATCH_SIZE], [*FINESS_OWNED_FIELDS, "updated_at"]
            )
            if progress:
                progress("enregistrement", len(to_create) + min(start + BATCH_SIZE, len(to_update)), total)
    report.created, report.updated = len(to_create), len(to_update)
